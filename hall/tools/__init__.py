"""Developer tools: the screen atlas (``make screens``), its layout checks, headless Chromium."""
