"""``kim backup create|verify|restore``: backups of the database and the stored files
(``kim/core/backup.py``, ``kim/core/restore.py``; docs/operations.md § Backup and restore).

- ``kim backup create --out DIR``: dump, files and ``manifest.json`` into a new directory.
- ``kim backup verify DIR``: recompute the checksums; exit 1 on a missing, extra or changed file.
- ``kim backup restore DIR --database-url URL [--media-root PATH] [--force]``: verify, refuse a
  non-empty target unless ``--force``, restore, compare row counts; exit 1 on a mismatch.

The keys are never written into a backup; keep them apart from it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kim.core.backup import BackupError, create_backup, verify_backup
from kim.core.restore import restore_backup


class Command(BaseCommand):
    help = "Backups: 'create', 'verify' and 'restore' (database dump, stored files, manifest)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        create = sub.add_parser("create", help="Write a backup into a new directory.")
        create.add_argument("--out", required=True, help="A new or empty directory.")
        verify = sub.add_parser("verify", help="Check a backup's files against its manifest.")
        verify.add_argument("directory")
        restore = sub.add_parser("restore", help="Restore a backup into an empty database.")
        restore.add_argument("directory")
        restore.add_argument("--database-url", required=True, help="The target database.")
        restore.add_argument(
            "--media-root", help="Directory for the stored files (default: the configured storage)."
        )
        restore.add_argument(
            "--force", action="store_true", help="Replace what the target already holds."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['subcommand']}")(options)
        except BackupError as exc:
            raise CommandError(str(exc), returncode=1) from exc

    def _create(self, options: dict[str, Any]) -> None:
        out = Path(options["out"])
        create_backup(out, say=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"Backup written to {out}"))

    def _verify(self, options: dict[str, Any]) -> None:
        report = verify_backup(Path(options["directory"]))
        for label, names in (
            ("missing", report.missing),
            ("extra", report.extra),
            ("changed", report.changed),
        ):
            for name in names:
                self.stdout.write(f"{label}: {name}")
        if not report.ok:
            raise BackupError(
                f"backup does not verify: {len(report.missing)} missing, "
                f"{len(report.extra)} extra, {len(report.changed)} changed"
            )
        self.stdout.write(self.style.SUCCESS(f"Backup intact: {report.checked} files checked."))

    def _restore(self, options: dict[str, Any]) -> None:
        report = restore_backup(
            Path(options["directory"]),
            database_url=options["database_url"],
            media_root=options.get("media_root"),
            force=options["force"],
            say=self.stdout.write,
        )
        for line in report.mismatches:
            self.stdout.write(f"row count: {line}")
        if not report.ok:
            raise BackupError(
                f"restored, but {len(report.mismatches)} tables differ from the backup"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {report.tables} tables and {report.files} files; row counts match."
            )
        )
