"""Cluster benchmarks (issue 14): the start page and the case list through node 1 against
node 2, and the throughput of ``kim worker`` on a 10,000-person screening batch.

1. **Cluster**: ``tools/cluster.py`` (what ``make cluster`` starts) on free ports, in
   ``var/bench/cluster/``: Redis, two gunicorn nodes (2 sync workers each, separate
   ``KIM_VAR_DIR``s, one Redis cache, one media directory) and one ``kim worker``, on the
   benchmark database – PostgreSQL ``kim_bench_cluster`` when available, else an SQLite file
   that both nodes open (one machine). The nodes run ``benchmarks.bench_settings``
   (``X-Query-Count``, ``X-Server-Time-ms``). Needs ``redis-server``; skipped without it.
2. **Node 1 against node 2**: ``cm-siegen`` signs in on node 1 (one browser: the session is
   valid on both nodes), warms both up, then makes N rounds of four requests – start page on
   node 1, on node 2, case list on node 1, on node 2 – interleaved, so that whatever else runs
   on the machine slows both nodes alike. Median and p95 of the wall time, the server time
   and the queries per node; the nodes must be the same within noise (medians within 10 % or
   2 ms of each other).
3. **Worker throughput**: ``abh`` uploads the 10,000 synthetic persons of
   ``benchmarks/screening.py`` as an XLSX through node 1's upload form – the same POST the
   officer's browser sends, which hands the list to the worker. The harness then reads the
   list's progress in the database every 0.2 s until it is done: persons per second over the
   worker's run (the task's ``started_at`` → ``finished_at``) and end to end (upload → done).
   When the upload enqueues no task, the figure is reported as not measured.

The HTTP client is the one of the cluster tests (``tests/cluster/client.py``: standard
library, one cookie jar for both nodes, forms replayed as a browser sends them).

Standalone: ``.venv/bin/python benchmarks/cluster.py [--requests N] [--persons N]
[--reuse-db] [--strict]``; ``make bench`` runs it last (``--skip-cluster`` leaves it out).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the ``benchmarks`` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.run import (
    DEMO_PASSWORD,
    RESULTS_DIR,
    ROOT,
    cluster_tool,
    database_kind,
    database_url,
    describe_database,
    percentile,
    postgres_server,
    print_database,
    reset_database,
)
from benchmarks.screening import DECISION_DATE, synthetic_persons, write_xlsx
from tests.cluster.client import Client

VAR_DIR = ROOT / "var" / "bench" / "cluster"
PAGES = {"start page": "/", "case list": "/fallmanagement/faelle/"}
PERSONA = "cm-siegen"
PERSONS = 10_000
SEED_VERSION = 1
SAME_WITHIN_PERCENT = 10.0
SAME_WITHIN_MS = 2.0
BATCH_TIMEOUT = 600.0
NO_TASK_TIMEOUT = 20.0
TASKS_TABLE = "django_tasks_database_dbtaskresult"


# --- the cluster ------------------------------------------------------------------------------


def prepare(reuse: bool) -> tuple[Any, float | None]:
    """A cluster object on the benchmark database, migrated and seeded (or reused)."""
    marker = VAR_DIR / "seeded.json"
    seeded = json.loads(marker.read_text(encoding="utf-8")) if marker.exists() else {}
    current = seeded.get("seed_version") == SEED_VERSION and seeded.get("database") == (
        database_kind()
    )
    tool = cluster_tool()
    if not (reuse and current):
        reset_database(VAR_DIR)
    cluster = tool.Cluster(
        directory=VAR_DIR,
        database_url=database_url(VAR_DIR),
        node_ports=(tool.free_port(), tool.free_port()),
        redis_port=tool.free_port(),
        extra_env={
            "DJANGO_SETTINGS_MODULE": "benchmarks.bench_settings",
            "PYTHONPATH": str(ROOT),
            "LOG_LEVEL": "WARNING",
            "KIM_REQUIRE_MFA": "false",
        },
    )
    cluster.prepare()  # keys: new after a reset, else the ones the database was seeded with
    if reuse and current:
        print(f"Reusing the seeded demo world of {VAR_DIR}")
        return cluster, None
    started = time.perf_counter()
    print(f"  kim migrate, kim seed_demo into {describe_database(VAR_DIR)}")
    cluster.migrate_and_seed()
    seconds = time.perf_counter() - started
    marker.write_text(
        json.dumps(
            {"seed_version": SEED_VERSION, "seed_seconds": seconds, "database": database_kind()}
        ),
        encoding="utf-8",
    )
    return cluster, seconds


def query(sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """One query on the cluster's database, outside Django (``%s`` placeholders)."""
    if postgres_server() is None:
        with closing(sqlite3.connect(VAR_DIR / "bench.sqlite3", timeout=20)) as conn:
            return conn.execute(sql.replace("%s", "?"), params).fetchall()
    import psycopg

    with psycopg.connect(database_url(VAR_DIR), autocommit=True) as conn:
        return list(conn.execute(sql, params).fetchall())  # type: ignore[arg-type]


