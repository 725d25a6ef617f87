"""`make test` runs only the tests marked `sqlite_too` on SQLite when PostgreSQL is available
(tools/run-tests.sh, docs/testing.md). A test that reaches below the ORM – raw SQL through
`connection.cursor()`, `connection.vendor`, threads on a transactional database – tests
database behaviour and must carry the marker, or SQLite would silently lose it."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BELOW_THE_ORM = ("connection.cursor(", "connection.vendor", "threading.", "transaction=True")


def _marks(decorators: list[ast.expr]) -> set[str]:
    """The `pytest.mark.<name>` names among the decorators (or a `pytestmark` value)."""
    names = set()
    for node in decorators:
        for sub in ast.walk(node):
            if (
                isinstance(sub, ast.Attribute)
                and isinstance(sub.value, ast.Attribute)
                and sub.value.attr == "mark"
            ):
                names.add(sub.attr)
    return names


def unmarked_database_tests(path: Path, root: Path = ROOT) -> list[str]:
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    module_marks: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets
        ):
            module_marks |= _marks([node.value])
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef) or not node.name.startswith("test_"):
            continue
        text = ast.get_source_segment(source, node) or ""
        text += "".join(ast.get_source_segment(source, d) or "" for d in node.decorator_list)
        if not any(needle in text for needle in BELOW_THE_ORM):
            continue
        if "sqlite_too" not in module_marks | _marks(node.decorator_list):
            found.append(f"{path.relative_to(root)}::{node.name}")
    return found


def test_the_rule_finds_an_unmarked_raw_sql_test(tmp_path: Path) -> None:
    sample = tmp_path / "test_sample.py"
    sample.write_text(
        "import pytest\n"
        "from django.db import connection\n\n"
        "def test_raw():\n"
        "    with connection.cursor() as c:\n"
        "        c.execute('select 1')\n\n"
        "@pytest.mark.sqlite_too\n"
        "def test_raw_marked():\n"
        "    with connection.cursor() as c:\n"
        "        c.execute('select 1')\n\n"
        "@pytest.mark.django_db(transaction=True)\n"
        "def test_threads():\n"
        "    pass\n\n"
        "def test_orm_only():\n"
        "    assert True\n"
    )
    assert unmarked_database_tests(sample, root=tmp_path) == [
        "test_sample.py::test_raw",
        "test_sample.py::test_threads",
    ]


def test_every_database_specific_test_runs_on_sqlite_too() -> None:
    files = sorted(ROOT.glob("kim/*/tests/test_*.py")) + sorted(ROOT.glob("tests/test_*.py"))
    files.remove(Path(__file__).resolve())  # its sample holds the patterns as text
    assert len(files) > 50
    unmarked = [name for path in files for name in unmarked_database_tests(path)]
    assert unmarked == [], "add @pytest.mark.sqlite_too to:\n" + "\n".join(unmarked)
