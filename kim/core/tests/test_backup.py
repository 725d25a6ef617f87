"""`kim backup create|verify|restore` on the seeded demo world, on SQLite and on PostgreSQL
(whichever the run uses; `make test` runs them on both). The full story – a fresh PostgreSQL
database, the audit chain, an encrypted document – is in test_backup_postgres.py."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings

from kim.audit.models import AuditEvent, EventType
from kim.core import crypto
from kim.core.backup import pg_tool, stored_files
from tools.cluster import force_drop

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_too]

ROOT = Path(__file__).resolve().parents[3]


def kim(*args: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode, out.getvalue(), str(exc)
    return 0, out.getvalue(), err.getvalue()


@pytest.fixture
def backup(tmp_path: Path) -> Path:
    out = tmp_path / "backup"
    code, output, error = kim("backup", "create", "--out", str(out))
    assert code == 0, output + error
    return out


def manifest(directory: Path) -> dict[str, Any]:
    return json.loads((directory / "manifest.json").read_text())


def server_url(name: str) -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


@pytest.fixture
def target(tmp_path: Path) -> Iterator[str]:
    """An empty database of the run's kind: a new SQLite file, or a new PostgreSQL database
    `kim_ops_restore_<pid>_<random>` on the test server, dropped afterwards."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    name = f"kim_ops_restore_{os.getpid()}_{secrets.token_hex(3)}"
    admin = psycopg.connect(server_url("postgres"), autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server_url(name)
    finally:
        force_drop(admin, name)
        admin.close()


def key_strings() -> list[str]:
    keys = [settings.SECRET_KEY, *crypto.field_keys(), crypto.search_key().decode()]
    assert all(len(k) >= 40 for k in keys)
    return keys


def readable_bytes(path: Path) -> bytes:
    """The file's bytes; a PostgreSQL custom dump is compressed, so read its SQL text."""
    if path.name == "database.dump":
        return subprocess.run(
            [pg_tool("pg_restore"), "--file=-", str(path)], capture_output=True, check=True
        ).stdout
    return path.read_bytes()


# --- create ---------------------------------------------------------------------------------


def test_create_writes_dump_files_and_manifest(backup: Path) -> None:
    m = manifest(backup)
    vendor = connection.vendor
    dump = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}[vendor]
    assert m["app"] == "kim-plattform" and m["version"]
    assert m["database"] == {"vendor": vendor, "dump": dump}
    assert m["created_at"].endswith("+00:00")
    # Row counts per table, as the ORM sees them, for every table the database has.
    assert set(m["tables"]) == set(connection.introspection.table_names())
    assert m["tables"]["auth_user"] == get_user_model().objects.count()
    # The backup's own "system work" event (PostgreSQL: it dumps past row-level security) is
    # written in this test's transaction, which the dump's connection cannot see.
    bypass = AuditEvent.objects.filter(
        event_type=EventType.RLS_BYPASSED, extra__reason="backup"
    ).count()
    assert bypass == (1 if vendor == "postgresql" else 0)
    assert m["tables"]["audit_auditevent"] == AuditEvent.objects.count() - bypass > 0
    assert "0001_initial" in m["migrations"]["cases"]
    # Every stored file, byte for byte, and the dump, each with size and SHA-256.
    names = list(stored_files(default_storage))
    assert names, "the demo world stores the minutes of a talk"
    assert set(m["files"]) == {dump, *(f"media/{n}" for n in names)}
    for name in names:
        with default_storage.open(name, "rb") as handle:
            assert (backup / "media" / name).read_bytes() == handle.read()
    assert m["files"][dump]["size"] == (backup / dump).stat().st_size > 0
    assert len(m["files"][dump]["sha256"]) == 64


def test_backup_is_readable_by_its_owner_only(backup: Path) -> None:
    assert backup.stat().st_mode & 0o777 == 0o700
    for path in backup.rglob("*"):
        if path.is_file():
            assert path.stat().st_mode & 0o077 == 0, path


def test_create_refuses_a_non_empty_directory(tmp_path: Path) -> None:
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "keep.txt").write_text("older backup")
    code, _out, error = kim("backup", "create", "--out", str(tmp_path / "old"))
    assert code == 1 and "not an empty directory" in error
    assert [p.name for p in (tmp_path / "old").iterdir()] == ["keep.txt"]