# --- node 1 against node 2 --------------------------------------------------------------------


def _timed(browser: Client, node: str, path: str) -> tuple[float, float, int]:
    started = time.perf_counter()
    response = browser.get(node, path)
    wall = (time.perf_counter() - started) * 1000
    if response.status != 200:
        raise RuntimeError(f"{node}{path} answered {response.status}")
    return wall, float(response.headers["x-server-time-ms"]), int(response.headers["x-query-count"])


def measure_nodes(nodes: list[str], requests: int, warmup: int) -> list[dict[str, Any]]:
    browser = Client()
    login = browser.login(nodes[0], PERSONA, DEMO_PASSWORD)
    if login.status != 302:
        raise RuntimeError(f"login as {PERSONA} on node 1 answered {login.status}")
    samples: dict[tuple[str, int], list[tuple[float, float, int]]] = {
        (page, index): [] for page in PAGES for index in range(len(nodes))
    }
    for _ in range(warmup):
        for path in PAGES.values():
            for node in nodes:
                _timed(browser, node, path)
    for _ in range(requests):
        for page, path in PAGES.items():
            for index, node in enumerate(nodes):
                samples[page, index].append(_timed(browser, node, path))
    rows = []
    for (page, index), values in samples.items():
        wall = [v[0] for v in values]
        server = [v[1] for v in values]
        queries = [v[2] for v in values]
        rows.append(
            {
                "page": page,
                "path": PAGES[page],
                "node": index + 1,
                "requests": len(values),
                "median_ms": round(statistics.median(wall), 2),
                "p95_ms": round(percentile(wall, 95), 2),
                "server_median_ms": round(statistics.median(server), 2),
                "server_p95_ms": round(percentile(server, 95), 2),
                "queries_min": min(queries),
                "queries_max": max(queries),
            }
        )
    return rows


def node_checks(rows: list[dict[str, Any]]) -> list[dict[str, object]]:
    checks: list[dict[str, object]] = []
    for page in PAGES:
        one, two = (r["median_ms"] for r in rows if r["page"] == page)
        allowed = max(SAME_WITHIN_MS, SAME_WITHIN_PERCENT / 100 * max(one, two))
        checks.append(
            {
                "target": (
                    f"cluster: {page} median on node 2 = node 1 within "
                    f"{SAME_WITHIN_PERCENT:.0f} % or {SAME_WITHIN_MS:.0f} ms"
                ),
                "value": f"{one:.1f} / {two:.1f} ms",
                "ok": abs(one - two) <= allowed,
            }
        )
    return checks


# --- kim worker's throughput ------------------------------------------------------------------


