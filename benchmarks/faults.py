"""Faults under load (issue 16, item 3): crash things while signed-in people work, then count
what was lost.

    .venv/bin/python benchmarks/faults.py --scale small [--format json] [--fresh]

1. **A private PostgreSQL** (never the shared server on 5432): Debian's ``initdb`` and
   ``pg_ctl`` (``/usr/lib/postgresql/<version>/bin``) with the data under ``var/faults/pg`` on a
   free loopback port, run as user ``postgres`` (``runuser``) when started as root; roles
   ``kim`` (password ``kim``, ``CREATEDB``) and ``kim_system`` (``NOLOGIN BYPASSRLS``, granted
   to ``kim``) as ``tools/ensure-postgres.sh`` makes them. Stopped at the end.
2. **The cluster** (``start_cluster``): the state-scale seed of ``benchmarks/statescale.py``
   when that module exists, else the demo world of ``tools/cluster.py`` – Redis, two gunicorn
   nodes, one ``kim worker`` (``KIM_TASK_STALE_SECONDS=5``).
3. **The load**: a few threads, each one signed-in persona (``cm-siegen``, ``cm-kreuztal``,
   ``koordination`` …, password ``demo``) with its own cookie jar, reading pages and writing –
   case managers add notes (activities) and tasks to their cases, each with a unique marker
   in its text or title. The threads pick the nodes in turn like a load balancer; a node that
   refuses the connection (it is down, the request never left) is skipped for two seconds and
   the request goes to the other, as nginx does. Bounded: think time 0.2 s, at most 15 minutes
   and 50,000 requests.
4. **The faults**, one after the other while the load runs:
   ``database_restart`` (stop PostgreSQL, 5 s outage, start: requests in between must get the
   German 503 page, never a 500; both nodes must serve again ≤ 10 s after the database is
   back), ``gunicorn_worker_killed`` (SIGKILL to one gunicorn worker of node 1),
   ``node_killed`` (SIGKILL to node 1's process group; node 2 goes on; node 1 is started
   again), ``kim_worker_killed`` (SIGKILL to ``kim worker`` during a 6,000-person screening
   batch; a new worker finishes it: every row once, one "list screened" event),
   ``redis_stopped`` (pages go on; a sign-in is refused with the German message; after the
   restart sign-in works), ``storage_full`` and ``storage_read_only`` (a 1 MB tmpfs over the
   shared media folder, filled up, then remounted read-only: an upload is refused with the
   German message next to the field and leaves no row; needs root, otherwise "not run").
5. **The count** (a Django child with the cluster's environment, under ``system_access``):
   *lost writes* – a write whose response said it succeeded (302 back to the case) but whose
   marker is not in the database; *half writes* – a note, task or document written since the
   start without its audit event, an audit event of those kinds without its row, or a
   document row whose file is missing. Then ``kim audit verify``.

``--format json`` prints only the issue's shape
``{"faults": [{"name", "requests", "errors_during", "recovered_s", "lost_writes",
"half_writes", "ok"}], "ok"}``. The whole report – with ``detail``, one line per fault on what
was seen – goes to ``benchmarks/results/faults-<time>.json`` either way.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import errno
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "benchmarks" / "results"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.cluster.client import Client, Response, form_for  # noqa: E402
from tools import cluster as cluster_tool  # noqa: E402
from tools.cluster import VENV_BIN, Cluster, free_port  # noqa: E402

FAULTS_DIR = ROOT / "var" / "faults"
PASSWORD = "demo"
CODE = r"[a-z2-7]{16}"
THINK_TIME = 0.2
MAX_SECONDS = 900.0  # the load stops by itself after this long …
MAX_REQUESTS = 50_000  # … or this many requests
REQUEST_TIMEOUT = 15.0
RECOVERY_LIMIT = 10.0  # seconds: nodes serve again after the database is back
BATCH_ROWS = 6_000
BATCH_TIMEOUT = 240.0
SCALES = ("small", "kreis")
GERMAN_DB_503 = "Die Datenbank ist gerade nicht erreichbar"
GERMAN_LOGIN_503 = "Die Anmeldung ist gerade nicht möglich"
GERMAN_STORAGE = "Der Dateispeicher ist voll oder nicht beschreibbar"
PERSONAS = {
    "small": ("cm-siegen", "cm-siegen", "cm-kreuztal", "koordination"),
    "kreis": ("cm-siegen", "cm-siegen", "cm-kreuztal", "cm-kreuztal", "koordination", "siegen"),
}
# What personas without cases of their own read (coordination, programme leads).
OTHER_PAGES = ("/partner/gespraeche/", "/organisationen/", "/programm/")
PDF = b"%PDF-1.4\n" + b"0" * 2048 + b"\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def say(message: str) -> None:
    print(f"[faults] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# 1. A private PostgreSQL instance
# --------------------------------------------------------------------------------------------


def _pg_bin() -> Path:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not versions:
        raise SystemExit("PostgreSQL server binaries not found (Debian package postgresql)")
    return versions[-1].parent


@dataclass
class PrivatePostgres:
    """One PostgreSQL cluster of our own under ``directory`` (data, socket, log)."""

    directory: Path
    port: int
    bin: Path = field(default_factory=_pg_bin)

    @property
    def data(self) -> Path:
        return self.directory / "data"

    @property
    def socket_dir(self) -> Path:
        return self.directory / "run"

    @property
    def url(self) -> str:
        return f"postgres://kim:kim@127.0.0.1:{self.port}/postgres"

    def _as_postgres(self, args: list[str]) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args

    def _run(self, args: list[str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self._as_postgres(args), capture_output=True, text=True, timeout=timeout, check=False
        )

    def init(self) -> None:
        if (self.data / "PG_VERSION").exists():
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        self.socket_dir.mkdir(exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
            shutil.chown(self.socket_dir, "postgres", "postgres")
        done = self._run(
            [
                str(self.bin / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ]
        )
        if done.returncode != 0:
            raise SystemExit(f"initdb failed:\n{done.stdout}{done.stderr}")

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1 "
            "-c max_connections=100 -c shared_buffers=64MB"
        )
        done = self._run(
            [
                str(self.bin / "pg_ctl"),
                "-D",
                str(self.data),
                "-l",
                str(self.directory / "postgres.log"),
                "-w",
                "-t",
                "60",
                "-o",
                options,
                "start",
            ]
        )
        if done.returncode != 0:
            log = cluster_tool.tail(self.directory / "postgres.log")
            raise SystemExit(f"pg_ctl start failed:\n{done.stdout}{done.stderr}\n{log}")

    def stop(self) -> None:
        self._run([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"])

    def running(self) -> bool:
        status = self._run([str(self.bin / "pg_ctl"), "-D", str(self.data), "status"])
        return status.returncode == 0

    def psql(self, sql: str) -> str:
        done = self._run(
            [
                str(self.bin / "psql"),
                "-h",
                str(self.socket_dir),
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-d",
                "postgres",
                "-tAqc",
                sql,
            ]
        )
        if done.returncode != 0:
            raise SystemExit(f"psql failed on {sql!r}:\n{done.stderr}")
        return done.stdout.strip()

    def ensure_roles(self) -> None:
        """Like tools/ensure-postgres.sh: kim (LOGIN, CREATEDB) and kim_system (BYPASSRLS)."""
        if self.psql("SELECT 1 FROM pg_roles WHERE rolname='kim'") != "1":
            self.psql("CREATE ROLE kim LOGIN PASSWORD 'kim' CREATEDB")
        if self.psql("SELECT 1 FROM pg_roles WHERE rolname='kim_system'") != "1":
            self.psql("CREATE ROLE kim_system NOLOGIN BYPASSRLS")
        self.psql("GRANT kim_system TO kim")


# --------------------------------------------------------------------------------------------
# 2. The cluster: the state-scale seed when there is one, else the demo world
# --------------------------------------------------------------------------------------------


def start_cluster(scale: str, server_url: str, **kwargs: Any) -> Cluster:
    """A seeded, prepared (not started) cluster on ``server_url`` (the private server):
    ``benchmarks.statescale``'s ``ensure_seeded`` + ``cluster_for``, with keys and markers in
    ``var/faults/statescale-<scale>/``. ``kwargs`` go to ``Cluster`` (ports, extra_env)."""
    from benchmarks import statescale

    seeded = statescale.ensure_seeded(
        scale, server_url=server_url, progress=say, directory=FAULTS_DIR / f"statescale-{scale}"
    )
    return statescale.cluster_for(seeded, **kwargs)


# --------------------------------------------------------------------------------------------
# 3. The load
# --------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    started: float
    phase: str
    node: str
    what: str
    status: int  # 0: no answer (connection reset, timeout)
    ok: bool
    german_503: bool = False


@dataclass
class Write:
    marker: str
    kind: str  # "activity" | "task" | "document"
    phase: str
    succeeded: bool


class Balancer:
    """Round robin over the nodes; a node that refuses connections is skipped for 2 s."""

    def __init__(self, nodes: list[str]) -> None:
        self.nodes = nodes
        self.down_until = dict.fromkeys(nodes, 0.0)
        self.turn = 0
        self.lock = threading.Lock()

    def order(self) -> list[str]:
        with self.lock:
            self.turn += 1
            start = self.turn % len(self.nodes)
        rotated = self.nodes[start:] + self.nodes[:start]
        now = time.monotonic()
        return sorted(rotated, key=lambda n: self.down_until[n] > now)

    def refused(self, node: str) -> None:
        self.down_until[node] = time.monotonic() + 2.0


class Load:
    """The persona threads and everything they saw."""

    def __init__(self, nodes: list[str], personas: tuple[str, ...], run_id: str) -> None:
        self.balancer = Balancer(nodes)
        self.personas = personas
        self.run_id = run_id
        self.phase = "warm-up"
        self.stop = threading.Event()
        self.outcomes: list[Outcome] = []
        self.writes: list[Write] = []
        self.lock = threading.Lock()
        self.threads: list[threading.Thread] = []
        self.counter = 0
        self.setup_errors: list[str] = []
        self.started = time.monotonic()

    # -- requests through the balancer

    def send(
        self, browser: Client, path: str, what: str, data: dict[str, str] | None = None
    ) -> Response | None:
        started, phase = time.monotonic(), self.phase
        for node in self.balancer.order():
            try:
                response = browser.request(node, path, data)
            except ConnectionRefusedError:
                self.balancer.refused(node)  # never sent: the balancer tries the next node
                continue
            except OSError:  # reset, timeout, remote closed: an in-flight request lost
                self._note(Outcome(started, phase, node, what, 0, False))
                return None
            ok = response.status < 400 and "/konto/login/" not in response.location
            german = response.status == 503 and (
                GERMAN_DB_503 in response.text or GERMAN_LOGIN_503 in response.text
            )
            self._note(Outcome(started, phase, node, what, response.status, ok, german))
            return response
        self._note(Outcome(started, phase, "-", what, 0, False))
        return None

    def _note(self, outcome: Outcome) -> None:
        with self.lock:
            self.outcomes.append(outcome)

    def marker(self) -> str:
        with self.lock:
            self.counter += 1
            return f"faults-{self.run_id}-{self.counter:05d}"

    # -- the personas

    def start(self) -> None:
        for index, username in enumerate(self.personas):
            thread = threading.Thread(
                target=self._persona, args=(username, index), name=username, daemon=True
            )
            self.threads.append(thread)
            thread.start()

    def exhausted(self) -> bool:
        """The load's own bounds: it stops by itself after these, whatever the faults do."""
        with self.lock:
            count = len(self.outcomes)
        return count >= MAX_REQUESTS or time.monotonic() - self.started > MAX_SECONDS

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=REQUEST_TIMEOUT + 5)

    def _persona(self, username: str, index: int) -> None:
        rng = random.Random(index)
        browser = Client()
        node = self.balancer.nodes[index % len(self.balancer.nodes)]
        try:
            if browser.login(node, username, PASSWORD).status != 302:
                raise RuntimeError("login refused")
            cases = self._cases(browser, node)
        except Exception as exc:
            self.setup_errors.append(f"{username}: {exc}")
            return
        while not self.stop.is_set() and not self.exhausted():
            choice = rng.random()
            if cases and choice < 0.25:
                self._write_activity(browser, rng.choice(cases))
            elif cases and choice < 0.40:
                self._write_task(browser, rng.choice(cases))
            elif cases and choice < 0.70:
                self.send(browser, f"/fallmanagement/faelle/{rng.choice(cases)}/", "case")
            elif cases and choice < 0.85:
                self.send(browser, "/fallmanagement/faelle/", "case_list")
            elif not cases and choice < 0.5:
                self.send(browser, rng.choice(OTHER_PAGES), "other_page")
            else:
                self.send(browser, "/", "start")
            self.stop.wait(THINK_TIME)

    def _cases(self, browser: Client, node: str) -> list[str]:
        """Up to three cases the persona may add notes and tasks to."""
        listing = browser.get(node, "/fallmanagement/faelle/")
        if listing.status != 200:
            return []
        found = []
        for code in dict.fromkeys(re.findall(rf"/fallmanagement/faelle/({CODE})/", listing.text)):
            page = browser.get(node, f"/fallmanagement/faelle/{code}/").text
            if f"/{code}/aktivitaeten/neu/" in page and f"/{code}/aufgaben/neu/" in page:
                found.append(code)
            if len(found) == 3:
                break
        return found

    def _write(self, browser: Client, what: str, path: str, **values: str) -> None:
        page = self.send(browser, path, f"{what}_form")
        if page is None or page.status != 200:
            return
        try:
            form = form_for(page.text, re.escape(path), path)
        except AssertionError:
            return
        marker = values.pop("marker")
        phase = self.phase
        response = self.send(browser, form.action or path, what, form.values(**values))
        succeeded = (
            response is not None
            and response.status == 302
            and re.search(rf"/fallmanagement/faelle/{CODE}/(#[a-z-]+)?$", response.location)
            is not None
        )
        with self.lock:
            self.writes.append(Write(marker, what, phase, succeeded))

    def _write_activity(self, browser: Client, case: str) -> None:
        marker = self.marker()
        when = (dt.datetime.now() - dt.timedelta(minutes=5)).strftime("%d.%m.%Y %H:%M")
        self._write(
            browser,
            "activity",
            f"/fallmanagement/faelle/{case}/aktivitaeten/neu/",
            marker=marker,
            kind="note",
            occurred_at=when,
            text=f"Lastprobe {marker}",
        )

    def _write_task(self, browser: Client, case: str) -> None:
        marker = self.marker()
        due = (dt.date.today() + dt.timedelta(days=14)).strftime("%d.%m.%Y")
        self._write(
            browser,
            "task",
            f"/fallmanagement/faelle/{case}/aufgaben/neu/",
            marker=marker,
            title=f"Lastprobe {marker}",
            due_on=due,
        )

    # -- figures per phase

    def window(self, phase: str) -> list[Outcome]:
        with self.lock:
            return [o for o in self.outcomes if o.phase == phase]


