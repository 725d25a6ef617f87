"""State-scale data on PostgreSQL (issue 16, item 1; decision D-077).

    .venv/bin/python benchmarks/statescale.py --scale small|kreis|state [--fresh]
                                              [--verify-only] [--format json]

Seeds the database ``kim_statescale_<scale>`` on the PostgreSQL server of ``DATABASE_URL_PG``
(or ``tools/ensure-postgres.sh``) with the keys in ``var/statescale/<scale>/keys`` – the same
directory and keys that ``cluster_for`` hands to ``tools.cluster.Cluster``, so the nodes read
what the seed encrypted. SQLite is refused.

Scales (``SCALES``; the figures of the issue for ``state``, ≈ 1/54 for ``kreis``):

- ``state``: 31 Kreise (the demo's Siegen-Wittgenstein and 30 fictional ones from
  ``benchmarks/seed.py``) and 23 kreisfreie Städte (``seed_stadt``: a region that is itself the
  town) = 54 regions, 394 towns (12 per fictional Kreis); 800 case managers, 150,000
  persons, 200,000 cases, 2,000,000 activities, 40,000 consents, 100,000 referrals each with
  its disclosure, 20,000 talks, 2,000 agreements, 50,000 screening entries and their audit
  events.
- ``kreis``: the demo Kreis alone with 1/54 of the rows.
- ``small``: the demo Kreis, one fictional Kreis and one kreisfreie Stadt, 30 case managers,
  5,000 cases – for a one-minute load run; seeds in 1–2 minutes.

Steps: ``kim migrate`` + ``kim seed_demo`` (``Cluster.migrate_and_seed``), then a Django child
(``--child``) with the cluster's environment:

1. **Organisations and posts** through the action functions (``benchmarks/seed.py``), every
   row with its audit event.
2. **Users** through ``kim.accounts.actions`` (``create_user``, ``grant_role``): case managers
   round-robin over the case organisations (towns, kreisfreie Städte, Träger), a programme lead
   per town, plus the ten users per region of ``seed.py``. They get the password ``demo``:
   ``make_password("demo")`` is computed **once** and the same hash string is stored for every
   user (one salt for all – acceptable for fictional benchmark users, never for real ones).
3. **Bulk rows** with ``COPY`` (psycopg ``cursor.copy``), one transaction per case
   organisation, under ``system_access`` (the system role; row-level security is forced):
   persons (encrypted fields, keyed name and birth-date tokens made with
   ``kim.core.crypto``), cases with their phase changes along the phase path, activities,
   tasks, consents, referrals with their disclosures; then talks with participants, screening
   lists with entries, and agreements (2,000 – through ``create_agreement``). Every row gets
   the audit event its action function would write (same event type, subject and ``extra``),
   appended to the hash chain in Python exactly like ``kim.audit.record.record``: the chain
   head is locked, ``prev_hash``/``hash`` computed with ``AuditEvent.compute_hash``'s
   canonical JSON, and the head moved – so ``kim audit verify`` passes. The events' time is
   the time of seeding (like ``kim seed_demo``'s), the rows' own dates spread over the years.
   Encrypted values are Fernet tokens of the app's field key; to keep 2 million activities
   affordable, equal plaintexts share one ciphertext (names, birth dates, addresses, activity
   texts are drawn from pools) – decryption works everywhere, equality of ciphertexts shows
   equal values, which is fine for fictional data.
4. ``ANALYZE``, then ``verify`` (also ``--verify-only``): audit chain, decryption of samples,
   name search through ``search_persons``, the app's invariants in SQL (one open case per
   person, case and person in the same organisation, disclosures covered by an unrevoked
   consent for their recipient …), the users' password and roles, the demo personas' demo
   cases still visible to them, and a full work list for case managers.

At the end ``seeded.json`` (scale, server URL, database, seconds, counts, ``SEED_VERSION``) is
written into ``var/statescale/<scale>/``; ``ensure_seeded`` reuses a matching one.
``users.json`` lists the users per role for the load test (``load.py``, ``faults.py``).

Distributions: dates relative to the day of seeding, fixed random seed; phases weighted like
``benchmarks/cases.py``; every person has one current case, and the cases beyond one per person
(50,000 at ``state``) are earlier, closed cases of the same persons – a person has at most one
open case, so at least 25 % of the cases are closed; next reviews spread around today (some
overdue), tasks on three of ten open cases (some overdue), consents given with the plan, 60 %
of them time-limited to two years (some expired).
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import hashlib
import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` and ``tools`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.cases import FIRST_NAMES, LAST_NAMES, PHASE_WEIGHTS

if TYPE_CHECKING:
    from tools.cluster import Cluster

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
SCALES = ("small", "kreis", "state")
STATESCALE_DIR = ROOT / "var" / "statescale"
SEARCH_LAST_NAMES: tuple[str, ...] = tuple(LAST_NAMES)
SEED_TIMEOUT = 3600
RANDOM_SEED = 16_054


@dataclass(frozen=True)
class ScaleSpec:
    kreise: int  # including the demo Kreis
    staedte: int  # kreisfreie Städte
    case_managers: int
    persons: int
    cases: int
    activities: int
    consents: int
    referrals: int  # each with its disclosure
    talks: int
    agreements: int
    screening_entries: int
    towns_per_kreis: int = 12  # fictional Kreise: 30 × 12 + the demo's 11 + 23 Städte ≈ 400


SPECS = {
    "small": ScaleSpec(2, 1, 30, 3_750, 5_000, 50_000, 1_000, 2_500, 500, 50, 1_250),
    "kreis": ScaleSpec(1, 0, 15, 2_800, 3_700, 37_000, 740, 1_850, 370, 37, 925),
    "state": ScaleSpec(
        31, 23, 800, 150_000, 200_000, 2_000_000, 40_000, 100_000, 20_000, 2_000, 50_000
    ),
}


@dataclass(frozen=True)
class Seeded:
    scale: str
    directory: Path
    server_url: str
    database: str
    users: dict[str, list[dict[str, str]]]
    counts: dict[str, int]


# Raise when what the seed writes changes (rows, shapes, keys): a database seeded by another
# SEED_VERSION is seeded again. Not a hash of this file – an edit of a docstring or of the
# interface must not throw away (and re-spend 15–30 minutes on) a state-scale database.
SEED_VERSION = "2"


def code_version() -> str:
    return SEED_VERSION


def database_name(scale: str) -> str:
    return f"kim_statescale_{scale}"


def _server_url(server_url: str | None) -> str:
    from tools.cluster import postgres_server_url

    url = server_url or postgres_server_url()
    if not url:
        raise SystemExit(
            "statescale needs PostgreSQL: set DATABASE_URL_PG (or start tools/ensure-postgres.sh)"
        )
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit(f"statescale runs on PostgreSQL only, not on {url.split(':', 1)[0]}")
    return url


def _cluster(directory: Path, server_url: str, database: str, **kwargs: Any) -> Cluster:
    from tools.cluster import Cluster, database_url

    return Cluster(directory=directory, database_url=database_url(server_url, database), **kwargs)


def _load(directory: Path, name: str) -> dict[str, Any] | None:
    path = directory / name
    if not path.exists():
        return None
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def _seeded(scale: str, directory: Path, marker: dict[str, Any]) -> Seeded:
    return Seeded(
        scale=scale,
        directory=directory,
        server_url=marker["server_url"],
        database=marker["database"],
        users=_load(directory, "users.json") or {},
        counts=marker["counts"],
    )


def ensure_seeded(
    scale: str,
    *,
    server_url: str | None = None,
    fresh: bool = False,
    progress: Callable[[str], None] = print,
    directory: Path | None = None,
) -> Seeded:
    """The seeded database of ``scale``; seeds it when ``seeded.json`` is missing or does not
    match (scale, server, database, code version) or when ``fresh``. ``directory`` (default
    ``var/statescale/<scale>``) holds the keys and markers: a caller with a server of its own
    (``faults.py``) gives its own, so that the shared server's seed stays usable."""
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {SCALES}")
    from tools.cluster import create_database

    url = _server_url(server_url)
    directory = directory or STATESCALE_DIR / scale
    database = database_name(scale)
    marker = _load(directory, "seeded.json")
    wanted = {"scale": scale, "server_url": url, "database": database, "version": code_version()}
    if marker and not fresh and all(marker.get(k) == v for k, v in wanted.items()):
        progress(f"Reusing {database} ({directory / 'seeded.json'})")
        return _seeded(scale, directory, marker)
    started = time.perf_counter()
    (directory / "seeded.json").unlink(missing_ok=True)
    cluster = _cluster(directory, url, database)
    cluster.prepare()
    progress(f"[setup] database {database}: new, kim migrate, kim seed_demo")
    create_database(url, database, fresh=True)
    cluster.migrate_and_seed()
    progress(f"[setup] done ({time.perf_counter() - started:.0f} s)")
    out = directory / "seed-result.json"
    out.unlink(missing_ok=True)
    _run_child(cluster, ["seed", scale, str(out)], progress)
    result = json.loads(out.read_text(encoding="utf-8"))
    marker = {
        **wanted,
        "seconds": round(time.perf_counter() - started, 1),
        "counts": result["counts"],
        "phases_s": result["phases_s"],
        "demo_max_ids": result["demo_max_ids"],
        "verify": result["verify"],
        "seeded_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    (directory / "seeded.json").write_text(json.dumps(marker, indent=2), encoding="utf-8")
    return _seeded(scale, directory, marker)


def cluster_for(seeded: Seeded, **kwargs: Any) -> Cluster:
    """A cluster on the seeded database with its keys (``prepare()`` called), not started."""
    cluster = _cluster(seeded.directory, seeded.server_url, seeded.database, **kwargs)
    cluster.prepare()
    return cluster


def _run_child(cluster: Cluster, args: list[str], progress: Callable[[str], None]) -> None:
    env = cluster.env(cluster.directory / "setup")
    command = [str(VENV_BIN / "python"), "-m", "benchmarks.statescale", "--child", *args]
    with subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as child:
        assert child.stdout is not None
        for line in child.stdout:
            progress(line.rstrip())
        code = child.wait(timeout=SEED_TIMEOUT)
    if code != 0:
        raise SystemExit(f"statescale child {args[0]} failed (exit {code})")


def verify_only(scale: str, server_url: str | None, progress: Callable[[str], None]) -> Seeded:
    url = _server_url(server_url)
    directory = STATESCALE_DIR / scale
    marker = _load(directory, "seeded.json")
    if marker is None:
        raise SystemExit(f"{directory / 'seeded.json'} missing: seed first")
    cluster = _cluster(directory, url, marker["database"])
    cluster.prepare()
    out = directory / "verify-result.json"
    out.unlink(missing_ok=True)
    _run_child(cluster, ["verify", scale, str(out)], progress)
    result = json.loads(out.read_text(encoding="utf-8"))
    marker["verify"] = result["verify"]
    marker["counts"] = result["counts"]
    (directory / "seeded.json").write_text(json.dumps(marker, indent=2), encoding="utf-8")
    return _seeded(scale, directory, marker)


# =============================================================================================
# In the Django child
# =============================================================================================


def new_code() -> str:
    """``kim.core.models.new_code`` (random, URL-safe), imported once Django is set up."""
    from kim.core.models import new_code as make

    return make()


def say(message: str) -> None:
    print(message, flush=True)


class Progress:
    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.phases: dict[str, float] = {}
        self._clock = [self.started]

    def phase(self, name: str, rows: int) -> None:
        now = time.perf_counter()
        took = now - self._clock[0]
        self._clock[0] = now
        self.phases[name] = round(self.phases.get(name, 0.0) + took, 1)
        rate = rows / took if took > 0 else 0.0
        say(
            f"[{name}] {rows:,} rows in {took:.1f} s ({rate:,.0f} rows/s; "
            f"total {now - self.started:.0f} s)"
        )


# --- COPY with ids, defaults and audit events -------------------------------------------------


class Table:
    """A model's columns for ``COPY``: rows are dicts by attname; missing values get the
    field's default (a new code per row for ``CodeField``), ``auto_now`` fields the seed time;
    JSON values are dumped. Ids are allocated here (one writer)."""

    def __init__(self, writer: Writer, model: Any) -> None:
        from django.db import models

        from kim.core.models import CodeField

        self.writer = writer
        self.model = model
        self.db_table = model._meta.db_table
        self.fields = list(model._meta.concrete_fields)
        self.names = [f.attname for f in self.fields]
        self.columns = [f.column for f in self.fields]
        self.json = [isinstance(f, models.JSONField) for f in self.fields]
        self.defaults: list[Any] = []
        self.code_fields = [isinstance(f, CodeField) for f in self.fields]
        for f in self.fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                self.defaults.append(writer.now)
            elif isinstance(f, CodeField):
                self.defaults.append(None)
            else:
                self.defaults.append(f.get_default())
        self.rows: list[tuple[Any, ...]] = []
        self.next_id = 0
        self.total = 0
        self.label = model._meta.label_lower

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id

    def add(self, values: dict[str, Any]) -> int:
        from kim.core.models import new_code

        if "id" not in values:
            values["id"] = self.new_id()
        row = []
        for name, default, is_json, is_code in zip(
            self.names, self.defaults, self.json, self.code_fields, strict=True
        ):
            value = values.get(name, default)
            if is_code and value is None:
                value = new_code()
            if is_json and value is not None:
                value = json.dumps(value)
            row.append(value)
        self.rows.append(tuple(row))
        return int(values["id"])

    def flush(self, cursor: Any) -> int:
        if not self.rows:
            return 0
        columns = ", ".join(f'"{c}"' for c in self.columns)
        with cursor.copy(f'COPY "{self.db_table}" ({columns}) FROM STDIN') as copy:
            for row in self.rows:
                copy.write_row(row)
        count = len(self.rows)
        self.total += count
        self.rows = []
        return count


class Writer:
    """Tables written with ``COPY`` and the audit events of their rows, appended to the chain
    exactly like ``kim.audit.record.record`` (locked head, canonical-JSON SHA-256 links)."""

    def __init__(self) -> None:
        from django.db import connection
        from django.utils import timezone

        self.connection = connection
        self.now = timezone.now()
        self.tables: dict[Any, Table] = {}
        self.events: list[tuple[str, int | None, int | None, str, str, dict[str, Any]]] = []
        self.events_total = 0
        self.last_event_time = self.now
        self.usernames: dict[int, str] = {}

    def table(self, model: Any) -> Table:
        if model not in self.tables:
            table = Table(self, model)
            with self.connection.cursor() as cursor:
                cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table.db_table}"')
                table.next_id = int(cursor.fetchone()[0])
            self.tables[model] = table
        return self.tables[model]

    def event(
        self,
        event_type: str,
        *,
        actor_id: int | None,
        organisation_id: int | None,
        subject_type: str,
        subject_code: str,
        extra: dict[str, Any],
    ) -> None:
        self.events.append(
            (event_type, actor_id, organisation_id, subject_type, subject_code, extra)
        )

    def flush(self, order: list[Any]) -> int:
        """Write the buffered rows of ``order``'s models, then their events (one transaction,
        the caller's)."""
        rows = 0
        raw = self.connection.connection
        with raw.cursor() as cursor:
            for model in order:
                if model in self.tables:
                    rows += self.tables[model].flush(cursor)
            rows += self._flush_events(cursor)
        return rows

    def _flush_events(self, cursor: Any) -> int:
        from kim.audit.models import AuditEvent
        from kim.core.models import new_code

        if not self.events:
            return 0
        events = self.table(AuditEvent)
        cursor.execute("SELECT last_hash, count FROM audit_chainhead WHERE id = 1 FOR UPDATE")
        found = cursor.fetchone()
        if found is None:
            raise RuntimeError("no audit chain head: run kim seed_demo first")
        prev, count = found
        moment = max(dt.datetime.now(dt.UTC), self.last_event_time + dt.timedelta(microseconds=1))
        step = dt.timedelta(microseconds=1)
        dumps = json.dumps
        sha = hashlib.sha256
        columns = ", ".join(f'"{c}"' for c in events.columns)
        with cursor.copy(f'COPY "{events.db_table}" ({columns}) FROM STDIN') as copy:
            for event_type, actor_id, org_id, subject_type, subject_code, extra in self.events:
                code = new_code()
                username = self.usernames.get(actor_id, "") if actor_id else ""
                payload = {
                    "code": code,
                    "created_at": moment.isoformat(),
                    "actor_id": actor_id,
                    "actor_username": username,
                    "organisation_id": org_id,
                    "event_type": event_type,
                    "subject_type": subject_type,
                    "subject_code": subject_code,
                    "extra": extra,
                    "prev_hash": prev,
                }
                canonical = dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
                digest = sha(canonical.encode("utf-8")).hexdigest()
                values = {
                    "id": events.new_id(),
                    "code": code,
                    "created_at": moment,
                    "actor_id": actor_id,
                    "actor_username": username,
                    "organisation_id": org_id,
                    "event_type": event_type,
                    "subject_type": subject_type,
                    "subject_code": subject_code,
                    "extra": dumps(extra),
                    "prev_hash": prev,
                    "hash": digest,
                }
                copy.write_row(tuple(values[n] for n in events.names))
                prev = digest
                moment += step
        written = len(self.events)
        cursor.execute(
            "UPDATE audit_chainhead SET last_hash = %s, count = %s WHERE id = 1",
            [prev, count + written],
        )
        self.last_event_time = moment
        self.events_total += written
        self.events = []
        return written

    def fix_sequences(self) -> None:
        with self.connection.cursor() as cursor:
            for table in self.tables.values():
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                    f'(SELECT COALESCE(MAX(id), 1) FROM "{table.db_table}"))',
                    [table.db_table],
                )