def _upload(browser: Client, node: str, persons: int) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "liste.xlsx"
        write_xlsx(synthetic_persons(persons, DECISION_DATE), path)
        content = path.read_bytes()
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    started = time.perf_counter()
    response = browser.submit(
        node,
        "/screening/listen/hochladen/",
        r"/screening/listen/hochladen/",
        files={"upload": ("liste.xlsx", content, xlsx)},
        title=f"Benchmark {persons:,}",
        decision_date=DECISION_DATE.strftime("%d.%m.%Y"),
    )
    if response.status != 302:
        raise RuntimeError(f"upload answered {response.status}: {response.text[:500]}")
    print(
        f"  uploaded {persons:,} persons ({len(content) / 1e6:.1f} MB XLSX) through node 1 in "
        f"{time.perf_counter() - started:.1f} s"
    )
    (code,) = re.findall(r"/screening/listen/([a-z2-7]{16})/$", response.location)
    return str(code)


def _progress(code: str) -> tuple[str, int, int]:
    ((status, screened, total),) = query(
        "SELECT status, screened, total FROM screening_screeninglist WHERE code = %s", (code,)
    )
    return str(status), int(screened), int(total)


def _task_times(since: str) -> list[tuple[Any, ...]]:
    return query(
        f"SELECT status, started_at, finished_at FROM {TASKS_TABLE} WHERE enqueued_at >= %s",
        (since,),
    )


def _seconds(value: Any) -> float:
    if isinstance(value, str):  # SQLite stores datetimes as text
        value = dt.datetime.fromisoformat(value)
    return float(value.timestamp())


def measure_worker(nodes: list[str], persons: int) -> dict[str, Any]:
    browser = Client()
    if browser.login(nodes[0], "abh", DEMO_PASSWORD).status != 302:
        raise RuntimeError("login as abh failed")
    now = dt.datetime.now(dt.UTC)
    # SQLite keeps naive UTC text; PostgreSQL compares with the time zone.
    since = (now if postgres_server() else now.replace(tzinfo=None)).isoformat(sep=" ")
    posted = time.perf_counter()
    # The upload hands the list to the worker itself (kim/screening/tasks.py).
    code = _upload(browser, nodes[0], persons)
    post_seconds = time.perf_counter() - posted
    first_progress = None
    while True:
        waited = time.perf_counter() - posted
        status, screened, total = _progress(code)
        if first_progress is None and screened > 0:
            first_progress = waited
        if status in ("done", "failed"):
            break
        if waited > NO_TASK_TIMEOUT and not _task_times(since):
            return {
                "measured": False,
                "persons": total,
                "note": "the upload enqueued no task, so there is no worker throughput to measure",
                "screened_by_post": screened,
            }
        if waited > BATCH_TIMEOUT:
            raise RuntimeError(f"the worker did not finish {persons:,} persons in time")
        time.sleep(0.2)
    end_to_end = time.perf_counter() - posted
    tasks = [t for t in _task_times(since) if t[1] and t[2]]
    worker_seconds = (
        max(_seconds(t[2]) for t in tasks) - min(_seconds(t[1]) for t in tasks) if tasks else None
    )
    return {
        "measured": status == "done" and worker_seconds is not None,
        "status": status,
        "persons": total,
        "post_seconds": round(post_seconds, 3),
        "first_progress_seconds": round(first_progress, 2) if first_progress else None,
        "end_to_end_seconds": round(end_to_end, 2),
        "worker_seconds": round(worker_seconds, 2) if worker_seconds else None,
        "persons_per_second": round(total / worker_seconds) if worker_seconds else None,
        "persons_per_second_end_to_end": round(total / end_to_end),
    }


# --- report -----------------------------------------------------------------------------------


