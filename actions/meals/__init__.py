"""Canteen meals: menus, the booking form, capacity and the kitchen list. Imports actions and the kernel of bot."""
