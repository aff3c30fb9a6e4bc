"""The device door (a front-end process): SOS buttons and wristbands post their events here (docs/devices.md).
Imports the kernel and actions."""