# --- organisations, posts and users -----------------------------------------------------------

STADT_FIRST_NUMBER = 501  # kreisfreie Städte: AGS 05501000, 05502000, … (fictional)


def seed_stadt(number: int, bra: Any) -> None:
    """A kreisfreie Stadt: the region is itself the town (no Kreis above it), with its four
    authorities, three Träger, a KI unit, the ten users and the 30 posts of a Kreis in
    ``benchmarks/seed.py``."""
    from django.db import transaction

    from benchmarks import seed
    from kim.organisations import actions
    from kim.organisations.models import OrgKind

    rng = random.Random(number)
    label = f"Stadt Bench-{number:03d}"
    with transaction.atomic():
        stadt = actions.create_organisation(
            acting_user=None,
            kind=OrgKind.KREISFREIE_STADT,
            name=f"{label} (Demo)",
            short_name=f"Bench-{number:03d}",
            ags=f"05{number:03d}000",
            parent=bra,
            is_demo=True,
        )
        for k, day in enumerate(seed.REFERENCE_DATES):
            actions.record_population(
                acting_user=None,
                kommune=stadt,
                reference_date=day,
                value=rng.randint(100_000, 600_000) + k * 1_000,
                source=seed.SOURCE,
            )
        authorities: dict[str, Any] = {}
        for key, prefix, atype, rechtskreis in seed.AUTHORITIES:
            authorities[key] = actions.create_organisation(
                acting_user=None,
                kind=OrgKind.AUTHORITY,
                name=f"{prefix} {label}",
                short_name=prefix,
                authority_type=atype,
                rechtskreis=rechtskreis,
                parent=stadt,
                region=stadt,
            )
            actions.set_responsibility(
                acting_user=None,
                authority=authorities[key],
                kommune=stadt,
                valid_from=seed.PROGRAMME_START,
                source=seed.SOURCE,
            )
        authorities["abh_town"] = authorities["abh"]
        world = seed.KreisWorld(
            kreis=stadt,
            towns=[stadt, stadt],
            authorities=authorities,
            traeger=seed._seed_traeger(stadt, number),
            unit=actions.create_unit(
                stadt, acting_user=None, name="Kommunales Integrationszentrum", short_name="KI"
            ),
        )
        seed._seed_users(world, number)
        seed._seed_positions(world, rng)


