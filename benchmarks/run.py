"""``make bench``: start page, organisation list and programme overview at scale (gunicorn),
plus the programme's allocation and cost forecast in process (``benchmarks/programmes.py``),
the cooperation's deadlines view and talk log at state scale (``benchmarks/partners.py``,
its own 53-Kreise database), and the council report and OParl paper list
(``benchmarks/council.py``, its own demo-world database), and the case manager's work list,
case list and name search at 200,000 cases (``benchmarks/cases.py``, its own database).

0. The database: PostgreSQL when it is available (``DATABASE_URL_PG`` or the local server of
   ``tools/ensure-postgres.sh``, as ``make test`` finds it), SQLite otherwise; printed first.
   ``KIM_BENCH_DATABASE=sqlite`` (or ``postgresql``) forces one (``--database``).
1. Migrate and seed a separate database (``var/bench/kreise-N/``: ``bench.sqlite3`` there, or
   the PostgreSQL database ``kim_bench_kreise_N``): the demo world plus N fictional Kreise
   with 30 KIM posts each (``benchmarks/seed.py``); check the audit chain.
2. Serve it with gunicorn (2 sync workers, KIM_ENV=demo, a fresh SECRET_KEY) on a free
   127.0.0.1 port, with ``benchmarks.bench_settings`` (adds the ``X-Query-Count`` header).
3. Log in through the real allauth form, warm up, then time a fixed number of sequential
   requests per page: client wall time over loopback, queries per request, worker peak RSS.
4. After gunicorn has stopped, time allocation and forecast in a Django child process.
5. The cooperation benchmark (``benchmarks/partners.py``): its own database and server.
6. The council benchmark (``benchmarks/council.py``): its own database, in process and server.
7. The case-management benchmark (``benchmarks/cases.py``): its own database, 200,000 cases.
8. The screening benchmark (``benchmarks/screening.py``) and the cluster benchmark
   (``benchmarks/cluster.py``: node 1 against node 2, and ``kim worker``'s throughput).
9. Print the tables and the targets, write JSON to ``benchmarks/results/``.

This module imports no Django: every Django process is a child with its own environment.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import html.parser
import http.cookiejar
import json
import math
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
RESULTS_DIR = ROOT / "benchmarks" / "results"
PAGES = {"start": "/", "organisation list": "/organisationen/"}
DEMO_PASSWORD = "demo"  # the demo personas' password (kim/accounts/demo.py), demo mode only
HTTP_TIMEOUT = 10.0
SEED_TIMEOUT = 1800
STARTUP_TIMEOUT = 30.0

# Targets from the issue (at 50 Kreise).
TARGET_START_P95_MS = 50.0
TARGET_START_QUERIES = 12
TARGET_WORKER_RSS_MB = 150.0

# Bump when benchmarks/seed.py changes what it creates: --reuse-db then reseeds.
SEED_VERSION = 2  # 2: 30 KIM posts per Kreis


# --- which database ---------------------------------------------------------------------------

DATABASE_CHOICE = "KIM_BENCH_DATABASE"  # auto (default), postgresql or sqlite
BENCH_DIR = ROOT / "var" / "bench"


def cluster_tool() -> Any:
    """``tools/cluster.py`` (PostgreSQL helpers and the cluster itself)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from tools import cluster

    return cluster


@functools.cache
def postgres_server() -> str | None:
    """The PostgreSQL server the benchmarks use, or None for SQLite (``KIM_BENCH_DATABASE``)."""
    choice = os.environ.get(DATABASE_CHOICE, "auto") or "auto"
    if choice not in ("auto", "postgresql", "sqlite"):
        raise SystemExit(f"{DATABASE_CHOICE} must be auto, postgresql or sqlite, not {choice!r}")
    if choice == "sqlite":
        return None
    url: str | None = cluster_tool().postgres_server_url()
    if url is None and choice == "postgresql":
        raise SystemExit("PostgreSQL is not available (DATABASE_URL_PG, tools/ensure-postgres.sh)")
    return url


def database_kind() -> str:
    return "postgresql" if postgres_server() else "sqlite"


