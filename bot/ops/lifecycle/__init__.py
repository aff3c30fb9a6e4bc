"""The data's life cycle: schema migrations, deleting conversations past the retention period, backing up and
restoring. Part of operations: may import anything but tests."""
