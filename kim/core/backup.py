"""``kim backup create`` and ``kim backup verify``: a backup is a directory with a database dump,
every stored file, and ``manifest.json`` describing both (restore: ``kim/core/restore.py``).

What a backup holds (docs/operations.md § Backup and restore)::

    DIR/manifest.json        app version, created_at, database vendor, applied migrations per
                             app, row counts per table, SHA-256 and size of every other file
    DIR/database.dump        PostgreSQL: pg_dump --format=custom
    DIR/database.sqlite3     SQLite: the online backup API's copy
    DIR/media/<name>         every file of STORAGES["default"], byte for byte (case documents
                             and consent forms are encrypted at rest, and stay so)

What it never holds: the keys (SECRET_KEY, KIM_FIELD_KEYS, KIM_SEARCH_KEY, the development key
files under KIM_VAR_DIR). Without the field keys the encrypted columns and files of a backup are
unreadable: keep the keys in a separate, safe place, and the backup is useless to a thief.

Consistency: the row counts and migration state come from exactly what the dump holds. On
PostgreSQL one repeatable-read transaction exports its snapshot, counts in it, and ``pg_dump
--snapshot`` dumps that snapshot; on SQLite the counts are read from the copy itself.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, default_storage
from django.db import connection

from kim.core import crypto

MANIFEST = "manifest.json"
MEDIA = "media"
DUMPS = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
FORMAT = 1
CHUNK = 1024 * 1024
# Never copied, wherever they are found: the development key files (kim/core/crypto.py) and
# their temporary files.
KEY_FILE_NAMES = (crypto.FIELD_KEY_FILE, crypto.SEARCH_KEY_FILE)
# Scratch files that /healthz and `kim deploy check` write and delete at once: not data.
PROBE_DIRS = frozenset({"healthz", "deploy-check"})

Say = Callable[[str], None]


class BackupError(Exception):
    """The backup cannot be made, read or trusted; the message says why."""


@dataclass(frozen=True)
class DatabaseState:
    migrations: dict[str, list[str]]
    tables: dict[str, int]


@dataclass
class VerifyReport:
    checked: int = 0
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.extra or self.changed)


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def app_version() -> str:
    try:
        return importlib.metadata.version("kim-plattform")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def file_digest(path: Path) -> dict[str, Any]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return {"sha256": digest.hexdigest(), "size": size}


def safe_member(directory: Path, name: str) -> Path:
    """The path of a manifest entry inside ``directory``; refuses absolute names and ``..``."""
    pure = PurePosixPath(name)
    if pure.is_absolute() or ".." in pure.parts or not pure.parts:
        raise BackupError(f"manifest names a file outside the backup: {name!r}")
    return directory.joinpath(*pure.parts)


def pg_tool(name: str) -> str:
    """``pg_dump``/``pg_restore`` from PATH, else from the newest /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
        reverse=True,
    )
    if not candidates:
        raise BackupError(f"{name} not found on PATH or in /usr/lib/postgresql/*/bin")
    return str(candidates[0])


def pg_environment(db: dict[str, Any]) -> dict[str, str]:
    """libpq environment for pg_dump/pg_restore: the password travels here, never as argument."""
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    for option in ("sslmode", "sslrootcert", "sslcert", "sslkey"):
        if db.get("OPTIONS", {}).get(option):
            env[f"PG{option.upper()}"] = str(db["OPTIONS"][option])
    return env


def pg_connection_args(db: dict[str, Any]) -> list[str]:
    args = []
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    return [*args, "--no-password"]