def database_name(var_dir: Path, suffix: str = "") -> str:
    """The PostgreSQL database of a benchmark directory: ``var/bench/kreise-50`` →
    ``kim_bench_kreise_50``."""
    try:
        part = str(var_dir.resolve().relative_to(BENCH_DIR.resolve()))
    except ValueError:
        part = var_dir.name
    return ("kim_bench_" + re.sub(r"[^a-z0-9]+", "_", part.lower()).strip("_") + suffix)[:63]


def database_url(var_dir: Path) -> str:
    server = postgres_server()
    if server is None:
        return f"sqlite:///{var_dir / 'bench.sqlite3'}"
    return str(cluster_tool().database_url(server, database_name(var_dir)))


def describe_database(var_dir: Path) -> str:
    if postgres_server() is None:
        return f"SQLite {var_dir / 'bench.sqlite3'}"
    return f"PostgreSQL database {database_name(var_dir)}"


def reset_database(var_dir: Path) -> None:
    """An empty benchmark directory (with ``static/``) and an empty database."""
    if var_dir.exists():
        shutil.rmtree(var_dir)
    (var_dir / "static").mkdir(parents=True)  # STATIC_ROOT; WhiteNoise warns if it is missing
    server = postgres_server()
    if server is not None:
        cluster_tool().create_database(server, database_name(var_dir), fresh=True)


def clone_database(var_dir: Path, source_suffix: str, target_suffix: str) -> None:
    """PostgreSQL: (re)create one database of ``var_dir`` as a copy of another."""
    server = postgres_server()
    assert server is not None
    source, target = database_name(var_dir, source_suffix), database_name(var_dir, target_suffix)
    cluster_tool().drop_database(server, target)
    with cluster_tool()._admin_connection(server) as conn:
        conn.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')


def print_database() -> None:
    kind = database_kind()
    where = f" ({postgres_server()})" if kind == "postgresql" else ""
    print(f"Database: {kind}{where}; {DATABASE_CHOICE}=sqlite|postgresql chooses another")


# --- preparing the database -------------------------------------------------------------------


