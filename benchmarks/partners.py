"""Cooperation benchmarks: the deadlines view and the talk log at state scale.

Target from the issue (partners): "Deadlines view and talk log at state scale (54 regions,
5,000 talks, 500 agreements) p95 ≤ 100 ms with a bounded number of queries."

1. **Database** ``var/bench/kreise-53/``: the demo world plus 53 fictional Kreise from
   ``benchmarks/seed.py`` (through the actions, like ``make bench``'s 50), so that there are
   54 regions – the demo's Kreis Siegen-Wittgenstein and 53 others.
2. **Cooperation rows** on top (``seed_cooperation``, in a Django child): talks and agreements
   up to ``TALKS`` and ``AGREEMENTS`` in all, spread evenly over the 54 regions, with
   participants, minutes, follow-up tasks, amounts per year, payment schedules and reporting
   duties. These are made with ``bulk_create``, **not** through the actions: recording 5,000
   talks one by one with their audit events would take several minutes, and only the shape
   of the rows matters to the pages measured. So these rows have no audit events (the hash
   chain stays valid: nothing is appended to it), and the minutes rows point at no file (the
   talk log only counts them; nobody downloads them here). Dates are relative to the day of
   seeding, so that the deadlines view has overdue items and items in the next 30/60/90 days.
3. **Serve** with gunicorn and measure ``/partner/fristen/`` and ``/partner/gespraeche/``
   with the harness of ``run.py`` for ``koordination`` (its Kreis: ≈ 93 talks, ≈ 9
   agreements) and ``admin`` (everything in the state: every talk, every agreement).
   A page whose three probe requests take longer than ``SLOW_MS`` (median) gets
   ``--slow-requests`` timed requests instead of ``--requests``, so that a slow page is
   measured and reported instead of taking the run hostage.
4. In a Django child: how many rows each persona's pages show (``describe``).

Standalone: ``.venv/bin/python benchmarks/partners.py [--reuse-db]``; ``make bench`` runs it
after the programme benchmarks through ``run.py`` (``--skip-partners`` leaves it out).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
from dataclasses import asdict
from decimal import Decimal
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the ``benchmarks`` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.run import (
    DEMO_PASSWORD,
    RESULTS_DIR,
    ROOT,
    TARGET_WORKER_RSS_MB,
    VENV_BIN,
    Client,
    PageResult,
    child_env,
    free_port,
    measure_page,
    prepare_database,
    print_database,
    print_table,
    queries_text,
    run_child,
    start_gunicorn,
    stop_gunicorn,
    wait_until_ready,
)

KREISE = 53  # extra Kreise: with the demo's Kreis Siegen-Wittgenstein 54 regions
REGIONS = KREISE + 1
TALKS = 5_000
AGREEMENTS = 500
# Bump when seed_cooperation changes what it creates: --reuse-db then seeds everything again.
COOPERATION_SEED_VERSION = 1
PAGES = {"deadlines": "/partner/fristen/", "talk log": "/partner/gespraeche/"}
PERSONAS = ["koordination", "admin"]
SLOW_MS = 250.0
SEED_TIMEOUT = 1800
CHILD_TIMEOUT = 600

# Targets from the issue.
TARGET_P95_MS = 100.0
# A fixed number of queries whatever the number of rows; measured (see README): deadlines 5,
# talk log 9 (both incl. session, user and memberships; the talk log's incl. the paginator's
# count). Deadlines three, talk log one to spare for the templates.
TARGET_QUERIES = {"deadlines": 8, "talk log": 10}

TOPICS = [
    "Trägerschaft von Case-Management-Stellen (Baustein 2); Eigenanteil und Aufstockung.",
    "Aufgabenzuschnitt, Abgrenzung zu MBE und Jugendmigrationsdienst; Eingruppierung S 12.",
    "Personalgewinnung, Qualifizierung nach DGCC; Vertretungsregelungen.",
    "Verwendungsnachweis und Sachbericht; Termine und Formulare des Kreises.",
    "Sozialraumorientierung, Sprechstunden in den Ortsteilen, Kooperation mit dem Jobcenter.",
]
SUMMARIES = {
    "agreement": "Einigung über die Trägerschaft; Vertrag wird vorbereitet (Bench, fiktiv).",
    "open": "Offen: Finanzierung des Eigenanteils wird geprüft (Bench, fiktiv).",
    "declined": "Der Träger verzichtet mangels Fachkräften (Bench, fiktiv).",
    "postponed": "Vertagt auf das nächste Quartal (Bench, fiktiv).",
}


# --- in the Django child: the cooperation rows -----------------------------------------------


def _regions() -> list[Any]:
    """The 54 regions: the demo Kreis and the benchmark's Kreise, in AGS order."""
    from kim.organisations.models import Organisation, OrgKind

    regions = list(
        Organisation.objects.filter(kind=OrgKind.KREIS)
        .filter(ags__in=["05970", *(f"05{n:03d}" for n in range(101, 1000))])
        .order_by("ags")
    )
    if len(regions) != REGIONS:
        raise SystemExit(f"expected {REGIONS} regions, found {len(regions)}: seed {KREISE} Kreise")
    return regions


