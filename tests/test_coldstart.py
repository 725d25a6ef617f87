"""The CLI's cold start (decisions D-080): ``kim report`` and ``kim screening check`` start in
about a second because a fresh process imports only what the command needs. Document libraries
(python-docx, openpyxl, WeasyPrint, matplotlib) are imported inside the functions that render,
and the two commands skip Django's system checks, which would import every URL conf and view.

The guard is structural – which modules a fresh interpreter holds after starting Django and
loading both commands – so it does not depend on the machine's speed; the timing itself is a
benchmark (``benchmarks/coldstart.py``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCUMENT_LIBRARIES = ("weasyprint", "docx", "openpyxl", "matplotlib", "pandas")
# Not needed to start: the PostgreSQL driver on SQLite (kim.core.rls imports it on use) and the
# metrics library (kim.accounts.auth_events imports it on a failed login).
ON_USE_ONLY = ("psycopg", "prometheus_client")
COMMANDS = (
    ("kim.council", "report", ["motion", "184/2022", "--format", "pdf", "--out", "x.pdf"]),
    ("kim.screening", "screening", ["check", "--input", "persons.json"]),
)

PROBE = """
import json, os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "kim.settings"
import kim.__main__
import django
django.setup()
from django.core.management import load_command_class
checks = {}
for app, name, args in COMMANDS:
    command = load_command_class(app, name)
    command.create_parser("kim", name).parse_args(args)
    checks[name] = list(command.requires_system_checks)
tops = sorted({m.split(".")[0] for m in sys.modules})
urls = sorted(m for m in sys.modules if m.startswith("kim.") and m.endswith((".urls", ".views")))
print(json.dumps({"modules": tops, "checks": checks, "urls": urls}))
"""


def _probe(tmp_path: Path) -> dict[str, object]:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        "KIM_VAR_DIR": str(tmp_path),
        "PYTHONPATH": str(ROOT),
    }
    done = subprocess.run(
        [sys.executable, "-c", f"COMMANDS = {COMMANDS!r}\n{PROBE}"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_the_cli_commands_start_without_document_libraries(tmp_path: Path) -> None:
    result = _probe(tmp_path)
    modules = set(result["modules"])  # type: ignore[call-overload]
    assert "django" in modules and "kim" in modules  # the probe did start Django
    assert modules.isdisjoint(DOCUMENT_LIBRARIES), sorted(modules & set(DOCUMENT_LIBRARIES))
    assert modules.isdisjoint(ON_USE_ONLY), sorted(modules & set(ON_USE_ONLY))
    # No system checks: they would import every URL conf and view (and DRF's, allauth's …).
    assert result["checks"] == {"report": [], "screening": []}
    assert result["urls"] == []
