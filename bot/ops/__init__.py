"""Operations: the `xiaonuan` command line, the launcher that starts the processes, training,
validation, the data's life cycle. May import anything but tests."""
