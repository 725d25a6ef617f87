"""What cooperation with welfare agencies contributes to the shell (kim/core/shell.py): the
menu link and the section flags of its pages, the follow-up and deadline cards, the demo talks,
call and agreements."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kim.accounts.access import UserContext
from kim.core.shell import Card, Item, demo_step, register_nav, start_cards
from kim.organisations.demo import demo_organisations
from kim.partners.access import (
    can_use_agreements,
    can_use_calls,
    can_use_deadlines,
    can_use_partners,
)
from kim.partners.demo import seed_partners
from kim.partners.queries import deadline_counts, open_follow_ups

register_nav(
    "partners",
    can_use_partners,
    label=gettext_lazy("Cooperation"),
    url_name="partners:talk_list",
    order=40,
)
register_nav("agreements", can_use_agreements)
register_nav("calls", can_use_calls)
register_nav("deadlines", can_use_deadlines)


def _follow_up_card(ctx: UserContext, today: dt.date) -> Card | None:
    """The user's open follow-up tasks from talks, overdue ones first (one query); each links
    to its talk only when the user may read the talk."""
    tasks = open_follow_ups(ctx, today)
    if not tasks:
        return None
    card = Card(title=_("Your follow-up tasks"))
    for task, overdue, readable in tasks:
        values = {"due": task.due.strftime("%d.%m.%Y"), "task": task.title}
        card.items.append(
            Item(
                (_("Overdue since %(due)s: %(task)s") if overdue else _("Due %(due)s: %(task)s"))
                % values,
                reverse("partners:talk_detail", args=[task.talk.code]) if readable else "",
                "warning" if overdue else "",
            )
        )
    return card


def _deadlines_card(ctx: UserContext, today: dt.date) -> Card:
    """Payments and reports of the agreements the user manages: overdue / next 30 days."""
    counts = deadline_counts(ctx, today)
    url = reverse("partners:deadlines")
    card = Card(title=_("Deadlines of pass-through agreements"))
    card.items.append(
        Item(
            ngettext(
                "%(n)d payment or report overdue",
                "%(n)d payments or reports overdue",
                counts.overdue,
            )
            % {"n": counts.overdue},
            url + "#h-overdue",
            "warning" if counts.overdue else "success",
        )
    )
    card.items.append(
        Item(
            ngettext(
                "%(n)d due in the next 30 days",
                "%(n)d due in the next 30 days",
                counts.next_30,
            )
            % {"n": counts.next_30},
            url + "#h-next-30",
        )
    )
    card.items.append(Item(_("Open the deadlines view"), url))
    return card


@start_cards(order=10)
def cards(ctx: UserContext, today: dt.date) -> list[Card]:
    """First on the page: what is due (follow-up tasks, agreement deadlines)."""
    found = [_follow_up_card(ctx, today)]
    if can_use_deadlines(ctx):
        found.append(_deadlines_card(ctx, today))
    return [card for card in found if card is not None]


@demo_step(order=40)
def demo() -> None:
    seed_partners(demo_organisations())
