"""Load test at state scale: many people working at once against ``make cluster`` (issue 16).

    .venv/bin/python benchmarks/load.py --scale small --users 30 --duration 60
    .venv/bin/python benchmarks/load.py --scale state --users 200 --duration 300
    .venv/bin/python benchmarks/load.py --scale state --saturation --duration 120
    .venv/bin/python benchmarks/load.py --url http://127.0.0.1:8001,http://127.0.0.1:8002 …

1. **Data**: ``benchmarks/statescale.py`` seeds PostgreSQL for the scale (once; later runs
   reuse the database) and names the accounts of every role (``users.json``).
2. **Cluster**: two gunicorn nodes, the worker and Redis (``tools/cluster.py``) on that
   database, on free loopback ports, with ``benchmarks.bench_settings`` so every answer
   carries its server time and query count. ``--url`` uses running nodes instead (then the
   demo personas log in unless ``--users-file`` names other accounts).
3. **Load**: Locust, headless, in a child process (``benchmarks/load_users.py``: the persona
   mix, the pages, the think time). Bounded three ways: ``--users``, ``--max-requests`` and the
   time (ramp + ``--duration``, then it stops by itself). Loopback only: every URL is checked.
4. **Figures**: one row per page type – requests, failures, median, p95, p99, requests/s – plus
   the logins, the CPU seconds of each process group (nodes, worker, PostgreSQL, Locust) per
   second of the window, the worker's peak RSS, and the statements that took the database's
   time (``pg_stat_statements``, the difference over the window).
5. **SQL ratio** (after the load, on the idle cluster): for one case manager's work list, case
   list and name search, the server's own time divided by the time the database needs for the
   same statements (``EXPLAIN (ANALYZE)`` through ``X-Explain``, see
   ``benchmarks/query_count.py``). Target ≤ 3.
6. ``--saturation``: steps of users (``--steps``, default 50, 100, 200, 300, 400, 600, 800)
   until the p95 of some page type passes 1 s; reports the users and requests/s there, and what
   was busy.

Writes ``benchmarks/results/load-<time>.json`` (everything) and prints the tables, or with
``--format json`` only the summary the issue defines.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the ``benchmarks`` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.run import DEMO_PASSWORD, RESULTS_DIR, ROOT, VENV_BIN, Client, cluster_tool

TARGET_P95_MS = 300.0
SATURATION_P95_MS = 1000.0
TARGET_WORKER_RSS_MB = 200.0
TARGET_SQL_RATIO = 3.0
DEFAULT_STEPS = (50, 100, 200, 300, 400, 600, 800)
SQL_RATIO_REQUESTS = 15
CLK_TCK = os.sysconf("SC_CLK_TCK")

# The demo personas, for ``--url`` against a cluster seeded by ``kim seed_demo`` alone.
DEMO_USERS: dict[str, list[dict[str, str]]] = {
    "case_manager": [{"username": u} for u in ("cm-siegen", "cm-kreuztal", "cm-traeger")],
    "coordination": [{"username": "koordination"}],
    "programme_lead": [{"username": "siegen"}],
    "abh": [{"username": "abh"}],
    "council": [{"username": "rat"}],
}
DEMO_SEARCH_NAMES = ("Muster", "Fiktiv", "Probe", "Platzhalter", "Testfall")


# --- processes and their CPU --------------------------------------------------------------------


def _proc_stat(pid: int) -> tuple[int, int, int] | None:
    """(pgid, user+system ticks, rss pages) of a process, None when it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()
    return int(fields[2]), int(fields[11]) + int(fields[12]), int(fields[21])


def _all_pids() -> list[int]:
    return [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()]


def _postgres_pids() -> set[int]:
    found = set()
    for pid in _all_pids():
        try:
            if Path(f"/proc/{pid}/comm").read_text().strip() in ("postgres", "postmaster"):
                found.add(pid)
        except OSError:
            continue
    return found


