"""Only the kiosk client speaks HTTP to the daemon: nothing else in hall/ calls ``_request``.

Every daemon request has a named method on :class:`hall.kiosk.client.DaemonClient`
(or :class:`~hall.kiosk.client.TerminalClient`), so the API a screen or a face
terminal uses can be read in one file.
"""

from __future__ import annotations

import ast
from pathlib import Path

HALL = Path(__file__).resolve().parents[2] / "hall"
CLIENT = HALL / "kiosk" / "client.py"


def private_requests(path: Path) -> list[int]:
    """Lines of ``<anything>._request(...)`` calls in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "_request"
    ]


def test_private_requests_are_found(tmp_path: Path) -> None:
    source = tmp_path / "m.py"
    source.write_text("def f(c):\n    return c._request('GET', '/x')\n", encoding="utf-8")
    assert private_requests(source) == [2]


def test_nothing_outside_the_client_calls_request() -> None:
    assert CLIENT.is_file()
    found = {
        str(path.relative_to(HALL.parent)): lines
        for path in sorted(HALL.rglob("*.py"))
        if path != CLIENT and (lines := private_requests(path))
    }
    assert found == {}
