"""``make cluster``: several app nodes on one machine – PostgreSQL, Redis, two gunicorn nodes
and one ``kim worker`` (issue 14, decisions D-064).

    .venv/bin/python tools/cluster.py              # what `make cluster` runs; Ctrl+C stops it

1. **PostgreSQL**: ``DATABASE_URL_PG`` or the local server that ``tools/ensure-postgres.sh``
   starts; the database ``kim_cluster`` is created if missing.
2. **Keys** are generated once under ``var/cluster/keys/`` with ``kim generate_secret_key``
   and ``kim generate_field_key`` (mode 0600) and reused on every start, so that the stored,
   encrypted demo data stays readable. When they are generated afresh, the database is
   recreated (its encrypted fields would be unreadable with new keys).
3. **Redis**: Debian's ``redis-server`` on a port of its own (6390), bound to 127.0.0.1, with
   no persistence (``--save '' --appendonly no``), as a child process, not daemonised.
4. ``kim migrate`` and ``kim seed_demo`` (idempotent) with ``KIM_ENV=demo``.
5. **Two nodes**: ``gunicorn -c python:kim.gunicorn_conf kim.wsgi`` on 127.0.0.1:8001 and
   127.0.0.1:8002, two sync workers each. Both have the same database, keys, Redis cache
   (``KIM_CACHE_URL``) and shared media directory (``KIM_MEDIA_ROOT=var/cluster/media``),
   but a ``KIM_VAR_DIR`` of their own (``var/cluster/node1``, ``node2``), so nothing that
   should be shared can hide in a node's directory.
6. **One worker**: ``kim worker`` with ``KIM_TASK_BACKEND=database``.
7. Waits until both nodes answer, prints the addresses and the personas' password, and on
   Ctrl+C (SIGINT) or SIGTERM stops every child – each runs in a process group of its own,
   which gets SIGTERM and, after 10 s, SIGKILL – worker first, Redis last.

A node counts as ready when its login page answers 200 and ``/healthz`` reports the
database as ok. ``/healthz`` itself may still answer 503 at that moment, because it also
asks for a worker heartbeat and the cache: the web nodes serve requests without a worker, so
waiting for the whole health report would tie the start of the nodes to the worker's.

The pytest fixture of ``tests/cluster/`` imports this module and starts the same cluster on
free ports, with a database and a directory of its own (``Cluster``). This module imports no
Django: every Django process is a child with its own environment.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
DEFAULT_DIR = ROOT / "var" / "cluster"
DEFAULT_DATABASE = "kim_cluster"
DEFAULT_NODE_PORTS = (8001, 8002)
DEFAULT_REDIS_PORT = 6390
DEMO_PASSWORD = "demo"  # noqa: S105 – kim/accounts/demo.py, demo mode only
STARTUP_TIMEOUT = 90.0
STOP_TIMEOUT = 10.0
SETUP_TIMEOUT = 900.0
DATABASE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class ClusterError(RuntimeError):
    """The cluster cannot be started; the message says what is missing."""


# --- what the machine offers ------------------------------------------------------------------


def postgres_server_url() -> str | None:
    """The URL of a PostgreSQL server for role kim: ``DATABASE_URL_PG`` or the local cluster
    started by ``tools/ensure-postgres.sh``; None when there is none."""
    url = os.environ.get("DATABASE_URL_PG", "").strip()
    if url:
        return url
    try:
        found = subprocess.run(
            ["bash", str(ROOT / "tools" / "ensure-postgres.sh")],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return found.stdout.strip() or None


def redis_server() -> str | None:
    """The path of Debian's ``redis-server`` (package redis-server), or None."""
    return shutil.which("redis-server")


def missing_requirements() -> tuple[str | None, str]:
    """``(postgres_url, "")`` when a cluster can start, else ``(None, reason)``."""
    if redis_server() is None:
        return None, "redis-server not found (Debian package redis-server)"
    url = postgres_server_url()
    if url is None:
        return None, "PostgreSQL not available (DATABASE_URL_PG or tools/ensure-postgres.sh)"
    return url, ""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- the database -----------------------------------------------------------------------------


