"""What Baustein-2 case management contributes to the shell (kim/core/shell.py): the menu link
(to the worklist, or to the barrier log for who sees only that), the demo clients and cases,
and the case-management retention rules in ``kim retention run``."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy

from kim.accounts.access import UserContext
from kim.cases.access import can_use_cases, can_view_barrier_log
from kim.cases.demo import seed_cases
from kim.cases.retention import run_retention
from kim.core.shell import RetentionReport, demo_step, register_nav, retention_step
from kim.organisations.demo import demo_organisations


def sees_only_barrier_log(ctx: UserContext) -> bool:
    """Readers of the anonymous barrier log without case work (e.g. the coordination)."""
    return can_view_barrier_log(ctx) and not can_use_cases(ctx)


register_nav(
    "cases",
    can_use_cases,
    label=gettext_lazy("Case management"),
    url_name="cases:worklist",
    order=10,
)
register_nav(
    "barriers",
    sees_only_barrier_log,
    label=gettext_lazy("Case management"),
    url_name="cases:barrier_log",
    order=11,
)


@demo_step(order=60)
def demo() -> None:
    seed_cases(demo_organisations())


@retention_step("cases", order=10)
def retention(today: dt.date, dry_run: bool) -> RetentionReport:
    """The dated ``RetentionRule`` rows (kim/cases/retention.py), each item with its event and
    one ``RETENTION_RUN`` event for the run."""
    result = run_retention(today, dry_run)
    return RetentionReport([item.line() for item in result.items], result.counts, result.applied)
