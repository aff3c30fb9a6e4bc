"""Checking and cancelling bookings of meals and home services together."""
