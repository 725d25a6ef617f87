"""Project lint rule: views and API modules never touch ``<Model>.objects`` directly.

Rows reach views only through ``access.py`` helpers (and read-side ``queries.py``), so the
access predicates cannot be bypassed by accident (CONVENTIONS §3.5, after Zulip's custom lint).

Usage: python tools/lint_access.py [PATH ...]   (exit 1 and one line per finding)
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

CHECKED_FILES = ("views.py", "api.py")


def _checked(path: Path) -> bool:
    """``views.py``/``api.py``, and every module of a ``views/`` or ``api/`` package."""
    return path.name in CHECKED_FILES or path.parent.name in ("views", "api")


def findings_in(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in (
            "objects",
            "_default_manager",
            "_base_manager",
        ):
            found.append(
                f"{path}:{node.lineno}: direct '.{node.attr}' access in {path.name}; "
                "use the app's access.py / queries.py instead"
            )
    return found


def main(argv: list[str]) -> int:
    roots = [Path(a) for a in argv] or [Path("kim")]
    problems: list[str] = []
    for root in roots:
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*.py") if _checked(p))
        for path in files:
            problems.extend(findings_in(path))
    for line in problems:
        print(line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
