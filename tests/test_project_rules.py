"""The project's own lint rule finds direct ORM access in views and stays quiet on clean code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_lint(*paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "tools" / "lint_access.py"), *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_rule_flags_objects_in_views(tmp_path: Path) -> None:
    bad = tmp_path / "views.py"
    bad.write_text(
        "from kim.audit.models import AuditEvent\n\ndef v(request):\n    return AuditEvent.objects.all()\n"
    )
    result = run_lint(tmp_path)
    assert result.returncode == 1
    assert "views.py:4: direct '.objects' access" in result.stdout


def test_rule_ignores_other_modules(tmp_path: Path) -> None:
    (tmp_path / "queries.py").write_text("def q(Model):\n    return Model.objects.all()\n")
    assert run_lint(tmp_path).returncode == 0


def test_project_code_follows_the_rule() -> None:
    result = run_lint(ROOT / "kim")
    assert result.returncode == 0, result.stdout


def test_rule_covers_view_packages(tmp_path: Path) -> None:
    package = tmp_path / "views"
    package.mkdir()
    (package / "positions.py").write_text("def v(Position):\n    return Position.objects.all()\n")
    assert run_lint(tmp_path).returncode == 1
