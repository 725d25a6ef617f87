"""What the KIM programme contributes to the shell (kim/core/shell.py): the menu link, the
start-page card of each KIM role in its Kreis or town (coordination, programme and team leads,
case managers, welfare-agency managers), and the demo grants and positions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Max, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kim.accounts.access import MembershipInfo, UserContext
from kim.accounts.models import Role
from kim.core.charts import BarChart, Series, bar_chart
from kim.core.formats import date_l10n, number_l10n, signed_l10n
from kim.core.shell import Card, Item, demo_step, register_nav, start_cards
from kim.organisations.demo import demo_organisations
from kim.organisations.models import Organisation, OrgKind, PopulationFigure, ResponsibilityPeriod
from kim.programmes.access import can_use_programme, positions_for_user
from kim.programmes.demo import seed_payroll, seed_programme
from kim.programmes.models import Baustein, Position
from kim.programmes.queries import (
    Tally,
    baustein_tallies,
    long_vacancies,
    month_before,
    programme_summary,
    with_status_history,
)

VACANCY_DAYS = 90
VACANCIES_LISTED = 5

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
    card.items.append(_population_item(region, latest_overall, stale))
    return card


def change_items(now: Tally, before: Tally, before_day: dt.date) -> list[Item]:
    """Filled and vacant VZÄ with their change since ``before_day``, and the change of the
    established VZÄ (shared by the Kreis card here and the town card in partners/home.py)."""
    since = date_l10n(before_day)
    return [
        Item(
            _("Filled: %(vze)s VZÄ (%(change)s VZÄ since %(day)s)")
            % {
                "vze": number_l10n(now.filled),
                "change": signed_l10n(now.filled - before.filled),
                "day": since,
            }
        ),
        Item(
            _("Vacant (established, not filled): %(vze)s VZÄ (%(change)s VZÄ since %(day)s)")
            % {
                "vze": number_l10n(now.unfilled),
                "change": signed_l10n(now.unfilled - before.unfilled),
                "day": since,
            },
            status="warning" if now.unfilled else "",
        ),
        Item(
            _("Established: %(change)s VZÄ since %(day)s")
            % {"change": signed_l10n(now.established - before.established), "day": since}
        ),
    ]


def baustein_chart(
    key: str, title: str, now: dict[str, Tally], before: dict[str, Tally], days: list[dt.date]
) -> str:
    """Established, filled and vacant VZÄ per Baustein on ``days`` (today, a month earlier):
    the SVG and its table (kim/core/charts.py)."""
    today, earlier = (date_l10n(d) for d in days)
    bausteine = [b.value for b in Baustein]

    def series(name: str, attr: str, tallies: dict[str, Tally], colour: str) -> Series:
        return Series(name, [getattr(tallies[b], attr) for b in bausteine], colour)

    return bar_chart(
        BarChart(
            key=key,
            title=title,
            category_label=_("Baustein"),
            categories=bausteine,
            series=[
                series(
                    _("established %(day)s") % {"day": earlier}, "established", before, "#6b8ae6"
                ),
                series(_("established %(day)s") % {"day": today}, "established", now, "#1d4ed8"),
                series(_("filled %(day)s") % {"day": earlier}, "filled", before, "#2f9488"),
                series(_("filled %(day)s") % {"day": today}, "filled", now, "#0f766e"),
                series(_("vacant %(day)s") % {"day": earlier}, "unfilled", before, "#c96f1a"),
                series(_("vacant %(day)s") % {"day": today}, "unfilled", now, "#b45309"),
            ],
            unit=_("VZÄ"),
            footer=_("Total"),
        )
    )


def _posts_card(region: Organisation, posts: list[Position], today: dt.date) -> Card:
    """The Kreis's KIM posts per Baustein today and a month earlier."""
    earlier = month_before(today)
    now, before = baustein_tallies(posts, [today, earlier])
    card = Card(
        title=_("KIM posts – %(region)s") % {"region": region.name},
        number=number_l10n(now[""].established),
        label=_("VZÄ established on %(day)s") % {"day": date_l10n(today)},
        items=change_items(now[""], before[""], earlier),
        chart=baustein_chart(
            "chart-posts-region",
            _("KIM posts per Baustein on %(earlier)s and %(today)s (VZÄ)")
            % {"earlier": date_l10n(earlier), "today": date_l10n(today)},
            now,
            before,
            [today, earlier],
        ),
    )
    card.items.append(
        Item(
            _("Open the programme overview"),
            reverse("programmes:overview", args=[region.code]),
        )
    )
    return card


def _vacancies_card(posts: list[Position], today: dt.date) -> Card:
    """Posts established but unfilled for more than 90 days, longest first."""
    found = long_vacancies(posts, today, VACANCY_DAYS)
    vze = sum((p.vze for p, _since in found), Decimal(0))
    card = Card(
        title=_("Vacancies older than %(days)d days") % {"days": VACANCY_DAYS},
        number=str(len(found)),
        label=ngettext(
            "post unfilled for more than %(days)d days (%(vze)s VZÄ)",
            "posts unfilled for more than %(days)d days (%(vze)s VZÄ)",
            len(found),
        )
        % {"days": VACANCY_DAYS, "vze": number_l10n(vze)},
    )
    for position, since in found[:VACANCIES_LISTED]:
        card.items.append(
            Item(
                _("%(post)s (%(home)s): unfilled since %(day)s")
                % {"post": position.title, "home": position.home.name, "day": date_l10n(since)},
                reverse("programmes:position_detail", args=[position.code]),
                "warning",
            )
        )
    if len(found) > VACANCIES_LISTED:
        card.items.append(
            Item(
                _("and %(n)d more") % {"n": len(found) - VACANCIES_LISTED},
                reverse("programmes:position_list"),
            )
        )
    card.items.append(Item(_("Open the position list"), reverse("programmes:position_list")))
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
            % {"date": date_l10n(latest), "towns": ", ".join(stale)},
            reverse("organisations:population_import", args=[region.code]),
            "warning",
        )
    return Item(
        _("Population figures complete at %(date)s.") % {"date": date_l10n(latest)},
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
                    % {
                        "established": number_l10n(tally.established),
                        "filled": number_l10n(tally.filled),
                    },
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
                    "value": number_l10n(latest.value, 0),
                    "date": date_l10n(latest.reference_date),
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


def _role_cards(ctx: UserContext, m: MembershipInfo, today: dt.date) -> list[Card]:
    if m.role == Role.KIM_COORDINATION and m.region_id is not None:
        region = Organisation.objects.get(pk=m.region_id)
        # One read of the Kreis's posts with their status history for both cards (2 queries).
        posts = with_status_history(positions_for_user(ctx).filter(region=region))
        return [
            _posts_card(region, posts, today),
            _vacancies_card(posts, today),
            _coordination_card(region, today),
        ]
    card = _role_card(m, today)
    return [card] if card is not None else []


def _role_card(m: MembershipInfo, today: dt.date) -> Card | None:
    if m.role in (Role.PROGRAMME_LEAD, Role.TEAM_LEAD):
        # The town's posts – with those passed on to welfare agencies, as the council report
        # counts them – are a card of the partners app (partners/home.py).
        return _town_card(m.organisation_id, today, _("Programme – %(org)s"))
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
        found.extend(_role_cards(ctx, m, today))
    return found


@demo_step(order=30)
def demo() -> None:
    seed_programme(demo_organisations())


@demo_step(order=45)
def demo_payroll() -> None:
    """Actual cost and Land payments of 2025 – after partners (40), whose award moves two of
    Siegen's posts to a welfare agency that then pays (and imports) their cost."""
    seed_payroll(demo_organisations())
