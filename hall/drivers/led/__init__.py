"""LED boards: the board driver and one module per wire format (bx5, line)."""
