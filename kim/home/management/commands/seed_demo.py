from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kim.home.demo import seed_demo


class Command(BaseCommand):
    help = "Seed the Kreis Siegen-Wittgenstein demo world (idempotent, through actions)."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("seed_demo refuses to run with KIM_ENV=production.")
        orgs = seed_demo()
        self.stdout.write(self.style.SUCCESS(f"Demo world ready ({len(orgs)} key organisations)."))
