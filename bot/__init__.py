"""Everything but the dialogue's actions and the voice kiosk: the kernel, the Rasa core's own pieces,
the front-end processes, the workers and operations (docs/architecture.md#layers)."""