def run_tool(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        tool = Path(args[0]).name
        raise BackupError(f"{tool} failed (exit {result.returncode}): {result.stderr.strip()}")


def database_state(
    cursor: Any, introspection: Any, quote_name: Callable[[str], str]
) -> DatabaseState:
    """Applied migrations per app and row counts per table, read through ``cursor``."""
    tables = {}
    for table in introspection.table_names(cursor):
        cursor.execute(f"SELECT COUNT(*) FROM {quote_name(table)}")  # noqa: S608 - quoted names
        tables[table] = int(cursor.fetchone()[0])
    migrations: dict[str, list[str]] = {}
    if "django_migrations" in tables:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        for app, name in cursor.fetchall():
            migrations.setdefault(app, []).append(name)
    return DatabaseState(migrations=migrations, tables=tables)


# --------------------------------------------------------------------------------------------
# Database dumps
# --------------------------------------------------------------------------------------------


def dump_postgresql(target: Path) -> DatabaseState:
    """pg_dump of the default database, counted in the very snapshot it dumps."""
    from kim.core.rls import system_access, system_role, use_system_role

    db = connection.settings_dict
    raw = connection.get_new_connection(connection.get_connection_params())
    try:
        raw.autocommit = True
        # Every organisation's rows, counted and dumped past row-level security (D-076).
        with raw.cursor() as cursor, system_access("backup"):
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            as_system = use_system_role(cursor)
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            state = database_state(cursor, connection.introspection, connection.ops.quote_name)
            run_tool(
                [
                    pg_tool("pg_dump"),
                    *pg_connection_args(db),
                    *([f"--role={system_role()}"] if as_system else []),
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    f"--file={target}",
                    "--dbname",
                    str(db["NAME"]),
                ],
                pg_environment(db),
            )
            cursor.execute("COMMIT")
    finally:
        raw.close()
    return state


def sqlite_state(path: Path) -> DatabaseState:
    from django.db.backends.sqlite3.introspection import DatabaseIntrospection

    copy = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        cursor = copy.cursor()
        quote = lambda name: '"' + name.replace('"', '""') + '"'  # noqa: E731
        return database_state(cursor, DatabaseIntrospection(connection), quote)
    finally:
        copy.close()


def dump_sqlite(target: Path) -> DatabaseState:
    """SQLite's online backup of the database file; counts are read from the copy."""
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or "mode=memory" in name:
        raise BackupError("an in-memory SQLite database cannot be backed up")
    source = sqlite3.connect(name, timeout=20, uri=name.startswith("file:"))
    dest = sqlite3.connect(target)
    try:
        source.backup(dest)
    finally:
        dest.close()
        source.close()
    return sqlite_state(target)


# --------------------------------------------------------------------------------------------
# Stored files
# --------------------------------------------------------------------------------------------


def stored_files(storage: Storage, prefix: str = "") -> Iterator[str]:
    """Every file name in ``storage``, recursively through ``listdir``, sorted."""
    try:
        dirs, files = storage.listdir(prefix)
    except FileNotFoundError:  # a media root that was never written to
        return
    for name in sorted(files):
        if name.startswith(KEY_FILE_NAMES) or name.lstrip(".").startswith(KEY_FILE_NAMES):
            continue
        yield f"{prefix}/{name}" if prefix else name
    for sub in sorted(dirs):
        if not prefix and sub in PROBE_DIRS:
            continue
        yield from stored_files(storage, f"{prefix}/{sub}" if prefix else sub)


def check_media_location(storage: Storage) -> None:
    """A media root at or above KIM_VAR_DIR would copy the keys, the cache and the database."""
    if not isinstance(storage, FileSystemStorage):
        return
    media = Path(storage.location).resolve()
    var = Path(settings.VAR_DIR).resolve()
    if media == var or media in var.parents:
        raise BackupError(
            f"the media root {media} contains KIM_VAR_DIR ({var}), with the development keys: "
            "set KIM_MEDIA_ROOT to a directory of its own"
        )


def copy_stored_file(storage: Storage, name: str, target: Path) -> bool:
    """Copy one stored file; False when it was deleted since the listing (nothing written)."""
    try:
        source = storage.open(name, "rb")
    except FileNotFoundError:
        return False
    with source:
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            shutil.copyfileobj(source, handle, CHUNK)
    return True


# --------------------------------------------------------------------------------------------
# create and verify
# --------------------------------------------------------------------------------------------


def prepare_directory(out: Path) -> None:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise BackupError(f"{out} exists and is not an empty directory; choose a new one")
    out.mkdir(parents=True, exist_ok=True, mode=0o700)
    out.chmod(0o700)  # the backup holds personal data (plain columns, encrypted ones, files)


def create_backup(out: Path, *, storage: Storage | None = None, say: Say = print) -> dict[str, Any]:
    """Write a backup of the default database and storage into the new directory ``out``.

    1. Refuse an existing non-empty ``out``; create it with mode 0700.
    2. Dump the database (pg_dump, or SQLite's backup API) with its migrations and row counts.
    3. Copy every stored file through the storage API, byte for byte, into ``out/media``.
       After the dump, so that a file uploaded meanwhile is at worst an unused extra; a file
       deleted between listing and copying is left out (the nightly timer runs before the
       retention run, which deletes files).
    4. Hash every file and write ``manifest.json`` last: a backup without one is unfinished.
    """
    storage = storage or default_storage
    vendor = connection.vendor
    if vendor not in DUMPS:
        raise BackupError(f"backups support PostgreSQL and SQLite, not {vendor}")
    check_media_location(storage)
    prepare_directory(out)
    dump = out / DUMPS[vendor]
    state = dump_postgresql(dump) if vendor == "postgresql" else dump_sqlite(dump)
    dump.chmod(0o600)
    say(f"database: {vendor}, {len(state.tables)} tables, {sum(state.tables.values())} rows")
    names = list(stored_files(storage))
    copied = sum(copy_stored_file(storage, name, safe_member(out / MEDIA, name)) for name in names)
    vanished = f", {len(names) - copied} deleted while copying" if copied < len(names) else ""
    say(f"files: {copied} stored files copied{vanished}")
    files = {
        path.relative_to(out).as_posix(): file_digest(path)
        for path in sorted(out.rglob("*"))
        if path.is_file()
    }
    manifest = {
        "format": FORMAT,
        "app": "kim-plattform",
        "version": app_version(),
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": {"vendor": vendor, "dump": DUMPS[vendor]},
        "migrations": state.migrations,
        "tables": state.tables,
        "files": files,
    }
    fd = os.open(out / MANIFEST, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(manifest, handle, indent=2, sort_keys=True)
        handle.write("\n")
    say(f"manifest: {len(files)} files, {sum(f['size'] for f in files.values())} bytes")
    return manifest


def read_manifest(directory: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BackupError(
            f"{directory} has no {MANIFEST}: not a backup, or an unfinished one"
        ) from exc
    except (OSError, ValueError) as exc:
        raise BackupError(f"{directory / MANIFEST} cannot be read: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{directory / MANIFEST} is not a backup manifest of format {FORMAT}")
    return manifest


def verify_backup(directory: Path) -> VerifyReport:
    """Recompute size and SHA-256 of every file the manifest lists; name the missing, the
    changed, and files the manifest does not know (``manifest.json`` itself excepted)."""
    manifest = read_manifest(directory)
    expected: dict[str, dict[str, Any]] = manifest["files"]
    report = VerifyReport()
    for name, facts in sorted(expected.items()):
        path = safe_member(directory, name)
        if not path.is_file():
            report.missing.append(name)
            continue
        report.checked += 1
        if file_digest(path) != {"sha256": facts["sha256"], "size": facts["size"]}:
            report.changed.append(name)
    present = {p.relative_to(directory).as_posix() for p in directory.rglob("*") if p.is_file()}
    report.extra = sorted(present - set(expected) - {MANIFEST})
    dump = manifest.get("database", {}).get("dump")
    if dump not in expected and dump not in report.missing:
        report.missing.append(str(dump))
    return report