def database_url(server_url: str, name: str) -> str:
    """``server_url`` with its database replaced by ``name``."""
    parts = urllib.parse.urlsplit(server_url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def _admin_connection(server_url: str) -> Any:
    import psycopg  # in .venv; imported late so that ``--help`` works without it

    return psycopg.connect(server_url, autocommit=True, connect_timeout=10)


def force_drop(conn: Any, name: str) -> None:
    """``DROP DATABASE … WITH (FORCE)``; retried for a few seconds when an autovacuum worker
    (a superuser's process, which the unprivileged role may not terminate) is in the database."""
    import psycopg

    for attempt in range(20):
        try:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return
        except (psycopg.errors.InsufficientPrivilege, psycopg.errors.ObjectInUse):
            if attempt == 19:
                raise
            time.sleep(0.5)


def create_database(server_url: str, name: str, *, fresh: bool = False) -> str:
    """Create database ``name`` (owned by the URL's role) unless it exists; ``fresh`` drops
    it first. Returns its URL."""
    if not DATABASE_NAME.match(name):
        raise ClusterError(f"not a plain database name: {name!r}")
    with _admin_connection(server_url) as conn:
        if fresh:
            force_drop(conn, name)
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    return database_url(server_url, name)


def drop_database(server_url: str, name: str) -> None:
    if not DATABASE_NAME.match(name):
        raise ClusterError(f"not a plain database name: {name!r}")
    with _admin_connection(server_url) as conn:
        force_drop(conn, name)


# --- keys -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Keys:
    secret_key: Path
    field_keys: Path
    search_key: Path

    def env(self) -> dict[str, str]:
        return {
            "SECRET_KEY_FILE": str(self.secret_key),
            "KIM_FIELD_KEYS_FILE": str(self.field_keys),
            "KIM_SEARCH_KEY_FILE": str(self.search_key),
        }


def ensure_keys(directory: Path) -> tuple[Keys, bool]:
    """The cluster's keys under ``directory`` (mode 0600), generated with ``kim`` if any is
    missing. Returns the keys and whether they were generated now."""
    keys = Keys(directory / "secret-key", directory / "field-keys", directory / "search-key")
    files = (keys.secret_key, keys.field_keys, keys.search_key)
    if all(path.exists() and path.read_text(encoding="ascii").strip() for path in files):
        return keys, False
    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    # The commands need settings but no keys: development mode, an empty var dir.
    (directory / "tmp").mkdir(exist_ok=True)
    env = _base_env() | {"KIM_ENV": "development", "KIM_VAR_DIR": str(directory / "tmp")}
    commands = {
        keys.secret_key: "generate_secret_key",
        keys.field_keys: "generate_field_key",
        keys.search_key: "generate_field_key",
    }
    running = {
        path: subprocess.Popen(
            [str(VENV_BIN / "kim"), command, "--skip-checks"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for path, command in commands.items()
    }
    for path, process in running.items():
        out, err = process.communicate(timeout=120)
        value = out.strip()
        if process.returncode != 0 or not value:
            raise ClusterError(f"kim {commands[path]} failed (exit {process.returncode}):\n{err}")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(value + "\n")
    shutil.rmtree(directory / "tmp", ignore_errors=True)
    return keys, True


# --- the processes ----------------------------------------------------------------------------


def _base_env() -> dict[str, str]:
    """The caller's environment without anything that would point a child elsewhere."""
    dropped = ("DJANGO_", "DATABASE_", "KIM_", "SECRET_KEY", "PYTEST_", "DEBUG")
    return {k: v for k, v in os.environ.items() if not k.startswith(dropped)}


@dataclass
class Cluster:
    """The processes of one cluster; ``start()`` brings them up, ``stop()`` takes them down."""

    directory: Path
    database_url: str
    node_ports: tuple[int, ...] = DEFAULT_NODE_PORTS
    redis_port: int = DEFAULT_REDIS_PORT
    gunicorn_workers: int = 2
    extra_env: dict[str, str] = field(default_factory=dict)
    keys: Keys | None = None
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    # -- addresses and environments

    @property
    def node_urls(self) -> list[str]:
        return [f"http://127.0.0.1:{port}" for port in self.node_ports]

    @property
    def cache_url(self) -> str:
        return f"redis://127.0.0.1:{self.redis_port}/0"

    @property
    def media_root(self) -> Path:
        return self.directory / "media"

    @property
    def log_dir(self) -> Path:
        return self.directory / "logs"

    def env(self, var_dir: Path) -> dict[str, str]:
        """What every Django child gets: one database, keys, cache and media; its own var dir."""
        if self.keys is None:
            raise ClusterError("keys first: call prepare()")
        return (
            _base_env()
            | self.keys.env()
            | {
                "KIM_ENV": "demo",
                "DATABASE_URL": self.database_url,
                "KIM_VAR_DIR": str(var_dir),
                "KIM_CACHE_URL": self.cache_url,
                "KIM_MEDIA_ROOT": str(self.media_root),
                "KIM_TASK_BACKEND": "database",
                "PYTHONUNBUFFERED": "1",
            }
            | self.extra_env
        )

    def node_dir(self, index: int) -> Path:
        return self.directory / f"node{index + 1}"

    # -- steps

    def prepare(self, *, fresh_keys: bool = False) -> bool:
        """Keys, ``kim migrate``, ``kim seed_demo``. Returns whether the keys are new (then the
        caller's database must be empty)."""
        keys_dir = self.directory / "keys"
        if fresh_keys:
            shutil.rmtree(keys_dir, ignore_errors=True)
        self.keys, created = ensure_keys(keys_dir)
        for path in (self.media_root, self.log_dir, self.directory / "setup"):
            path.mkdir(parents=True, exist_ok=True)
        return created

    def migrate_and_seed(self) -> None:
        env = self.env(self.directory / "setup")
        for command in (["migrate", "--verbosity", "0"], ["seed_demo"]):
            self._run_setup([str(VENV_BIN / "kim"), *command], env)

    def _run_setup(self, args: list[str], env: dict[str, str]) -> None:
        log = self.log_dir / "setup.log"
        with log.open("ab") as out:
            done = subprocess.run(
                args,
                env=env,
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=SETUP_TIMEOUT,
                check=False,
            )
        if done.returncode != 0:
            raise ClusterError(f"{' '.join(args[-2:])} failed; see {log}\n{tail(log)}")

    def _spawn(self, name: str, args: list[str], env: dict[str, str]) -> None:
        """Start a child in a process group of its own (Ctrl+C reaches only this script,
        which then stops the children in order), its output in ``logs/<name>.log``."""
        with (self.log_dir / f"{name}.log").open("ab") as out:
            self.processes[name] = subprocess.Popen(
                args,
                env=env,
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def start_redis(self) -> None:
        server = redis_server()
        if server is None:
            raise ClusterError("redis-server not found (Debian package redis-server)")
        (self.directory / "redis").mkdir(parents=True, exist_ok=True)
        args = [
            server,
            "--port",
            str(self.redis_port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
            "--dir",
            str(self.directory / "redis"),
        ]
        self._spawn("redis", args, _base_env())
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            self._check_alive("redis")
            if redis_ping(self.redis_port):
                return
            time.sleep(0.1)
        raise ClusterError(f"redis-server did not answer on port {self.redis_port}")

    def start_nodes(self) -> None:
        for index in range(len(self.node_ports)):
            self.start_node(index)

    def start_node(self, index: int) -> None:
        """Start node ``index`` (0-based) alone, e.g. again after ``kill(f"node{index + 1}")``."""
        port = self.node_ports[index]
        var_dir = self.node_dir(index)
        (var_dir / "static").mkdir(parents=True, exist_ok=True)  # STATIC_ROOT
        args = [
            str(VENV_BIN / "gunicorn"),
            "-c",
            "python:kim.gunicorn_conf",
            "kim.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(self.gunicorn_workers),
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
            "--access-logfile",
            "-",
            # gunicorn 27 puts a control socket at ~/.gunicorn/gunicorn.ctl: one path for
            # every gunicorn of the user, so two nodes would take it from each other.
            "--no-control-socket",
        ]
        self._spawn(f"node{index + 1}", args, self.env(var_dir))

    def start_worker(self, name: str = "worker") -> None:
        var_dir = self.directory / name
        var_dir.mkdir(parents=True, exist_ok=True)
        self._spawn(name, [str(VENV_BIN / "kim"), "worker"], self.env(var_dir))

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Send ``sig`` to a child's process group and reap it (a crash, for the tests)."""
        process = self.processes.pop(name)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        process.wait(timeout=STOP_TIMEOUT)

    def wait_ready(self, timeout: float = STARTUP_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        for index, url in enumerate(self.node_urls):
            while not node_ready(url):
                self._check_alive(f"node{index + 1}")
                if time.monotonic() > deadline:
                    raise ClusterError(f"{url} did not become ready within {timeout:.0f} s")
                time.sleep(0.3)
        for name in self.processes:
            self._check_alive(name)

    def _check_alive(self, name: str) -> None:
        process = self.processes[name]
        if process.poll() is not None:
            log = self.log_dir / f"{name}.log"
            raise ClusterError(f"{name} exited with {process.returncode}; see {log}\n{tail(log)}")

    def start(self) -> None:
        """Redis, the nodes and the worker, for a database already migrated and seeded."""
        self.start_redis()
        self.start_nodes()
        self.start_worker()
        self.wait_ready()

    def stop(self) -> None:
        """Worker(s) first, then the nodes, Redis last: SIGTERM to each process group, SIGKILL
        after ``STOP_TIMEOUT`` seconds."""
        order = sorted(self.processes, key=lambda n: (n == "redis", n.startswith("node"), n))
        for name in order:
            stop_group(self.processes.pop(name))

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def stop_group(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=STOP_TIMEOUT)
    # gunicorn's workers may outlive a master killed with SIGKILL: take the group down too.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


def redis_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def _get(url: str) -> tuple[int, bytes]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=5) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def node_ready(base: str) -> bool:
    """The login page answers 200 and ``/healthz`` says the database is ok (200, or 503 for
    a missing worker heartbeat or cache – see the module docstring)."""
    try:
        login_status, _ = _get(base + "/konto/login/")
        health_status, body = _get(base + "/healthz")
    except (urllib.error.URLError, OSError):
        return False
    if login_status != 200 or health_status not in (200, 503):
        return False
    try:
        return bool(json.loads(body).get("database") == "ok")
    except ValueError:
        return False


def tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


@contextlib.contextmanager
def running_cluster(
    directory: Path,
    server_url: str,
    database: str,
    *,
    node_ports: tuple[int, ...] | None = None,
    redis_port: int | None = None,
    extra_env: dict[str, str] | None = None,
    drop_after: bool = False,
) -> Iterator[Cluster]:
    """Prepare and start a whole cluster; stop it (and drop a throw-away database) after."""
    cluster = Cluster(
        directory=directory,
        database_url=database_url(server_url, database),
        node_ports=node_ports or (free_port(), free_port()),
        redis_port=redis_port or free_port(),
        extra_env=extra_env or {},
    )
    try:
        keys_created = cluster.prepare()
        create_database(server_url, database, fresh=keys_created)
        cluster.migrate_and_seed()
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
        if drop_after:
            drop_database(server_url, database)


# --- make cluster -----------------------------------------------------------------------------


class _Stop(Exception):
    """Raised by the signal handler to leave the wait loop and stop the cluster."""


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise _Stop(signal.Signals(signum).name)


def _print_ready(cluster: Cluster) -> None:
    print("Cluster ready (Ctrl+C stops everything):")
    for index, url in enumerate(cluster.node_urls):
        print(f"  node {index + 1}:  {url}/   (KIM_VAR_DIR {cluster.node_dir(index)})")
    print("  worker:  kim worker   (KIM_TASK_BACKEND=database)")
    print(f"  Redis:   {cluster.cache_url}   (no persistence)")
    print(f"  media:   {cluster.media_root}   (shared by both nodes)")
    print(f"  logs:    {cluster.log_dir}/")
    print(f"Personas: koordination, siegen, cm-siegen, abh, … – password '{DEMO_PASSWORD}' for all")
    print("(demo mode only; the full list is in the README).")


def _watch(cluster: Cluster) -> None:
    """Wait for a signal; stop when a child dies."""
    while True:
        for name in list(cluster.processes):
            cluster._check_alive(name)
        time.sleep(1)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Two nodes, a worker, PostgreSQL and Redis.")
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="default var/cluster")
    parser.add_argument("--database", default=DEFAULT_DATABASE, help="default kim_cluster")
    parser.add_argument(
        "--ports", default=",".join(map(str, DEFAULT_NODE_PORTS)), help="default 8001,8002"
    )
    parser.add_argument("--redis-port", type=int, default=DEFAULT_REDIS_PORT, help="default 6390")
    parser.add_argument(
        "--fresh", action="store_true", help="new keys and an empty database before seeding"
    )
    args = parser.parse_args(argv)
    try:
        args.ports = tuple(int(p) for p in args.ports.split(","))
    except ValueError:
        parser.error("--ports takes port numbers separated by commas")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    server_url, reason = missing_requirements()
    if server_url is None:
        print(f"make cluster needs PostgreSQL and Redis: {reason}", file=sys.stderr)
        return 2
    signal.signal(signal.SIGINT, _raise_stop)
    signal.signal(signal.SIGTERM, _raise_stop)
    cluster = Cluster(
        directory=args.dir.resolve(),
        database_url=database_url(server_url, args.database),
        node_ports=args.ports,
        redis_port=args.redis_port,
    )
    try:
        keys_created = cluster.prepare(fresh_keys=args.fresh)
        if keys_created:
            print(f"New keys in {cluster.directory / 'keys'}: the database starts empty")
        create_database(server_url, args.database, fresh=keys_created)
        print(f"Database {args.database}: kim migrate, kim seed_demo (KIM_ENV=demo)")
        cluster.migrate_and_seed()
        print(f"Starting Redis on {args.redis_port}, nodes on {args.ports}, one worker")
        cluster.start()
        _print_ready(cluster)
        _watch(cluster)
    except _Stop as stop:
        print(f"\n{stop}: stopping the worker, the nodes and Redis")
        return 0
    except ClusterError as exc:
        print(f"!! {exc}", file=sys.stderr)
        return 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl+C must not cut the stop
        cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
