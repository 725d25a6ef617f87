"""``kim demo`` serves together with a background worker, and stops it with the server."""

from __future__ import annotations

import io
import subprocess
import sys
from typing import Any

import pytest
from django.core.management import call_command

from kim.home.management.commands import demo

pytestmark = pytest.mark.django_db


class FakeProcess:
    """Stands in for the ``kim worker`` child; records how it was started and stopped."""

    started: list[FakeProcess] = []

    def __init__(self, args: list[str], **kwargs: Any) -> None:
        self.args, self.kwargs = args, kwargs
        self.signals: list[str] = []
        self.returncode: int | None = None
        FakeProcess.started.append(self)

    def poll(self) -> int | None:
        return self.returncode

    def terminate(self) -> None:
        self.signals.append("TERM")

    def kill(self) -> None:
        self.signals.append("KILL")
        self.returncode = -9

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            raise subprocess.TimeoutExpired(self.args, timeout or 0)
        return self.returncode


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch, settings: Any) -> list[str]:
    """Run ``kim demo`` with the database queue, a fake worker and a server that stops at once
    (as after Ctrl+C); returns what happened, in order."""
    settings.KIM_TASK_BACKEND = "database"
    events: list[str] = []
    FakeProcess.started = []
    real_call_command = demo.call_command

    def fake_call_command(name: str, *args: Any, **kwargs: Any) -> None:
        if name == "runserver":
            running = [p for p in FakeProcess.started if p.poll() is None]
            events.append(f"runserver with {len(running)} worker(s)")
            raise SystemExit(0)  # Django's runserver after Ctrl+C
        real_call_command(name, *args, **kwargs)

    monkeypatch.setattr(demo, "call_command", fake_call_command)
    monkeypatch.setattr(demo.subprocess, "Popen", FakeProcess)
    monkeypatch.setattr(demo.signal, "signal", lambda signum, handler: events.append("trap"))
    return events


def test_demo_serves_with_a_worker_and_stops_it_with_the_server(served: list[str]) -> None:
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("demo", "--port", "8131", stdout=out)
    assert served == ["trap", "runserver with 1 worker(s)"]  # SIGTERM stops the worker too
    (worker,) = FakeProcess.started
    assert worker.args == [sys.executable, "-m", "kim", "worker"]
    assert worker.kwargs == {"start_new_session": True}
    # SIGTERM first; this fake ignores it, so SIGKILL follows after the grace period.
    assert worker.signals == ["TERM", "KILL"]
    assert "Background worker: kim worker" in out.getvalue()


def test_demo_without_worker(served: list[str]) -> None:
    with pytest.raises(SystemExit):
        call_command("demo", "--no-worker", stdout=io.StringIO())
    assert served == ["runserver with 0 worker(s)"] and FakeProcess.started == []
