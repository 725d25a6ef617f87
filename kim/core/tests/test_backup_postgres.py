"""A backup restores into a fresh PostgreSQL database as a working installation (issue 14 § 6):
the audit chain verifies, encrypted fields and an encrypted case document decrypt with the same
keys, and every table has the rows of the backup.

Every step runs as `kim …` in its own process, as an operator would run it, on two databases
of its own (`kim_ops_src_<pid>`, `kim_ops_restore_<pid>`, dropped afterwards) – not on the test
database, whose rows live in the test's transaction where pg_dump cannot see them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from dj_database_url import parse

from kim.core.crypto import generate_key
from tools.cluster import force_drop

ROOT = Path(__file__).resolve().parents[3]
FIELD_KEY, OLD_FIELD_KEY, SEARCH_KEY = generate_key(), generate_key(), generate_key()


def postgres_url() -> str:
    """DATABASE_URL_PG, or the run's DATABASE_URL when the suite runs on PostgreSQL."""
    for name in ("DATABASE_URL_PG", "DATABASE_URL"):
        url = os.environ.get(name, "")
        if url.startswith(("postgres://", "postgresql://")):
            return url
    pytest.skip(
        "needs PostgreSQL: set DATABASE_URL_PG (e.g. `export DATABASE_URL_PG=$(bash "
        "tools/ensure-postgres.sh)`) or run the suite on PostgreSQL"
    )


def url_for(base: str, name: str) -> str:
    db = parse(base)
    return (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{name}"
    )


@pytest.fixture
def databases() -> Iterator[tuple[str, str]]:
    base = postgres_url()
    names = (f"kim_ops_src_{os.getpid()}", f"kim_ops_restore_{os.getpid()}")
    admin = psycopg.connect(url_for(base, "postgres"), autocommit=True)
    for name in names:
        force_drop(admin, name)
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url_for(base, names[0]), url_for(base, names[1])
    finally:
        for name in names:
            force_drop(admin, name)
        admin.close()


def environment(database_url: str, media: Path, var: Path) -> dict[str, str]:
    """The same keys for every process; a media root and var dir per installation."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KIM_", "DATABASE_URL"))}
    return env | {
        "DATABASE_URL": database_url,
        "KIM_FIELD_KEYS": f"{FIELD_KEY},{OLD_FIELD_KEY}",
        "KIM_SEARCH_KEY": SEARCH_KEY,
        "KIM_MEDIA_ROOT": str(media),
        "KIM_VAR_DIR": str(var),
    }


def kim(database_url: str, media: Path, var: Path, *args: str, stdin: str = "") -> str:
    result = subprocess.run(
        [sys.executable, "-m", "kim", *args],
        cwd=ROOT,
        env=environment(database_url, media, var),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, f"kim {args[0]}: {result.stdout}\n{result.stderr}"
    return result.stdout


# Run inside `kim shell` on the source: one encrypted case document, attached by the case's
# case manager through the action; prints what the restored side must find again.
ATTACH = """
import hashlib, json
from django.core.files.uploadedfile import SimpleUploadedFile
from kim.cases.actions.activities import attach_document
from kim.cases.models import Case, Person
from kim.core.uploads import check_document
from kim.core.rls import system_access
# A shell sees no case rows (row-level security): the operator declares system work.
with system_access("restore test: attach a document"):
    case = Case.objects.filter(responsible__isnull=False, closed_on__isnull=True).order_by("pk").first()
    pdf = b"%PDF-1.4\\n% Bescheid der Auslaenderbehoerde, restore test\\n%%EOF\\n"
    upload = SimpleUploadedFile("bescheid.pdf", pdf, content_type="application/pdf")
    doc = attach_document(case, acting_user=case.responsible, upload=check_document(upload),
                          doc_type="notice")
    person = Person.objects.order_by("pk").first()
    print(json.dumps({"document": doc.code, "file": doc.file.name,
                      "sha256": hashlib.sha256(pdf).hexdigest(),
                      "person": person.code, "name": f"{person.first_name} {person.last_name}"}))
"""

# Run inside `kim shell` on the restored database: decrypt the field and the document, and
# count the rows of every table.
CHECK = """
import hashlib, json, sys
from django.db import connection
from kim.cases.documents import document_bytes
from kim.cases.models import CaseDocument, Person
seed = json.loads(sys.stdin.read())
# Past row-level security by hand, as an operator would in psql (no audit event, so that the
# counts below are the backup's).
with connection.cursor() as cursor:
    cursor.execute("SET ROLE kim_system")
person = Person.objects.get(code=seed["person"])
doc = CaseDocument.objects.get(code=seed["document"])
with connection.cursor() as cursor:
    counts = {}
    for table in connection.introspection.table_names(cursor):
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
        counts[table] = cursor.fetchone()[0]
print(json.dumps({"name": f"{person.first_name} {person.last_name}",
                  "sha256": hashlib.sha256(document_bytes(doc)).hexdigest(),
                  "counts": counts}))
"""


def shell(database_url: str, media: Path, var: Path, code: str, stdin: str = "") -> Any:
    out = kim(database_url, media, var, "shell", "--no-imports", "-c", code, stdin=stdin)
    return json.loads(out.strip().splitlines()[-1])


def test_backup_restores_into_a_fresh_postgresql_database(
    databases: tuple[str, str], tmp_path: Path
) -> None:
    source, restored = databases
    src_media, dst_media, var = tmp_path / "media", tmp_path / "restored-media", tmp_path / "var"
    kim(source, src_media, var, "migrate", "--verbosity", "0")
    kim(source, src_media, var, "seed_demo")
    seeded = shell(source, src_media, var, ATTACH)
    assert (src_media / seeded["file"]).read_bytes()[:5] != b"%PDF-"  # encrypted at rest

    backup = tmp_path / "backup"
    kim(source, src_media, var, "backup", "create", "--out", str(backup))
    manifest = json.loads((backup / "manifest.json").read_text())
    assert f"media/{seeded['file']}" in manifest["files"]
    out = kim(
        source, src_media, var,
        "backup", "restore", str(backup), "--database-url", restored,
        "--media-root", str(dst_media),
    )  # fmt: skip
    assert "row counts match" in out

    # The restored installation, with the same keys and the restored media root.
    found = shell(restored, dst_media, var, CHECK, stdin=json.dumps(seeded))
    assert found["name"] == seeded["name"]
    assert found["sha256"] == seeded["sha256"]
    assert found["counts"] == manifest["tables"]
    assert "Audit chain intact" in kim(restored, dst_media, var, "audit", "verify")
