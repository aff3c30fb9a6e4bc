"""The data's life cycle: deleting conversations past the retention period, backing up and restoring."""