# --------------------------------------------------------------------------------------------
# 4. The faults
# --------------------------------------------------------------------------------------------


@dataclass
class FaultResult:
    name: str
    requests: int = 0
    errors_during: int = 0
    recovered_s: float = 0.0
    lost_writes: int = 0
    half_writes: int = 0
    ok: bool = False
    detail: str = ""
    failures: str = ""  # the failed requests by status
    checks: list[bool] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "requests": self.requests,
            "errors_during": self.errors_during,
            "recovered_s": round(self.recovered_s, 2),
            "lost_writes": self.lost_writes,
            "half_writes": self.half_writes,
            "ok": self.ok,
            "detail": self.detail + (f"; failed: {self.failures}" if self.failures else ""),
        }


def wait_until(check: Callable[[], bool], timeout: float, step: float = 0.2) -> float | None:
    """Seconds until ``check()`` holds, or None after ``timeout``."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        with contextlib.suppress(OSError):
            if check():
                return time.monotonic() - started
        time.sleep(step)
    return None


class Run:
    def __init__(self, cluster: Cluster, pg: PrivatePostgres, load: Load) -> None:
        self.cluster, self.pg, self.load = cluster, pg, load
        self.results: list[FaultResult] = []
        self.probe = Client()

    def nodes(self) -> list[str]:
        return self.cluster.node_urls

    def serves(self, node: str) -> bool:
        response = self.probe.get(node, "/")  # koordination's start page: session + queries
        return response.status == 200

    def phase(self, name: str) -> FaultResult:
        self.load.phase = name
        result = FaultResult(name)
        self.results.append(result)
        say(f"fault: {name}")
        return result

    def close(self, result: FaultResult, settle: float = 3.0) -> None:
        time.sleep(settle)  # the load goes on a little after the recovery
        window = self.load.window(result.name)
        result.requests = len(window)
        result.errors_during = sum(not o.ok for o in window)
        by_status = Counter(o.status for o in window if not o.ok)
        result.failures = ", ".join(
            f"{count}× {status or 'no answer'}" for status, count in sorted(by_status.items())
        )

    # -- database restart

    def database_restart(self) -> None:
        result = self.phase("database_restart")
        time.sleep(2)
        self.pg.stop()
        down_at = time.monotonic()
        time.sleep(5)
        self.pg.start()
        up = time.monotonic()
        recovered = [wait_until(lambda n=n: self.serves(n), 60) for n in self.nodes()]
        result.recovered_s = max((r if r is not None else 60.0) for r in recovered)
        self.close(result)
        window = self.load.window(result.name)
        failed = [o for o in window if not o.ok]
        five_hundreds = sum(o.status == 500 for o in failed)
        not_german = sum(o.status == 503 and not o.german_503 for o in failed)
        worker_alive = self.cluster.processes["worker"].poll() is None
        if not worker_alive:
            self.cluster.processes.pop("worker")
            self.cluster.start_worker()
        result.checks = [
            result.recovered_s <= RECOVERY_LIMIT,
            five_hundreds == 0,
            not_german == 0,
            any(o.german_503 for o in failed),
            worker_alive,
        ]
        result.detail = (
            f"outage {up - down_at:.1f} s; failed requests: {len(failed)} "
            f"({sum(o.german_503 for o in failed)} German 503, {five_hundreds} with 500, "
            f"{sum(o.status == 0 for o in failed)} without answer); "
            f"kim worker {'survived' if worker_alive else 'died and was restarted'}"
        )

    # -- gunicorn worker, then the whole node

    def _gunicorn_workers(self, name: str) -> list[int]:
        master = self.cluster.processes[name].pid
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, ValueError, IndexError):
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == master:
                    children.append(int(stat.parent.name))
        return children

    def gunicorn_worker_killed(self) -> None:
        result = self.phase("gunicorn_worker_killed")
        time.sleep(2)
        workers = self._gunicorn_workers("node1")
        os.kill(workers[0], signal.SIGKILL)
        killed = time.monotonic()
        replaced = wait_until(
            lambda: len(set(self._gunicorn_workers("node1")) - {workers[0]}) >= len(workers), 30
        )
        result.recovered_s = replaced if replaced is not None else time.monotonic() - killed
        self.close(result)
        errors = result.errors_during if result.requests else 0
        result.checks = [replaced is not None, errors <= len(self.load.personas)]
        result.detail = (
            f"SIGKILL to worker {workers[0]} of node 1; the master replaced it in "
            f"{result.recovered_s:.1f} s; failed requests {errors} (at most one in flight per "
            f"persona: {len(self.load.personas)})"
        )

    def node_killed(self) -> None:
        result = self.phase("node_killed")
        time.sleep(2)
        self.cluster.kill("node1")
        time.sleep(5)
        self.cluster.start_node(0)
        started = time.monotonic()
        back = wait_until(lambda: cluster_tool.node_ready(self.nodes()[0]), 90, 0.5)
        result.recovered_s = back if back is not None else time.monotonic() - started
        self.close(result)
        window = self.load.window(result.name)
        second = [o for o in window if o.node == self.nodes()[1]]
        second_failed = sum(not o.ok for o in second)
        result.checks = [
            back is not None,
            result.errors_during <= len(self.load.personas),
            len(second) > 0,
        ]
        result.detail = (
            f"node 1 killed for 5 s; node 2 answered {len(second)} requests ({second_failed} "
            f"failed); failed requests {result.errors_during} (in flight); node 1 ready again "
            f"{result.recovered_s:.1f} s after its start"
        )

    # -- kim worker during a screening batch

    def kim_worker_killed(self) -> None:
        result = self.phase("kim_worker_killed")
        officer = Client()
        node = self.nodes()[1]
        if officer.login(node, "abh", PASSWORD).status != 302:
            result.detail = "abh could not sign in"
            self.close(result, 0)
            return
        code = upload_list(officer, node, BATCH_ROWS, f"Fehlerprobe {self.load.run_id}")
        mid = wait_until(lambda: 0 < list_progress(self.cluster, code)[1] < BATCH_ROWS, 120, 0.05)
        screened_at_kill = list_progress(self.cluster, code)[1]
        self.cluster.kill("worker")
        self.cluster.start_worker()
        restarted = time.monotonic()
        done = wait_until(lambda: list_progress(self.cluster, code)[0] == "done", BATCH_TIMEOUT)
        result.recovered_s = done if done is not None else time.monotonic() - restarted
        self.close(result, 1)
        ((entries, distinct, unscreened),) = query(
            self.cluster,
            "SELECT count(*), count(DISTINCT e.row), count(*) FILTER (WHERE e.rank IS NULL) "
            "FROM screening_screeningentry e JOIN screening_screeninglist l "
            "ON l.id = e.screening_list_id WHERE l.code = %s",
            (code,),
        )
        ((finished,),) = query(
            self.cluster,
            "SELECT count(*) FROM audit_auditevent WHERE event_type = %s AND subject_code = %s",
            ("screening.list_screened", code),
        )
        duplicates = entries - distinct
        result.half_writes += duplicates + abs(finished - 1) if done is not None else 0
        result.checks = [
            mid is not None,
            done is not None,
            (entries, distinct, unscreened) == (BATCH_ROWS, BATCH_ROWS, 0),
            finished == 1,
        ]
        result.detail = (
            f"{BATCH_ROWS} persons; worker killed at {screened_at_kill} screened; the new worker "
            f"finished after {result.recovered_s:.1f} s; entries {entries}, distinct rows "
            f"{distinct}, duplicates {duplicates}, unscreened {unscreened}, "
            f"'list screened' events {finished}"
        )

    # -- Redis

    def redis_stopped(self) -> None:
        result = self.phase("redis_stopped")
        time.sleep(2)
        self.cluster.kill("redis")
        time.sleep(3)
        browsers = [Client() for _ in self.nodes()]
        refused = [
            b.login(n, "siegen", PASSWORD) for b, n in zip(browsers, self.nodes(), strict=True)
        ]
        closed = all(
            r.status == 503 and GERMAN_LOGIN_503 in r.text and "sessionid" not in b.cookies
            for r, b in zip(refused, browsers, strict=True)
        )
        time.sleep(3)
        self.cluster.start_redis()
        back = time.monotonic()
        works = wait_until(
            lambda: Client().login(self.nodes()[0], "siegen", PASSWORD).status == 302, 30, 0.5
        )
        result.recovered_s = works if works is not None else time.monotonic() - back
        self.close(result)
        result.checks = [closed, works is not None, result.errors_during == 0]
        result.detail = (
            f"sign-in while Redis was away: {[r.status for r in refused]} "
            f"({'refused with the German message' if closed else 'NOT refused as expected'}); "
            f"signed-in pages failed {result.errors_during} times; sign-in works again "
            f"{result.recovered_s:.1f} s after the restart"
        )

    # -- file storage

    def storage(self) -> None:
        media = self.cluster.media_root
        reason = ""
        if os.geteuid() != 0 or shutil.which("mount") is None:
            reason = "needs root to mount a small tmpfs"
        for name in ("storage_full", "storage_read_only"):
            if reason:
                result = self.phase(name)
                result.checks, result.ok = [True], True
                result.detail = f"not run: {reason}"
        if reason:
            return
        browser = Client()
        node = self.nodes()[0]
        browser.login(node, "cm-siegen", PASSWORD)
        case = self.load_case(browser, node)
        with tmpfs(media, "1m"):
            full = self.phase("storage_full")
            fill(media / "filler")
            refused_full = self.upload(browser, node, case, full.name)
            self.close(full, 1)
            ro = self.phase("storage_read_only")
            (media / "filler").unlink()
            subprocess.run(["mount", "-o", "remount,ro", str(media)], check=True)
            refused_ro = self.upload(browser, node, case, ro.name)
        back = time.monotonic()
        stored = self.upload(browser, node, case, ro.name)
        ro.recovered_s = time.monotonic() - back
        full.recovered_s = ro.recovered_s
        self.close(ro, 1)
        full.checks = [refused_full == "refused"]
        ro.checks = [refused_ro == "refused", stored == "stored"]
        full.detail = f"upload on a full 1 MB tmpfs: {refused_full}"
        ro.detail = f"upload on the read-only tmpfs: {refused_ro}; after unmounting: {stored}"

    def load_case(self, browser: Client, node: str) -> str:
        listing = browser.get(node, "/fallmanagement/faelle/").text
        for code in dict.fromkeys(re.findall(rf"/fallmanagement/faelle/({CODE})/", listing)):
            if (
                f"/{code}/dokumente/neu/"
                in browser.get(node, f"/fallmanagement/faelle/{code}/").text
            ):
                return code
        raise RuntimeError("cm-siegen has no case that takes documents")

    def upload(self, browser: Client, node: str, case: str, phase: str) -> str:
        """'refused' (the German message next to the field), 'stored' or what happened."""
        marker = self.load.marker()
        path = f"/fallmanagement/faelle/{case}/dokumente/neu/"
        response = browser.submit(
            node,
            path,
            re.escape(path),
            files={"file": (f"{marker}.pdf", PDF, "application/pdf")},
            doc_type="notice",
        )
        stored = response.status == 302
        with self.load.lock:
            self.load.writes.append(Write(marker, "document", phase, stored))
        if stored:
            return "stored"
        if response.status == 200 and GERMAN_STORAGE in response.text:
            return "refused"
        return f"status {response.status}"


@contextlib.contextmanager
def tmpfs(target: Path, size: str) -> Iterator[None]:
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(target)],
        check=True,
    )
    try:
        yield
    finally:
        subprocess.run(["umount", "-l", str(target)], check=False)


def unmount(target: Path) -> None:
    """Lazy unmount; nothing happens when nothing is mounted there."""
    if os.path.ismount(target):
        subprocess.run(["umount", "-l", str(target)], check=False)


def fill(path: Path) -> None:
    with path.open("wb", buffering=0) as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
        except OSError as exc:
            if exc.errno != errno.ENOSPC:
                raise


# --------------------------------------------------------------------------------------------
# Database helpers (psycopg as the system role, like tests/cluster/conftest.py)
# --------------------------------------------------------------------------------------------


def query(cluster: Cluster, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(cluster.database_url, autocommit=True, connect_timeout=5) as conn:
        conn.execute("SET ROLE kim_system")
        return list(conn.execute(sql, params).fetchall())  # type: ignore[arg-type]


def list_progress(cluster: Cluster, code: str) -> tuple[str, int, int]:
    rows = query(
        cluster,
        "SELECT status, screened, total FROM screening_screeninglist WHERE code = %s",
        (code,),
    )
    return rows[0] if rows else ("missing", 0, 0)  # type: ignore[return-value]


HEADER = (
    "Aktenzeichen;Name;Geburtsdatum;Deutsch mündlich;Deutsch;Test;FDGO;Lebensunterhalt;"
    "Identität geklärt;Identitätstäuschung;Tagessätze;Kinder besuchen Schule;Status 1;von 1;"
    "Schuljahre;In Ausbildung"
)


def _person_line(i: int) -> str:
    if i % 3 == 0:
        return (
            f"AZ-{i:05d};Person {i};01.01.1985;B1;B1;leben_in_deutschland;ja;gesichert;"
            "ja;nein;0;ja;duldung;01.01.2015;;"
        )
    if i % 3 == 1:
        return f"AZ-{i:05d};;;;;;;;;;;;;;;"
    return f"AZ-{i:05d};Person {i};01.06.2005;A2;A2;;ja;;ja;nein;0;;duldung;01.09.2025;3;ja"


def upload_list(browser: Client, node: str, rows: int, title: str) -> str:
    content = "\n".join([HEADER, *(_person_line(i) for i in range(rows))]) + "\n"
    response = browser.submit(
        node,
        "/screening/listen/hochladen/",
        r"/screening/listen/hochladen/",
        files={"upload": ("liste.csv", content.encode(), "text/csv")},
        title=title,
    )
    if response.status != 302:
        raise RuntimeError(f"list upload: {response.status}")
    (code,) = re.findall(rf"/screening/listen/({CODE})/$", response.location)
    return code


# --------------------------------------------------------------------------------------------
# 5. Lost and half writes, counted by a Django child
# --------------------------------------------------------------------------------------------

CHECK = r"""
import json, os, sys
from django.core.files.storage import default_storage
from kim.audit.models import AuditEvent, EventType
from kim.cases.models import Activity, CaseDocument, Task
from kim.core.rls import system_access