def _spread(total: int, existing: int, parts: int) -> list[int]:
    """``total - existing`` new rows over ``parts`` regions, as even as possible."""
    missing = max(0, total - existing)
    return [missing // parts + (1 if i < missing % parts else 0) for i in range(parts)]


def _seed_talks(regions: list[Any], counts: list[int], rng: random.Random, today: dt.date) -> None:
    from kim.accounts.models import Membership, Role
    from kim.organisations.models import Organisation, OrgKind
    from kim.partners.models import FollowUp, Talk, TalkDocument, TalkParticipant

    owners = dict(
        Membership.objects.filter(
            role=Role.KIM_COORDINATION, organisation__in=regions, revoked_at__isnull=True
        ).values_list("organisation_id", "user_id")
    )
    formats = ["in_person", "video", "phone", "written"]
    outcomes = list(SUMMARIES)
    first_day = dt.date(2022, 1, 1)
    days = (today - first_day).days
    for region, count in zip(regions, counts, strict=True):
        towns = list(Organisation.objects.filter(region=region, kind=OrgKind.KOMMUNE))
        agencies = list(Organisation.objects.filter(region=region, kind=OrgKind.TRAEGER))
        talks = []
        for n in range(count):
            outcome = outcomes[n % len(outcomes)]
            talks.append(
                Talk(
                    region=region,
                    host=region if n % 5 == 0 else towns[n % len(towns)],
                    held_on=first_day + dt.timedelta(days=rng.randrange(days)),
                    format=formats[n % len(formats)],
                    topics=TOPICS[n % len(TOPICS)],
                    baustein=("B2", "B2", "B1", "")[n % 4],
                    outcome=outcome,
                    outcome_summary=SUMMARIES[outcome],
                )
            )
        Talk.objects.bulk_create(talks, batch_size=500)
        participants, tasks, minutes = [], [], []
        for n, talk in enumerate(talks):
            participants.append(TalkParticipant(talk=talk, organisation=talk.host, role="host"))
            for agency in rng.sample(agencies, k=1 + n % min(3, len(agencies))):
                participants.append(TalkParticipant(talk=talk, organisation=agency, role="traeger"))
            if n % 4 == 0:
                minutes.append(
                    TalkDocument(
                        talk=talk,
                        file=f"partners/minutes/bench/{talk.code}.pdf",  # no file: see above
                        original_name=f"Protokoll_{talk.held_on:%Y-%m-%d}.pdf",
                        content_type="application/pdf",
                        size=24_576,
                        sha256="0" * 64,
                    )
                )
            if n % 3 == 0 and region.pk in owners:
                due = talk.held_on + dt.timedelta(days=14 + n % 60)
                done = due < today and n % 2 == 0
                tasks.append(
                    FollowUp(
                        talk=talk,
                        title=f"Nachbereitung Gespräch {n + 1} (Bench)",
                        owner_id=owners[region.pk],
                        due=due,
                        done_at=dt.datetime.combine(due, dt.time(12), tzinfo=dt.UTC)
                        if done
                        else None,
                    )
                )
        TalkParticipant.objects.bulk_create(participants, batch_size=1000)
        TalkDocument.objects.bulk_create(minutes, batch_size=500)
        FollowUp.objects.bulk_create(tasks, batch_size=500)


def _quarters(start: dt.date, end: dt.date) -> list[dt.date]:
    firsts = []
    for year in range(start.year, end.year + 1):
        for month in (1, 4, 7, 10):
            day = dt.date(year, month, 1)
            if start <= day <= end:
                firsts.append(day)
    return firsts


def _schedule(
    agreement: Any, per_year: Decimal, today: dt.date, serial: int
) -> tuple[list[Any], list[Any], list[Any]]:
    """Amounts per year, a call for funds and a payment per quarter, an interim report and a
    Verwendungsnachweis per year. Past items are mostly done; every 11th payment and every 6th
    report stay open (overdue)."""
    from kim.partners.models import AgreementAmount, Payment, ReportingDuty

    amounts, payments, duties = [], [], []
    years = range(agreement.period_start.year, agreement.period_end.year + 1)
    for year in years:
        amounts.append(AgreementAmount(agreement=agreement, year=year, amount=per_year))
    quarter = (per_year / 4).quantize(Decimal("0.01"))
    for n, first in enumerate(_quarters(agreement.period_start, agreement.period_end)):
        for kind, due in (("call", first - dt.timedelta(days=14)), ("payment", first)):
            due = max(due, agreement.period_start)
            done = due < today - dt.timedelta(days=7) and (serial + n) % 11 != 0
            payments.append(
                Payment(
                    agreement=agreement,
                    kind=kind,
                    due_on=due,
                    amount=quarter,
                    done_on=due if done else None,
                )
            )
    for n, year in enumerate(years):
        for kind, due in (("interim", dt.date(year, 9, 30)), ("vn", dt.date(year + 1, 6, 30))):
            received = due < today - dt.timedelta(days=7) and (serial + n) % 6 != 0
            duties.append(
                ReportingDuty(
                    agreement=agreement,
                    kind=kind,
                    due_on=due,
                    received_on=due - dt.timedelta(days=3) if received else None,
                    review="accepted" if received else "pending",
                )
            )
    return amounts, payments, duties


def _seed_agreements(regions: list[Any], counts: list[int], today: dt.date) -> None:
    from kim.organisations.models import Organisation, OrgKind
    from kim.partners.models import Agreement, AgreementAmount, Payment, ReportingDuty

    serial = 0
    for region, count in zip(regions, counts, strict=True):
        towns = list(Organisation.objects.filter(region=region, kind=OrgKind.KOMMUNE))
        agencies = list(Organisation.objects.filter(region=region, kind=OrgKind.TRAEGER))
        agreements = []
        for n in range(count):
            # Kreis → town (notice), town → agency and Kreis → agency (contracts).
            grantor, recipient, kind = [
                (region, towns[n % len(towns)], "notice"),
                (towns[n % len(towns)], agencies[n % len(agencies)], "contract"),
                (region, agencies[n % len(agencies)], "contract"),
            ][n % 3]
            start = dt.date(today.year - n % 3, 1, 1)
            agreements.append(
                Agreement(
                    region=region,
                    grantor=grantor,
                    recipient=recipient,
                    kind=kind,
                    title=f"Bench-Weiterleitung {n + 1:02d} {grantor.short_name} → "
                    f"{recipient.short_name or recipient.name}",
                    signed_on=start - dt.timedelta(days=30),
                    period_start=start,
                    period_end=dt.date(today.year + n % 2, 12, 31),
                )
            )
        Agreement.objects.bulk_create(agreements, batch_size=500)
        amounts, payments, duties = [], [], []
        for agreement in agreements:
            serial += 1
            per_year = Decimal(57_000 * (1 + serial % 3))
            rows = _schedule(agreement, per_year, today, serial)
            amounts += rows[0]
            payments += rows[1]
            duties += rows[2]
        AgreementAmount.objects.bulk_create(amounts, batch_size=1000)
        Payment.objects.bulk_create(payments, batch_size=1000)
        ReportingDuty.objects.bulk_create(duties, batch_size=1000)


def seed_cooperation(talks: int = TALKS, agreements: int = AGREEMENTS) -> dict[str, int]:
    """Top the cooperation rows up to ``talks`` talks and ``agreements`` agreements in all,
    spread over the 54 regions (bulk, one transaction); returns the row counts."""
    from django.db import connection, transaction
    from django.utils import timezone

    from kim.partners.models import Agreement, Talk

    regions = _regions()
    today = timezone.localdate()
    rng = random.Random(5_000)
    with transaction.atomic():
        _seed_talks(regions, _spread(talks, Talk.objects.count(), len(regions)), rng, today)
        _seed_agreements(
            regions, _spread(agreements, Agreement.objects.count(), len(regions)), today
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # what a production database's autovacuum would keep current
    return row_counts()


def row_counts() -> dict[str, int]:
    from kim.organisations.models import Organisation, OrgKind
    from kim.partners.models import (
        Agreement,
        FollowUp,
        Payment,
        ReportingDuty,
        Talk,
        TalkDocument,
        TalkParticipant,
    )

    return {
        "regions": Organisation.objects.filter(kind__in=[OrgKind.KREIS]).count(),
        "talks": Talk.objects.count(),
        "participants": TalkParticipant.objects.count(),
        "minutes": TalkDocument.objects.count(),
        "follow_ups": FollowUp.objects.count(),
        "agreements": Agreement.objects.count(),
        "payments": Payment.objects.count(),
        "reporting_duties": ReportingDuty.objects.count(),
    }


def describe(personas: list[str]) -> dict[str, Any]:
    """The rows in the database, and how many each persona's pages list."""
    from django.contrib.auth.models import User
    from django.utils import timezone

    from kim.accounts.access import load_user_context
    from kim.partners import queries

    today = timezone.localdate()
    seen: dict[str, Any] = {}
    for persona in personas:
        ctx = load_user_context(User.objects.get(username=persona))
        due = queries.deadlines(ctx, today)
        seen[persona] = {
            "talk log rows": len(queries.talk_list(ctx, queries.TalkFilter())),
            "deadlines overdue": len(due.overdue),
            "deadlines next 30 days": len(due.next_30),
            "deadlines 31-60 days": len(due.next_60),
            "deadlines 61-90 days": len(due.next_90),
        }
    return {"today": today.isoformat(), "rows": row_counts(), "personas": seen}


def in_child(task: str, out: Path, personas: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kim.settings")
    import django

    django.setup()
    result: dict[str, Any]
    if task == "seed":
        started = time.perf_counter()
        result = {"rows": seed_cooperation(), "seconds": time.perf_counter() - started}
    else:
        result = describe(personas)
    out.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")


# --- in the harness ---------------------------------------------------------------------------


def _child(var_dir: Path, task: str, personas: list[str], timeout: float) -> dict[str, Any]:
    out = var_dir / f"partners-{task}.json"
    out.unlink(missing_ok=True)
    args = [str(VENV_BIN / "python"), "-m", "benchmarks.partners", "--child", task, str(out)]
    for persona in personas:
        args += ["--persona", persona]
    run_child(args, child_env(var_dir), timeout)
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return result


def prepare(reuse: bool) -> tuple[Path, dict[str, Any] | None]:
    """The 53-Kreise database with the cooperation rows; reused if complete and current."""
    var_dir = ROOT / "var" / "bench" / f"kreise-{KREISE}"
    marker = var_dir / "partners.json"
    version = (
        json.loads(marker.read_text(encoding="utf-8")).get("version") if marker.exists() else None
    )
    if reuse and version == COOPERATION_SEED_VERSION:
        if prepare_database(var_dir, KREISE, reuse=True) is None:
            print(f"Reusing the cooperation rows in {var_dir}")
            return var_dir, None
        # seed.py changed: the Kreise were seeded afresh, without cooperation rows.
    else:
        # Rows of an older cooperation seed cannot be taken out again: then seed all afresh.
        prepare_database(var_dir, KREISE, reuse=reuse and version is None)
    print(f"Seeding {TALKS:,} talks and {AGREEMENTS:,} agreements over {REGIONS} regions (bulk)")
    seeded = _child(var_dir, "seed", [], SEED_TIMEOUT)
    marker.write_text(json.dumps({"version": COOPERATION_SEED_VERSION, **seeded}), encoding="utf-8")
    print(f"  {seeded['rows']} in {seeded['seconds']:.1f} s")
    return var_dir, seeded


def _probe(client: Client, path: str, persona: str) -> float:
    """Median wall time of three requests: is this a slow page?"""
    times = []
    for _ in range(3):
        started = time.perf_counter()
        status, _headers, _body = client.request(path)
        times.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise RuntimeError(f"{path} answered {status} for {persona}")
    return sorted(times)[1]


def measure(
    var_dir: Path,
    personas: list[str],
    *,
    requests: int,
    slow_requests: int,
    warmup: int,
    workers: int,
) -> list[PageResult]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    print(f"Serving with gunicorn on {base}")
    server = start_gunicorn(var_dir, port, workers)
    results: list[PageResult] = []
    try:
        wait_until_ready(server, base)
        for persona in personas:
            client = Client(base)
            client.login(persona, DEMO_PASSWORD)
            for page, path in PAGES.items():
                probe = _probe(client, path, persona)
                slow = probe > SLOW_MS
                count = slow_requests if slow else requests
                rounds = min(warmup, 2) if slow else warmup
                note = f" (probe median {probe:.0f} ms: slow)" if slow else ""
                print(f"  {persona}: {path}  ({rounds} warm-up + {count} timed){note}")
                results.append(measure_page(client, persona, page, path, rounds, count, server.pid))
    finally:
        stop_gunicorn(server)
    return results


def check_targets(results: list[PageResult]) -> list[dict[str, object]]:
    checks: list[dict[str, object]] = []
    for r in results:
        checks.append(
            {
                "target": f"{r.persona} {r.page} p95 ≤ {TARGET_P95_MS:.0f} ms",
                "value": round(r.p95_ms, 1),
                "ok": r.p95_ms <= TARGET_P95_MS,
            }
        )
        checks.append(
            {
                "target": f"{r.persona} {r.page} ≤ {TARGET_QUERIES[r.page]} queries",
                "value": queries_text(r),
                "ok": r.queries_max <= TARGET_QUERIES[r.page],
            }
        )
    rss = max((r.worker_peak_rss_mb for r in results), default=0.0)
    checks.append(
        {
            "target": f"worker peak RSS ≤ {TARGET_WORKER_RSS_MB:.0f} MB (foundation issue)",
            "value": round(rss, 1),
            "ok": rss <= TARGET_WORKER_RSS_MB,
        }
    )
    for page in PAGES:
        counts = {r.queries_max for r in results if r.page == page}
        if len(counts) > 1:
            print(f"  note: {page} queries differ between personas: {sorted(counts)}")
    scale = f"{REGIONS} regions, {TALKS:,} talks, {AGREEMENTS} agreements"
    print(f"\nCooperation targets (issue: {scale})")
    for c in checks:
        print(f"  {'PASS' if c['ok'] else 'FAIL'}  {c['target']}  (measured {c['value']})")
    return checks


def report(described: dict[str, Any]) -> None:
    print(f"\nRows ({described['today']}): {described['rows']}")
    for persona, seen in described["personas"].items():
        print(f"  {persona}: {seen}")


def run_all(
    *,
    personas: list[str],
    requests: int,
    slow_requests: int,
    warmup: int,
    workers: int,
    reuse: bool,
) -> tuple[list[PageResult], dict[str, Any], list[dict[str, object]]]:
    """Prepare, measure, describe, report – for ``run.py`` and standalone."""
    print_database()
    var_dir, _seeded = prepare(reuse)
    results = measure(
        var_dir,
        personas,
        requests=requests,
        slow_requests=slow_requests,
        warmup=warmup,
        workers=workers,
    )
    described = _child(var_dir, "describe", personas, CHILD_TIMEOUT)
    print(
        f"\n{REGIONS} regions; {requests} sequential requests per page after {warmup} warm-up "
        f"({slow_requests} after {min(warmup, 2)} for pages slower than {SLOW_MS:.0f} ms)."
    )
    print_table(results)
    report(described)
    return results, described, check_targets(results)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Benchmark the deadlines view and talk log.")
    parser.add_argument("--child", nargs=2, metavar=("TASK", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page")
    parser.add_argument(
        "--slow-requests",
        type=int,
        default=20,
        help=f"timed requests for pages whose probe takes > {SLOW_MS:.0f} ms (default 20)",
    )
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests first")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument(
        "--persona", action="append", help="persona (default: koordination and admin)"
    )
    parser.add_argument("--reuse-db", action="store_true", help="reuse a seeded database")
    parser.add_argument("--strict", action="store_true", help="exit 1 if a target fails")
    args = parser.parse_args(argv)
    if min(args.requests, args.slow_requests) < 1 or args.warmup < 0:
        parser.error("--requests and --slow-requests must be ≥ 1, --warmup ≥ 0")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    personas: list[str] = args.persona or PERSONAS
    if args.child:
        in_child(args.child[0], Path(args.child[1]), personas)
        return 0
    results, described, checks = run_all(
        personas=personas,
        requests=args.requests,
        slow_requests=args.slow_requests,
        warmup=args.warmup,
        workers=args.workers,
        reuse=args.reuse_db,
    )
    payload = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "loadavg_1min_after": round(os.getloadavg()[0], 2),
        "config": {k: v for k, v in vars(args).items() if k != "child"},
        "described": described,
        "pages": [asdict(r) for r in results],
        "targets": checks,
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    text = json.dumps(payload, indent=2, ensure_ascii=False)
    path = RESULTS_DIR / f"partners-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(text, encoding="utf-8")
    (RESULTS_DIR / "partners-latest.json").write_text(text, encoding="utf-8")
    print(f"\nResults written to {path.relative_to(ROOT)}")
    return 1 if args.strict and not all(c["ok"] for c in checks) else 0


if __name__ == "__main__":
    sys.exit(main())
