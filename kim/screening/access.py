"""STUB (S2) – the only door to screening rows."""

from __future__ import annotations

from kim.accounts.access import UserContext
from kim.accounts.models import Role


def can_use_screening(ctx: UserContext) -> bool:
    """Baustein-3 officers screen uploaded lists."""
    return ctx.has_role(Role.B3_OFFICER)