@dataclass
class CpuSampler:
    """CPU seconds per group of processes: each cluster child's process group (gunicorn master
    and workers, the worker, Redis), PostgreSQL and Locust.

    PostgreSQL counts the backends of the measured database and the server's own processes
    (checkpointer, WAL writer, …), not other databases' sessions on a shared server
    (``pg_pids``, from ``pg_stat_activity``). ``sample()`` runs about once a second and adds
    each process's CPU since its previous sample to its group's total, so backends that come
    and go (persistent connections are renewed every ``DB_CONN_MAX_AGE`` seconds) lose at most
    their last second. ``snapshot()`` returns the totals; ``cores()`` the difference of two
    per wall second."""

    groups: dict[str, int]  # name -> process group id
    locust_pid: int | None = None
    pg_pids: Callable[[], set[int] | None] | None = None
    last: dict[int, tuple[str, int]] = field(default_factory=dict)
    totals: dict[str, float] = field(default_factory=dict)

    def sample(self) -> None:
        by_pgid = {pgid: name for name, pgid in self.groups.items()}
        ours = self.pg_pids() if self.pg_pids else None
        pg = _postgres_pids()
        seen: dict[int, tuple[str, int]] = {}
        for pid in _all_pids():
            stat = _proc_stat(pid)
            if stat is None:
                continue
            pgid, ticks, _ = stat
            if pgid in by_pgid:
                seen[pid] = (by_pgid[pgid], ticks)
            elif pid in pg and (ours is None or pid in ours):
                seen[pid] = ("postgresql", ticks)
            elif self.locust_pid is not None and pid == self.locust_pid:
                seen[pid] = ("locust", ticks)
        for pid, (name, ticks) in seen.items():
            was = self.last.get(pid)
            # A process seen for the first time counts from its next sample on (its earlier
            # CPU belongs before the window), unless it is new since the previous sample.
            base = was[1] if was and was[0] == name else (ticks if not self.last else 0)
            self.totals[name] = self.totals.get(name, 0.0) + max(ticks - base, 0)
        self.last = seen

    def snapshot(self) -> dict[str, float]:
        self.sample()
        return {name: self.totals.get(name, 0.0) for name in [*self.groups, "postgresql", "locust"]}

    @staticmethod
    def cores(before: dict[str, float], after: dict[str, float], wall: float) -> dict[str, float]:
        """CPU cores used on average per group (CPU seconds ÷ wall seconds)."""
        wall = max(wall, 1e-6)
        return {
            name: round(max(after[name] - before.get(name, 0.0), 0.0) / CLK_TCK / wall, 3)
            for name in after
        }


def rss_mb(pgid: int) -> float:
    """The largest resident set of a process group's members, in MB."""
    page_kb = os.sysconf("SC_PAGE_SIZE") / 1024
    largest = 0.0
    for pid in _all_pids():
        stat = _proc_stat(pid)
        if stat is not None and stat[0] == pgid:
            largest = max(largest, stat[2] * page_kb / 1024)
    return round(largest, 1)


# --- pg_stat_statements ----------------------------------------------------------------------


def statement_snapshot(server_url: str, database: str) -> dict[int, dict[str, Any]] | None:
    """pg_stat_statements of one database, or None (extension or preload missing)."""
    import psycopg

    admin = urllib.parse.urlsplit(server_url)._replace(path="/kim").geturl()
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
            rows = conn.execute(
                "SELECT s.queryid, s.calls, s.total_exec_time, s.rows, "
                "s.shared_blks_hit + s.shared_blks_read, s.query "
                "FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid "
                "WHERE d.datname = %s",
                [database],
            ).fetchall()
    except psycopg.Error:
        return None
    snap = {
        int(r[0]): {"calls": r[1], "ms": float(r[2]), "rows": r[3], "blocks": r[4], "query": r[5]}
        for r in rows
        if r[0] is not None
    }
    return snap


