"""Checking and cancelling bookings of meals and home services together. Imports actions and the kernel of bot."""
