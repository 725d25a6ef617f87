"""Project lint rule: stored files go through the storage API (issue 14 § Files; D-061).

Every stored file – case documents, consent forms, minutes, submissions, council files, job
results – is read, written and deleted through ``STORAGES["default"]`` (``FieldFile.open``,
``default_storage.open/save/delete/listdir``), never through a filesystem path. Only then can
several app nodes share one volume or an S3 bucket. The rule flags, in application code (every
``.py`` under ROOT except ``tests/`` and ``migrations/``):

- ``MEDIA_ROOT`` anywhere but ``settings.py`` (building a path to a stored file);
- ``<…file>.path`` and ``<storage>.path(name)`` (a stored file's filesystem path; S3 has none);
- filesystem calls: ``open()``, ``io.open``, ``os.open``/``fdopen``/``remove``/``unlink``/
  ``rename``/``replace``/``listdir``/``scandir``/``walk``, ``shutil`` copies, moves and
  ``rmtree``, ``Path(…).open()``, and the path methods ``read_text``/``read_bytes``/
  ``write_text``/``write_bytes``/``unlink``/``iterdir``/``rglob``.

It cannot tell a path's ``.open()`` from a storage's without types, so ``some_path.open()`` on a
variable passes; review catches that. The legitimate filesystem uses – secrets files, the
development key files, a static asset, files named on a command line, the backup directory –
are listed in ``ALLOWED`` with their reason, and an allowance nobody uses any more is reported
too, so the list stays exact.

Usage: python tools/lint_files.py [ROOT]   (ROOT defaults to ``kim``; exit 1 and one line per
finding)
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

SKIPPED_DIRS = frozenset({"tests", "migrations"})
OS_CALLS = frozenset(
    {"open", "fdopen", "remove", "unlink", "rename", "replace", "listdir", "scandir", "walk"}
)
SHUTIL_CALLS = frozenset({"copy", "copy2", "copyfile", "copytree", "move", "rmtree"})
PATH_METHODS = frozenset(
    {"read_text", "read_bytes", "write_text", "write_bytes", "unlink", "iterdir", "rglob"}
)

# path relative to ROOT → the kinds of finding allowed there, each with its reason.
ALLOWED: dict[str, frozenset[str]] = {
    # <NAME>_FILE: secrets read from files named in the environment, before Django starts.
    "settings.py": frozenset({"read_text"}),
    # Development key files under KIM_VAR_DIR (never in production), created atomically.
    "core/crypto.py": frozenset({"os.open", "os.fdopen", "read_text", "unlink"}),
    # The print stylesheet, a static asset located by the staticfiles finders.
    "cases/queries/consent.py": frozenset({"open"}),
    # A person list named on the command line (`kim screening import FILE`).
    "screening/management/commands/screening.py": frozenset({"open"}),
    # The report written to the file named by `kim report … --out FILE`.
    "council/management/commands/report.py": frozenset({"write_bytes"}),
    # The statement written to the file named by `kim land-report … --out FILE`.
    "proofs/management/commands/land-report.py": frozenset({"write_bytes"}),
    # The backup directory named by `kim backup create --out DIR`: the dump, the copies of the
    # stored files (read through the storage API) and the manifest.
    "core/backup.py": frozenset({"os.open", "os.fdopen", "read_text", "rglob", "iterdir"}),
    # `kim backup restore`: the SQLite target file named by --database-url (the stored files
    # are written through the storage API).
    "core/restore.py": frozenset({"shutil.copyfile", "os.replace", "unlink"}),
    # prometheus-client's per-process metric files of the previous run, under KIM_VAR_DIR.
    "gunicorn_conf.py": frozenset({"unlink"}),
}


def _name_kind(node: ast.AST) -> str | None:
    """MEDIA_ROOT, or the filesystem path of a stored file (``x.file.path``)."""
    if isinstance(node, ast.Name) and node.id == "MEDIA_ROOT":
        return "MEDIA_ROOT"
    if not isinstance(node, ast.Attribute):
        return None
    if node.attr == "MEDIA_ROOT":
        return "MEDIA_ROOT"
    owner = node.value
    if node.attr == "path" and isinstance(owner, ast.Attribute) and owner.attr.endswith("file"):
        return "file.path"
    return None


def _module_call_kind(owner: str, attr: str) -> str | None:
    if owner in ("os", "io") and attr in OS_CALLS:
        return f"{owner}.{attr}"
    if owner == "shutil" and attr in SHUTIL_CALLS:
        return f"shutil.{attr}"
    if owner.endswith("storage") and attr == "path":
        return "storage.path"
    return None


def _call_kind(node: ast.Call) -> str | None:
    func = node.func
    if isinstance(func, ast.Name):
        return "open" if func.id == "open" else None
    if not isinstance(func, ast.Attribute):
        return None
    owner = func.value
    if isinstance(owner, ast.Name) and (kind := _module_call_kind(owner.id, func.attr)):
        return kind
    if func.attr == "open" and isinstance(owner, ast.Call):
        callee = owner.func
        return "Path.open" if isinstance(callee, ast.Name) and callee.id == "Path" else None
    return func.attr if func.attr in PATH_METHODS else None


def _kind(node: ast.AST) -> str | None:
    """The kind of filesystem access ``node`` is, or None."""
    if isinstance(node, ast.Call):
        return _call_kind(node)
    return _name_kind(node)


def findings_in(root: Path, path: Path) -> list[tuple[str, int, str]]:
    """(relative path, line, kind) of every filesystem access in one module."""
    relative = path.relative_to(root).as_posix()
    skip_media_root = relative == "settings.py"  # where MEDIA_ROOT is defined
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        kind = _kind(node)
        if kind is None or (kind == "MEDIA_ROOT" and skip_media_root):
            continue
        found.append((relative, getattr(node, "lineno", 0), kind))
    return found


def findings(root: Path, allowed: dict[str, frozenset[str]] | None = None) -> list[str]:
    allowed = ALLOWED if allowed is None else allowed
    problems, used = [], set()
    for path in sorted(root.rglob("*.py")):
        if SKIPPED_DIRS.intersection(path.relative_to(root).parts[:-1]):
            continue
        for relative, line, kind in findings_in(root, path):
            if kind in allowed.get(relative, frozenset()):
                used.add((relative, kind))
                continue
            problems.append(
                f"{relative}:{line}: {kind} – stored files go through the storage API "
                "(default_storage / FieldFile), not the filesystem (tools/lint_files.py)"
            )
    for relative, kinds in sorted(allowed.items()):
        for kind in sorted(kinds):
            if (relative, kind) not in used:
                problems.append(f"{relative}: allowed {kind} is no longer used; remove it")
    return problems


def main(argv: list[str]) -> int:
    root = Path(argv[0]) if argv else Path("kim")
    problems = findings(root.resolve())
    for line in problems:
        print(line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
