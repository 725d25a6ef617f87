"""German display formats for text that leaves the template layer (error messages, reports,
exports): 1.234,50 · 57.000,00 € · 07.09.2022. Templates use Django's l10n instead."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal


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