def seed_regions(spec: ScaleSpec, progress: Progress) -> dict[str, Any]:
    from benchmarks import seed
    from kim.home.demo import demo_organisations

    orgs = demo_organisations()
    seed.top_up_demo_kreis(orgs["kreis"])
    seed.TOWNS_PER_KREIS = spec.towns_per_kreis  # read by seed._seed_towns at call time
    numbers = seed.kreis_numbers(spec.kreise - 1)
    for i, number in enumerate(numbers, start=1):
        seed.seed_kreis(number, orgs["bra"])
        if i % 10 == 0:
            say(f"  {i}/{len(numbers)} Kreise")
    for n in range(spec.staedte):
        seed_stadt(STADT_FIRST_NUMBER + n, orgs["bra"])
    progress.phase("regions and posts", len(numbers) + spec.staedte + 1)
    return orgs


def regions() -> list[Any]:
    from kim.organisations.models import REGION_KINDS, Organisation

    return list(Organisation.objects.filter(kind__in=REGION_KINDS).order_by("pk"))


def towns_of(region: Any) -> list[Any]:
    from kim.organisations.models import Organisation, OrgKind

    if region.kind == OrgKind.KREISFREIE_STADT:
        return [region]
    return list(Organisation.objects.filter(kind=OrgKind.KOMMUNE, parent=region).order_by("ags"))


def traeger_of(region: Any) -> list[Any]:
    from kim.organisations.models import Organisation, OrgKind

    return list(Organisation.objects.filter(kind=OrgKind.TRAEGER, region=region).order_by("pk"))


def seed_users(spec: ScaleSpec, password_hash: str, progress: Progress) -> dict[str, Any]:
    """Case managers up to ``spec.case_managers`` round-robin over the case organisations, a
    programme lead per town; every scale user gets ``password_hash``. Returns users.json."""
    from django.contrib.auth.models import User

    from kim.accounts.actions import create_user, grant_role
    from kim.accounts.models import Membership, Role

    created: list[str] = []

    def new_user(username: str, last_name: str, org: Any, role: str) -> None:
        user = create_user(
            acting_user=None,
            username=username,
            password=None,
            first_name="Statescale",
            last_name=last_name,
            validate_password=False,
        )
        grant_role(acting_user=None, user=user, organisation=org, role=role)
        created.append(username)

    case_orgs: list[Any] = []
    for region in regions():
        case_orgs += towns_of(region) + traeger_of(region)
        for town in towns_of(region):
            if not Membership.objects.filter(
                organisation=town, role=Role.PROGRAMME_LEAD, revoked_at__isnull=True
            ).exists():
                new_user(
                    f"sc-pl-{town.ags}",
                    f"Programmleitung {town.short_name}",
                    town,
                    Role.PROGRAMME_LEAD,
                )
    held = Membership.objects.filter(role=Role.CASE_MANAGER, revoked_at__isnull=True)
    existing = held.values("user_id").distinct().count()
    for n in range(max(0, spec.case_managers - existing)):
        org = case_orgs[n % len(case_orgs)]
        new_user(f"sc-cm-{n + 1:04d}", f"Fallmanagement {n + 1:04d}", org, Role.CASE_MANAGER)
    # Scale users of seed.py (no password) and ours: the one shared hash.
    User.objects.filter(username__startswith="bench-").update(password=password_hash)
    User.objects.filter(username__startswith="sc-").update(password=password_hash)
    progress.phase("users", len(created))
    return users_json()


