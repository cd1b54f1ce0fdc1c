"""Find import cycles between the modules of a package (default: hall/).

Reads the source with :mod:`ast` (nothing is imported) and follows only the
imports that run when a module is first imported:

* module-level ``import``/``from ... import`` statements, including those inside
  top-level ``if``/``try``/``with`` blocks and class bodies;
* not imports inside a function (a lazy import is the documented way to break
  a cycle or to keep a heavy library such as OpenCV out of a process);
* not imports under ``if TYPE_CHECKING:`` (they never run).

``from hall.x import y`` counts as an edge to the module ``hall.x.y`` when that
file exists, else to ``hall.x`` (its ``__init__``); ``import hall.x.y`` is an edge
to ``hall.x.y``. Both are also edges to the packages Python runs on the way
(``hall.x``), except the importer's own packages, which are already running.

Usage::

    python scripts/import_cycles.py            # check hall/, exit 1 listing each cycle
    python scripts/import_cycles.py --edges    # also print every counted edge
    python scripts/import_cycles.py --deferred # also count lazy and TYPE_CHECKING imports
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def module_name(path: Path, root: Path) -> str:
    """``hall/queue/core/writer.py`` → ``hall.queue.core.writer``; a package's ``__init__`` → its name."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def eager_imports(
    tree: ast.Module, *, deferred: bool = False
) -> Iterator[ast.Import | ast.ImportFrom]:
    """The import statements that run at import time (not in functions, not TYPE_CHECKING).

    With ``deferred``, every import statement, those in functions and under
    TYPE_CHECKING too: the cycles that only a lazy import keeps apart.
    """
    stack: list[ast.stmt] = list(reversed(tree.body))
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and not deferred:
            continue  # runs when called, not when imported
        elif isinstance(node, ast.If) and _is_type_checking(node.test) and not deferred:
            stack.extend(reversed(node.orelse))
        else:
            for field in ("body", "orelse", "finalbody", "handlers", "cases"):
                for child in reversed(getattr(node, field, None) or []):
                    if isinstance(child, ast.ExceptHandler | ast.match_case):
                        stack.extend(reversed(child.body))
                    elif isinstance(child, ast.stmt):
                        stack.append(child)


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _with_packages(target: str, importer: str) -> set[str]:
    """The target and the packages Python runs on the way, less the importer's own packages.

    Importing ``hall.config.face`` from ``hall.kiosk.main`` runs ``hall/config/__init__``
    first; from ``hall.config.base`` it does not (that package is already running).
    """
    parts = target.split(".")
    chain = {".".join(parts[:i]) for i in range(1, len(parts) + 1)}
    own = importer.split(".")
    return chain - {".".join(own[:i]) for i in range(1, len(own) + 1)}


def import_graph(
    root: Path, package: str = "hall", *, deferred: bool = False
) -> dict[str, set[str]]:
    """Module → the modules of ``package`` it imports at import time (``deferred``: at all)."""
    files = {module_name(p, root): p for p in sorted((root / package).rglob("*.py"))}
    graph: dict[str, set[str]] = {name: set() for name in files}
    for name, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        is_package = path.name == "__init__.py"
        for node in eager_imports(tree, deferred=deferred):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = _absolute(node, name, is_package)
                targets = [
                    f"{base}.{alias.name}" if f"{base}.{alias.name}" in files else base
                    for alias in node.names
                ]
            for target in targets:
                graph[name] |= {t for t in _with_packages(target, name) if t in files}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[tuple[list[str], set[str]]]:
    """Per strongly connected component of more than one module: a shortest cycle, the members."""
    found = []
    for component in _components(graph):
        if len(component) > 1:
            found.append((_shortest_cycle(graph, component), component))
    return sorted(found, key=lambda item: item[0])


def _components(graph: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's strongly connected components, iteratively (no recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    result: list[set[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                result.append(component)
    return result


def _shortest_cycle(graph: dict[str, set[str]], component: set[str]) -> list[str]:
    """The shortest cycle through the component's first module (breadth-first)."""
    start = min(component)
    parent: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for child in sorted(graph[node] & component):
                if child == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(parent[path[-1]])
                    return [*reversed(path), start]
                if child not in parent:
                    parent[child] = node
                    following.append(child)
        frontier = following
    raise AssertionError(f"{sorted(component)} is not strongly connected")


def main(argv: list[str] | None = None) -> int:
    """Print the cycles found; exit status 1 when there is any."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the folder holding the package")
    parser.add_argument("--package", default="hall")
    parser.add_argument("--edges", action="store_true", help="print every counted edge")
    parser.add_argument(
        "--deferred",
        action="store_true",
        help="count imports in functions and under TYPE_CHECKING too (informational)",
    )
    args = parser.parse_args(argv)
    graph = import_graph(args.root, args.package, deferred=args.deferred)
    if args.edges:
        for module in sorted(graph):
            for target in sorted(graph[module]):
                print(f"{module} -> {target}")
    found = cycles(graph)
    for cycle, members in found:
        print("cycle: " + " -> ".join(cycle))
        if len(members) > len(cycle) - 1:
            print(f"  (one of the cycles among {', '.join(sorted(members))})")
    edges = sum(len(t) for t in graph.values())
    print(f"{len(graph)} modules, {edges} import-time edges, {len(found)} cycle(s)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
