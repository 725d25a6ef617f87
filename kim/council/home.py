"""What council information contributes to the shell (kim/core/shell.py): the menu link, the
council member's start-page card and the demo council with its 2022 motion and report."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kim.accounts.access import UserContext
from kim.accounts.models import Role
from kim.core.shell import Card, Item, demo_step, register_nav, start_cards
from kim.council.access import can_use_council
from kim.council.demo import seed_council
from kim.organisations.demo import demo_organisations

register_nav(
    "council",
    can_use_council,
    label=gettext_lazy("Council"),
    url_name="council:motion_list",
    order=50,
)


def _council_card() -> Card:
    """Links only (no queries): the council pages show what has been released."""
    card = Card(
        title=_("Council information"),
        intro=_("No reports have been released to you yet. Released KIM reports appear here."),
    )
    card.items.append(Item(_("Motions and enquiries"), reverse("council:motion_list")))
    card.items.append(Item(_("Meetings"), reverse("council:meeting_list")))
    return card


@start_cards(order=50)
def cards(ctx: UserContext, today: dt.date) -> list[Card]:
    """One card per council the user sits on."""
    councils = {m.organisation_id for m in ctx.memberships if m.role == Role.COUNCIL_MEMBER}
    return [_council_card() for _council in councils]


@demo_step(order=50)
def demo() -> None:
    seed_council(demo_organisations())