def users_json() -> dict[str, list[dict[str, str]]]:
    from kim.accounts.models import Membership, Role

    roles = {
        "case_manager": Role.CASE_MANAGER,
        "team_lead": Role.TEAM_LEAD,
        "coordination": Role.KIM_COORDINATION,
        "programme_lead": Role.PROGRAMME_LEAD,
        "abh": Role.B3_OFFICER,
        "council": Role.COUNCIL_MEMBER,
    }
    found: dict[str, list[dict[str, str]]] = {}
    for key, role in roles.items():
        rows = (
            Membership.objects.filter(role=role, revoked_at__isnull=True, user__is_active=True)
            .order_by("user__username")
            .values_list("user__username", "organisation__code")
        )
        seen: set[str] = set()
        found[key] = []
        for username, org in rows:
            if username not in seen:
                seen.add(username)
                found[key].append({"username": username, "organisation": org})
    return found


# --- the bulk rows ------------------------------------------------------------------------------

PATH = ["access", "intake", "assessment", "planning", "linking", "monitoring"]
OPEN_WEIGHTS = {k: v for k, v in PHASE_WEIGHTS.items() if k != "closed"}
ACTIVITY_TEXTS = [
    "Termin zur Klärung der Unterlagen wahrgenommen.",
    "Telefonat mit dem Jobcenter zum Stand des Antrags.",
    "Begleitung zur Ausländerbehörde, Fiktionsbescheinigung verlängert.",
    "Sprachkursanmeldung besprochen, Wartezeit etwa acht Wochen.",
    "Notiz: Unterlagen zur Anerkennung des Abschlusses liegen vollständig vor.",
    "Hausbesuch, Wohnsituation weiterhin beengt.",
    "Rückmeldung der Beratungsstelle erhalten.",
    "Bewerbungsunterlagen gemeinsam überarbeitet.",
    "Kita-Platz: Anmeldung beim Jugendamt erfolgt.",
    "Erinnerung an den Termin beim Gesundheitsamt.",
]
TASK_TITLES = [
    "Unterlagen für das Jobcenter nachreichen",
    "Termin bei der Ausländerbehörde vereinbaren",
    "Sprachkursplatz nachfragen",
    "Anerkennungsverfahren nachhalten",
]
CONSENT_PURPOSE = "Vermittlung und Abstimmung im Case Management"
TALK_TOPICS = [
    "Abstimmung der Beratungsangebote",
    "Stellenbesetzung und Förderung",
    "Verwendungsnachweis und Berichte",
    "Zugänge und Wartelisten",
]
SCREENING_RETENTION_DAYS = 90
ELIGIBLE_FOR_CONSENT = 43 / 85  # the share of current cases in linking or monitoring


@dataclass
class CaseOrg:
    organisation: Any
    managers: list[Any]
    recipients: list[Any]  # consent/referral recipients of its region
    towns: list[Any]


def case_organisations() -> list[CaseOrg]:
    from kim.accounts.models import Membership, Role
    from kim.organisations.models import Organisation, OrgKind

    managers: dict[int, list[Any]] = {}
    rows = Membership.objects.filter(role=Role.CASE_MANAGER, revoked_at__isnull=True)
    for m in rows.select_related("user", "organisation").order_by("user__username"):
        managers.setdefault(m.organisation_id, []).append(m.user)
    found = []
    orgs = Organisation.objects.filter(pk__in=managers).order_by("pk")
    for org in orgs:
        region_id = org.pk if org.is_region else org.region_id
        region = Organisation.objects.get(pk=region_id)
        recipients = list(
            Organisation.objects.filter(
                region=region, kind__in=(OrgKind.AUTHORITY, OrgKind.TRAEGER)
            )
            .exclude(pk=org.pk)
            .order_by("pk")
        )
        towns = [org] if org.kind in (OrgKind.KOMMUNE, OrgKind.KREISFREIE_STADT) else []
        found.append(CaseOrg(org, managers[org.pk], recipients, towns or towns_of(region)))
    return found


