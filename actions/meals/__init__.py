"""Canteen meals: menus, the booking form, capacity and the kitchen list."""
