"""Help that comes unasked: the daily check-in at a home kiosk, and noticing a silent home."""