def report(
    rows: list[dict[str, Any]], worker: dict[str, Any], checks: list[dict[str, object]]
) -> None:
    print("\npage        node  median ms  p95 ms  server med/p95 ms  queries")
    for r in rows:
        queries = (
            str(r["queries_max"])
            if r["queries_min"] == r["queries_max"]
            else f"{r['queries_min']}–{r['queries_max']}"
        )
        print(
            f"{r['page']:<11} {r['node']:>4}  {r['median_ms']:>9.1f}  {r['p95_ms']:>6.1f}  "
            f"{r['server_median_ms']:>7.1f} / {r['server_p95_ms']:<7.1f}  {queries}"
        )
    if worker.get("measured"):
        print(
            f"\nkim worker: {worker['persons']:,} persons in {worker['worker_seconds']} s = "
            f"{worker['persons_per_second']:,} persons/s (end to end, POST → done: "
            f"{worker['end_to_end_seconds']} s = {worker['persons_per_second_end_to_end']:,}/s; "
            f"first progress after {worker['first_progress_seconds']} s)"
        )
    else:
        print(f"\nkim worker: not measured – {worker.get('note', worker)}")
    print("\nTargets:")
    for check in checks:
        print(f"  {'PASS' if check['ok'] else 'FAIL'}  {check['target']}: {check['value']}")


def run_all(
    *, requests: int = 200, warmup: int = 20, persons: int = PERSONS, reuse: bool = False
) -> tuple[dict[str, Any], list[dict[str, object]]]:
    """Prepare, start, measure, stop, report – for ``run.py`` and standalone."""
    print_database()
    if shutil.which("redis-server") is None:
        print("  skipped: redis-server not found (Debian package redis-server)")
        return {"skipped": "redis-server not found"}, []
    cluster, seed_seconds = prepare(reuse)
    load_before = os.getloadavg()
    try:
        cluster.start()
        print(f"  nodes {', '.join(cluster.node_urls)}, Redis {cluster.cache_url}, one worker")
        print(f"  {PERSONA}: {', '.join(PAGES.values())} – {requests} interleaved rounds")
        rows = measure_nodes(cluster.node_urls, requests, warmup)
        print(f"  abh: {persons:,} persons through the upload form and kim worker")
        worker = measure_worker(cluster.node_urls, persons)
    finally:
        cluster.stop()
    checks = node_checks(rows)
    checks.append(
        {
            "target": f"cluster: kim worker throughput on {persons:,} persons measured",
            "value": worker.get("persons_per_second") or "not measured",
            "ok": bool(worker.get("measured")),
        }
    )
    report(rows, worker, checks)
    load_after = os.getloadavg()
    print(f"Load average (1 min) before/after: {load_before[0]:.2f} / {load_after[0]:.2f}")
    summary = {
        "database": database_kind(),
        "seed_seconds": round(seed_seconds, 1) if seed_seconds is not None else None,
        "pages": rows,
        "worker": worker,
        "loadavg_1min_before": round(load_before[0], 2),
        "loadavg_1min_after": round(load_after[0], 2),
    }
    return summary, checks


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Node 1 against node 2, and kim worker.")
    parser.add_argument("--requests", type=int, default=200, help="rounds per page (200)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed rounds first (20)")
    parser.add_argument("--persons", type=int, default=PERSONS, help="batch size (10,000)")
    parser.add_argument("--reuse-db", action="store_true", help="reuse the seeded demo world")
    parser.add_argument("--strict", action="store_true", help="exit 1 if a target fails")
    args = parser.parse_args(argv)
    if min(args.requests, args.persons) < 1 or args.warmup < 0:
        parser.error("--requests and --persons must be ≥ 1, --warmup ≥ 0")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    summary, checks = run_all(
        requests=args.requests, warmup=args.warmup, persons=args.persons, reuse=args.reuse_db
    )
    payload = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "config": vars(args),
        **summary,
        "targets": checks,
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    text = json.dumps(payload, indent=2, ensure_ascii=False, default=str)
    path = RESULTS_DIR / f"cluster-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(text, encoding="utf-8")
    (RESULTS_DIR / "cluster-latest.json").write_text(text, encoding="utf-8")
    print(f"\nResults written to {path.relative_to(ROOT)}")
    return 1 if args.strict and not all(c["ok"] for c in checks) else 0


if __name__ == "__main__":
    sys.exit(main())
