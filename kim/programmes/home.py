"""What the KIM programme contributes to the shell (kim/core/shell.py): the menu link, the
start-page card of each KIM role in its Kreis or town (coordination, programme and team leads,
case managers, welfare-agency managers), and the demo grants and positions."""

from __future__ import annotations

import datetime as dt

from django.db.models import Max, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kim.accounts.access import MembershipInfo, UserContext
from kim.accounts.models import Role
from kim.core.shell import Card, Item, demo_step, register_nav, start_cards
from kim.organisations.demo import demo_organisations
from kim.organisations.models import Organisation, OrgKind, PopulationFigure, ResponsibilityPeriod
from kim.programmes.access import can_use_programme
from kim.programmes.demo import seed_programme
from kim.programmes.queries import programme_summary

register_nav(
    "programme",
    can_use_programme,
    label=gettext_lazy("Programme"),
    url_name="programmes:home",
    order=30,
)


def _coordination_card(region: Organisation, today: dt.date) -> Card:
    towns = Organisation.objects.filter(
        region=region, kind__in=[OrgKind.KOMMUNE, OrgKind.KREISFREIE_STADT]
    ).annotate(
        latest=Max(
            "population_figures__reference_date", filter=Q(population_figures__category="total")
        )
    )
    latest_overall = max((t.latest for t in towns if t.latest), default=None)
    stale = [t.name for t in towns if t.latest != latest_overall]
    card = Card(
        title=_("KIM coordination – %(region)s") % {"region": region.name},
        intro=ngettext(
            "You coordinate KIM for %(n)d municipality.",
            "You coordinate KIM for %(n)d municipalities.",
            len(towns),
        )
        % {"n": len(towns)},
    )
    card.items.append(
        Item(_("Open the Kreis overview"), reverse("organisations:detail", args=[region.code]))
    )
    tally = programme_summary(today, region=region)
    card.items.append(
        Item(
            _(
                "KIM posts: %(established)s VZÄ established, %(filled)s filled, "
                "%(unfilled)s unfilled"
            )
            % {
                "established": tally.established,
                "filled": tally.filled,
                "unfilled": tally.unfilled,
            },
            reverse("programmes:overview", args=[region.code]),
            "warning" if tally.unfilled else "",
        )
    )
    card.items.append(_population_item(region, latest_overall, stale))
    return card


def _population_item(region: Organisation, latest: dt.date | None, stale: list[str]) -> Item:
    if latest is None:
        return Item(
            _("No population figures yet – import them."),
            reverse("organisations:population_import", args=[region.code]),
            "warning",
        )
    if stale:
        return Item(
            _("Population figures at %(date)s missing for: %(towns)s")
            % {"date": latest.strftime("%d.%m.%Y"), "towns": ", ".join(stale)},
            reverse("organisations:population_import", args=[region.code]),
            "warning",
        )
    return Item(
        _("Population figures complete at %(date)s.") % {"date": latest.strftime("%d.%m.%Y")},
        status="success",
    )


def _town_card(org_id: int, today: dt.date, title: str, *, with_programme: bool = False) -> Card:
    org = Organisation.objects.get(pk=org_id)
    card = Card(title=title % {"org": org.name})
    card.items.append(
        Item(
            _("Page of %(org)s") % {"org": org.name},
            reverse("organisations:detail", args=[org.code]),
        )
    )
    if with_programme:
        tally = programme_summary(today, home_ids=[org.pk])
        if tally.count:
            card.items.append(
                Item(
                    _("KIM posts here: %(established)s VZÄ established, %(filled)s filled")
                    % {"established": tally.established, "filled": tally.filled},
                    reverse("programmes:town_overview", args=[org.code]),
                )
            )
    if org.kind in (OrgKind.KOMMUNE, OrgKind.KREISFREIE_STADT):
        card.items.extend(_town_facts(org.pk, today))
    return card


def _town_facts(town_id: int, today: dt.date) -> list[Item]:
    """The town's latest population and the authorities responsible for it today."""
    items = []
    latest = (
        PopulationFigure.objects.filter(kommune_id=town_id, category="total")
        .order_by("-reference_date")
        .first()
    )
    if latest:
        items.append(
            Item(
                _("Population %(value)s at %(date)s")
                % {
                    "value": f"{latest.value:,}".replace(",", "."),
                    "date": latest.reference_date.strftime("%d.%m.%Y"),
                }
            )
        )
    periods = (
        ResponsibilityPeriod.objects.filter(kommune_id=town_id, valid_from__lte=today)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .select_related("authority")
        .order_by("authority__authority_type")
    )
    for period in periods:
        items.append(
            Item(
                _("Responsible today: %(authority)s") % {"authority": period.authority.name},
                reverse("organisations:detail", args=[period.authority.code]),
            )
        )
    return items


def _role_card(m: MembershipInfo, today: dt.date) -> Card | None:
    if m.role == Role.KIM_COORDINATION and m.region_id is not None:
        return _coordination_card(Organisation.objects.get(pk=m.region_id), today)
    if m.role in (Role.PROGRAMME_LEAD, Role.TEAM_LEAD):
        return _town_card(m.organisation_id, today, _("Programme – %(org)s"), with_programme=True)
    if m.role in (Role.CASE_MANAGER, Role.TRAEGER_MANAGER):
        return _town_card(
            m.organisation_id,
            today,
            _("Your organisation – %(org)s"),
            with_programme=m.role == Role.TRAEGER_MANAGER,
        )
    return None


@start_cards(order=30)
def cards(ctx: UserContext, today: dt.date) -> list[Card]:
    """One card per KIM role and organisation, in the order of the memberships."""
    found: list[Card] = []
    seen: set[tuple[str, int]] = set()
    for m in ctx.memberships:
        if (m.role, m.organisation_id) in seen:
            continue
        seen.add((m.role, m.organisation_id))
        card = _role_card(m, today)
        if card is not None:
            found.append(card)
    return found


@demo_step(order=30)
def demo() -> None:
    seed_programme(demo_organisations())