class Seeder:
    """Generates the rows of one case organisation after the other."""

    def __init__(self, spec: ScaleSpec, writer: Writer) -> None:
        from django.utils import timezone

        from kim.cases.models import (
            Activity,
            Case,
            Consent,
            Disclosure,
            Person,
            PersonToken,
            PhaseChange,
            Referral,
            Task,
        )

        self.spec = spec
        self.w = writer
        self.rng = random.Random(RANDOM_SEED)
        self.today = timezone.localdate()
        self.now = writer.now
        self.order = [Person, PersonToken, Case, PhaseChange, Activity, Task, Consent, Referral]
        self.order.append(Disclosure)
        self.models = {
            m.__name__: m
            for m in (Person, PersonToken, Case, PhaseChange, Activity, Task, Consent, Referral)
        }
        self.models["Disclosure"] = Disclosure

    @functools.cache  # noqa: B019 – one seeder per process
    def enc(self, text: str) -> str:
        from kim.core.crypto import encrypt_text

        return encrypt_text(text)

    @functools.cache  # noqa: B019
    def name_tokens(self, first: str, last: str) -> tuple[str, ...]:
        from kim.core.crypto import search_tokens

        return tuple(sorted(search_tokens(f"{first} {last}")))

    @functools.cache  # noqa: B019
    def birth_token(self, day: dt.date) -> str:
        from kim.core.crypto import birth_date_token

        return birth_date_token(day)

    def at(self, day: dt.date, hour: int | None = None) -> dt.datetime:
        hour = self.rng.randrange(8, 17) if hour is None else hour
        moment = dt.datetime.combine(day, dt.time(hour, self.rng.randrange(60)), tzinfo=dt.UTC)
        return min(moment, self.now - dt.timedelta(minutes=1))

    # -- one organisation

    def organisation(self, co: CaseOrg, persons: int, cases: int, activities: int) -> int:
        from kim.cases.actions.persons import _number_prefix
        from kim.cases.models import Person

        org = co.organisation
        prefix = _number_prefix(org)
        taken = set(Person.objects.filter(organisation=org).values_list("number", flat=True))
        serials: dict[int, int] = {}
        extra_cases = max(0, cases - persons)
        per_case = activities / max(1, cases)
        # Consents are given with the plan: current cases in linking or monitoring get them.
        consent_chance = self.spec.consents / self.spec.persons / ELIGIBLE_FOR_CONSENT
        referrals_per_consent = self.spec.referrals / max(1, self.spec.consents)
        for n in range(persons):
            manager = co.managers[n % len(co.managers)]
            person_id, _code = self.person(co, n, prefix, taken, serials, manager)
            current_from = self.today - dt.timedelta(days=self.rng.randrange(1, 4 * 365))
            if n < extra_cases:  # an earlier, closed case of the same person
                closed_on = current_from - dt.timedelta(days=self.rng.randrange(10, 200))
                referred = closed_on - dt.timedelta(days=self.rng.randrange(90, 900))
                self.case(co, person_id, manager, referred, "closed", closed_on, per_case, 0, 0)
            phase = self.rng.choices(list(OPEN_WEIGHTS), weights=list(OPEN_WEIGHTS.values()))[0]
            self.case(
                co,
                person_id,
                manager,
                current_from,
                phase,
                None,
                per_case,
                consent_chance,
                referrals_per_consent,
            )
        return self.w.flush(self.order)

    def person(
        self,
        co: CaseOrg,
        n: int,
        prefix: str,
        taken: set[str],
        serials: dict[int, int],
        manager: Any,
    ) -> tuple[int, str]:
        from kim.audit.models import EventType

        rng = self.rng
        year = self.today.year - rng.randrange(0, 8)
        serial = serials.get(year, 0) + 1
        while f"{prefix}-{year}-{serial:04d}" in taken:
            serial += 1
        serials[year] = serial
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(55 * 365))
        town = co.towns[n % len(co.towns)]
        phone = f"0271 {rng.randrange(1000, 9999)}00" if n % 2 == 0 else None
        persons = self.w.table(self.models["Person"])
        code = new_code()
        pid = persons.add(
            {
                "code": code,
                "organisation_id": co.organisation.pk,
                "number": f"{prefix}-{year}-{serial:04d}",
                "first_name": self.enc(first),
                "last_name": self.enc(last),
                "birth_date": self.enc(birth.isoformat()),
                "birth_date_token": self.birth_token(birth),
                "sex": rng.choice(["f", "m", "d", ""]),
                "languages": rng.choice([["ar", "de"], ["tr"], ["uk", "ru"], ["fa"], ["de"]]),
                "nationalities": rng.choice([["SY"], ["TR"], ["UA"], ["AF"], ["IQ"], ["DE"]]),
                "interpreter_needed": rng.random() < 0.3,
                "town_id": town.pk,
                "address": self.enc(f"Bench-Weg {n % 40 + 1}, {town.name}"),
                "phone": self.enc(phone) if phone else None,
            }
        )
        tokens = self.w.table(self.models["PersonToken"])
        for token in self.name_tokens(first, last):
            tokens.add(
                {"person_id": pid, "organisation_id_copy": co.organisation.pk, "token": token}
            )
        fields = ["address", "birth_date", "first_name", "languages", "last_name"]
        fields += ["nationalities", "sex", "town"] + (["phone"] if phone else [])
        self.w.event(
            EventType.PERSON_CREATED,
            actor_id=manager.pk,
            organisation_id=co.organisation.pk,
            subject_type="cases.person",
            subject_code=code,
            extra={"fields": sorted(fields)},
        )
        return pid, code

    def case(
        self,
        co: CaseOrg,
        person_id: int,
        manager: Any,
        referred: dt.date,
        phase: str,
        closed_on: dt.date | None,
        activities: float,
        consent_chance: float,
        referrals: float,
    ) -> None:
        from kim.audit.models import EventType
        from kim.cases.models import ClosingReason, Indication, ReferralSource

        rng, today = self.rng, self.today
        org_id = co.organisation.pk
        cases = self.w.table(self.models["Case"])
        code = new_code()
        source = rng.choice(ReferralSource.values)
        reached = PATH.index(phase) if phase in PATH else rng.randrange(len(PATH))
        end = closed_on or today
        span = max(1, (end - referred).days)
        steps = [
            referred + dt.timedelta(days=span * i // (reached + 2)) for i in range(reached + 1)
        ]
        values: dict[str, Any] = {
            "code": code,
            "person_id": person_id,
            "organisation_id": org_id,
            "responsible_id": manager.pk,
            "phase": phase,
            "referral_source": source,
            "referred_on": referred,
            "on_waiting_list": phase == "access" and rng.random() < 0.5,
            "triage_score": rng.randrange(6),
        }
        if reached >= 2:
            values["indication"] = Indication.INDICATED
            values["indicated_on"] = steps[2]
        if reached >= 4:
            values["plan_agreed_on"] = steps[4]
        if phase == "closed":
            values["closed_on"] = closed_on
            values["closing_reason"] = rng.choice(ClosingReason.values)
        elif phase != "access":
            values["next_review_on"] = today + dt.timedelta(days=rng.randrange(-30, 120))
        case_id = cases.add(values)
        event = self.w.event
        actor = manager.pk
        event(
            EventType.CASE_OPENED,
            actor_id=actor,
            organisation_id=org_id,
            subject_type="cases.case",
            subject_code=code,
            extra={"referral_source": source, "waiting_list": values["on_waiting_list"]},
        )
        changes = self.w.table(self.models["PhaseChange"])
        path = PATH[: reached + 1] + (["closed"] if phase == "closed" else [])
        days = steps + ([closed_on] if closed_on else [])
        previous = ""
        for to_phase, on in zip(path, days, strict=True):
            changes.add(
                {
                    "case_id": case_id,
                    "from_phase": previous,
                    "to_phase": to_phase,
                    "changed_on": on,
                    "changed_by_id": actor,
                }
            )
            if previous and to_phase == "closed":
                event(
                    EventType.CASE_CLOSED,
                    actor_id=actor,
                    organisation_id=org_id,
                    subject_type="cases.case",
                    subject_code=code,
                    extra={"reason": values["closing_reason"], "handed_over": False, "note": False},
                )
            elif previous:
                event(
                    EventType.CASE_PHASE_CHANGED,
                    actor_id=actor,
                    organisation_id=org_id,
                    subject_type="cases.case",
                    subject_code=code,
                    extra={"from": previous, "to": to_phase},
                )
            previous = to_phase
        self.activities(case_id, code, org_id, actor, referred, end, closed_on, activities)
        if phase != "closed" and rng.random() < 0.3:
            self.task(case_id, code, org_id, actor)
        if reached >= 4 and rng.random() < consent_chance and co.recipients:
            self.consent(co, person_id, case_id, code, actor, values["plan_agreed_on"], referrals)

    def activities(
        self,
        case_id: int,
        case_code: str,
        org_id: int,
        actor: int,
        start: dt.date,
        end: dt.date,
        closed_on: dt.date | None,
        mean: float,
    ) -> None:
        from kim.audit.models import EventType

        rng = self.rng
        table = self.w.table(self.models["Activity"])
        span = max(1, (end - start).days)
        count = int(mean * 2 * rng.random() + 0.5)
        for _ in range(count):
            roll = rng.random()
            kind = "contact" if roll < 0.6 else ("note" if roll < 0.85 else "appointment")
            day = start + dt.timedelta(days=rng.randrange(span + 1))
            if kind == "appointment" and closed_on is None and rng.random() < 0.3:
                day = self.today + dt.timedelta(days=rng.randrange(1, 30))
                occurred = dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC)
            else:
                occurred = self.at(day)
            confidential = rng.random() < 0.05
            text = rng.choice(ACTIVITY_TEXTS) if kind == "note" or rng.random() < 0.5 else None
            code = new_code()
            table.add(
                {
                    "code": code,
                    "case_id": case_id,
                    "kind": kind,
                    "occurred_at": occurred,
                    "duration_minutes": None if kind == "note" else rng.choice([15, 30, 45, 60]),
                    "channel": ""
                    if kind == "note"
                    else rng.choice(["in_person", "phone", "video", "home_visit", "email"]),
                    "with_interpreter": kind != "note" and rng.random() < 0.2,
                    "text": self.enc(text) if text else None,
                    "confidential": confidential,
                    "author_id": actor,
                }
            )
            self.w.event(
                EventType.ACTIVITY_RECORDED,
                actor_id=actor,
                organisation_id=org_id,
                subject_type="cases.activity",
                subject_code=code,
                extra={"case": case_code, "kind": kind, "confidential": confidential},
            )

    def task(self, case_id: int, case_code: str, org_id: int, actor: int) -> None:
        from kim.audit.models import EventType

        rng = self.rng
        table = self.w.table(self.models["Task"])
        due = self.today + dt.timedelta(days=rng.randrange(-30, 60))
        done = due < self.today and rng.random() < 0.3
        code = new_code()
        table.add(
            {
                "code": code,
                "case_id": case_id,
                "kind": "manual",
                "title": rng.choice(TASK_TITLES),
                "due_on": due,
                "done_on": due if done else None,
                "source_key": "",
                "created_by_id": actor,
            }
        )
        self.w.event(
            EventType.TASK_CREATED,
            actor_id=actor,
            organisation_id=org_id,
            subject_type="cases.task",
            subject_code=code,
            extra={"kind": "manual", "case": case_code},
        )

    def consent(
        self,
        co: CaseOrg,
        person_id: int,
        case_id: int,
        case_code: str,
        actor: int,
        given_on: dt.date,
        referrals: float,
    ) -> None:
        from kim.audit.models import EventType
        from kim.cases.actions.consent import DEFAULT_LEGAL_BASIS
        from kim.cases.models import DataCategory

        rng = self.rng
        org_id = co.organisation.pk
        recipient = rng.choice(co.recipients)
        cats = sorted(rng.sample(DataCategory.values, rng.randrange(2, 5)))
        limited = rng.random() < 0.6
        valid_until = given_on + dt.timedelta(days=730) if limited else None
        consents = self.w.table(self.models["Consent"])
        code = new_code()
        consent_id = consents.add(
            {
                "code": code,
                "person_id": person_id,
                "recipient_id": recipient.pk,
                "purpose": CONSENT_PURPOSE,
                "scope": "disclosure",
                "categories": cats,
                "given_on": given_on,
                "valid_until": valid_until,
                "form_language": "de",
                "recorded_by_id": actor,
            }
        )
        self.w.event(
            EventType.CONSENT_RECORDED,
            actor_id=actor,
            organisation_id=org_id,
            subject_type="cases.consent",
            subject_code=code,
            extra={
                "case": case_code,
                "recipient": recipient.code,
                "scope": "disclosure",
                "categories": cats,
                "form_language": "de",
                "signed_form": False,
                "time_limited": limited,
            },
        )
        last = min(self.today, valid_until or self.today)
        span = (last - given_on).days
        if span < 0:
            return
        count = int(referrals * 2 * rng.random() + 0.5)
        refs = self.w.table(self.models["Referral"])
        disclosures = self.w.table(self.models["Disclosure"])
        for _ in range(count):
            sent = given_on + dt.timedelta(days=rng.randrange(span + 1))
            ref_cats = sorted(rng.sample(cats, rng.randrange(1, len(cats) + 1)))
            status = rng.choice(["sent", "accepted", "accepted", "declined", "completed"])
            ref_code = new_code()
            changed = min(self.today, sent + dt.timedelta(days=rng.randrange(0, 30)))
            ref_id = refs.add(
                {
                    "code": ref_code,
                    "case_id": case_id,
                    "recipient_id": recipient.pk,
                    "purpose": "Vermittlung (Bench)",
                    "categories": ref_cats,
                    "sent_on": sent,
                    "status": status,
                    "status_changed_on": changed,
                    "created_by_id": actor,
                }
            )
            disclosures.add(
                {
                    "code": new_code(),
                    "case_id": case_id,
                    "consent_id": consent_id,
                    "recipient_id": recipient.pk,
                    "kind": "referral",
                    "categories": ref_cats,
                    "legal_basis": DEFAULT_LEGAL_BASIS,
                    "disclosed_at": self.at(sent),
                    "disclosed_by_id": actor,
                    "referral_id": ref_id,
                }
            )
            self.w.event(
                EventType.DISCLOSURE,
                actor_id=actor,
                organisation_id=org_id,
                subject_type="cases.case",
                subject_code=case_code,
                extra={
                    "recipient": recipient.code,
                    "categories": ref_cats,
                    "legal_basis": DEFAULT_LEGAL_BASIS,
                    "kind": "referral",
                    "consent": code,
                },
            )
            moves = {"sent": [], "accepted": ["accepted"], "declined": ["declined"]}
            previous = "sent"
            for to in moves.get(status, ["accepted", "completed"]):
                self.w.event(
                    EventType.REFERRAL_STATUS_CHANGED,
                    actor_id=actor,
                    organisation_id=org_id,
                    subject_type="cases.referral",
                    subject_code=ref_code,
                    extra={"case": case_code, "from": previous, "to": to},
                )
                previous = to


