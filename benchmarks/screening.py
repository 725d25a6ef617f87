"""Baustein-3 screening benchmarks: 10,000 persons in process, and a 10,000-row XLSX upload.

Targets from issue 7: "Batch screening of 10,000 persons against all rules ≤ 10 s and ≤ 300 MB
peak memory; an uploaded 10,000-row XLSX is parsed and screened with visible progress."

1. **Database** ``var/bench/screening/``: ``kim migrate`` and ``kim seed_demo`` (the demo world
   with the rule versions and the ABH's demo list), reused with ``--reuse-db``.
2. **Batch** (a Django child of its own, so that its peak RSS is the batch's): 10,000 varied
   synthetic persons (``synthetic_persons``: fixed random generator; one to three residence
   periods of every status, § 60a/60b/60d/25/104c/18b sections, gaps, open and ended periods,
   and every other fact present, absent or borderline) are parsed with the CLI's parser
   (``kim.screening.input.parse_person``) and evaluated with ``evaluate_many`` against every
   stored rule version at one decision date. Wall time of the evaluation (and of parsing) and
   peak memory: ``ru_maxrss`` of the child (the whole process, Django included) after an
   untraced run, and ``tracemalloc``'s peak (Python allocations during parse + evaluation) in
   a second run – tracemalloc slows the code down and costs memory itself, so the timed run
   is untraced.
3. **Upload** (another child): the same persons written as a 10,000-row XLSX in the column
   format of ``docs/screening-import.md`` (German headers, dates as Excel dates, ja/nein,
   numbered period groups) with openpyxl's write-only mode; then, as ``abh``,
   ``kim.screening.imports.read_upload`` (parse only), ``upload_list`` (parse, check every row,
   store encrypted) and ``screen_next_chunk`` until done, printing one progress line per
   chunk – what the list page's progress bar shows. Wall time per step and in total, and the
   child's peak RSS.

Standalone: ``.venv/bin/python benchmarks/screening.py [--reuse-db] [--persons N] [--strict]``;
``make bench`` runs it last through ``run.py`` (``--skip-screening`` leaves it out).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the ``benchmarks`` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.run import (
    RESULTS_DIR,
    ROOT,
    VENV_BIN,
    child_env,
    database_kind,
    print_database,
    reset_database,
    run_child,
)

VAR_DIR = ROOT / "var" / "bench" / "screening"
PERSONS = 10_000
DECISION_DATE = dt.date(2026, 11, 25)
SEED_VERSION = 1
CHILD_TIMEOUT = 900
TARGET_SECONDS = 10.0
TARGET_PEAK_MB = 300.0

STATUSES = [
    ("duldung", "60a"),
    ("duldung", "60b"),
    ("duldung", "60d"),
    ("gestattung", ""),
    ("aufenthaltserlaubnis", "25"),
    ("aufenthaltserlaubnis", "104c"),
    ("aufenthaltserlaubnis", "18b"),
    ("aufenthaltserlaubnis", "16b"),
    ("niederlassungserlaubnis", "9"),
    ("daueraufenthalt_eu", "9a"),
    ("none", ""),
]
LEVELS = ["none", "A1", "A2", "B1", "B2", "C1", "C2"]
TESTS = ["none", "leben_in_deutschland", "einbuergerungstest"]
LIVELIHOODS = ["secured", "mostly_secured", "not_secured"]
BOOLS = [
    "asylum_recognized",
    "school_or_vocational_qualification",
    "fdgo_commitment",
    "receives_sgb2_or_sgb12",
    "in_education",
    "minor_child_in_household",
    "school_age_children_attend_school",
    "identity_clarified",
    "identity_deception",
    "former_guest_or_contract_worker",
    "special_integration_achievements",
    "illness_or_disability_exception",
]


# --- synthetic persons (no Django needed) ---------------------------------------------------


def _periods(rng: random.Random, today: dt.date) -> list[dict[str, Any]]:
    start = today - dt.timedelta(days=rng.randint(200, 12 * 365))
    periods = []
    for _ in range(rng.randint(1, 3)):
        status, section = rng.choice(STATUSES)
        length = rng.randint(60, 5 * 365)
        end = start + dt.timedelta(days=length)
        open_ended = end >= today or rng.random() < 0.1
        periods.append(
            {
                "status": status,
                "section": section,
                "from": start.isoformat(),
                "to": None if open_ended else end.isoformat(),
            }
        )
        if open_ended:
            break
        # mostly seamless, sometimes a gap (harmless or not)
        start = end + dt.timedelta(days=rng.choice([1, 1, 1, 30, 80, 100, 200]))
    return periods


def _maybe(rng: random.Random, share: float = 0.85) -> bool:
    return rng.random() < share


def synthetic_person(n: int, rng: random.Random, today: dt.date) -> dict[str, Any]:
    """One varied PERSON of the CLI contract (plus ``label``); some facts left out (unknown)."""
    age_days = rng.randint(14 * 365, 70 * 365)
    person: dict[str, Any] = {
        "ref": f"BENCH-{n:05d}",
        "label": f"Fiktive Person {n}",
        "birth_date": (today - dt.timedelta(days=age_days)).isoformat(),
        "residence_periods": _periods(rng, today),
    }
    if _maybe(rng, 0.3):
        person["application_date"] = (today - dt.timedelta(days=rng.randint(0, 900))).isoformat()
    if _maybe(rng):
        person["german_level"] = rng.choice(LEVELS)
        person["oral_german_level"] = rng.choice(LEVELS)
    if _maybe(rng):
        person["knowledge_test"] = rng.choice(TESTS)
    if _maybe(rng):
        person["livelihood"] = rng.choice(LIVELIHOODS)
    for name in BOOLS:
        if _maybe(rng, 0.7):
            person[name] = rng.random() < 0.6
    if _maybe(rng):
        person["criminal_fine_daily_rates"] = rng.choice([0, 0, 0, 0, 30, 60, 100, 200])
    if _maybe(rng, 0.5):
        person["school_years_de"] = rng.randint(0, 8)
    if _maybe(rng, 0.6):
        person["full_time_months_last_24"] = rng.randint(0, 24)
    return person


def synthetic_persons(count: int, today: dt.date, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [synthetic_person(n, rng, today) for n in range(1, count + 1)]


# --- the XLSX (format of docs/screening-import.md) ------------------------------------------

SCALARS = [
    ("Aktenzeichen", "ref"),
    ("Name", "label"),
    ("Geburtsdatum", "birth_date"),
    ("Antragsdatum", "application_date"),
    ("Deutsch", "german_level"),
    ("Deutsch mündlich", "oral_german_level"),
    ("Test", "knowledge_test"),
    ("Lebensunterhalt", "livelihood"),
    ("Tagessätze", "criminal_fine_daily_rates"),
    ("Schuljahre", "school_years_de"),
    ("Vollzeit Monate", "full_time_months_last_24"),
    ("Asyl anerkannt", "asylum_recognized"),
    ("Abschluss", "school_or_vocational_qualification"),
    ("FDGO", "fdgo_commitment"),
    ("SGB II/XII", "receives_sgb2_or_sgb12"),
    ("In Ausbildung", "in_education"),
    ("Minderjähriges Kind", "minor_child_in_household"),
    ("Kinder besuchen Schule", "school_age_children_attend_school"),
    ("Identität geklärt", "identity_clarified"),
    ("Identitätstäuschung", "identity_deception"),
    ("Gastarbeiter", "former_guest_or_contract_worker"),
    ("Besondere Integrationsleistungen", "special_integration_achievements"),
    ("Krankheit Behinderung", "illness_or_disability_exception"),
]
PERIOD_COLUMNS = [
    ("Status", "status"),
    ("Rechtsgrundlage", "section"),
    ("von", "from"),
    ("bis", "to"),
]
MAX_PERIODS = 3
LIVELIHOOD_DE = {
    "secured": "gesichert",
    "mostly_secured": "überwiegend gesichert",
    "not_secured": "nicht gesichert",
}


def _cell(key: str, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if key in ("birth_date", "application_date", "from", "to"):
        return dt.date.fromisoformat(value)
    if key == "livelihood":
        return LIVELIHOOD_DE[value]
    if key in ("german_level", "oral_german_level") and value == "none":
        return "keine"
    return value


def write_xlsx(persons: list[dict[str, Any]], path: Path) -> float:
    """The persons as one sheet (openpyxl write-only); returns the seconds it took."""
    from openpyxl import Workbook

    started = time.perf_counter()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Liste")
    header = [h for h, _ in SCALARS]
    for n in range(1, MAX_PERIODS + 1):
        header += [f"{h} {n}" for h, _ in PERIOD_COLUMNS]
    sheet.append(header)
    for person in persons:
        row = [_cell(key, person.get(key)) for _, key in SCALARS]
        periods = person.get("residence_periods") or []
        for n in range(MAX_PERIODS):
            period = periods[n] if n < len(periods) else {}
            row += [_cell(key, period.get(key)) for _, key in PERIOD_COLUMNS]
        sheet.append(row)
    workbook.save(path)
    return time.perf_counter() - started


# --- in the Django children -------------------------------------------------------------------


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def batch_child(count: int) -> dict[str, Any]:
    from kim.screening.engine import evaluate_many
    from kim.screening.input import parse_person
    from kim.screening.rulebook import database_versions

    raw = synthetic_persons(count, DECISION_DATE)
    for person in raw:
        person.pop("label")
    versions = database_versions()
    rss_before = _rss_mb()
    # Timed without tracemalloc (it slows allocation-heavy code down several times and keeps
    # its own traces in memory); the process's peak RSS is read right after.
    started = time.perf_counter()
    facts = [parse_person(p, i) for i, p in enumerate(raw, 1)]
    parsed = time.perf_counter()
    results = evaluate_many(facts, DECISION_DATE, versions)
    done = time.perf_counter()
    rss_after = _rss_mb()
    del results, facts
    # A second, traced run: the Python allocations' peak during parse + evaluation.
    tracemalloc.start()
    results = evaluate_many(
        [parse_person(p, i) for i, p in enumerate(raw, 1)], DECISION_DATE, versions
    )
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    outcomes: dict[str, int] = {}
    for _facts, rule_results in results:
        for r in rule_results:
            key = f"{r.rule}:{r.outcome.value}"
            outcomes[key] = outcomes.get(key, 0) + 1
    return {
        "persons": count,
        "rule_versions": len(versions),
        "parse_seconds": round(parsed - started, 3),
        "evaluate_seconds": round(done - parsed, 3),
        "total_seconds": round(done - started, 3),
        "tracemalloc_peak_mb": round(peak / 2**20, 1),
        "rss_before_mb": round(rss_before, 1),
        "ru_maxrss_mb": round(rss_after, 1),
        "outcomes": dict(sorted(outcomes.items())),
    }


def _abh() -> tuple[Any, Any]:
    from django.contrib.auth import get_user_model

    from kim.accounts.models import Membership, Role

    user = get_user_model().objects.get(username="abh")
    membership = Membership.objects.select_related("organisation").get(
        user=user, role=Role.B3_OFFICER, revoked_at__isnull=True
    )
    return user, membership.organisation


def _screen_all(screening_list: Any, user: Any) -> tuple[Any, list[dict[str, Any]]]:
    from kim.screening.actions.lists import screen_next_chunk
    from kim.screening.models import ListStatus

    chunks = []
    started = time.perf_counter()
    while screening_list.status not in (ListStatus.DONE, ListStatus.FAILED):
        before = time.perf_counter()
        screening_list = screen_next_chunk(screening_list, acting_user=user)
        seconds = time.perf_counter() - before
        chunks.append({"screened": screening_list.screened, "seconds": round(seconds, 2)})
        print(
            f"    screened {screening_list.screened:>6,} of {screening_list.total:,} "
            f"({100 * screening_list.screened / screening_list.total:5.1f} %) "
            f"chunk {seconds:5.2f} s, total {time.perf_counter() - started:6.2f} s",
            flush=True,
        )
    return screening_list, chunks


def upload_child(count: int) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kim.screening.actions.lists import upload_list
    from kim.screening.imports import read_upload

    path = VAR_DIR / f"list-{count}.xlsx"
    write_seconds = write_xlsx(synthetic_persons(count, DECISION_DATE), path)
    data = path.read_bytes()
    user, organisation = _abh()
    started = time.perf_counter()
    parsed_persons = len(read_upload(path.name, data).persons)  # parse only, then dropped
    parse_seconds = time.perf_counter() - started
    before = time.perf_counter()
    screening_list = upload_list(
        acting_user=user,
        organisation=organisation,
        upload=SimpleUploadedFile(path.name, data),
        title=f"Benchmark {count} Personen",
        decision_date=DECISION_DATE,
    )
    upload_seconds = time.perf_counter() - before
    print(f"    uploaded {screening_list.total:,} rows in {upload_seconds:.2f} s", flush=True)
    before = time.perf_counter()
    screening_list, chunks = _screen_all(screening_list, user)
    screen_seconds = time.perf_counter() - before
    return {
        "persons": parsed_persons,
        "xlsx_bytes": len(data),
        "write_xlsx_seconds": round(write_seconds, 2),
        "parse_seconds": round(parse_seconds, 2),
        "upload_seconds": round(upload_seconds, 2),
        "screen_seconds": round(screen_seconds, 2),
        "total_seconds": round(time.perf_counter() - started, 2),
        "chunks": chunks,
        "status": str(screening_list.status),
        "ru_maxrss_mb": round(_rss_mb(), 1),
    }


def in_child(task: str, out: Path, count: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kim.settings")
    import django

    django.setup()
    from kim.core.rls import system_access

    # The harness reads and writes every authority's lists: system work (kim/core/rls.py).
    with system_access(f"benchmark screening {task}"):
        result = batch_child(count) if task == "batch" else upload_child(count)
    out.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")


# --- in the harness ---------------------------------------------------------------------------


def prepare(reuse: bool) -> float | None:
    """The demo world in ``var/bench/screening/``; returns the seed time (None if reused)."""
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
        json.dumps(
            {"seed_version": SEED_VERSION, "seed_seconds": seconds, "database": database_kind()}
        ),
        encoding="utf-8",
    )
    return seconds


def _child(task: str, count: int) -> dict[str, Any]:
    out = VAR_DIR / f"screening-{task}.json"
    out.unlink(missing_ok=True)
    args = [str(VENV_BIN / "python"), "-m", "benchmarks.screening", "--child", task, str(out)]
    run_child([*args, "--persons", str(count)], child_env(VAR_DIR), CHILD_TIMEOUT)
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return result


def check_targets(batch: dict[str, Any], upload: dict[str, Any]) -> list[dict[str, object]]:
    peak = batch["ru_maxrss_mb"]
    chunks = len(upload["chunks"])
    return [
        {
            "target": f"screening: {batch['persons']:,} persons × all rules "
            f"≤ {TARGET_SECONDS:.0f} s",
            "value": batch["evaluate_seconds"],
            "ok": batch["evaluate_seconds"] <= TARGET_SECONDS,
        },
        {
            "target": f"screening: batch peak memory ≤ {TARGET_PEAK_MB:.0f} MB (process RSS)",
            "value": peak,
            "ok": peak <= TARGET_PEAK_MB,
        },
        {
            "target": f"screening: {upload['persons']:,}-row XLSX parsed and screened, "
            "progress per chunk",
            "value": f"{chunks} chunks, {upload['total_seconds']} s, {upload['status']}",
            "ok": upload["status"] == "done" and chunks > 1,
        },
        {
            "target": f"screening: upload peak memory ≤ {TARGET_PEAK_MB:.0f} MB (process RSS)",
            "value": upload["ru_maxrss_mb"],
            "ok": upload["ru_maxrss_mb"] <= TARGET_PEAK_MB,
        },
    ]


def report(batch: dict[str, Any], upload: dict[str, Any], checks: list[dict[str, object]]) -> None:
    print(
        f"\nBatch: {batch['persons']:,} persons, {batch['rule_versions']} rule versions, "
        f"decision date {DECISION_DATE:%d.%m.%Y}\n"
        f"  parse {batch['parse_seconds']:.2f} s, evaluate {batch['evaluate_seconds']:.2f} s; "
        f"tracemalloc peak {batch['tracemalloc_peak_mb']} MB, "
        f"process RSS {batch['rss_before_mb']} → {batch['ru_maxrss_mb']} MB"
    )
    print(
        f"Upload: {upload['persons']:,}-row XLSX ({upload['xlsx_bytes'] / 2**20:.1f} MB, "
        f"written in {upload['write_xlsx_seconds']} s)\n"
        f"  parse {upload['parse_seconds']} s, upload_list {upload['upload_seconds']} s, "
        f"screening {upload['screen_seconds']} s in {len(upload['chunks'])} chunks; "
        f"total {upload['total_seconds']} s; process RSS {upload['ru_maxrss_mb']} MB"
    )
    print("\nTargets:")
    for check in checks:
        print(f"  {'PASS' if check['ok'] else 'FAIL'}  {check['target']}: {check['value']}")


def run_all(
    *, persons: int = PERSONS, reuse: bool = False
) -> tuple[dict[str, Any], list[dict[str, object]]]:
    """Prepare, measure, report – for ``run.py`` and standalone."""
    print_database()
    seed_seconds = prepare(reuse)
    load_before = os.getloadavg()
    print(f"  batch: {persons:,} synthetic persons in process")
    batch = _child("batch", persons)
    print(f"  upload: {persons:,}-row XLSX as abh")
    upload = _child("upload", persons)
    checks = check_targets(batch, upload)
    report(batch, upload, checks)
    print(
        f"Load average (1 min) before/after: {load_before[0]:.2f} / {os.getloadavg()[0]:.2f}; "
        f"{os.cpu_count()} CPUs."
    )
    summary = {
        "seed_seconds": round(seed_seconds, 1) if seed_seconds is not None else None,
        "batch": batch,
        "upload": upload,
        "loadavg_1min_before": round(load_before[0], 2),
    }
    return summary, checks


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Benchmark the Baustein-3 screening.")
    parser.add_argument("--child", nargs=2, metavar=("TASK", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--persons", type=int, default=PERSONS, help="persons (default 10,000)")
    parser.add_argument("--reuse-db", action="store_true", help="reuse the seeded demo world")
    parser.add_argument("--strict", action="store_true", help="exit 1 if a target fails")
    args = parser.parse_args(argv)
    if args.persons < 1:
        parser.error("--persons must be ≥ 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        in_child(args.child[0], Path(args.child[1]), args.persons)
        return 0
    summary, checks = run_all(persons=args.persons, reuse=args.reuse_db)
    payload = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "config": {k: v for k, v in vars(args).items() if k != "child"},
        **summary,
        "targets": checks,
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    text = json.dumps(payload, indent=2, ensure_ascii=False)
    path = RESULTS_DIR / f"screening-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(text, encoding="utf-8")
    (RESULTS_DIR / "screening-latest.json").write_text(text, encoding="utf-8")
    print(f"\nResults written to {path.relative_to(ROOT)}")
    return 1 if args.strict and not all(c["ok"] for c in checks) else 0


if __name__ == "__main__":
    sys.exit(main())