def child_env(var_dir: Path, settings_module: str = "kim.settings") -> dict[str, str]:
    """Environment for every Django child: the bench database only, demo mode, no MFA."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        DATABASE_URL=database_url(var_dir),
        KIM_VAR_DIR=str(var_dir),
        KIM_ENV="demo",
        KIM_REQUIRE_MFA="false",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_SETTINGS_MODULE=settings_module,
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")])),
        LOG_LEVEL="WARNING",
    )
    env.pop("SECRET_KEY_FILE", None)
    return env


def run_child(args: list[str], env: dict[str, str], timeout: float) -> None:
    print("  $", " ".join(args))
    subprocess.run(args, env=env, cwd=ROOT, check=True, timeout=timeout)


def prepare_database(var_dir: Path, kreise: int, reuse: bool) -> float | None:
    """Migrate and seed (or reuse a complete earlier seed); returns the seed time in seconds."""
    marker = var_dir / "seeded.json"
    if reuse and marker.exists():
        seeded = json.loads(marker.read_text(encoding="utf-8"))
        if seeded.get("seed_version") == SEED_VERSION and seeded.get("database") == (
            database_kind()
        ):
            print(f"Reusing the seeded database in {var_dir}")
            return None
        print(f"{var_dir} was seeded by an older benchmarks/seed.py or on another database")
    reset_database(var_dir)
    env = child_env(var_dir)
    started = time.perf_counter()
    run_child([str(VENV_BIN / "kim"), "migrate", "--verbosity", "0"], env, 600)
    run_child(
        [str(VENV_BIN / "python"), "-m", "benchmarks.seed", "--kreise", str(kreise)],
        env,
        SEED_TIMEOUT,
    )
    seconds = time.perf_counter() - started
    run_child([str(VENV_BIN / "kim"), "audit", "verify"], env, 600)
    marker.write_text(
        json.dumps(
            {
                "kreise": kreise,
                "seed_seconds": seconds,
                "seed_version": SEED_VERSION,
                "database": database_kind(),
            }
        ),
        encoding="utf-8",
    )
    return seconds


# --- the server -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_gunicorn(var_dir: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    log = (var_dir / "gunicorn.log").open("wb")
    args = [
        str(VENV_BIN / "gunicorn"),
        "--config",
        "python:kim.gunicorn_conf",  # as in production (README): GC tuning after the fork
        "kim.wsgi:application",
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--timeout",
        "30",
        "--graceful-timeout",
        "5",
        "--log-level",
        "warning",
        "--no-control-socket",  # gunicorn 27: one ~/.gunicorn/gunicorn.ctl for every gunicorn
    ]
    print("  $", " ".join(args))
    env = child_env(var_dir, "benchmarks.bench_settings")
    return subprocess.Popen(
        args, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def wait_until_ready(server: subprocess.Popen[bytes], base: str) -> None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}; see gunicorn.log")
        try:
            with opener.open(base + "/healthz", timeout=2) as resp:
                if resp.status == 200:
                    return
        except urllib.error.HTTPError as exc:
            # 503 without a `kim worker`: the benchmarks need only the web node and its database.
            if exc.code == 503 and json.loads(exc.read() or b"{}").get("database") == "ok":
                return
            time.sleep(0.2)
            continue
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)  # not listening yet: try again until the deadline
            continue
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer /healthz within {STARTUP_TIMEOUT:.0f} s")


def stop_gunicorn(server: subprocess.Popen[bytes]) -> None:
    """SIGTERM the master (it stops its workers); SIGKILL master and workers if it hangs."""
    if server.poll() is not None:
        return
    workers = worker_pids(server.pid)
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        for pid in [server.pid, *workers]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        server.wait(timeout=5)


def worker_pids(master: int) -> list[int]:
    """The gunicorn workers: processes whose parent is the master."""
    children = Path(f"/proc/{master}/task/{master}/children")
    if children.exists():
        return [int(p) for p in children.read_text().split()]
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            pids.append(int(stat.parent.name))
    return pids


def peak_rss_mb(pid: int) -> float:
    """VmHWM: the highest resident set size the process ever had."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def workers_peak_rss_mb(master: int) -> float:
    peaks = []
    for pid in worker_pids(master):
        try:
            peaks.append(peak_rss_mb(pid))
        except OSError:
            continue
    return max(peaks, default=0.0)


# --- the client -------------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # a redirect (e.g. to the login page) must show up as a failure


@dataclass
class _Form:
    action: str
    inputs: list[tuple[str, str, str]] = field(default_factory=list)  # name, type, value


class _FormParser(html.parser.HTMLParser):
    """Collects every form of a page with its named inputs."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[_Form] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(_Form(action=a.get("action", "")))
        elif tag == "input" and self.forms and a.get("name"):
            self.forms[-1].inputs.append((a["name"], a.get("type", "text"), a.get("value", "")))


class Client:
    """A cookie-keeping HTTP client for 127.0.0.1 only: no proxies, no redirects followed."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}),
            urllib.request.HTTPCookieProcessor(self.jar),
            _NoRedirect(),
        )

    def request(
        self, path: str, data: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body)
        if data is not None:
            req.add_header("Referer", self.base + path)
        try:
            with self.opener.open(req, timeout=HTTP_TIMEOUT) as resp:
                return resp.status, dict(resp.headers), resp.read()
        except urllib.error.HTTPError as err:  # 3xx/4xx/5xx
            return err.code, dict(err.headers), err.read()

    def login(self, username: str, password: str) -> None:
        """Fill the real allauth login form: hidden fields as rendered, login and password."""
        status, _, page = self.request("/konto/login/")
        if status != 200:
            raise RuntimeError(f"GET /konto/login/ answered {status}")
        parser = _FormParser()
        parser.feed(page.decode())
        form = next(f for f in parser.forms if any(t == "password" for _, t, _ in f.inputs))
        data: dict[str, str] = {}
        for name, kind, value in form.inputs:
            if kind == "password":
                data[name] = password
            elif kind == "hidden":
                data[name] = value
            elif kind in ("text", "email") and name in ("login", "username"):
                data[name] = username
        status, _, _ = self.request(form.action or "/konto/login/", data)
        if status != 302 or "sessionid" not in {c.name for c in self.jar}:
            raise RuntimeError(f"login as {username!r} failed (HTTP {status}, fields {list(data)})")


