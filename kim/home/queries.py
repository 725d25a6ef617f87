"""The role-aware start page ("Übersicht"): what is each persona's to do.

Each app contributes its cards in its ``home.py`` (``@start_cards(order)``); the page shows them
in that order: due tasks and deadlines (partners), the KIM role cards (programmes), the
authority cards (screening), council information, data protection (audit), administration
(accounts).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from kim.accounts.access import UserContext
from kim.core.shell import Card, card_sources


def start_page_cards(ctx: UserContext, today: dt.date | None = None) -> list[Card]:
    today = today or timezone.localdate()
    return [card for source in card_sources() for card in source.fn(ctx, today)]
