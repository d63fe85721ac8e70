"""Chat rooms: the ``room.<slug>`` topic kind, its messages and their rules."""