# --- measuring --------------------------------------------------------------------------------


@dataclass
class PageResult:
    persona: str
    page: str
    path: str
    requests: int
    median_ms: float
    p95_ms: float
    server_median_ms: float
    server_p95_ms: float
    queries_min: int
    queries_max: int
    worker_peak_rss_mb: float
    wall_ms: list[float] = field(repr=False)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (no interpolation): the value q% of requests did not exceed."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def measure_page(
    client: Client, persona: str, page: str, path: str, warmup: int, count: int, master: int
) -> PageResult:
    for _ in range(warmup):
        client.request(path)
    wall: list[float] = []
    server: list[float] = []
    queries: list[int] = []
    for _ in range(count):
        started = time.perf_counter()
        status, headers, _ = client.request(path)
        wall.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise RuntimeError(f"{path} answered {status} for {persona}")
        queries.append(int(headers["X-Query-Count"]))
        server.append(float(headers["X-Server-Time-ms"]))
    return PageResult(
        persona=persona,
        page=page,
        path=path,
        requests=count,
        median_ms=statistics.median(wall),
        p95_ms=percentile(wall, 95),
        server_median_ms=statistics.median(server),
        server_p95_ms=percentile(server, 95),
        queries_min=min(queries),
        queries_max=max(queries),
        worker_peak_rss_mb=workers_peak_rss_mb(master),
        wall_ms=[round(w, 3) for w in wall],
    )


# --- reporting --------------------------------------------------------------------------------


def queries_text(r: PageResult) -> str:
    return (
        str(r.queries_max) if r.queries_min == r.queries_max else f"{r.queries_min}–{r.queries_max}"
    )


def print_table(results: list[PageResult]) -> None:
    header = (
        "persona",
        "page",
        "median ms",
        "p95 ms",
        "server med/p95 ms",
        "queries/request",
        "worker peak RSS MB",
    )
    rows = [
        (
            r.persona,
            r.page,
            f"{r.median_ms:.1f}",
            f"{r.p95_ms:.1f}",
            f"{r.server_median_ms:.1f} / {r.server_p95_ms:.1f}",
            queries_text(r),
            f"{r.worker_peak_rss_mb:.1f}",
        )
        for r in results
    ]
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(f"{cell:<{w}}" for cell, w in zip(row, widths, strict=True)).rstrip())


def check_targets(results: list[PageResult], kreise: int) -> list[dict[str, object]]:
    checks: list[dict[str, object]] = []
    for r in results:
        if r.page == "start":
            checks.append(
                {
                    "target": f"{r.persona} start page p95 ≤ {TARGET_START_P95_MS:.0f} ms",
                    "value": round(r.p95_ms, 1),
                    "ok": r.p95_ms <= TARGET_START_P95_MS,
                }
            )
            checks.append(
                {
                    "target": f"{r.persona} start page ≤ {TARGET_START_QUERIES} queries",
                    "value": r.queries_max,
                    "ok": r.queries_max <= TARGET_START_QUERIES,
                }
            )
    rss = max((r.worker_peak_rss_mb for r in results), default=0.0)
    checks.append(
        {
            "target": f"worker peak RSS ≤ {TARGET_WORKER_RSS_MB:.0f} MB",
            "value": round(rss, 1),
            "ok": rss <= TARGET_WORKER_RSS_MB,
        }
    )
    print(f"\nTargets (issue: at 50 Kreise; this run: {kreise} Kreise)")
    for c in checks:
        print(f"  {'PASS' if c['ok'] else 'FAIL'}  {c['target']}  (measured {c['value']})")
    return checks


def write_json(payload: dict[str, object]) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = RESULTS_DIR / f"bench-{stamp}.json"
    text = json.dumps(payload, indent=2, ensure_ascii=False)
    path.write_text(text, encoding="utf-8")
    (RESULTS_DIR / "latest.json").write_text(text, encoding="utf-8")
    return path