def test_backup_never_contains_a_key(backup: Path) -> None:
    files = [p for p in backup.rglob("*") if p.is_file()]
    assert {p.name for p in files} >= {"manifest.json"}
    assert not any(p.name.startswith(("dev-field-keys", "dev-search-key")) for p in files)
    for path in files:
        data = readable_bytes(path)
        assert data, path
        for key in key_strings():
            assert key.encode() not in data, f"{path.name} contains a key"


def test_a_key_file_in_the_media_root_is_not_copied(tmp_path: Path) -> None:
    media = tmp_path / "media"
    (media / "cases").mkdir(parents=True)
    (media / "cases" / "a.bin").write_bytes(b"ciphertext")
    (media / "dev-field-keys").write_text(crypto.field_keys()[0])
    (media / ".dev-search-key.42.tmp").write_text(crypto.search_key().decode())
    with override_settings(MEDIA_ROOT=media):
        code, out, error = kim("backup", "create", "--out", str(tmp_path / "b"))
    assert code == 0, out + error
    assert [n for n in manifest(tmp_path / "b")["files"] if n.startswith("media/")] == [
        "media/cases/a.bin"
    ]


def test_create_refuses_a_media_root_that_holds_the_var_dir(tmp_path: Path) -> None:
    with override_settings(MEDIA_ROOT=tmp_path, VAR_DIR=tmp_path / "var"):
        code, _out, error = kim("backup", "create", "--out", str(tmp_path / "b"))
    assert code == 1 and "contains KIM_VAR_DIR" in error
    assert not (tmp_path / "b").exists()


# --- verify ---------------------------------------------------------------------------------


def test_verify_passes_on_an_untouched_backup(backup: Path) -> None:
    code, out, _error = kim("backup", "verify", str(backup))
    assert code == 0
    assert f"{len(manifest(backup)['files'])} files checked" in out


def test_verify_names_missing_extra_and_changed_files(backup: Path) -> None:
    media = sorted(n for n in manifest(backup)["files"] if n.startswith("media/"))
    changed = backup / media[0]
    changed.write_bytes(changed.read_bytes()[:-1] + b"X")
    dump = manifest(backup)["database"]["dump"]
    (backup / dump).unlink()
    (backup / "media" / "smuggled.bin").write_bytes(b"not from the storage")
    code, out, error = kim("backup", "verify", str(backup))
    assert code == 1
    assert f"changed: {media[0]}" in out
    assert f"missing: {dump}" in out
    assert "extra: media/smuggled.bin" in out
    assert "1 missing, 1 extra, 1 changed" in error


def test_verify_refuses_a_manifest_that_points_outside_the_backup(backup: Path) -> None:
    m = manifest(backup)
    m["files"]["../../etc/passwd"] = {"sha256": "0" * 64, "size": 1}
    (backup / "manifest.json").write_text(json.dumps(m))
    code, _out, error = kim("backup", "verify", str(backup))
    assert code == 1 and "outside the backup" in error


def test_verify_refuses_a_directory_without_manifest(tmp_path: Path) -> None:
    code, _out, error = kim("backup", "verify", str(tmp_path))
    assert code == 1 and "has no manifest.json" in error


# --- restore --------------------------------------------------------------------------------


def restore(backup: Path, target: str, media: Path, *more: str) -> tuple[int, str, str]:
    return kim(
        "backup", "restore", str(backup), "--database-url", target, "--media-root", str(media),
        *more,
    )  # fmt: skip


