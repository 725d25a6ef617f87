"""Project lint rule: imports point downwards (docs/architecture.md § Floors).

The house has three floors:

- **Ground**: ``core`` (plumbing: crypto, files, PDF, formats, locking, the shell registry) and
  the platform's base ``accounts``, ``audit``, ``organisations``. The ground imports no domain
  app and not the top floor.
- **Domain apps**: every other app (``programmes``, ``partners``, ``council``, ``cases``,
  ``screening`` and any later one). They may use the ground and each other, but in one direction
  only: no two domain apps may import each other, directly or round a longer cycle.
- **Top**: ``home`` (start page, navigation, demo seed, retention run) collects what every app
  registers in its ``home.py``; it may import everything, and nothing below imports it.

An app is a package directly under the root with an ``apps.py``. Every ``import``, also one
inside a function, counts; ``tests/`` and ``migrations/`` do not (integration tests may cross
floors; they are not part of the building).

Usage: python tools/lint_layers.py [ROOT]   (ROOT defaults to ``kim``; exit 1 and one line per
finding)
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

GROUND = frozenset({"core", "accounts", "audit", "organisations"})
TOP = frozenset({"home"})
SKIPPED_DIRS = frozenset({"tests", "migrations"})


@dataclass(frozen=True)
class Edge:
    source: str  # app that imports
    target: str  # app imported
    path: Path
    line: int


def apps_under(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if (p / "apps.py").is_file())


def _module_name(root: Path, path: Path) -> list[str]:
    parts = [root.name, *path.relative_to(root).with_suffix("").parts]
    return parts[:-1] if parts[-1] == "__init__" else parts


def _imported(root: Path, path: Path, node: ast.AST) -> list[list[str]]:
    """The dotted names an import statement brings in, relative ones resolved."""
    if isinstance(node, ast.Import):
        return [alias.name.split(".") for alias in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    if node.level:
        package = _module_name(root, path)
        if path.name != "__init__.py":
            package = package[:-1]
        base = package[: len(package) - node.level + 1]
    else:
        base = []
    module = base + (node.module.split(".") if node.module else [])
    # ``from kim import cases`` names the app in the imported names.
    return [[*module, alias.name] for alias in node.names]


def edges_in(root: Path, path: Path, apps: set[str]) -> list[Edge]:
    source = path.relative_to(root).parts[0]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: dict[tuple[str, int], Edge] = {}  # one finding per app and line
    for node in ast.walk(tree):
        for name in _imported(root, path, node):
            if len(name) > 1 and name[0] == root.name and name[1] in apps and name[1] != source:
                line: int = node.lineno  # type: ignore[attr-defined]
                found.setdefault((name[1], line), Edge(source, name[1], path, line))
    return list(found.values())


def collect_edges(root: Path) -> list[Edge]:
    apps = set(apps_under(root))
    edges: list[Edge] = []
    for app in sorted(apps):
        for path in sorted((root / app).rglob("*.py")):
            if SKIPPED_DIRS.intersection(path.relative_to(root).parts[1:-1]):
                continue
            edges.extend(edges_in(root, path, apps))
    return edges


def _path_between(graph: dict[str, set[str]], start: str, goal: str) -> list[str] | None:
    """A shortest import path from ``start`` to ``goal`` (breadth first), or None."""
    previous: dict[str, str] = {}
    queue, seen = [start], {start}
    while queue:
        node = queue.pop(0)
        if node == goal:
            path = [goal]
            while path[-1] != start:
                path.append(previous[path[-1]])
            return path[::-1]
        for nxt in sorted(graph[node]):
            if nxt not in seen:
                seen.add(nxt)
                previous[nxt] = node
                queue.append(nxt)
    return None


def findings(root: Path) -> list[str]:
    name = root.name
    edges = collect_edges(root)
    problems = []
    for e in edges:
        where = f"{e.path.relative_to(root)}:{e.line}"
        if e.target in TOP and e.source not in TOP:
            problems.append(f"{where}: {name}.{e.source} imports the top floor {name}.{e.target}")
        elif e.source in GROUND and e.target not in GROUND | TOP:
            problems.append(
                f"{where}: {name}.{e.source} imports the domain app {name}.{e.target}; "
                "the ground knows no domain app – register in the app's home.py instead"
            )
    domain = defaultdict(set)
    for e in edges:
        if not {e.source, e.target} & (GROUND | TOP):
            domain[e.source].add(e.target)
    for e in edges:
        if {e.source, e.target} & (GROUND | TOP):
            continue
        back = _path_between(domain, e.target, e.source)
        if back is not None:
            cycle = " → ".join(f"{name}.{app}" for app in [e.source, *back])
            problems.append(
                f"{e.path.relative_to(root)}:{e.line}: {name}.{e.source} imports "
                f"{name}.{e.target}, which imports it back (cycle {cycle})"
            )
    return problems


def main(argv: list[str]) -> int:
    root = Path(argv[0]) if argv else Path("kim")
    problems = findings(root.resolve())
    for line in problems:
        print(line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