def seed_cases(spec: ScaleSpec, writer: Writer, progress: Progress) -> None:
    from django.db import transaction

    orgs = case_organisations()
    managers = sum(len(co.managers) for co in orgs)
    seeder = Seeder(spec, writer)
    done_p = done_c = done_a = 0
    total_m = 0
    rows = 0
    for i, co in enumerate(orgs, start=1):
        total_m += len(co.managers)
        persons = spec.persons * total_m // managers - done_p
        cases = spec.cases * total_m // managers - done_c
        acts = spec.activities * total_m // managers - done_a
        done_p, done_c, done_a = done_p + persons, done_c + cases, done_a + acts
        with transaction.atomic():
            rows += seeder.organisation(co, persons, cases, acts)
        if i % 25 == 0 or i == len(orgs):
            say(f"  {i}/{len(orgs)} case organisations, {done_c:,} cases, {rows:,} rows")
    progress.phase("cases", rows)


def seed_talks(spec: ScaleSpec, writer: Writer, progress: Progress) -> None:
    from django.db import transaction

    from kim.audit.models import EventType
    from kim.partners.models import Talk, TalkParticipant

    rng = random.Random(RANDOM_SEED + 1)
    today = writer.now.date()
    all_regions = regions()
    talks = writer.table(Talk)
    participants = writer.table(TalkParticipant)
    for r, region in enumerate(all_regions):
        agencies = traeger_of(region)
        hosts = [region, *towns_of(region)[:3]]
        if not agencies:
            continue
        count = spec.talks * (r + 1) // len(all_regions) - spec.talks * r // len(all_regions)
        for _ in range(count):
            host = rng.choice(hosts)
            chosen = rng.sample(agencies, rng.randrange(1, min(3, len(agencies)) + 1))
            outcome = rng.choice(["agreement", "agreement", "open", "declined", "postponed"])
            code = new_code()
            talk_id = talks.add(
                {
                    "code": code,
                    "region_id": region.pk,
                    "host_id": host.pk,
                    "held_on": today - dt.timedelta(days=rng.randrange(1, 10 * 365)),
                    "format": rng.choice(["in_person", "video", "phone", "written"]),
                    "topics": rng.choice(TALK_TOPICS),
                    "baustein": rng.choice(["", "B1", "B2", "B3"]),
                    "outcome": outcome,
                    "outcome_summary": "",
                }
            )
            participants.add({"talk_id": talk_id, "organisation_id": host.pk, "role": "host"})
            for agency in chosen:
                participants.add(
                    {"talk_id": talk_id, "organisation_id": agency.pk, "role": "traeger"}
                )
            writer.event(
                EventType.TALK_RECORDED,
                actor_id=None,
                organisation_id=host.pk,
                subject_type="partners.talk",
                subject_code=code,
                extra={"traeger": sorted(a.code for a in chosen), "outcome": outcome},
            )
    with transaction.atomic():
        rows = writer.flush([Talk, TalkParticipant])
    progress.phase("talks", rows)


def seed_screening(spec: ScaleSpec, writer: Writer, progress: Progress) -> None:
    """Lists of 250 entries uploaded by each region's B3 officers; the entries' encrypted
    facts and results are those of the demo's screened entries (valid, screened data)."""
    from django.db import transaction

    from kim.accounts.models import Membership, Role
    from kim.audit.models import EventType
    from kim.screening.models import ScreeningEntry, ScreeningList

    demo = list(
        ScreeningEntry.objects.filter(results__isnull=False)
        .order_by("pk")
        .values_list("ref", "label", "facts", "results", "rank", "likely_rules", "likely_from")
    )
    officers = list(
        Membership.objects.filter(role=Role.B3_OFFICER, revoked_at__isnull=True)
        .select_related("organisation")
        .order_by("pk")
    )
    if not demo or not officers:
        say("  no screened demo entries or no B3 officer: screening skipped")
        return
    rng = random.Random(RANDOM_SEED + 2)
    today = writer.now.date()
    lists = writer.table(ScreeningList)
    entries = writer.table(ScreeningEntry)
    per_list = 250
    total = 0
    n = 0
    with transaction.atomic():
        while total < spec.screening_entries:
            officer = officers[n % len(officers)]
            size = min(per_list, spec.screening_entries - total)
            ranks: dict[str, int] = {"0": 0, "1": 0, "2": 0, "3": 0}
            code = new_code()
            list_id = lists.add(
                {
                    "code": code,
                    "organisation_id": officer.organisation_id,
                    "uploaded_by_id": officer.user_id,
                    "title": f"Bench-Liste {n + 1}",
                    "original_name": writer_enc(f"bench-{n + 1}.csv"),
                    "file_format": "csv",
                    "decision_date": today - dt.timedelta(days=rng.randrange(0, 60)),
                    "status": "done",
                    "total": size,
                    "screened": size,
                    "error": "",
                    "delete_after": today + dt.timedelta(days=SCREENING_RETENTION_DAYS),
                }
            )
            for row in range(1, size + 1):
                ref, label, facts, results, rank, rules, likely_from = demo[
                    (total + row) % len(demo)
                ]
                if rank is not None:
                    ranks[str(rank)] = ranks.get(str(rank), 0) + 1
                entries.add(
                    {
                        "screening_list_id": list_id,
                        "row": row,
                        "ref": writer_enc(ref),
                        "label": writer_enc(label) if label is not None else None,
                        "facts": writer_enc(facts),
                        "results": writer_enc(results),
                        "rank": rank,
                        "likely_rules": rules,
                        "likely_from": likely_from,
                        "unclear_count": 0,
                    }
                )
            for event_type, extra in (
                (
                    EventType.SCREENING_LIST_UPLOADED,
                    {"rows": size, "format": "csv", "ignored_columns": 0},
                ),
                (EventType.SCREENING_LIST_SCREENED, {"rows": size, "ranks": ranks}),
            ):
                writer.event(
                    event_type,
                    actor_id=officer.user_id,
                    organisation_id=officer.organisation_id,
                    subject_type="screening.screeninglist",
                    subject_code=code,
                    extra=extra,
                )
            writer.usernames[officer.user_id] = officer.user.username
            total += size
            n += 1
        rows = writer.flush([ScreeningList, ScreeningEntry])
    progress.phase("screening", rows)