def run_on(target: str, var_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`kim …` in a new process on the restored database, with the same keys."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KIM_", "DATABASE_URL"))}
    env |= {
        "DATABASE_URL": target,
        "KIM_FIELD_KEYS": ",".join(crypto.field_keys()),
        "KIM_SEARCH_KEY": crypto.search_key().decode(),
        "KIM_VAR_DIR": str(var_dir),
    }
    return subprocess.run(
        [sys.executable, "-m", "kim", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_restore_into_an_empty_database_matches_row_counts(
    backup: Path, target: str, tmp_path: Path
) -> None:
    media = tmp_path / "restored-media"
    code, out, error = restore(backup, target, media)
    assert code == 0, out + error
    assert "row counts match" in out
    for name in (n for n in manifest(backup)["files"] if n.startswith("media/")):
        assert (media / name.removeprefix("media/")).read_bytes() == (backup / name).read_bytes()
    # The restored database is a working installation: audit chain and encrypted fields.
    from kim.cases.models import Person

    person = Person.objects.order_by("pk").first()
    assert person is not None
    checked = run_on(
        target,
        tmp_path / "var",
        "shell",
        "-c",
        # A shell sees no case rows on PostgreSQL (row-level security): declared system work.
        "from kim.cases.models import Person\nfrom kim.core.rls import system_access\n"
        "with system_access('restore check'):\n"
        f"    p = Person.objects.get(code='{person.code}'); print(p.first_name, p.last_name)",
    )
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.strip().splitlines()[-1] == f"{person.first_name} {person.last_name}"
    verified = run_on(target, tmp_path / "var", "audit", "verify")
    assert verified.returncode == 0, verified.stderr
    assert "Audit chain intact" in verified.stdout


def test_restore_refuses_a_non_empty_target_unless_forced(
    backup: Path, target: str, tmp_path: Path
) -> None:
    media = tmp_path / "restored-media"
    assert restore(backup, target, media)[0] == 0
    code, _out, error = restore(backup, target, tmp_path / "other-media")
    assert code == 1 and "the target database is not empty" in error and "--force" in error
    assert not (tmp_path / "other-media").exists()
    code, out, error = restore(backup, target, media, "--force")
    assert code == 0, out + error
    assert "row counts match" in out


def test_restore_refuses_media_that_would_be_overwritten(
    backup: Path, target: str, tmp_path: Path
) -> None:
    media = tmp_path / "restored-media"
    first = next(n for n in manifest(backup)["files"] if n.startswith("media/"))
    existing = media / first.removeprefix("media/")
    existing.parent.mkdir(parents=True)
    existing.write_bytes(b"a newer file")
    code, _out, error = restore(backup, target, media)
    assert code == 1 and "already exist in the target storage" in error
    assert existing.read_bytes() == b"a newer file"


def test_restore_refuses_a_backup_that_does_not_verify(
    backup: Path, target: str, tmp_path: Path
) -> None:
    (backup / "media" / "smuggled.bin").write_bytes(b"x")
    code, _out, error = restore(backup, target, tmp_path / "m")
    assert code == 1 and "does not verify" in error
    assert not (tmp_path / "m").exists()


def test_restore_reports_row_counts_that_differ_from_the_manifest(
    backup: Path, target: str, tmp_path: Path
) -> None:
    m = manifest(backup)
    m["tables"]["audit_auditevent"] += 1
    (backup / "manifest.json").write_text(json.dumps(m))
    code, out, error = restore(backup, target, tmp_path / "m")
    assert code == 1
    assert f"row count: audit_auditevent: {m['tables']['audit_auditevent'] - 1} rows" in out
    assert "1 tables differ from the backup" in error


def test_restore_refuses_another_kind_of_database(backup: Path, tmp_path: Path) -> None:
    other = (
        "postgres://kim@127.0.0.1:5432/kim_ops_never_created"
        if connection.vendor == "sqlite"
        else f"sqlite:///{tmp_path / 'x.sqlite3'}"
    )
    code, _out, error = restore(backup, other, tmp_path / "m")
    assert code == 1 and "the target is" in error


def test_files_deleted_while_copying_and_probe_files_are_left_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kim.core import backup as backup_module

    media = tmp_path / "media"
    for name in ("cases/a.bin", "healthz/probe.txt", "deploy-check/x.bin"):
        (media / name).parent.mkdir(parents=True, exist_ok=True)
        (media / name).write_bytes(b"x")
    listed = backup_module.stored_files

    def listing_with_a_ghost(storage: Any, prefix: str = "") -> Iterator[str]:
        yield from listed(storage, prefix)
        if not prefix:
            yield "cases/deleted-meanwhile.bin"

    monkeypatch.setattr(backup_module, "stored_files", listing_with_a_ghost)
    with override_settings(MEDIA_ROOT=media):
        code, out, error = kim("backup", "create", "--out", str(tmp_path / "b"))
    assert code == 0, out + error
    assert "1 stored files copied, 1 deleted while copying" in out
    names = [n for n in manifest(tmp_path / "b")["files"] if n.startswith("media/")]
    assert names == ["media/cases/a.bin"]
    assert not (tmp_path / "b" / "media" / "cases" / "deleted-meanwhile.bin").exists()
