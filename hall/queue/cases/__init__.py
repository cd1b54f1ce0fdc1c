"""Cases (办件): self-service submissions (申报) and their material files."""
