"""Emergencies as conversations: what kind of danger, what was really meant, the alert's record and place. Imports actions and the kernel of bot."""
