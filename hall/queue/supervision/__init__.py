"""督查 (issue 16): the registers a hall manager supervises, one module per concern."""
