"""Pages served by the daemon: the citizen's phone pages and the manager page."""
