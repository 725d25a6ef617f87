"""A scrape of one gunicorn node sums the counters of all its worker processes.

Started as in production (``kim/gunicorn_conf.py``), with two workers that are replaced after
every third request: nine requests are served by at least three processes, two of which have
exited by the time of the scrape, and the scrape still reports all nine.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parents[3]
TOKEN = "metrics-token-for-the-gunicorn-test-0123456789"


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: Path) -> None:
        super().__init__("localhost", timeout=10)
        self.path = path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(10)
        self.sock.connect(str(self.path))


def _get(sock: Path, path: str, **headers: str) -> tuple[int, str]:
    connection = UnixConnection(sock)
    try:
        connection.request("GET", path, headers={"Host": "localhost", **headers})
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def _wait_for(sock: Path, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, log.read_text()
        try:
            _get(sock, "/favicon.ico")
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"gunicorn did not start:\n{log.read_text()}")


def test_a_scrape_sums_every_worker_process(tmp_path: Path) -> None:
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    (metrics_dir / "counter_1.db").write_bytes(b"left over from the previous run")
    sock = tmp_path / "gunicorn.sock"
    log = tmp_path / "gunicorn.log"
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("KIM_", "DJANGO_", "DATABASE_URL", "PROMETHEUS_", "prometheus_"))
    }
    env.update(KIM_VAR_DIR=str(tmp_path), KIM_METRICS_TOKEN=TOKEN)
    with log.open("wb") as out:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--config",
                "python:kim.gunicorn_conf",
                "kim.wsgi:application",
                "--bind",
                f"unix:{sock}",
                "--workers",
                "2",
                "--max-requests",
                "3",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_for(sock, server, log)  # one request: the first favicon
        assert not (metrics_dir / "counter_1.db").exists()  # emptied at the master's start
        for _ in range(8):
            assert _get(sock, "/favicon.ico")[0] == 302
        status, body = _get(sock, "/metrics", Authorization=f"Bearer {TOKEN}")
        assert status == 200, body
        assert _get(sock, "/metrics")[0] == 404
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    samples = {
        (s.name, s.labels.get("view"), s.labels.get("status")): s.value
        for family in text_string_to_metric_families(body)
        for s in family.samples
    }
    assert samples[("kim_http_request_duration_seconds_count", "favicon", None)] == 9
    assert samples[("kim_http_responses_total", None, "302")] == 9
    # At least three processes served them (each worker is replaced after three requests).
    served_by = {p.name.split("_")[-1] for p in metrics_dir.glob("histogram_*.db")}
    assert len(served_by) >= 3, sorted(served_by)