@functools.cache
def writer_enc(text: str) -> str:
    from kim.core.crypto import encrypt_text

    return encrypt_text(text)


def seed_agreements(spec: ScaleSpec, progress: Progress) -> None:
    """Through ``create_agreement`` (2,000 at ``state``: fast enough one by one)."""
    from django.db import transaction

    from kim.partners.actions import create_agreement

    rng = random.Random(RANDOM_SEED + 3)
    all_regions = regions()
    made = 0
    for r, region in enumerate(all_regions):
        recipients = traeger_of(region) + [t for t in towns_of(region) if t.pk != region.pk]
        if not recipients:
            continue
        count = spec.agreements * (r + 1) // len(all_regions) - spec.agreements * r // len(
            all_regions
        )
        with transaction.atomic():
            for k in range(count):
                start_year = 2020 + rng.randrange(0, 6)
                years = rng.randrange(1, 4)
                create_agreement(
                    acting_user=None,
                    grantor=region,
                    recipient=recipients[k % len(recipients)],
                    kind=rng.choice(["contract", "notice"]),
                    title=f"Weiterleitung KIM {start_year} (Bench {k + 1})",
                    signed_on=dt.date(start_year - 1, 12, 1),
                    period_start=dt.date(start_year, 1, 1),
                    period_end=dt.date(start_year + years - 1, 12, 31),
                    amounts=[
                        (start_year + y, Decimal(57_000), Decimal(rng.randrange(0, 5_000)))
                        for y in range(years)
                    ],
                )
                made += 1
    progress.phase("agreements", made)


def row_counts() -> dict[str, int]:
    from django.contrib.auth.models import User

    from kim.audit.models import AuditEvent
    from kim.cases.models import (
        Activity,
        Case,
        Consent,
        Disclosure,
        Person,
        PersonToken,
        PhaseChange,
        Referral,
        Task,
    )
    from kim.organisations.models import REGION_KINDS, Organisation, OrgKind
    from kim.partners.models import Agreement, Talk
    from kim.programmes.models import Position
    from kim.screening.models import ScreeningEntry

    counts = {
        "regions": Organisation.objects.filter(kind__in=REGION_KINDS).count(),
        "towns": Organisation.objects.filter(
            kind__in=(OrgKind.KOMMUNE, OrgKind.KREISFREIE_STADT)
        ).count(),
        "users": User.objects.count(),
        "positions": Position.objects.count(),
    }
    for name, model in (
        ("persons", Person),
        ("person_tokens", PersonToken),
        ("cases", Case),
        ("phase_changes", PhaseChange),
        ("activities", Activity),
        ("tasks", Task),
        ("consents", Consent),
        ("referrals", Referral),
        ("disclosures", Disclosure),
        ("talks", Talk),
        ("agreements", Agreement),
        ("screening_entries", ScreeningEntry),
        ("audit_events", AuditEvent),
    ):
        counts[name] = model.objects.count()
    counts["closed_cases"] = Case.objects.filter(phase="closed").count()
    from django.db.models import Sum

    vze = Position.objects.aggregate(total=Sum("vze"))["total"] or 0
    counts["position_vze"] = int(vze)
    return counts


def demo_max_ids() -> dict[str, int]:
    from django.db.models import Max

    from kim.cases.models import Case, Person

    return {
        "case": Case.objects.aggregate(m=Max("id"))["m"] or 0,
        "person": Person.objects.aggregate(m=Max("id"))["m"] or 0,
    }


def seed(scale: str) -> dict[str, Any]:
    from django.contrib.auth.hashers import make_password
    from django.db import connection

    from kim.core.rls import system_access

    spec = SPECS[scale]
    progress = Progress()
    with system_access(f"statescale seed {scale}"):
        demo_ids = demo_max_ids()
        seed_regions(spec, progress)
        users = seed_users(spec, make_password("demo"), progress)
        directory = Path(os.environ["KIM_VAR_DIR"]).parent
        (directory / "users.json").write_text(json.dumps(users, indent=1), encoding="utf-8")
        writer = Writer()
        from django.contrib.auth.models import User

        writer.usernames = dict(User.objects.values_list("pk", "username"))
        seed_cases(spec, writer, progress)
        seed_talks(spec, writer, progress)
        seed_screening(spec, writer, progress)
        writer.fix_sequences()
        seed_agreements(spec, progress)
    # As the tables' owner: under the system role ANALYZE skips every table (not its owner).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    progress.phase("analyze", 0)
    with system_access(f"statescale verify {scale}"):
        verified = verify(demo_ids, users)
        progress.phase("verify", verified.get("audit_chain_events", 0))
        counts = row_counts()
    return {
        "counts": counts,
        "phases_s": progress.phases,
        "demo_max_ids": demo_ids,
        "verify": verified,
    }


# --- verify -------------------------------------------------------------------------------------

DEMO_PERSONAS = ("cm-siegen", "cm-kreuztal", "cm-traeger", "teamlead-siegen")


