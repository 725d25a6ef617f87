"""``kim demo [--port N] [--no-serve] [--no-worker]``: migrate, seed the demo world, print the
personas, then serve on 127.0.0.1 together with one ``kim worker`` (a child process, so that
background jobs – the screening of an uploaded list – run on a fresh machine; stopped with
the server). Refuses to run in production."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kim.accounts.demo import DEMO_PASSWORD, PERSONAS
from kim.home.demo import seed_demo

# Seconds the worker may take to finish the task at hand after SIGTERM.
WORKER_STOP_SECONDS = 15.0


@contextmanager
def background_worker() -> Iterator[subprocess.Popen[bytes]]:
    """Run ``kim worker`` as a child process while the block runs, then stop it (SIGTERM; it
    finishes the task at hand and removes its heartbeat; SIGKILL after 15 seconds). It has a
    session of its own, so Ctrl+C reaches only the server, which then stops the worker once."""
    process = subprocess.Popen([sys.executable, "-m", "kim", "worker"], start_new_session=True)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=WORKER_STOP_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _exit(signum: int, frame: object) -> None:
    sys.exit(0)


class Command(BaseCommand):
    help = (
        "Migrate, seed the demo world, print the personas and serve on 127.0.0.1 "
        "with a background worker."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="Only migrate and seed.")
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="Serve without starting a background worker (run 'kim worker' yourself).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("kim demo refuses to run with KIM_ENV=production.")
        Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        seed_demo()
        self.stdout.write(self.style.SUCCESS("Demo world: Kreis Siegen-Wittgenstein"))
        self.stdout.write(f"Personas (password '{DEMO_PASSWORD}' for all, demo mode only):")
        for p in PERSONAS:
            self.stdout.write(f"  {p.username:<16} {p.description}")
        if options["no_serve"]:
            return
        port = options["port"]
        self.stdout.write(
            self.style.SUCCESS(f"Serving on http://127.0.0.1:{port}/  (Ctrl+C stops)")
        )
        if options["no_worker"] or settings.KIM_TASK_BACKEND != "database":
            self._serve(port)
            return
        self.stdout.write("Background worker: kim worker (stops with the server)")
        # SIGTERM ends the server like Ctrl+C does, so the worker is stopped with it.
        signal.signal(signal.SIGTERM, _exit)
        with background_worker():
            self._serve(port)

    def _serve(self, port: int) -> None:
        call_command("runserver", f"127.0.0.1:{port}", use_reloader=False, use_threading=True)
