"""What cooperation with welfare agencies contributes to the shell (kim/core/shell.py): the
menu link and the section flags of its pages, the follow-up and deadline cards, the demo talks,
call and agreements."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kim.accounts.access import MembershipInfo, UserContext
from kim.accounts.models import Role
from kim.core.formats import date_l10n, number_l10n
from kim.core.shell import Card, Item, demo_step, register_nav, start_cards
from kim.organisations.demo import demo_organisations
from kim.organisations.models import Organisation
from kim.partners.access import (
    can_use_agreements,
    can_use_calls,
    can_use_deadlines,
    can_use_partners,
)
from kim.partners.demo import seed_partners
from kim.partners.queries import (
    agency_desk,
    body_post_tallies,
    deadline_counts,
    open_follow_ups,
)
from kim.programmes.home import baustein_chart, change_items
from kim.programmes.queries import month_before

LISTED = 5

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
        values = {"due": date_l10n(task.due), "task": task.title}
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
    """Payments and reports of the agreements the user manages: overdue / next 30 days, and
    the agreements themselves (one query)."""
    counts = deadline_counts(ctx, today)
    url = reverse("partners:deadlines")
    card = Card(
        title=_("Deadlines of pass-through agreements"),
        number=str(counts.overdue),
        label=ngettext("payment or report overdue", "payments or reports overdue", counts.overdue),
    )
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
    card.items.append(
        Item(_("Open the pass-through agreements"), reverse("partners:agreement_list"))
    )
    return card


def _town_posts_card(ctx: UserContext, m: MembershipInfo, today: dt.date) -> Card:
    """A town's KIM posts as the council report counts them (``posts_of_body``): those of the
    town and its authorities and those whose funds it passes on to a welfare agency – with
    the change since the same day a month earlier (3 queries)."""
    # The membership already names the town: an unsaved stand-in spares a query.
    town = Organisation(
        pk=m.organisation_id,
        code=m.organisation_code,
        name=m.organisation_name,
        kind=m.organisation_kind,
    )
    earlier = month_before(today)
    now, before = body_post_tallies(town, [today, earlier])
    card = Card(
        title=_("KIM posts of %(town)s") % {"town": town.name},
        number=number_l10n(now[""].established),
        label=_("VZÄ established on %(day)s") % {"day": date_l10n(today)},
        intro=_(
            "Counted as in the council report: the posts of the town and its authorities and "
            "those whose funds it passes on to welfare agencies."
        ),
        items=change_items(now[""], before[""], earlier),
        chart=baustein_chart(
            "chart-posts-town",
            _("KIM posts of %(town)s per Baustein on %(earlier)s and %(today)s (VZÄ)")
            % {"town": town.name, "earlier": date_l10n(earlier), "today": date_l10n(today)},
            now,
            before,
            [today, earlier],
        ),
    )
    card.items.append(
        Item(
            _("Of these passed on to welfare agencies: %(vze)s VZÄ established")
            % {"vze": number_l10n(now[""].established_traeger)},
            reverse("partners:agreement_list") if can_use_agreements(ctx) else "",
        )
    )
    card.items.append(
        Item(
            _("Open the posts hosted by %(town)s") % {"town": town.name},
            reverse("programmes:town_overview", args=[town.code]),
        )
    )
    return card


def _agency_card(ctx: UserContext, today: dt.date) -> Card:
    """A welfare agency's agreements, reports due and the calls open for submissions."""
    desk = agency_desk(ctx, today)
    card = Card(
        title=_("Agreements, reports and calls"),
        number=str(len(desk.agreements)),
        label=ngettext(
            "pass-through agreement in force",
            "pass-through agreements in force",
            len(desk.agreements),
        ),
    )
    for agreement in desk.agreements[:LISTED]:
        card.items.append(
            Item(
                _("%(title)s (from %(grantor)s, until %(end)s)")
                % {
                    "title": agreement.title,
                    "grantor": agreement.grantor.name,
                    "end": date_l10n(agreement.period_end),
                },
                reverse("partners:agreement_detail", args=[agreement.code]),
            )
        )
    if not desk.duties:
        card.items.append(Item(_("No report is due in the next 30 days."), status="success"))
    for duty in desk.duties[:LISTED]:
        overdue = duty.due_on < today
        values = {
            "kind": duty.get_kind_display(),
            "due": date_l10n(duty.due_on),
            "agreement": duty.agreement.title,
        }
        card.items.append(
            Item(
                (
                    _("Overdue since %(due)s: %(kind)s for %(agreement)s")
                    if overdue
                    else _("Due %(due)s: %(kind)s for %(agreement)s")
                )
                % values,
                reverse("partners:agreement_detail", args=[duty.agreement.code]),
                "warning" if overdue else "",
            )
        )
    for call in desk.calls[:LISTED]:
        card.items.append(
            Item(
                _("Call open until %(deadline)s: %(title)s")
                % {
                    "deadline": date_l10n(timezone.localtime(call.deadline).date()),
                    "title": call.title,
                },
                reverse("partners:call_detail", args=[call.code]),
            )
        )
    if not desk.calls:
        card.items.append(
            Item(_("No call is open for submissions."), reverse("partners:call_list"))
        )
    return card


@start_cards(order=10)
def cards(ctx: UserContext, today: dt.date) -> list[Card]:
    """First on the page: what is due (follow-up tasks, agreement deadlines)."""
    found = [_follow_up_card(ctx, today)]
    if can_use_deadlines(ctx):
        found.append(_deadlines_card(ctx, today))
    if ctx.has_role(Role.TRAEGER_MANAGER):
        found.append(_agency_card(ctx, today))
    return [card for card in found if card is not None]


@start_cards(order=31)
def town_cards(ctx: UserContext, today: dt.date) -> list[Card]:
    """Right after the programme's role cards: each town's KIM posts for its programme and
    team leads, counted as the council report counts them."""
    towns = {
        m.organisation_id: m
        for m in ctx.memberships
        if m.role in (Role.PROGRAMME_LEAD, Role.TEAM_LEAD)
    }
    return [_town_posts_card(ctx, towns[pk], today) for pk in sorted(towns)]


@demo_step(order=40)
def demo() -> None:
    seed_partners(demo_organisations())