# --- main -------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Benchmark the start page and organisation list.")
    parser.add_argument("--kreise", type=int, default=50, help="extra Kreise (default 50)")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests per page first")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument(
        "--persona",
        action="append",
        help="demo persona to log in as (repeatable; default koordination)",
    )
    parser.add_argument(
        "--reuse-db", action="store_true", help="reuse var/bench/kreise-N if already seeded"
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 if a target fails")
    parser.add_argument(
        "--runs", type=int, default=50, help="programmes: runs per allocation (default 50)"
    )
    parser.add_argument(
        "--forecast-runs",
        type=int,
        default=5,
        help="programmes: runs per 1,500-post forecast (default 5)",
    )
    parser.add_argument(
        "--skip-programmes",
        action="store_true",
        help="only start page and organisation list (no overview, allocation, forecast)",
    )
    parser.add_argument(
        "--skip-partners",
        action="store_true",
        help="no deadlines view and talk log at state scale (benchmarks/partners.py)",
    )
    parser.add_argument(
        "--skip-council",
        action="store_true",
        help="no council report and OParl paper list (benchmarks/council.py)",
    )
    parser.add_argument(
        "--skip-cases",
        action="store_true",
        help="no work list, case list and search at 200,000 cases (benchmarks/cases.py)",
    )
    parser.add_argument(
        "--skip-screening",
        action="store_true",
        help="no Baustein-3 batch screening and XLSX upload (benchmarks/screening.py)",
    )
    parser.add_argument(
        "--skip-cluster",
        action="store_true",
        help="no node-1-vs-node-2 latency and worker throughput (benchmarks/cluster.py)",
    )
    parser.add_argument(
        "--database",
        choices=["auto", "postgresql", "sqlite"],
        help=f"default auto: PostgreSQL when available (or {DATABASE_CHOICE})",
    )
    args = parser.parse_args(argv)
    if args.database:
        os.environ[DATABASE_CHOICE] = args.database
    if min(args.requests, args.runs, args.forecast_runs) < 1 or args.kreise < 0 or args.warmup < 0:
        parser.error("--requests, --runs, --forecast-runs must be ≥ 1, --kreise and --warmup ≥ 0")
    return args


def _programmes() -> Any:
    """``benchmarks.programmes`` (imports this harness, hence imported late)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from benchmarks import programmes

    return programmes


def _partners() -> Any:
    """``benchmarks.partners`` (imports this harness, hence imported late)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from benchmarks import partners

    return partners


def _council() -> Any:
    """``benchmarks.council`` (imports this harness, hence imported late)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from benchmarks import council

    return council


def _cases() -> Any:
    """``benchmarks.cases`` (imports this harness, hence imported late)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from benchmarks import cases

    return cases


def _run_cases(args: argparse.Namespace) -> tuple[dict[str, object], list[dict[str, object]]]:
    """The case-management benchmark (unless ``--skip-cases``): its results and checks."""
    if args.skip_cases:
        return {}, []
    print("\nCase management: work list, case list and name search at 200,000 cases")
    summary, pages, checks = _cases().run_all(
        requests=args.requests,
        slow_requests=20,
        warmup=args.warmup,
        workers=args.workers,
        reuse=args.reuse_db,
    )
    return {**summary, "pages": [asdict(r) for r in pages]}, checks


def _run_screening(args: argparse.Namespace) -> tuple[dict[str, object], list[dict[str, object]]]:
    """The screening benchmark (unless ``--skip-screening``): its results and checks."""
    if args.skip_screening:
        return {}, []
    print("\nScreening: 10,000 persons in process and a 10,000-row XLSX upload")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from benchmarks import screening

    summary, checks = screening.run_all(reuse=args.reuse_db)
    return summary, checks


def _run_cluster(args: argparse.Namespace) -> tuple[dict[str, object], list[dict[str, object]]]:
    """The cluster benchmark (unless ``--skip-cluster``): its results and checks."""
    if args.skip_cluster:
        return {}, []
    print("\nCluster: start page and case list through node 1 and node 2, kim worker's throughput")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from benchmarks import cluster

    summary, checks = cluster.run_all(
        requests=args.requests, warmup=args.warmup, reuse=args.reuse_db
    )
    return summary, checks


def run(args: argparse.Namespace) -> int:
    personas: list[str] = args.persona or ["koordination"]
    programmes = None if args.skip_programmes else _programmes()
    var_dir = ROOT / "var" / "bench" / f"kreise-{args.kreise}"
    print_database()
    print(f"Seeding {args.kreise} extra Kreise into {describe_database(var_dir)}")
    seed_seconds = prepare_database(var_dir, args.kreise, args.reuse_db)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    print(f"Serving with gunicorn on {base}")
    server = start_gunicorn(var_dir, port, args.workers)
    results: list[PageResult] = []
    load_before = os.getloadavg()
    try:
        wait_until_ready(server, base)
        for persona in personas:
            client = Client(base)
            client.login(persona, DEMO_PASSWORD)
            for page, path in PAGES.items():
                print(f"  {persona}: {path}  ({args.warmup} warm-up + {args.requests} timed)")
                results.append(
                    measure_page(
                        client, persona, page, path, args.warmup, args.requests, server.pid
                    )
                )
            if programmes is not None:
                overview = programmes.measure_overview(
                    client, persona, args.warmup, args.requests, server.pid
                )
                if overview is not None:
                    results.append(overview)
    finally:
        stop_gunicorn(server)
    timings = []
    if programmes is not None:
        print("In-process measurements (allocation, forecast)")
        timings = programmes.measure_in_process(var_dir, args.runs, args.forecast_runs)
    print(
        f"\n{args.kreise} extra Kreise, {args.workers} gunicorn sync workers, {os.cpu_count()} "
        f"CPUs; {args.requests} sequential requests per page after {args.warmup} warm-up.\n"
        "median/p95 = client wall time over loopback (request sent → body read); "
        "server = X-Server-Time-ms (inside Django).\n"
        f"Load average (1 min) before/after: {load_before[0]:.2f} / {os.getloadavg()[0]:.2f} "
        "– other processes on the machine widen the p95.\n"
    )
    print_table(results)
    checks = check_targets(results, args.kreise)
    if programmes is not None:
        programmes.report(timings)
        checks += programmes.check_targets(timings, results)
    cooperation: dict[str, object] = {}
    if not args.skip_partners:
        print("\nCooperation: deadlines view and talk log at state scale")
        partners = _partners()
        pages, described, partner_checks = partners.run_all(
            personas=partners.PERSONAS,
            requests=args.requests,
            slow_requests=20,
            warmup=args.warmup,
            workers=args.workers,
            reuse=args.reuse_db,
        )
        checks += partner_checks
        cooperation = {"described": described, "pages": [asdict(r) for r in pages]}
    council_results: dict[str, object] = {}
    if not args.skip_council:
        print("\nCouncil: the demo report (in process) and the OParl paper list at 10,000 papers")
        council = _council()
        council_results, _pages, council_checks = council.run_all(
            runs=council.DEFAULT_RUNS,
            scaled_runs=council.DEFAULT_SCALED_RUNS,
            requests=args.requests,
            warmup=args.warmup,
            workers=args.workers,
            reuse=args.reuse_db,
        )
        checks += council_checks
    case_results, case_checks = _run_cases(args)
    checks += case_checks
    screening_results, screening_checks = _run_screening(args)
    checks += screening_checks
    cluster_results, cluster_checks = _run_cluster(args)
    checks += cluster_checks
    payload: dict[str, object] = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "loadavg_1min_before": round(load_before[0], 2),
            "loadavg_1min_after": round(os.getloadavg()[0], 2),
        },
        "config": {
            "kreise": args.kreise,
            "requests": args.requests,
            "warmup": args.warmup,
            "workers": args.workers,
            "personas": personas,
            "allocation_runs": args.runs,
            "forecast_runs": args.forecast_runs,
            "seed_seconds": round(seed_seconds, 1) if seed_seconds is not None else None,
            "database": database_kind(),
        },
        "results": [asdict(r) for r in results],
        "programmes": [asdict(t) for t in timings],
        "partners": cooperation,
        "council": council_results,
        "cases": case_results,
        "screening": screening_results,
        "cluster": cluster_results,
        "targets": checks,
    }
    print(f"\nResults written to {write_json(payload).relative_to(ROOT)}")
    if args.strict and not all(c["ok"] for c in checks):
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    return run(parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
