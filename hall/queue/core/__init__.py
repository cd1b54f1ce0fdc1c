"""The daemon's core: the service object, the one writer, the schema, events and the outbox."""
