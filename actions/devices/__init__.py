"""SOS devices (one-key call buttons, wristbands): the registry staff bind them in, what their events do,
and the round that notices a device gone silent. The HTTP door itself is `bot/devices/server.py`. Imports actions and the kernel of bot."""