start = json.loads(os.environ["FAULTS_START"])
prefix = os.environ["FAULTS_PREFIX"]
with system_access("benchmarks/faults.py: count lost and half writes"):
    found = {}
    half = []
    kinds = (
        ("activity", Activity, EventType.ACTIVITY_RECORDED, lambda o: o.text or ""),
        ("task", Task, EventType.TASK_CREATED, lambda o: o.title),
        ("document", CaseDocument, EventType.CASE_DOCUMENT_ATTACHED, lambda o: o.original_name),
    )
    for kind, model, event_type, text in kinds:
        rows = list(model.objects.filter(pk__gt=start[kind]))
        events = set(
            AuditEvent.objects.filter(pk__gt=start["event"], event_type=event_type)
            .values_list("subject_code", flat=True)
        )
        codes = {row.code for row in rows}
        for row in rows:
            value = text(row)
            if kind == "document" and not default_storage.exists(row.file.name):
                half.append(f"document {row.code} without its file")
            if prefix not in value:
                continue  # not written by this run (a transition's automatic task)
            found[value.split(prefix, 1)[1].split(".", 1)[0].split()[0]] = kind
            if row.code not in events:
                half.append(f"{kind} {row.code} without its audit event")
        for code in events - codes:
            if not model.objects.filter(code=code).exists():
                half.append(f"{kind} event for {code} without its row")
