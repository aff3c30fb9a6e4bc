"""The staff console (a front-end process): alerts, bookings, residents, conversations, the
not-understood queue. Imports the kernel and actions."""
