"""办件 (the case register, issue 15) on the caller panel: open, list, act, notices."""