print(json.dumps({"found": found, "half": half}))
"""


def start_marks(cluster: Cluster) -> dict[str, int]:
    tables = {
        "activity": "cases_activity",
        "task": "cases_task",
        "document": "cases_casedocument",
        "event": "audit_auditevent",
    }
    sql = "SELECT coalesce(max(id), 0) FROM {}"
    return {kind: query(cluster, sql.format(table))[0][0] for kind, table in tables.items()}


def count_writes(cluster: Cluster, start: dict[str, int], run_id: str) -> dict[str, Any]:
    env = cluster.env(cluster.directory / "setup") | {
        "FAULTS_START": json.dumps(start),
        "FAULTS_PREFIX": f"faults-{run_id}-",
    }
    done = subprocess.run(
        [str(VENV_BIN / "kim"), "shell", "--no-startup", "-c", CHECK],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the write count failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def audit_verify(cluster: Cluster) -> tuple[bool, str]:
    done = subprocess.run(
        [str(VENV_BIN / "kim"), "audit", "verify"],
        env=cluster.env(cluster.directory / "setup"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    return done.returncode == 0, (done.stdout + done.stderr).strip().splitlines()[-1:][0]


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


def stable_port(memo: Path) -> int:
    """The port of the last run when it is free (the server URL, and with it a state-scale
    seed keyed by it, stays the same), else a new free one."""
    with contextlib.suppress(OSError, ValueError):
        port = int(memo.read_text())
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", port))
        return port
    port = free_port()
    memo.parent.mkdir(parents=True, exist_ok=True)
    memo.write_text(str(port))
    return port


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Faults under load (issue 16, item 3).")
    parser.add_argument("--scale", choices=SCALES, default="small")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument(
        "--fresh", action="store_true", help="a new PostgreSQL data directory and keys"
    )
    return parser.parse_args(argv)


def run(args: argparse.Namespace) -> dict[str, Any]:
    if cluster_tool.redis_server() is None:
        raise SystemExit("redis-server not found (Debian package redis-server)")
    if args.fresh:
        shutil.rmtree(FAULTS_DIR, ignore_errors=True)
    pg = PrivatePostgres(FAULTS_DIR / "pg", stable_port(FAULTS_DIR / "pg-port"))
    say(f"private PostgreSQL in {pg.directory} on port {pg.port}")
    pg.init()
    pg.start()
    cluster: Cluster | None = None
    load: Load | None = None
    try:
        pg.ensure_roles()
        cluster = start_cluster(
            args.scale,
            pg.url,
            node_ports=(free_port(), free_port()),
            redis_port=free_port(),
            extra_env={"KIM_TASK_STALE_SECONDS": "5"},
        )
        say("starting Redis, two nodes and kim worker")
        cluster.start()
        run_id = secrets.token_hex(4)
        start = start_marks(cluster)
        load = Load(cluster.node_urls, PERSONAS[args.scale], run_id)
        load.start()
        time.sleep(5)
        faults = Run(cluster, pg, load)
        faults.probe.login(cluster.node_urls[0], "koordination", PASSWORD)
        for fault in (
            faults.database_restart,
            faults.gunicorn_worker_killed,
            faults.node_killed,
            faults.kim_worker_killed,
            faults.redis_stopped,
            faults.storage,
        ):
            fault()
        load.finish()
        say("counting lost and half writes")
        counted = count_writes(cluster, start, run_id)
        verified, verify_line = audit_verify(cluster)
        found: dict[str, str] = counted["found"]
        for result in faults.results:
            written = [w for w in load.writes if w.phase == result.name]
            lost = [w for w in written if w.succeeded and w.marker.rsplit("-", 1)[1] not in found]
            result.lost_writes = len(lost)
            result.ok = all(result.checks) and not lost
        # Half writes cannot be told apart by fault: the whole run's go to each fault.
        half = counted["half"]
        warm = [w for w in load.writes if w.phase == "warm-up"]
        for result in faults.results:
            result.half_writes += len(half)
            result.ok = result.ok and not half and verified
        lost_warm = sum(1 for w in warm if w.succeeded and w.marker.rsplit("-", 1)[1] not in found)
        report = {
            "faults": [r.as_json() for r in faults.results],
            "ok": all(r.ok for r in faults.results) and verified and lost_warm == 0,
            "writes": {
                "attempted": len(load.writes),
                "succeeded": sum(w.succeeded for w in load.writes),
                "found": len(found),
            },
            "audit_verify": verify_line,
            "setup_errors": load.setup_errors,
            "scale": args.scale,
        }
        return report
    finally:
        if load is not None:
            load.finish()
        if cluster is not None:
            with contextlib.suppress(Exception):
                subprocess.run(
                    ["umount", "-l", str(cluster.media_root)], check=False, capture_output=True
                )
            cluster.stop()
        pg.stop()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    report = run(args)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    written = RESULTS_DIR / f"faults-{time.strftime('%Y%m%d-%H%M%S')}.json"
    written.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    if args.format == "json":
        keys = ("name", "requests", "errors_during", "recovered_s", "lost_writes", "half_writes")
        faults = [{k: f[k] for k in (*keys, "ok")} for f in report["faults"]]
        print(json.dumps({"faults": faults, "ok": report["ok"]}, indent=2, ensure_ascii=False))
    else:
        print(f"Faults under load ({report['scale']}): {'ok' if report['ok'] else 'FAILED'}")
        print(f"{'fault':<24} {'req':>5} {'err':>4} {'recov s':>8} {'lost':>5} {'half':>5}  ok")
        for f in report["faults"]:
            print(
                f"{f['name']:<24} {f['requests']:>5} {f['errors_during']:>4} "
                f"{f['recovered_s']:>8.2f} {f['lost_writes']:>5} {f['half_writes']:>5}  "
                f"{'yes' if f['ok'] else 'NO'}"
            )
            print(f"    {f['detail']}")
        print(f"writes: {report['writes']}; kim audit verify: {report['audit_verify']}")
        if report["setup_errors"]:
            print(f"personas that could not start: {report['setup_errors']}")
        print(f"Written to {written.relative_to(ROOT)}")
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
