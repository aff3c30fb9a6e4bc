"""Help that comes unasked: the daily check-in at a home kiosk, and noticing a silent home. Imports actions and the kernel of bot."""