class LockSampler:
    """Samples, about once a second, how many of the database's sessions wait for a lock
    (``pg_stat_activity.wait_event_type = 'Lock'``) and how many are active."""

    def __init__(self, server_url: str | None, database: str | None) -> None:
        self.database = database
        self.samples: dict[int, list[tuple[int, int]]] = {}
        self.conn: Any = None
        if server_url and database:
            import psycopg

            admin = urllib.parse.urlsplit(server_url)._replace(path="/kim").geturl()
            with contextlib.suppress(psycopg.Error):
                self.conn = psycopg.connect(admin, autocommit=True, connect_timeout=5)

    def sample(self, step: int) -> None:
        if self.conn is None:
            return
        row = self.conn.execute(
            "SELECT count(*) FILTER (WHERE wait_event_type = 'Lock'), "
            "count(*) FILTER (WHERE state = 'active') FROM pg_stat_activity WHERE datname = %s",
            [self.database],
        ).fetchone()
        self.samples.setdefault(step, []).append((int(row[0]), int(row[1])))

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()

    def database_pids(self) -> set[int] | None:
        """The database's backends and the server's own processes; None without a connection
        (then every PostgreSQL process counts)."""
        if self.conn is None:
            return None
        rows = self.conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s "
            "OR backend_type <> 'client backend'",
            [self.database],
        ).fetchall()
        return {int(r[0]) for r in rows}

    def result(self, step: int) -> dict[str, Any]:
        samples = self.samples.get(step, [])
        if not samples:
            return {"samples": 0}
        waiting = [w for w, _ in samples]
        active = [a for _, a in samples]
        return {
            "samples": len(samples),
            "lock_waiting_mean": round(statistics.mean(waiting), 2),
            "lock_waiting_max": max(waiting),
            "active_mean": round(statistics.mean(active), 2),
            "samples_with_lock_wait": sum(1 for w in waiting if w),
        }


def statement_diff(
    before: dict[int, dict[str, Any]] | None, after: dict[int, dict[str, Any]] | None, top: int = 10
) -> dict[str, Any]:
    if before is None or after is None:
        return {
            "available": False,
            "hint": "pg_stat_statements needs shared_preload_libraries and the extension in "
            "database kim (tools/ensure-postgres.sh sets both up)",
        }
    rows = []
    for qid, now in after.items():
        was = before.get(qid, {"calls": 0, "ms": 0.0, "rows": 0})
        calls = now["calls"] - was["calls"]
        if calls <= 0:
            continue
        rows.append(
            {
                "calls": calls,
                "total_ms": round(now["ms"] - was["ms"], 1),
                "mean_ms": round((now["ms"] - was["ms"]) / calls, 3),
                "rows": now["rows"] - was["rows"],
                "query": " ".join(now["query"].split())[:300],
            }
        )
    rows.sort(key=lambda r: r["total_ms"], reverse=True)
    return {
        "available": True,
        "statements": len(rows),
        "total_ms": round(sum(r["total_ms"] for r in rows), 1),
        "top": rows[:top],
    }


# --- the cluster -----------------------------------------------------------------------------


@dataclass
class Target:
    nodes: list[str]
    users: dict[str, list[dict[str, str]]]
    search_names: list[str]
    server_url: str | None = None
    database: str | None = None
    groups: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


def _loopback(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "http" or parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"--url must point at this machine (http://127.0.0.1:…): {url}")
    return url.rstrip("/")


