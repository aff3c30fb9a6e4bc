"""The device door: SOS buttons and wristbands post their events here (see docs/devices.md)."""
