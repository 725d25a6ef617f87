"""``kim generate_field_key``: print a fresh key for KIM_FIELD_KEYS or KIM_SEARCH_KEY."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kim.core.crypto import generate_key


class Command(BaseCommand):
    help = (
        "Print a new random key (32 bytes, URL-safe base64) for KIM_FIELD_KEYS or KIM_SEARCH_KEY."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(generate_key())
