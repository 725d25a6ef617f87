"""What Baustein-3 screening contributes to the shell (kim/core/shell.py): the menu link, the
start-page card of each residence-law authority the user works for, the demo list and consents,
and the deletion of expired screening lists in ``kim retention run``."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kim.accounts.access import UserContext
from kim.accounts.models import Role
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
from kim.organisations.models import Organisation, ResponsibilityPeriod
from kim.screening.access import can_use_screening
from kim.screening.demo import seed_screening
from kim.screening.retention import purge_expired

register_nav(
    "screening",
    can_use_screening,
    label=gettext_lazy("Screening"),
    url_name="screening:list_index",
    order=20,
)


def _authority_card(org_id: int, today: dt.date) -> Card:
    org = Organisation.objects.get(pk=org_id)
    served = (
        ResponsibilityPeriod.objects.filter(authority_id=org_id, valid_from__lte=today)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .select_related("kommune")
        .order_by("kommune__name")
    )
    names = [p.kommune.name for p in served]
    card = Card(title=_("Baustein 3 – %(org)s") % {"org": org.name})
    card.items.append(
        Item(
            _("Serves today: %(towns)s") % {"towns": ", ".join(names)}
            if names
            else _("No towns assigned today."),
            reverse("organisations:detail", args=[org.code]),
        )
    )
    return card


@start_cards(order=40)
def cards(ctx: UserContext, today: dt.date) -> list[Card]:
    """One card per authority the user screens for, in the order of the memberships."""
    authorities = dict.fromkeys(
        m.organisation_id for m in ctx.memberships if m.role == Role.B3_OFFICER
    )
    return [_authority_card(org_id, today) for org_id in authorities]


@demo_step(order=70)
def demo() -> None:
    seed_screening(demo_organisations())


@retention_step("screening_lists", order=20)
def retention(today: dt.date, dry_run: bool) -> RetentionReport:
    return purge_expired(today, dry_run)
