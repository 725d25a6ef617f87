"""``kim deploy check [--format json]``: preflight of this node (``kim/core/deploy.py``).

Prints one line per check (``✓ name: detail`` or ``✗ name: detail``), or with
``--format json`` exactly ``{"ok": bool, "checks": [{"name", "ok", "detail"}]}``. Exits 0 when
every check passes, 1 otherwise (docs/operations.md).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kim.core.deploy import as_json, run_deploy_checks


class Command(BaseCommand):
    help = "Deployment tools. 'check' verifies database, migrations, cache, storage, keys, worker."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        check = sub.add_parser("check", help="Preflight: exit 0 when every check passes.")
        check.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        results = run_deploy_checks()
        if options["format"] == "json":
            self.stdout.write(json.dumps(as_json(results), ensure_ascii=False))
        else:
            for r in results:
                mark = self.style.SUCCESS("✓") if r.ok else self.style.ERROR("✗")
                self.stdout.write(f"{mark} {r.name}: {r.detail}")
        failed = [r.name for r in results if not r.ok]
        if failed:
            raise CommandError(f"deploy check failed: {', '.join(failed)}", returncode=1)