def _sql(query: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(query)
        return int(cursor.fetchone()[0])


INVARIANTS = {
    # name: SQL counting violations
    "one open case per person": """
        SELECT COUNT(*) FROM (SELECT person_id FROM cases_case WHERE phase <> 'closed'
        GROUP BY person_id HAVING COUNT(*) > 1) t""",
    "case in its person's organisation": """
        SELECT COUNT(*) FROM cases_case c JOIN cases_person p ON p.id = c.person_id
        WHERE c.organisation_id <> p.organisation_id""",
    "responsible is a case manager there": """
        SELECT COUNT(*) FROM cases_case c WHERE c.phase <> 'closed' AND NOT EXISTS (
        SELECT 1 FROM accounts_membership m WHERE m.user_id = c.responsible_id
        AND m.organisation_id = c.organisation_id AND m.role = 'case_manager'
        AND m.revoked_at IS NULL)""",
    "closed cases have a closing date": """
        SELECT COUNT(*) FROM cases_case WHERE (phase = 'closed') <> (closed_on IS NOT NULL)""",
    "phase changes end in the case's phase": """
        SELECT COUNT(*) FROM cases_case c WHERE c.phase <> (SELECT pc.to_phase
        FROM cases_phasechange pc WHERE pc.case_id = c.id ORDER BY pc.changed_on DESC, pc.id DESC
        LIMIT 1)""",
    "disclosures covered by a consent of the person for the recipient": """
        SELECT COUNT(*) FROM cases_disclosure d JOIN cases_consent k ON k.id = d.consent_id
        JOIN cases_case c ON c.id = d.case_id WHERE k.person_id <> c.person_id
        OR k.recipient_id <> d.recipient_id OR NOT (k.categories @> d.categories)
        OR d.disclosed_at::date < k.given_on
        OR (k.valid_until IS NOT NULL AND d.disclosed_at::date > k.valid_until)""",
    "no activity in the future except appointments": """
        SELECT COUNT(*) FROM cases_activity WHERE kind <> 'appointment' AND occurred_at > now()""",
    "persons with name tokens": """
        SELECT COUNT(*) FROM cases_person p WHERE p.first_name IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM cases_persontoken t WHERE t.person_id = p.id)""",
}


def verify(demo_ids: dict[str, int], users: dict[str, list[dict[str, str]]]) -> dict[str, Any]:

    from kim.audit.record import verify_chain

    result: dict[str, Any] = {}
    problems: list[str] = []
    chain = verify_chain()
    result["audit_chain_ok"] = chain.ok
    result["audit_chain_events"] = chain.checked
    if not chain.ok:
        problems.append(f"audit chain: {chain.reason} at {chain.broken_event}")
    say(f"  audit chain: {'ok' if chain.ok else 'BROKEN'} ({chain.checked:,} events)")

    _verify_rows(result, problems)
    _verify_users(result, problems, demo_ids, users)
    result["problems"] = problems
    result["ok"] = not problems
    return result


def _verify_rows(result: dict[str, Any], problems: list[str]) -> None:
    """Decryption, name search, the invariants in SQL and Django's system checks."""
    from django.core import checks

    from kim.accounts.access import load_user_context
    from kim.cases.models import Activity, Case, Consent, Disclosure, Person
    from kim.cases.queries.persons import search_persons
    from kim.screening.models import ScreeningEntry

    decrypted = 0
    for model in (Person, Activity, Case, Consent, Disclosure, ScreeningEntry):
        for row in model.objects.order_by("-pk")[:200]:  # loading decrypts every field
            decrypted += 1
            str(row.pk)
    result["decrypted_rows"] = decrypted
    say(f"  decryption through the ORM: {decrypted} rows (newest of six models)")

    found = searched = 0
    sample = list(Person.objects.filter(cases__isnull=False).order_by("-pk")[:20])
    for person in sample:
        case = person.cases.order_by("-pk").first()
        assert case is not None
        ctx = load_user_context(case.responsible)
        searched += 1
        hits = search_persons(ctx, f"{person.first_name} {person.last_name}")
        found += any(p.pk == person.pk for p in hits)
    result["name_search"] = f"{found}/{searched}"
    if found != searched:
        problems.append(f"name search found {found} of {searched} persons")
    say(f"  name search (search_persons) finds {found} of {searched} sampled persons")

    violations = {name: _sql(query) for name, query in INVARIANTS.items()}
    result["invariants"] = violations
    for name, count in violations.items():
        say(f"  {name}: {count} violations")
        if count:
            problems.append(f"{name}: {count}")
    errors = [m for m in checks.run_checks() if m.level >= checks.ERROR]
    result["django_checks_errors"] = len(errors)
    if errors:
        problems.append(f"{len(errors)} errors of manage.py check")


def _verify_users(
    result: dict[str, Any],
    problems: list[str],
    demo_ids: dict[str, int],
    users: dict[str, list[dict[str, str]]],
) -> None:
    """users.json logs in with "demo"; the demo personas see their demo cases; case managers
    have a work list."""
    from django.contrib.auth.hashers import check_password
    from django.contrib.auth.models import User

    from kim.accounts.access import load_user_context
    from kim.accounts.models import Role
    from kim.cases.access import cases_for_user
    from kim.cases.models import ACTIVE_PHASES, Case

    listed = {u["username"] for role in users.values() for u in role}
    accounts = User.objects.filter(username__in=listed)
    hashes = set(accounts.values_list("password", flat=True))
    usable = all(check_password("demo", h) for h in hashes)
    inactive = accounts.filter(is_active=False).count()
    result["users_listed"] = len(listed)
    result["users_password_demo"] = usable and accounts.count() == len(listed) and not inactive
    if not result["users_password_demo"]:
        problems.append("users.json: not every user logs in with 'demo'")
    say(f"  users.json: {len(listed)} users, password 'demo' for all: {usable}")

    demo: dict[str, Any] = {}
    for username in DEMO_PERSONAS:
        user = User.objects.filter(username=username).first()
        if user is None:
            problems.append(f"demo persona {username} missing")
            continue
        ctx = load_user_context(user)
        visible = cases_for_user(ctx)
        demo_cases = Case.objects.filter(
            pk__lte=demo_ids["case"],
            organisation_id__in=ctx.organisations_with_role(Role.CASE_MANAGER, Role.TEAM_LEAD),
        )
        seen = visible.filter(pk__lte=demo_ids["case"]).count()
        demo[username] = {
            "password_demo": user.check_password("demo"),
            "demo_cases_visible": seen,
            "demo_cases": demo_cases.count(),
            "responsible_active": visible.filter(responsible=user, phase__in=ACTIVE_PHASES).count(),
        }
        if not demo[username]["password_demo"]:
            problems.append(f"{username} has lost the demo password")
    result["demo_personas"] = demo
    say(f"  demo personas: {demo}")

    loads = []
    for entry in users.get("case_manager", [])[:: max(1, len(users.get("case_manager", [])) // 5)]:
        user = User.objects.get(username=entry["username"])
        ctx = load_user_context(user)
        loads.append(cases_for_user(ctx).filter(responsible=user, phase__in=ACTIVE_PHASES).count())
    result["case_manager_active_cases_sample"] = loads
    if loads and min(loads) == 0:
        problems.append("a case manager without active cases")
    say(f"  active cases of sampled case managers: {loads}")


def in_child(task: str, scale: str, out: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kim.settings")
    import django

    django.setup()
    from django.db import connection

    from kim.core.rls import system_access

    if connection.vendor != "postgresql":
        raise SystemExit("statescale runs on PostgreSQL only")
    if task == "seed":
        result = seed(scale)
    else:
        marker = _load(out.parent, "seeded.json") or {}
        users = _load(out.parent, "users.json") or {}
        with system_access(f"statescale verify {scale}"):
            verified = verify(marker.get("demo_max_ids", {"case": 0, "person": 0}), users)
            result = {"counts": row_counts(), "verify": verified}
    out.write_text(json.dumps(result, default=str), encoding="utf-8")


# =============================================================================================
# Command line
# =============================================================================================


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Seed PostgreSQL at state scale (issue 16).")
    parser.add_argument(
        "--child", nargs=3, metavar=("TASK", "SCALE", "OUT"), help=argparse.SUPPRESS
    )
    parser.add_argument("--scale", choices=SCALES, default="small")
    parser.add_argument("--fresh", action="store_true", help="seed again even if seeded.json fits")
    parser.add_argument("--verify-only", action="store_true", help="check a seeded database")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        in_child(args.child[0], args.child[1], Path(args.child[2]))
        return 0
    as_json = args.format == "json"

    def progress(line: str) -> None:
        print(line, file=sys.stderr if as_json else sys.stdout, flush=True)

    started = time.perf_counter()
    if args.verify_only:
        seeded = verify_only(args.scale, None, progress)
    else:
        seeded = ensure_seeded(args.scale, fresh=args.fresh, progress=progress)
    marker = _load(seeded.directory, "seeded.json") or {}
    verified = marker.get("verify", {}) if not args.verify_only else None
    if args.verify_only:
        out = _load(seeded.directory, "verify-result.json") or {}
        verified = out.get("verify", {})
    ok = bool(verified and verified.get("ok"))
    seconds = round(time.perf_counter() - started, 1)
    if as_json:
        payload = {
            "scale": seeded.scale,
            "seconds": seconds,
            "seed_seconds": marker.get("seconds"),
            "counts": seeded.counts,
            "verify": verified,
            "ok": ok,
        }
        print(json.dumps(payload, ensure_ascii=False))
    else:
        print(f"\n{seeded.scale}: {seeded.database} in {seconds:.0f} s; ok={ok}")
        for key, value in seeded.counts.items():
            print(f"  {key:<20} {value:>12,}")
        if verified and verified.get("problems"):
            print("Problems:", *verified["problems"], sep="\n  ")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