@contextlib.contextmanager
def target(args: argparse.Namespace) -> Iterator[Target]:
    """The nodes to load: ``--url`` as given, or a cluster on the seeded scale."""
    if args.url:
        nodes = [_loopback(u) for u in args.url.split(",") if u.strip()]
        users = (
            json.loads(Path(args.users_file).read_text(encoding="utf-8"))
            if args.users_file
            else DEMO_USERS
        )
        yield Target(nodes=nodes, users=users, search_names=list(DEMO_SEARCH_NAMES))
        return
    from benchmarks import statescale

    tool = cluster_tool()
    progress = (lambda message: print(message, file=sys.stderr)) if args.json else print
    seeded = statescale.ensure_seeded(args.scale, progress=progress)
    cluster = statescale.cluster_for(
        seeded,
        node_ports=(tool.free_port(), tool.free_port()),
        redis_port=tool.free_port(),
        gunicorn_workers=args.workers,
        extra_env={"DJANGO_SETTINGS_MODULE": "benchmarks.bench_settings"},
    )
    progress(f"Starting the cluster on {seeded.database}: nodes, worker, Redis")
    try:
        cluster.start()
        yield Target(
            nodes=cluster.node_urls,
            users=seeded.users,
            search_names=list(statescale.SEARCH_LAST_NAMES),
            server_url=seeded.server_url,
            database=seeded.database,
            groups={name: proc.pid for name, proc in cluster.processes.items()},
            counts=seeded.counts,
        )
    finally:
        cluster.stop()


# --- one load run ------------------------------------------------------------------------------


def _events(path: Path, seen: int) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines[seen:] if line.strip()]


