"""The HTTP side: the FastAPI app, auth, shared dependencies, the API and the pages."""
