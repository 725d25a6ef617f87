"""The project's own lint rule finds direct ORM access in views and stays quiet on clean code."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from typing import Any

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


# --- the direction of imports (docs/architecture.md § Floors) -----------------------------------
# kim/core is the ground: it imports no domain app. Domain apps may use each other in one
# direction only (partners → programmes, council → programmes/partners/cases, screening →
# cases); an import back would tie two floors into one. The top floor (kim/home) may import
# everything, and nothing below imports it.


def run_layers(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "tools" / "lint_layers.py"), str(root)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_project_imports_point_downwards() -> None:
    result = run_layers(ROOT / "kim")
    assert result.returncode == 0, result.stdout + result.stderr


def _app(root: Path, name: str, **modules: str) -> None:
    package = root / name
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "apps.py").write_text("")
    for module, source in modules.items():
        (package / f"{module}.py").write_text(source)


def _sample_tree(tmp_path: Path) -> Path:
    """A small house with today's legitimate directions only."""
    kim = tmp_path / "kim"
    _app(kim, "core", files="import io\nfrom kim.accounts.access import UserContext\n")
    _app(kim, "accounts", access="from kim.core import files\n")
    _app(kim, "organisations", models="from kim.core.models import CodeField\n")
    _app(kim, "programmes", queries="from kim.organisations.models import Organisation\n")
    _app(kim, "partners", queries="from kim.programmes.queries import programme_summary\n")
    _app(kim, "cases", models="from kim.core import crypto\n")
    _app(kim, "screening", clients="from kim.cases.models import Case\n")
    _app(
        kim,
        "council",
        answers="from kim.partners import queries\nfrom kim.programmes.queries import Tally\n"
        "from kim.cases.queries import statistics\n",
    )
    _app(kim, "home", views="from kim.cases import home\nfrom kim.screening import home as s\n")
    # Tests may cross floors (integration tests); they are not part of the building.
    (kim / "core" / "tests").mkdir()
    (kim / "core" / "tests" / "test_x.py").write_text("from kim.cases.models import Case\n")
    return kim


def test_layer_rule_accepts_todays_directions(tmp_path: Path) -> None:
    result = run_layers(_sample_tree(tmp_path))
    assert result.returncode == 0, result.stdout


def test_layer_rule_fails_on_a_back_import(tmp_path: Path) -> None:
    kim = _sample_tree(tmp_path)
    (kim / "cases" / "retention.py").write_text(
        "def run():\n    from kim.screening.retention import purge_expired\n"
    )
    result = run_layers(kim)
    assert result.returncode == 1
    assert "cases/retention.py:2: kim.cases imports kim.screening" in result.stdout
    assert "cycle kim.cases → kim.screening → kim.cases" in result.stdout


def test_layer_rule_fails_when_core_imports_a_domain_app(tmp_path: Path) -> None:
    kim = _sample_tree(tmp_path)
    (kim / "core" / "context_processors.py").write_text(
        "from kim.accounts.access import user_context\n"
        "from kim.programmes.access import can_use_programme\n"
    )
    (kim / "core" / "demo.py").write_text("from kim import partners\n")
    result = run_layers(kim)
    assert result.returncode == 1
    assert "core/context_processors.py:2: kim.core imports the domain app kim.programmes" in (
        result.stdout
    )
    assert "core/demo.py:1: kim.core imports the domain app kim.partners" in result.stdout
    assert "accounts" not in result.stdout  # the platform's base is ground too


def test_layer_rule_fails_on_a_longer_cycle_and_on_importing_the_top(tmp_path: Path) -> None:
    kim = _sample_tree(tmp_path)
    (kim / "programmes" / "charts.py").write_text("from kim.council.answers import compute\n")
    (kim / "organisations" / "views.py").write_text("from .. import home\n")
    result = run_layers(kim)
    assert result.returncode == 1
    assert "kim.programmes imports kim.council" in result.stdout
    assert "cycle kim.programmes → kim.council → kim.programmes" in result.stdout
    assert "organisations/views.py:1: kim.organisations imports the top floor kim.home" in (
        result.stdout
    )


# --- stored files go through the storage API (tools/lint_files.py, D-061) ----------------------
# Several app nodes share one volume or an S3 bucket only if no code reaches a stored file by
# its filesystem path. The rule flags filesystem calls and MEDIA_ROOT in application code; the
# few legitimate filesystem uses are listed in the lint with their reason.


def _lint_files() -> Any:
    spec = importlib.util.spec_from_file_location("lint_files", ROOT / "tools" / "lint_files.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_project_code_reaches_stored_files_through_the_storage_api() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "lint_files.py"), str(ROOT / "kim")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_file_rule_flags_paths_to_stored_files(tmp_path: Path) -> None:
    kim = tmp_path / "kim"
    (kim / "cases").mkdir(parents=True)
    (kim / "cases" / "documents.py").write_text(
        "import os, shutil\n"
        "from pathlib import Path\n"
        "from django.conf import settings\n"
        "def read(document):\n"
        "    with open(settings.MEDIA_ROOT / document.file.name, 'rb') as handle:\n"
        "        return handle.read()\n"
        "def write(name, data):\n"
        "    Path(settings.MEDIA_ROOT, name).write_bytes(data)\n"
        "def drop(document, default_storage):\n"
        "    os.remove(document.file.path)\n"
        "    shutil.copy(default_storage.path(document.file.name), '/tmp/x')\n"
        "    with Path('x').open() as handle:\n"
        "        return handle\n"
    )
    problems = _lint_files().findings(kim, allowed={})
    kinds = sorted(line.split(": ")[1].split(" ")[0] for line in problems)
    assert kinds == [
        "MEDIA_ROOT",
        "MEDIA_ROOT",
        "Path.open",
        "file.path",
        "open",
        "os.remove",
        "shutil.copy",
        "storage.path",
        "write_bytes",
    ]
    assert all(line.startswith("cases/documents.py:") for line in problems)
    assert any(line.startswith("cases/documents.py:5: open – ") for line in problems)


def test_file_rule_stays_quiet_on_the_storage_api_and_in_tests(tmp_path: Path) -> None:
    kim = tmp_path / "kim"
    (kim / "cases" / "tests").mkdir(parents=True)
    (kim / "cases" / "documents.py").write_text(
        "from django.core.files.storage import default_storage\n"
        "def read(document, archive):\n"
        "    with document.file.open('rb') as handle:\n"
        "        data = handle.read()\n"
        "    with archive.open('mimetype') as member:\n"
        "        member.read()\n"
        "    default_storage.delete(default_storage.save('x.bin', data))\n"
        "    return default_storage.listdir('')\n"
    )
    (kim / "cases" / "tests" / "test_x.py").write_text(
        "from django.conf import settings\nopen(settings.MEDIA_ROOT / 'x').read()\n"
    )
    (kim / "settings.py").write_text("MEDIA_ROOT = 'var/media'\n")
    assert _lint_files().findings(kim, allowed={}) == []


def test_file_rule_keeps_its_allowances_exact(tmp_path: Path) -> None:
    kim = tmp_path / "kim"
    (kim / "core").mkdir(parents=True)
    (kim / "core" / "crypto.py").write_text("def keys(p):\n    return p.read_text()\n")
    allowed = {"core/crypto.py": frozenset({"read_text", "os.open"})}
    assert _lint_files().findings(kim, allowed=allowed) == [
        "core/crypto.py: allowed os.open is no longer used; remove it"
    ]
