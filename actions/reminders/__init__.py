"""Reminders: set, listed, changed and stopped in speech, said at the kiosk when due, relatives told when not
confirmed. Imports actions and the kernel of bot."""
