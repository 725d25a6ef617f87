from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kim.accounts.demo import DEMO_PASSWORD, PERSONAS
from kim.home.demo import seed_demo


class Command(BaseCommand):
    help = "Migrate, seed the demo world, print the personas and serve on 127.0.0.1."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="Only migrate and seed.")

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
        call_command("runserver", f"127.0.0.1:{port}", use_reloader=False, use_threading=True)
