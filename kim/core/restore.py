"""``kim backup restore DIR --database-url URL [--media-root PATH] [--force]``.

1. Verify the backup (``kim backup verify``): a changed, missing or extra file stops here.
2. Refuse a target that is not empty unless ``--force``: a database with a table of the backup
   or any row in any table; a media root that already holds a file of the backup.
3. Restore the database: PostgreSQL with ``pg_restore --no-owner --no-privileges`` in one
   transaction (``--force``: ``--clean --if-exists`` first), SQLite by copying the file.
4. Restore the files through the storage API: ``--media-root`` (a directory) or, without it,
   the configured ``STORAGES["default"]``.
5. Count the rows of every table in the restored database and compare with the manifest.

The keys are not in the backup: the restored installation needs the same KIM_FIELD_KEYS (and
KIM_SEARCH_KEY) as the one that made it, or its encrypted columns and files stay closed.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, default_storage
from django.db.utils import ConnectionHandler

from kim.core.backup import (
    MEDIA,
    BackupError,
    DatabaseState,
    Say,
    database_state,
    pg_connection_args,
    pg_environment,
    pg_tool,
    read_manifest,
    run_tool,
    safe_member,
    sqlite_state,
    verify_backup,
)
from kim.core.rls import grant_statements, system_role, system_role_usable, use_system_role

VENDORS = {
    "django.db.backends.postgresql": "postgresql",
    "django.db.backends.sqlite3": "sqlite",
}


@dataclass
class RestoreReport:
    tables: int = 0
    files: int = 0
    mismatches: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.mismatches


def _target(database_url: str) -> tuple[str, dict[str, Any]]:
    try:
        db = dict(dj_database_url.parse(database_url))
    except ValueError as exc:
        raise BackupError(f"--database-url cannot be parsed: {exc}") from exc
    vendor = VENDORS.get(str(db.get("ENGINE")))
    if vendor is None:
        raise BackupError(f"restore supports PostgreSQL and SQLite, not {db.get('ENGINE')}")
    return vendor, db


def grant_system_role(db: dict[str, Any]) -> None:
    """The dump is restored without privileges (``--no-privileges``): give the system role of
    row-level security its rights on the restored tables again, when this server has it."""
    handler = ConnectionHandler({"default": db})
    target = handler["default"]
    try:
        with target.cursor() as cursor:
            if system_role_usable(cursor):
                # Granted by the tables' owner, the login role (a connection may have
                # switched roles when it was opened, as the test suite's do).
                cursor.execute("RESET ROLE")
                for sql in grant_statements(system_role()):
                    cursor.execute(sql)
    finally:
        handler.close_all()


def _postgresql_state(db: dict[str, Any]) -> DatabaseState:
    handler = ConnectionHandler({"default": db})
    target = handler["default"]
    try:
        with target.cursor() as cursor:
            # Counted past row-level security, like the backup was (kim/core/rls.py).
            use_system_role(cursor, local=False)
            return database_state(cursor, target.introspection, target.ops.quote_name)
    finally:
        handler.close_all()


def target_state(vendor: str, db: dict[str, Any]) -> DatabaseState:
    if vendor == "postgresql":
        return _postgresql_state(db)
    path = Path(db["NAME"])
    if not path.exists() or path.stat().st_size == 0:
        return DatabaseState(migrations={}, tables={})
    return sqlite_state(path)


def check_empty_database(state: DatabaseState, manifest: dict[str, Any]) -> None:
    known = sorted(set(state.tables) & set(manifest["tables"]))
    rows = sorted(table for table, count in state.tables.items() if count)
    if known or rows:
        shown = ", ".join((known or rows)[:5])
        raise BackupError(
            f"the target database is not empty ({len(known)} tables of the backup exist, "
            f"{len(rows)} tables hold rows, e.g. {shown}); restore into a new database or "
            "add --force to replace its contents"
        )


def media_storage(media_root: str | None) -> Storage:
    return FileSystemStorage(location=media_root) if media_root else default_storage


def media_names(manifest: dict[str, Any]) -> list[str]:
    prefix = f"{MEDIA}/"
    return sorted(name[len(prefix) :] for name in manifest["files"] if name.startswith(prefix))


def check_empty_media(storage: Storage, names: list[str]) -> None:
    present = [name for name in names if storage.exists(name)]
    if present:
        raise BackupError(
            f"{len(present)} files of the backup already exist in the target storage "
            f"(e.g. {present[0]}); restore into an empty media root or add --force"
        )


def restore_postgresql(dump: Path, db: dict[str, Any], *, force: bool) -> None:
    clean = ["--clean", "--if-exists"] if force else []
    run_tool(
        [
            pg_tool("pg_restore"),
            *pg_connection_args(db),
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            *clean,
            "--dbname",
            str(db["NAME"]),
            str(dump),
        ],
        pg_environment(db),
    )


def restore_sqlite(copy: Path, db: dict[str, Any]) -> None:
    """Copy the database file into place atomically (the checksums are verified already)."""
    target = Path(db["NAME"])
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.restoring")
    shutil.copyfile(copy, partial)
    # A journal left beside the old file would be replayed into the new one.
    for suffix in ("-journal", "-wal", "-shm"):
        target.with_name(target.name + suffix).unlink(missing_ok=True)
    os.replace(partial, target)


def restore_files(directory: Path, storage: Storage, names: list[str], *, force: bool) -> None:
    for name in names:
        if force and storage.exists(name):
            storage.delete(name)
        with safe_member(directory / MEDIA, name).open("rb") as handle:
            saved = storage.save(name, File(handle, name=name))
        if saved != name:
            raise BackupError(f"the storage renamed {name} to {saved}; the rows would miss it")


def compare_counts(manifest: dict[str, Any], state: DatabaseState) -> list[str]:
    mismatches = []
    for table, expected in sorted(manifest["tables"].items()):
        found = state.tables.get(table)
        if found is None:
            mismatches.append(f"{table}: missing (backup: {expected} rows)")
        elif found != expected:
            mismatches.append(f"{table}: {found} rows (backup: {expected})")
    return mismatches


def restore_backup(
    directory: Path,
    *,
    database_url: str,
    media_root: str | None = None,
    force: bool = False,
    say: Say = print,
) -> RestoreReport:
    """Restore a verified backup into the database at ``database_url`` and the media root."""
    verified = verify_backup(directory)
    if not verified.ok:
        raise BackupError("the backup does not verify; run kim backup verify for the details")
    manifest = read_manifest(directory)
    vendor, db = _target(database_url)
    if vendor != manifest["database"]["vendor"]:
        raise BackupError(
            f"the backup is of a {manifest['database']['vendor']} database, the target is {vendor}"
        )
    storage = media_storage(media_root)
    names = media_names(manifest)
    if not force:
        check_empty_database(target_state(vendor, db), manifest)
        check_empty_media(storage, names)
    dump = directory / manifest["database"]["dump"]
    if vendor == "postgresql":
        restore_postgresql(dump, db, force=force)
        grant_system_role(db)
    else:
        restore_sqlite(dump, db)
    say(f"database: {len(manifest['tables'])} tables restored into {db['NAME']}")
    restore_files(directory, storage, names, force=force)
    say(f"files: {len(names)} stored files restored")
    report = RestoreReport(tables=len(manifest["tables"]), files=len(names))
    report.mismatches = compare_counts(manifest, target_state(vendor, db))
    return report
