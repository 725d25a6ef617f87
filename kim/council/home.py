"""What council information contributes to the shell (kim/core/shell.py): the menu link, the
start-page cards – council business for the staff who manage a body (motions due, report drafts
awaiting the four-eyes release), the latest released reports for a council member – and the demo
council with its 2022 motion and report."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kim.accounts.access import UserContext
from kim.accounts.models import Role
from kim.core.formats import date_l10n
from kim.core.shell import Card, Item, demo_step, register_nav, start_cards
from kim.council.access import MANAGER_ROLES, can_release_report, can_use_council
from kim.council.demo import seed_council
from kim.council.queries import drafts_awaiting_release, latest_releases, motions_due
from kim.organisations.demo import demo_organisations
from kim.organisations.models import Organisation

register_nav(
    "council",
    can_use_council,
    label=gettext_lazy("Council"),
    url_name="council:motion_list",
    order=50,
)

DUE_DAYS = 30
LISTED = 5


def _business_card(ctx: UserContext, today: dt.date) -> Card:
    """Motions whose answer is due within 30 days (overdue ones first) and the report drafts
    waiting for their release – "waiting for you" when the user may release (four-eyes: someone
    else changed the draft last). Two queries."""
    motions = motions_due(ctx, today, DUE_DAYS)
    card = Card(
        title=_("Council business"),
        number=str(len(motions)),
        label=ngettext(
            "motion whose answer is due within %(days)d days",
            "motions whose answer is due within %(days)d days",
            len(motions),
        )
        % {"days": DUE_DAYS},
    )
    for motion in motions[:LISTED]:
        assert motion.deadline is not None  # motions_due filters on it
        overdue = motion.deadline < today
        values = {"ref": motion.reference, "name": motion.name, "day": date_l10n(motion.deadline)}
        card.items.append(
            Item(
                (
                    _("Overdue since %(day)s: %(ref)s %(name)s")
                    if overdue
                    else _("Answer due %(day)s: %(ref)s %(name)s")
                )
                % values,
                reverse("council:motion_detail", args=[motion.code]),
                "warning" if overdue else "",
            )
        )
    for report in drafts_awaiting_release(ctx)[:LISTED]:
        values = {"ref": report.reference, "subject": report.subject}
        if can_release_report(ctx, report):
            text, status = _("Waiting for you to release: %(ref)s %(subject)s") % values, "warning"
        elif report.last_edited_by_id == ctx.user_id:
            text = (
                _(
                    "Draft awaiting release by a second person (you changed it last): "
                    "%(ref)s %(subject)s"
                )
                % values
            )
            status = ""
        else:
            text, status = _("Draft awaiting release: %(ref)s %(subject)s") % values, ""
        card.items.append(Item(text, reverse("council:report_detail", args=[report.code]), status))
    card.items.append(Item(_("Motions and enquiries"), reverse("council:motion_list")))
    card.items.append(Item(_("Reports"), reverse("council:report_list")))
    return card


def _council_card(ctx: UserContext, organisation_id: int) -> Card:
    """The latest released reports of the council's body, each linked to its released version
    (three queries)."""
    council = Organisation.objects.get(pk=organisation_id)
    count, releases = latest_releases(ctx, organisation_id, LISTED)
    card = Card(
        title=_("Council information – %(org)s") % {"org": council.name},
        number=str(count),
        label=ngettext("released KIM report", "released KIM reports", count),
    )
    if not releases:
        card.intro = _(
            "No reports have been released to you yet. Released KIM reports appear here."
        )
    for release in releases:
        card.items.append(
            Item(
                _("%(ref)s %(subject)s (version %(number)d, released %(day)s)")
                % {
                    "ref": release.report.reference,
                    "subject": release.report.subject,
                    "number": release.number,
                    "day": date_l10n(timezone.localtime(release.released_at).date()),
                },
                reverse("council:release_detail", args=[release.report.code, release.number]),
            )
        )
    card.items.append(Item(_("All released reports"), reverse("council:report_list")))
    card.items.append(Item(_("Motions and enquiries"), reverse("council:motion_list")))
    card.items.append(Item(_("Meetings"), reverse("council:meeting_list")))
    return card


@start_cards(order=50)
def cards(ctx: UserContext, today: dt.date) -> list[Card]:
    """Council business for those who manage a body; one card per council the user sits on."""
    found = []
    if ctx.has_role(*MANAGER_ROLES):
        found.append(_business_card(ctx, today))
    councils = sorted({m.organisation_id for m in ctx.memberships if m.role == Role.COUNCIL_MEMBER})
    found.extend(_council_card(ctx, council) for council in councils)
    return found


@demo_step(order=50)
def demo() -> None:
    seed_council(demo_organisations())
