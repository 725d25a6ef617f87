"""STUB – to be written."""

from __future__ import annotations

from typing import Any

from kim.accounts.access import UserContext
from kim.cases.models import Case


def timeline_context(ctx: UserContext, case: Case) -> dict[str, Any]:
    """What the case-file page shows of this concern (template `cases/_timeline.html`)."""
    return {}
