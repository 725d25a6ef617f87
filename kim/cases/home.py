"""What Baustein-2 case management contributes to the shell (kim/core/shell.py): the menu link
(to the worklist, or to the barrier log for who sees only that), the start-page cards (a case
manager's work list in numbers, a team lead's caseload of the team, the coordination's
structural barriers this quarter), the demo clients and cases, and the case-management
retention rules in ``kim retention run``.

The cards show counts and staff names only, never a client: each number is what the page
behind its link shows (decisions D-057).
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kim.accounts.access import UserContext
from kim.accounts.models import Role
from kim.cases.access import (
    aggregate_regions,
    can_use_cases,
    can_view_barrier_log,
    can_view_case_statistics,
    case_manager_organisations,
)
from kim.cases.demo import seed_cases
from kim.cases.demo_bookings import seed_bookings
from kim.cases.demo_texts import seed_form_texts
from kim.cases.queries.barriers import barrier_quarter_counts
from kim.cases.queries.worklists import DUE_SOON_DAYS, team_caseload, worklist_summary
from kim.cases.retention import count_due, run_retention
from kim.core.models import Actor
from kim.core.shell import (
    Card,
    Item,
    RetentionReport,
    demo_step,
    register_nav,
    retention_step,
    start_cards,
)
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


# A flag, not a menu entry (the coordination's menu must stay on one line): the statistics
# are reached from the barrier log, the barrier card of the start page and the team lead's
# work list.
register_nav("case_statistics", can_view_case_statistics)


def _n(value: int) -> str:
    """A count in the active language's format (German ``1.234``, English ``1,234``)."""
    return number_format(value, use_l10n=True, force_grouping=True)


def _worklist_card(ctx: UserContext, today: dt.date) -> Card:
    """A case manager's work list in numbers; each links to its block on the work list."""
    s = worklist_summary(ctx, today)
    url = reverse("cases:worklist")
    overdue = s.overdue_reviews + s.overdue_tasks
    card = Card(
        title=_("Your work list today"),
        number=_n(overdue),
        label=ngettext("overdue review or task", "overdue reviews and tasks", overdue),
    )
    card.items += [
        Item(
            ngettext("%(n)s overdue review", "%(n)s overdue reviews", s.overdue_reviews)
            % {"n": _n(s.overdue_reviews)},
            url + "#reviews-title",
            "warning" if s.overdue_reviews else "",
        ),
        Item(
            ngettext("%(n)s overdue task", "%(n)s overdue tasks", s.overdue_tasks)
            % {"n": _n(s.overdue_tasks)},
            url + "#overdue-tasks-title",
            "warning" if s.overdue_tasks else "",
        ),
        Item(
            ngettext(
                "%(n)s task due within %(days)s days",
                "%(n)s tasks due within %(days)s days",
                s.due_tasks,
            )
            % {"n": _n(s.due_tasks), "days": DUE_SOON_DAYS},
            url + "#due-tasks-title",
        ),
        Item(
            ngettext(
                "%(n)s residence status ending within %(days)s days",
                "%(n)s residence statuses ending within %(days)s days",
                s.transitions,
            )
            % {"n": _n(s.transitions), "days": _n(s.notice_days)},
            url + "#transitions-title",
        ),
    ]
    return card


def _team_card(ctx: UserContext, today: dt.date) -> Card:
    """A team lead's caseload per case manager (staff names, no client) and the waiting list."""
    team = team_caseload(ctx, today)
    cases = reverse("cases:case_list")
    card = Card(
        title=_("Caseload of your team"),
        number=_n(team.active),
        label=ngettext("active case in your team", "active cases in your team", team.active),
    )
    for row in team.rows:
        text = ngettext(
            "%(name)s: %(n)s active case", "%(name)s: %(n)s active cases", row.active
        ) % {"name": row.user.get_full_name() or row.user.get_username(), "n": _n(row.active)}
        if row.caseload is not None:
            text += " " + _("(limit %(limit)s)") % {"limit": _n(row.caseload.limit)}
        reached = row.caseload is not None and row.caseload.reached
        card.items.append(
            Item(text, f"{cases}?responsible={row.user.pk}", "warning" if reached else "")
        )
    if team.others:
        card.items.append(
            Item(
                ngettext(
                    "%(n)s active case of a former team member",
                    "%(n)s active cases of former team members",
                    team.others,
                )
                % {"n": _n(team.others)}
            )
        )
    card.items.append(
        Item(
            ngettext(
                "%(n)s case on the waiting list, waiting for intake",
                "%(n)s cases on the waiting list, waiting for intake",
                team.waiting,
            )
            % {"n": _n(team.waiting)},
            f"{cases}?waiting=on",
            "warning" if team.waiting else "",
        )
    )
    card.items.append(Item(_("Open the team view"), reverse("cases:team")))
    return card


def _barrier_card(ctx: UserContext, today: dt.date) -> Card:
    """Structural barriers recorded this quarter in the user's Kreis: counts only."""
    counts = barrier_quarter_counts(ctx, today)
    log = reverse("cases:barrier_log")
    this = f"{log}?year={counts.this.year}&quarter={counts.this.quarter}"
    card = Card(
        title=_("Structural barriers"),
        number=_n(counts.count),
        label=ngettext(
            "barrier recorded in %(quarter)s",
            "barriers recorded in %(quarter)s",
            counts.count,
        )
        % {"quarter": counts.this.label},
    )
    card.items.append(Item(_("This quarter's log (%(q)s)") % {"q": counts.this.label}, this))
    if can_view_case_statistics(ctx):
        card.items.append(Item(_("Open the case statistics"), reverse("cases:statistics")))
    for key, name, n in counts.categories:
        card.items.append(Item(f"{name}: {_n(n)}", f"{this}&category={key}"))
    previous = counts.previous
    card.items.append(
        Item(
            _("Previous quarter (%(q)s): %(n)s")
            % {"q": previous.label, "n": _n(counts.previous_count)},
            f"{log}?year={previous.year}&quarter={previous.quarter}",
        )
    )
    return card


@start_cards(order=20)
def cards(ctx: UserContext, today: dt.date) -> list[Card]:
    """The work list for case managers, the team for team leads, the barriers for the
    coordination."""
    found = []
    if case_manager_organisations(ctx):
        found.append(_worklist_card(ctx, today))
    if ctx.organisations_with_role(Role.TEAM_LEAD):
        found.append(_team_card(ctx, today))
    if aggregate_regions(ctx):
        found.append(_barrier_card(ctx, today))
    return found


@demo_step(order=60)
def demo() -> None:
    seed_cases(demo_organisations())


@demo_step(order=61)
def demo_form_texts() -> None:
    """The demo Kreis' Arabic and Ukrainian consent form texts (demo translations)."""
    seed_form_texts(demo_organisations()["kreis"])


@demo_step(order=62)
def demo_bookings() -> None:
    """Interpreter bookings in demo cases, after the demo pool (56) and the cases (60)."""
    seed_bookings(demo_organisations()["kreis"])


@retention_step("cases", order=10, due=count_due, takes_actor=True)
def retention(today: dt.date, dry_run: bool, acting_user: Actor = None) -> RetentionReport:
    """The dated ``RetentionRule`` rows (kim/cases/retention.py), each item with its event and
    one ``RETENTION_RUN`` event for the run, naming who started it from the web (no actor for
    the command line and the timer)."""
    result = run_retention(today, dry_run, acting_user=acting_user)
    return RetentionReport([item.line() for item in result.items], result.counts, result.applied)
