"""The daemon's core: the daemon object (HallDaemon), the one writer, the schema, events and the outbox."""
