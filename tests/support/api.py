"""A tiny HTTP client for the daemon's API."""

from __future__ import annotations

from typing import Any

import requests


class Api:
    """A requests session bound to a daemon's API base and a token."""

    def __init__(self, base: str, token: str | None, verify: bool | str = True) -> None:
        self.base = base
        # Passed with each request: a session's own ``verify`` loses to REQUESTS_CA_BUNDLE.
        self.verify = verify
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def get(self, path: str, **kw: Any) -> requests.Response:
        """GET ``base + path``."""
        return self.session.get(self.base + path, timeout=10, **{"verify": self.verify, **kw})

    def post(self, path: str, json: Any = None, **kw: Any) -> requests.Response:
        """POST ``json`` to ``base + path``."""
        kw.setdefault("verify", self.verify)
        return self.session.post(self.base + path, json=json, timeout=10, **kw)

    def close(self) -> None:
        """Close the session."""
        self.session.close()
