"""What steering contributes to the shell (kim/core/shell.py): navigation, start cards, demo
step."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kim.accounts.access import UserContext
from kim.core.formats import date_l10n
from kim.core.shell import Card, Item, demo_step, register_nav, start_cards
from kim.organisations.demo import demo_organisations
from kim.steering.access import can_manage_steering, can_use_steering, can_view_topics
from kim.steering.demo import seed_steering
from kim.steering.demo_topics import seed_topics
from kim.steering.queries_bodies import may_be_member, next_meetings, open_decisions_for_owner

LISTED = 5
_USES = "_kim_uses_steering"


def uses_steering(ctx: UserContext) -> bool:
    """``can_use_steering``, asked at most once per request: the user context lives for one
    request (``user_context``), and the menu and the start cards both need the answer, which
    costs a query for everybody but the coordination (the start page's budget is 15)."""
    if can_manage_steering(ctx):
        return True
    if not may_be_member(ctx):  # administrator, DPO: no query (D-083)
        return False
    known = ctx.__dict__.get(_USES)
    if known is None:
        known = ctx.__dict__[_USES] = can_use_steering(ctx)
    return bool(known)


register_nav(
    "steering",
    uses_steering,
    label=gettext_lazy("Steering"),
    url_name="steering:body_list",
    order=45,
)


def _decisions_card(ctx: UserContext, today: dt.date) -> Card | None:
    """The open decisions the user is responsible for, overdue ones marked (one query)."""
    decisions = open_decisions_for_owner(ctx, today)
    if not decisions:
        return None
    card = Card(title=_("Your open decisions from steering bodies"))
    for decision, overdue, readable in decisions:
        values = {
            "due": date_l10n(decision.due_on) if decision.due_on else "",
            "text": decision.text[:120],
            "body": decision.meeting.body.name,
        }
        if overdue:
            text = _("Overdue since %(due)s: %(text)s (%(body)s)") % values
        elif decision.due_on:
            text = _("Due %(due)s: %(text)s (%(body)s)") % values
        else:
            text = _("%(text)s (%(body)s)") % values
        card.items.append(
            Item(
                text,
                reverse("steering:meeting_detail", args=[decision.meeting.code])
                if readable
                else "",
                "warning" if overdue else "",
            )
        )
    return card


def _meetings_card(ctx: UserContext, today: dt.date) -> Card:
    """The coordination's next planned meetings of the bodies of its Kreis (one query)."""
    card = Card(title=_("Next meetings of the steering bodies"))
    for meeting in next_meetings(ctx, today, LISTED):
        card.items.append(
            Item(
                _("%(day)s: %(body)s")
                % {"day": date_l10n(meeting.held_on), "body": meeting.body.name},
                reverse("steering:meeting_detail", args=[meeting.code]),
            )
        )
    if not card.items:
        card.items.append(Item(_("No meeting is planned.")))
    card.items.append(Item(_("Open the steering bodies"), reverse("steering:body_list")))
    return card


@start_cards(order=15)
def cards(ctx: UserContext, today: dt.date) -> list[Card]:
    """Right after the follow-up tasks: open decisions (for users of steering: members of a
    body and the coordination); for the coordination the next meetings."""
    if not uses_steering(ctx):
        return []
    found = [_decisions_card(ctx, today)]
    if can_manage_steering(ctx):
        found.append(_meetings_card(ctx, today))
    return [card for card in found if card is not None]


@demo_step(order=65)
def demo() -> None:
    seed_steering()


# --- topics ---------------------------------------------------------------------------------

# ``nav.topics`` (a flag: the barrier log's and the steering pages' links to the board) for
# every reader of topics; a menu entry of its own only for those without "Steuerung" (case
# managers, programme and team leads) – the coordination reaches the board from the steering
# pages, which keeps its menu on one line.
register_nav("topics", can_view_topics)


def topics_in_menu(ctx: UserContext) -> bool:
    return can_view_topics(ctx) and not uses_steering(ctx)


register_nav(
    "topics_menu",
    topics_in_menu,
    label=gettext_lazy("Topics"),
    url_name="steering:topic_board",
    order=12,
)


@demo_step(order=66)
def demo_topics() -> None:
    """Three demo topics at different levels, proposed from the demo barriers."""
    seed_topics(demo_organisations()["kreis"])
