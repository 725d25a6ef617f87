"""``kim generate_secret_key``: print a fresh random SECRET_KEY (for SECRET_KEY_FILE)."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Print a new random secret key (86 URL-safe characters)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(secrets.token_urlsafe(64))