def run_steps(
    args: argparse.Namespace, where: Target, steps: list[int], stop_p95_ms: float | None = None
) -> list[dict[str, Any]]:
    """One Locust child that measures one window per step of users (see ``load_users.run``);
    per window the child's figures plus CPU, locks, the worker's RSS and the statements."""
    config = {
        "nodes": where.nodes,
        "users": where.users,
        "search_names": where.search_names,
        "password": DEMO_PASSWORD,
        "steps": steps,
        "stop_p95_ms": stop_p95_ms,
        "spawn_rate": args.spawn_rate,
        "duration_s": args.duration,
        "max_requests": args.max_requests,
    }
    with tempfile.TemporaryDirectory(prefix="kim-load-") as tmp:
        cfg, out = Path(tmp) / "config.json", Path(tmp) / "result.json"
        config["signal_dir"] = tmp
        cfg.write_text(json.dumps(config), encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
        child = subprocess.Popen(
            [str(VENV_BIN / "python"), "-m", "benchmarks.load_users", str(cfg), str(out)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL if args.json else None,
            stderr=subprocess.PIPE,
            text=True,
        )
        locks = LockSampler(where.server_url, where.database)
        sampler = CpuSampler(groups=where.groups, locust_pid=child.pid, pg_pids=locks.database_pids)
        windows: dict[int, dict[str, Any]] = {}
        seen = 0
        timeout = sum(steps) / args.spawn_rate + len(steps) * (args.duration + 240)
        started = time.monotonic()
        while True:
            for event in _events(Path(tmp) / "events.jsonl", seen):
                seen += 1
                window = windows.setdefault(event["step"], {"worker_rss": 0.0})
                window[event["event"]] = {
                    "t": event["t"],
                    "cpu": sampler.snapshot(),
                    "statements": statement_snapshot(where.server_url, where.database)
                    if where.server_url and where.database
                    else None,
                }
            if child.poll() is not None:
                break
            open_step = next((n for n, w in windows.items() if "close" not in w), None)
            sampler.sample()
            if open_step is not None:
                locks.sample(open_step)
                if "worker" in where.groups:
                    rss = rss_mb(where.groups["worker"])
                    windows[open_step]["worker_rss"] = max(windows[open_step]["worker_rss"], rss)
            if time.monotonic() - started > timeout:
                child.kill()
                raise SystemExit(f"Locust did not stop within {timeout:.0f} s")
            time.sleep(1)
        _, err = child.communicate()
        if child.returncode != 0 or not out.exists():
            raise SystemExit(f"Locust failed (exit {child.returncode}):\n{err[-3000:]}")
        results: list[dict[str, Any]] = json.loads(out.read_text(encoding="utf-8"))
    locks.close()
    node_rss = {n: rss_mb(pgid) for n, pgid in where.groups.items() if n.startswith("node")}
    for step, result in enumerate(results):
        window = windows.get(step, {})
        opened, closed = window.get("open"), window.get("close")
        if opened and closed:
            wall = closed["t"] - opened["t"]
            result["cpu_cores"] = sampler.cores(opened["cpu"], closed["cpu"], wall)
            result["statements"] = statement_diff(opened["statements"], closed["statements"])
        else:
            result["cpu_cores"], result["statements"] = {}, statement_diff(None, None)
        result["locks"] = locks.result(step)
        has_worker = "worker" in where.groups
        result["worker_peak_rss_mb"] = window.get("worker_rss") if has_worker else None
        result["node_worker_rss_mb"] = node_rss
        pages = result["pages"]
        result["requests"] = sum(p["requests"] for p in pages)
        result["failures"] = sum(p["failures"] for p in pages)
        result["rps"] = round(result["requests"] / max(result["duration_s"], 1e-6), 2)
    return results


# --- the SQL ratio ---------------------------------------------------------------------------


def sql_ratio(where: Target) -> list[dict[str, Any]]:
    """Server time ÷ SQL time for the work list, the case list and the name search of the
    case manager with the most cases the seed names first (idle cluster, sequential)."""
    account = where.users["case_manager"][0]["username"]
    client = Client(where.nodes[0])
    client.login(account, DEMO_PASSWORD)
    name = where.search_names[0]
    pages = {
        "worklist": "/fallmanagement/",
        "case list": "/fallmanagement/faelle/",
        "name search": f"/fallmanagement/klienten/suche/?q={urllib.parse.quote(name)}",
    }
    rows = []
    for page, path in pages.items():
        server, sql, explained, measured = [], [], 0, 0
        for n in range(SQL_RATIO_REQUESTS + 3):
            status, headers, _ = _explained(client, path)
            if status != 200:
                raise SystemExit(f"{path} answered {status} for {account}")
            if n < 3:  # warm-up
                continue
            server.append(float(headers["X-Server-Time-ms"]))
            if "X-SQL-Time-ms" in headers:
                sql.append(float(headers["X-SQL-Time-ms"]))
                explained = int(headers["X-SQL-Explained"])
                measured = int(headers["X-SQL-Measured"])
        server_ms = statistics.median(server)
        sql_ms = statistics.median(sql) if sql else None
        rows.append(
            {
                "page": page,
                "account": account,
                "server_median_ms": round(server_ms, 2),
                "sql_median_ms": round(sql_ms, 2) if sql_ms is not None else None,
                "ratio": round(server_ms / sql_ms, 2) if sql_ms else None,
                "selects_explained": explained,
                "writes_timed": measured,
            }
        )
    return rows


def _explained(client: Client, path: str) -> tuple[int, dict[str, str], bytes]:
    import urllib.request

    req = urllib.request.Request(client.base + path, headers={"X-Explain": "1"})
    try:
        with client.opener.open(req, timeout=60) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


# --- reporting -------------------------------------------------------------------------------


def page_targets(result: dict[str, Any]) -> list[dict[str, Any]]:
    checks = [
        {
            "target": f"{p['name']}: p95 ≤ {TARGET_P95_MS:.0f} ms, 0 failures",
            "value": f"p95 {p['p95_ms']:.0f} ms, {p['failures']} failures",
            "ok": p["p95_ms"] <= TARGET_P95_MS and p["failures"] == 0,
        }
        for p in result["pages"]
    ]
    rss = result.get("worker_peak_rss_mb")
    if rss is not None:
        checks.append(
            {
                "target": f"worker RSS ≤ {TARGET_WORKER_RSS_MB:.0f} MB",
                "value": f"{rss:.0f} MB",
                "ok": rss <= TARGET_WORKER_RSS_MB,
            }
        )
    return checks


def print_run(result: dict[str, Any]) -> None:
    print(
        f"\n{result['users']} users, {result['duration_s']:.0f} s measured after a "
        f"{result['ramp_s']:.0f} s ramp: {result['requests']} requests, "
        f"{result['failures']} failures, {result['rps']:.1f} requests/s"
    )
    header = f"{'page type':<22}{'requests':>9}{'fail':>6}{'median':>9}{'p95':>8}{'p99':>8}"
    header += f"{'req/s':>8}{'server':>9}"
    print(header)
    print("-" * len(header))
    for p in result["pages"]:
        server = p["server_median_ms"]
        print(
            f"{p['name']:<22}{p['requests']:>9}{p['failures']:>6}{p['median_ms']:>7.0f}ms"
            f"{p['p95_ms']:>6.0f}ms{p['p99_ms']:>6.0f}ms{p['rps']:>8.2f}"
            f"{'' if server is None else f'{server:>7.0f}ms'}"
        )
    logins = result["logins"]
    print(
        f"logins (during the ramp, not in the window): {logins['count']}, "
        f"median {logins['median_ms'] or 0:.0f} ms, p95 {logins['p95_ms'] or 0:.0f} ms, "
        f"{logins['failure_count']} failed"
    )
    writes = result["writes"]
    print(f"writes in the window: {writes['succeeded']} of {writes['attempted']} accepted")
    cpu = ", ".join(f"{k} {v:.2f}" for k, v in result["cpu_cores"].items())
    print(f"CPU cores used (CPU s per s): {cpu}")
    if result.get("worker_peak_rss_mb") is not None:
        print(
            f"worker peak RSS {result['worker_peak_rss_mb']:.0f} MB; node processes (largest) "
            + ", ".join(f"{k} {v:.0f} MB" for k, v in result["node_worker_rss_mb"].items())
        )
    st = result["statements"]
    if st.get("available"):
        print(
            f"database: {st['statements']} statements, {st['total_ms'] / 1000:.1f} s of execution"
            " time in the window"
        )
        for row in st["top"][:5]:
            print(
                f"  {row['total_ms']:>9.0f} ms {row['calls']:>7}× {row['mean_ms']:>7.2f} ms  "
                f"{row['query'][:90]}"
            )
    else:
        print(f"database: {st.get('hint')}")
    locks = result.get("locks", {})
    if locks.get("samples"):
        print(
            f"sessions waiting for a lock: mean {locks['lock_waiting_mean']}, max "
            f"{locks['lock_waiting_max']} (in {locks['samples_with_lock_wait']} of "
            f"{locks['samples']} samples); active sessions: mean {locks['active_mean']}"
        )


def summary(args: argparse.Namespace, result: dict[str, Any]) -> dict[str, Any]:
    """The issue's JSON shape, exactly."""
    return {
        "scale": args.scale if not args.url else "url",
        "users": result["users"],
        "duration_s": result["duration_s"],
        "requests": result["requests"],
        "failures": result["failures"],
        "rps": result["rps"],
        "pages": [
            {
                "name": p["name"],
                "requests": p["requests"],
                "failures": p["failures"],
                "median_ms": p["median_ms"],
                "p95_ms": p["p95_ms"],
                "p99_ms": p["p99_ms"],
            }
            for p in result["pages"]
        ],
    }


def saturation(args: argparse.Namespace, where: Target) -> dict[str, Any]:
    """Raise the users step by step (one Locust run: the users of a step stay logged in for
    the next) until the p95 of some page type passes 1 s."""
    results = run_steps(args, where, args.steps, stop_p95_ms=SATURATION_P95_MS)
    steps = []
    found = None
    for result in results:
        worst = max(result["pages"], key=lambda p: p["p95_ms"]) if result["pages"] else None
        step = {
            "users": result["users"],
            "rps": result["rps"],
            "requests": result["requests"],
            "failures": result["failures"],
            "worst_page": worst["name"] if worst else None,
            "worst_p95_ms": worst["p95_ms"] if worst else None,
            "cpu_cores": result["cpu_cores"],
            "locks": result["locks"],
            "top_statements": result["statements"].get("top", [])[:5],
            "database_ms": result["statements"].get("total_ms"),
        }
        steps.append(step)
        if not args.json:
            print_run(result)
        if worst and worst["p95_ms"] > SATURATION_P95_MS:
            found = step
    return {"steps": steps, "saturated_at": found, "runs": results}


def write_result(payload: dict[str, Any]) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"load-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")
    return path


def commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Load test with Locust against the cluster.")
    parser.add_argument("--scale", choices=("small", "kreis", "state"), default="small")
    parser.add_argument("--users", type=int, default=30, help="concurrent users (default 30)")
    parser.add_argument("--duration", type=float, default=60, help="measured seconds (60)")
    parser.add_argument(
        "--spawn-rate",
        type=float,
        default=1.0,
        help="users started per second (default 1: each login hashes a password)",
    )
    parser.add_argument("--max-requests", type=int, default=200_000, help="cap on requests")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per node (2)")
    parser.add_argument("--url", help="running nodes, comma-separated (loopback only)")
    parser.add_argument("--users-file", help="with --url: users.json of the accounts to use")
    parser.add_argument("--saturation", action="store_true", help="raise users until p95 > 1 s")
    parser.add_argument(
        "--steps", default=",".join(map(str, DEFAULT_STEPS)), help="users per saturation step"
    )
    parser.add_argument("--no-sql-ratio", action="store_true", help="skip the SQL ratio")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target fails")
    args = parser.parse_args(argv)
    args.json = args.format == "json"
    args.steps = [int(s) for s in args.steps.split(",")]
    if not 1 <= args.users <= 2000 or args.duration <= 0 or args.spawn_rate <= 0:
        parser.error("--users must be 1–2000, --duration and --spawn-rate positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    payload: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "commit": commit(),
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "scale": args.scale if not args.url else "url",
        "think_time_s": "5–15",
    }
    with target(args) as where:
        payload["rows"] = where.counts
        if args.saturation:
            payload["saturation"] = saturation(args, where)
            result = None
        else:
            (result,) = run_steps(args, where, [args.users])
            payload["run"] = result
            payload["targets"] = page_targets(result)
        if not args.no_sql_ratio and where.database:
            payload["sql_ratio"] = sql_ratio(where)
    path = write_result(payload)
    failed = [t for t in payload.get("targets", []) if not t["ok"]]
    failed += [r for r in payload.get("sql_ratio", []) if (r["ratio"] or 0) > TARGET_SQL_RATIO]
    if args.json:
        if result is not None:
            print(json.dumps(summary(args, result)))
        else:
            sat = payload["saturation"]
            print(json.dumps({"steps": sat["steps"], "saturated_at": sat["saturated_at"]}))
        return 1 if args.strict and failed else 0
    if result is not None:
        print_run(result)
        for check in payload["targets"]:
            print(f"  {'ok  ' if check['ok'] else 'FAIL'} {check['target']}: {check['value']}")
    else:
        sat = payload["saturation"]["saturated_at"]
        if sat:
            print(
                f"\nSaturation: p95 of {sat['worst_page']} passed 1 s at {sat['users']} users "
                f"({sat['rps']:.1f} requests/s); CPU {sat['cpu_cores']}"
            )
        else:
            print("\nNo step passed p95 1 s; raise --steps.")
    for row in payload.get("sql_ratio", []):
        print(
            f"SQL ratio {row['page']:<12} server {row['server_median_ms']:.1f} ms ÷ SQL "
            f"{row['sql_median_ms']} ms = {row['ratio']} (target ≤ {TARGET_SQL_RATIO:.0f})"
        )
    print(f"Written to {path.relative_to(ROOT)}")
    return 1 if args.strict and failed else 0


if __name__ == "__main__":
    sys.exit(main())
