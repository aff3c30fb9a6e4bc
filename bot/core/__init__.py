"""What the two Rasa processes load: the REST channel with its turn gate and locks, the NLU components,
the action server's door. Imports the kernel (and actions, for the action server)."""
