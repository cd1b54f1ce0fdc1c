"""No import cycles between hall's modules (scripts/import_cycles.py, see docs/ARCHITECTURE.md)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "import_cycles.py"


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """The checker's exit status and output."""
    return subprocess.run(
        [sys.executable, str(SCRIPT), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def checker() -> ModuleType:
    """The checker as a module, for its import graph."""
    spec = importlib.util.spec_from_file_location("import_cycles", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_hall_has_no_import_cycles() -> None:
    result = run()
    assert result.returncode == 0, result.stdout + result.stderr
    assert " 0 cycle(s)" in result.stdout


def package(tmp_path: Path, files: dict[str, str]) -> Path:
    """A throwaway package ``pkg`` under tmp_path from {relative path: source}."""
    for rel, source in ({"pkg/__init__.py": ""} | files).items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
    return tmp_path


CYCLES = {
    "from-import of a module": {"pkg/a.py": "from pkg import b\n", "pkg/b.py": "import pkg.a\n"},
    "relative": {"pkg/a.py": "from .b import x\n", "pkg/b.py": "from . import a\nx = 1\n"},
    "three long, in a class body and a try": {
        "pkg/a.py": "try:\n    from pkg.b import x\nexcept ImportError:\n    pass\n",
        "pkg/b.py": "class K:\n    from pkg.c import y\nx = 1\n",
        "pkg/c.py": "if True:\n    from pkg.a import z\ny = 1\n",
    },
    "through a package's __init__": {
        "pkg/a.py": "from pkg.sub.c import y\n",
        "pkg/sub/__init__.py": "from pkg.a import x\n",
        "pkg/sub/c.py": "y = 1\n",
    },
}


@pytest.mark.parametrize("files", CYCLES.values(), ids=CYCLES.keys())
def test_a_cycle_fails_and_is_named(tmp_path: Path, files: dict[str, str]) -> None:
    result = run("--root", package(tmp_path, files), "--package", "pkg")
    assert result.returncode == 1, result.stdout
    assert "cycle: pkg.a -> " in result.stdout


DEFERRED = {
    "pkg/a.py": "from pkg import b\n",
    "pkg/b.py": (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from pkg.a import x\n"
        "def f():\n    from pkg import a\n    return a\n"
    ),
    # A package's own __init__ is already running when its modules import each other.
    "pkg/c.py": "from pkg.d import y\nx = 1\n",
    "pkg/d.py": "y = 2\n",
}


def test_lazy_and_type_checking_imports_are_not_cycles(tmp_path: Path) -> None:
    root = package(tmp_path, DEFERRED)
    result = run("--root", root, "--package", "pkg")
    assert result.returncode == 0, result.stdout
    deferred = run("--root", root, "--package", "pkg", "--deferred")
    assert deferred.returncode == 1
    assert "cycle: pkg.a -> pkg.b -> pkg.a" in deferred.stdout


def test_shared_screen_pieces_import_no_role() -> None:
    """hall/screens/common serves every role: it imports none of their screens, not even lazily."""
    graph = checker().import_graph(ROOT, deferred=True)
    roles = ("hall.screens.kiosk", "hall.screens.caller", "hall.screens.lobby")
    common = [m for m in graph if m.startswith("hall.screens.common")]
    assert "hall.screens.common.face_watch" in common
    found = {m: sorted(t for t in graph[m] if t.startswith(roles)) for m in common}
    assert {m: t for m, t in found.items() if t} == {}


def test_screens_have_no_cycle_even_through_lazy_imports() -> None:
    """A role's parts (panel, face, ...) never reach back to its root, not lazily, not for types.

    The root hands them what they use (callbacks, the bridge, a Protocol), so
    ``--deferred`` finds no cycle among hall/screens' modules.
    """
    tool = checker()
    graph = tool.import_graph(ROOT, deferred=True)
    screens = {m: {t for t in graph[m] if t.startswith("hall.screens")} for m in graph}
    screens = {m: t for m, t in screens.items() if m.startswith("hall.screens")}
    assert "hall.screens.caller.panel" in screens
    assert [cycle for cycle, _members in tool.cycles(screens)] == []
