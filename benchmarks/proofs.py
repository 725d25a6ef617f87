"""Proof-of-use benchmark: the Kreis' financial statement at the size of a large Kreis.

The demo world in ``var/bench/proofs/`` plus ``--posts`` extra KIM posts (default 600: more
than the largest NRW Kreis has) in the demo Kreis, each with a status history, twelve monthly
actual-cost rows for 2025 and a pass-through agreement for every tenth post, and the Land's
payments on the 2025 grants. Measured in a Django child process:

- ``land_statement`` (the computation): seconds, queries (must not grow with posts), peak
  memory (tracemalloc);
- the XLSX and DOCX of the whole statement, and the PDF of the statement cut to its first
  ``PDF_POSTS`` posts (the size of a large real Kreis): seconds and bytes. WeasyPrint needs
  about 0.08 s per annex row (tagged PDF/UA), so the PDF of all 620 posts takes about a minute
  (measured 54 s); ``--full-pdf`` measures it too.

Targets: statement ≤ 2 s and ≤ 30 queries; XLSX, DOCX and the 60-post PDF ≤ 10 s each.
Measured on the 2-core reference machine, PostgreSQL, 620 posts, 60 recipients: see
benchmarks/README.md ("Proof-of-use benchmark").

Standalone: ``.venv/bin/python benchmarks/proofs.py [--posts N] [--reuse-db] [--strict]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the ``benchmarks`` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.run import (
    BENCH_DIR,
    RESULTS_DIR,
    ROOT,
    VENV_BIN,
    child_env,
    database_kind,
    print_database,
    reset_database,
    run_child,
)

VAR_DIR = BENCH_DIR / "proofs"
SEED_VERSION = 1
POSTS = 600
PDF_POSTS = 60
YEAR = 2025
CHILD_TIMEOUT = 1800
TARGET_STATEMENT_SECONDS = 2.0
TARGET_QUERIES = 30
TARGET_OUTPUT_SECONDS = 10.0


# --- in the Django child ----------------------------------------------------------------------


def _seed_posts(count: int) -> None:
    import datetime as dt
    from decimal import Decimal

    from kim.organisations.models import Organisation
    from kim.partners.models import Agreement, Payment
    from kim.programmes.models import (
        ActualCost,
        Grant,
        GrantPayment,
        Position,
        PositionStatusChange,
    )

    kreis = Organisation.objects.get(name="Kreis Siegen-Wittgenstein")
    if Position.objects.filter(region=kreis, title__startswith="Benchmark-Stelle").exists():
        return
    towns = list(Organisation.objects.filter(parent=kreis, kind="kommune").order_by("name"))
    posts = Position.objects.bulk_create(
        Position(
            region=kreis,
            baustein="B2",
            title=f"Benchmark-Stelle {n:04d}",
            vze=Decimal("1.00") if n % 3 else Decimal("0.50"),
            home=towns[n % len(towns)],
            employer_type="municipal",
            pay_group="E 9c",
        )
        for n in range(count)
    )
    PositionStatusChange.objects.bulk_create(
        change
        for n, post in enumerate(posts)
        for change in (
            PositionStatusChange(position=post, status="filled", valid_from=dt.date(2024, 1, 1)),
            *(
                [
                    PositionStatusChange(
                        position=post, status="vacant", valid_from=dt.date(YEAR, 4, 1)
                    ),
                    PositionStatusChange(
                        position=post, status="filled", valid_from=dt.date(YEAR, 7, 1)
                    ),
                ]
                if n % 7 == 0
                else []
            ),
        )
    )
    ActualCost.objects.bulk_create(
        ActualCost(
            position=post,
            month=dt.date(YEAR, month, 1),
            amount=Decimal("4800.00") + n % 50,
            source="import",
        )
        for n, post in enumerate(posts)
        for month in range(1, 13)
    )
    for grant in Grant.objects.filter(recipient=kreis, year=YEAR):
        GrantPayment.objects.create(
            grant=grant, received_on=dt.date(YEAR, 3, 1), amount=grant.amount
        )
    for start in range(0, count, 10):
        town = posts[start].home
        agreement = Agreement.objects.create(
            region=kreis,
            grantor=kreis,
            recipient=town,
            kind="notice",
            title=f"Benchmark-Weiterleitung {start}",
            signed_on=dt.date(YEAR - 1, 12, 1),
            period_start=dt.date(YEAR, 1, 1),
            period_end=dt.date(YEAR, 12, 31),
        )
        agreement.positions.set([posts[start]])
        Payment.objects.create(
            agreement=agreement,
            kind="payment",
            due_on=dt.date(YEAR, 2, 1),
            done_on=dt.date(YEAR, 2, 1),
            amount=Decimal("57000.00"),
        )


def measure(count: int, full_pdf: bool) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kim.organisations.models import Organisation
    from kim.proofs import render
    from kim.proofs.statement import land_statement

    _seed_posts(count)
    kreis = Organisation.objects.get(name="Kreis Siegen-Wittgenstein")
    land_statement(kreis, YEAR)  # warm-up: imports, translation catalogues
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        statement = land_statement(kreis, YEAR)
    seconds = time.perf_counter() - started
    tracemalloc.start()  # a second run for the memory: tracemalloc slows Python down
    land_statement(kreis, YEAR)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    outputs = {}
    cut = dataclasses.replace(statement, posts=statement.posts[:PDF_POSTS])
    jobs = [("xlsx", statement), ("docx", statement), (f"pdf ({PDF_POSTS} posts)", cut)]
    if full_pdf:
        jobs.append((f"pdf ({len(statement.posts)} posts)", statement))
    for name, which in jobs:
        started = time.perf_counter()
        content = render.render(which, name.split()[0])
        outputs[name] = {"seconds": round(time.perf_counter() - started, 3), "bytes": len(content)}
    return {
        "posts": len(statement.posts),
        "recipients": len(statement.recipients),
        "statement_seconds": round(seconds, 3),
        "statement_queries": len(queries),
        "statement_tracemalloc_peak_mb": round(peak / 2**20, 1),
        "land_funding_due": str(statement.land_funding_due),
        "balance": str(statement.balance),
        "outputs": outputs,
    }


def in_child(out: Path, count: int, full_pdf: bool) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kim.settings")
    import django

    django.setup()
    from kim.core.rls import system_access

    with system_access("benchmark proofs"):
        result = measure(count, full_pdf)
    out.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")


# --- in the harness ---------------------------------------------------------------------------


def prepare(reuse: bool) -> float | None:
    marker = VAR_DIR / "seeded.json"
    seeded = marker.exists() and json.loads(marker.read_text(encoding="utf-8"))
    current = seeded and seeded.get("seed_version") == SEED_VERSION
    if reuse and current and seeded.get("database") == database_kind():
        print(f"Reusing the seeded demo world in {VAR_DIR}")
        return None
    reset_database(VAR_DIR)
    env = child_env(VAR_DIR)
    started = time.perf_counter()
    run_child([str(VENV_BIN / "kim"), "migrate", "--verbosity", "0"], env, 600)
    run_child([str(VENV_BIN / "kim"), "seed_demo"], env, CHILD_TIMEOUT)
    seconds = time.perf_counter() - started
    marker.write_text(
        json.dumps({"seed_version": SEED_VERSION, "database": database_kind()}), encoding="utf-8"
    )
    return seconds


def check_targets(result: dict[str, Any]) -> list[dict[str, object]]:
    checks: list[dict[str, object]] = [
        {
            "target": f"proofs: statement of {result['posts']} posts ≤ "
            f"{TARGET_STATEMENT_SECONDS:.0f} s",
            "value": result["statement_seconds"],
            "ok": result["statement_seconds"] <= TARGET_STATEMENT_SECONDS,
        },
        {
            "target": f"proofs: statement ≤ {TARGET_QUERIES} queries (flat in posts)",
            "value": result["statement_queries"],
            "ok": result["statement_queries"] <= TARGET_QUERIES,
        },
    ]
    for fmt, output in result["outputs"].items():
        if not fmt.startswith(("xlsx", "docx", f"pdf ({PDF_POSTS} ")):
            continue  # the full-size PDF is measured, not targeted
        checks.append(
            {
                "target": f"proofs: {fmt.upper()} ≤ {TARGET_OUTPUT_SECONDS:.0f} s",
                "value": output["seconds"],
                "ok": output["seconds"] <= TARGET_OUTPUT_SECONDS,
            }
        )
    return checks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark the proof of use.")
    parser.add_argument("--child", metavar="OUT", help=argparse.SUPPRESS)
    parser.add_argument("--posts", type=int, default=POSTS, help=f"extra posts (default {POSTS})")
    parser.add_argument("--reuse-db", action="store_true", help="reuse the seeded demo world")
    parser.add_argument("--strict", action="store_true", help="exit 1 if a target fails")
    parser.add_argument("--full-pdf", action="store_true", help="also print all posts as PDF")
    args = parser.parse_args(argv)
    if args.child:
        in_child(Path(args.child), args.posts, args.full_pdf)
        return 0
    print_database()
    prepare(args.reuse_db)
    out = VAR_DIR / "proofs-result.json"
    out.unlink(missing_ok=True)
    child = [str(VENV_BIN / "python"), "-m", "benchmarks.proofs", "--child", str(out)]
    extra = ["--full-pdf"] if args.full_pdf else []
    run_child([*child, "--posts", str(args.posts), *extra], child_env(VAR_DIR), CHILD_TIMEOUT)
    result = json.loads(out.read_text(encoding="utf-8"))
    checks = check_targets(result)
    print(
        f"\nStatement: {result['posts']} posts, {result['recipients']} recipients: "
        f"{result['statement_seconds']} s, {result['statement_queries']} queries, "
        f"tracemalloc peak {result['statement_tracemalloc_peak_mb']} MB"
    )
    for fmt, output in result["outputs"].items():
        print(f"  {fmt}: {output['seconds']} s, {output['bytes'] / 1024:.0f} KiB")
    print("\nTargets:")
    for check in checks:
        print(f"  {'PASS' if check['ok'] else 'FAIL'}  {check['target']}: {check['value']}")
    payload = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "config": {"posts": args.posts, "database": database_kind()},
        **result,
        "targets": checks,
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    text = json.dumps(payload, indent=2, ensure_ascii=False)
    (RESULTS_DIR / "proofs-latest.json").write_text(text, encoding="utf-8")
    print(f"\nResults written to {(RESULTS_DIR / 'proofs-latest.json').relative_to(ROOT)}")
    return 1 if args.strict and not all(c["ok"] for c in checks) else 0


if __name__ == "__main__":
    sys.exit(main())
