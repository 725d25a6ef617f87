"""German display formats for text that leaves the template layer (error messages, reports,
exports): 1.234,50 · 57.000,00 € · 07.09.2022. Templates use Django's l10n instead."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import date_format, number_format


def decimal_de(value: Decimal | int | float, places: int = 2) -> str:
    """``Decimal("1234.5")`` → ``"1.234,50"`` (rounded half up)."""
    quantum = Decimal(1).scaleb(-places)
    rounded = Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)
    return f"{rounded:,.{places}f}".replace(",", "X").replace(".", ",").replace("X", ".")


def euro(value: Decimal | int) -> str:
    """``Decimal("57000")`` → ``"57.000,00 €"``."""
    return f"{decimal_de(value)} €"


def date_de(value: dt.date) -> str:
    return value.strftime("%d.%m.%Y")


# --- formats of the active language (German ``19,50`` / ``06.11.2026``, English ``19.50`` /
# ``11/06/2026``): for text built in Python that a template shows, e.g. the start-page cards.


def number_l10n(value: Decimal | int, places: int = 2) -> str:
    """``Decimal("1234.5")`` → ``"1.234,50"`` in German, ``"1,234.50"`` in English."""
    return number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)


def signed_l10n(value: Decimal | int, places: int = 2) -> str:
    """A change: ``+1,00``, ``−0,50`` or ``±0,00`` (German), with the active language's digits."""
    if value > 0:
        return "+" + number_l10n(value, places)
    if value < 0:
        return "−" + number_l10n(-value, places)
    return "±" + number_l10n(0, places)


def date_l10n(value: dt.date) -> str:
    """``06.11.2026`` in German, ``11/06/2026`` in English (``SHORT_DATE_FORMAT``)."""
    return date_format(value, "SHORT_DATE_FORMAT")
