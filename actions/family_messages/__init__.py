"""Messages between a relative and a resident: left on Telegram, said at the kiosk, answered in speech. Imports
actions and the kernel of bot."""
