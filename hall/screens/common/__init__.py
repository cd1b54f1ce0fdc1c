"""What every role's screens share: the UI bridge to the worker thread and the face watch."""
