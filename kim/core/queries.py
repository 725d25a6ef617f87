"""The role-aware start page ("Übersicht"): what is each persona's to do."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kim.accounts.access import (
    MembershipInfo,
    UserContext,
    can_use_admin_site,
    is_administrator,
)
from kim.accounts.models import Membership, Role
from kim.audit.access import can_view_audit
from kim.audit.models import AuditEvent, EventType
from kim.organisations.models import Organisation, OrgKind, PopulationFigure, ResponsibilityPeriod
from kim.partners.access import can_use_deadlines
from kim.partners.queries import deadline_counts, open_follow_ups
from kim.programmes.queries import programme_summary


@dataclass
class Item:
    text: str
    url: str = ""
    status: str = ""  # "", "warning", "success"


@dataclass
class Card:
    title: str
    intro: str = ""
    items: list[Item] = field(default_factory=list)


def _coordination_card(region: Organisation) -> Card:
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
    tally = programme_summary(timezone.localdate(), region=region)
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
    if latest_overall is None:
        card.items.append(
            Item(
                _("No population figures yet – import them."),
                reverse("organisations:population_import", args=[region.code]),
                "warning",
            )
        )
    elif stale:
        card.items.append(
            Item(
                _("Population figures at %(date)s missing for: %(towns)s")
                % {"date": latest_overall.strftime("%d.%m.%Y"), "towns": ", ".join(stale)},
                reverse("organisations:population_import", args=[region.code]),
                "warning",
            )
        )
    else:
        card.items.append(
            Item(
                _("Population figures complete at %(date)s.")
                % {"date": latest_overall.strftime("%d.%m.%Y")},
                status="success",
            )
        )
    return card


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
    town_id = org.pk if org.kind in (OrgKind.KOMMUNE, OrgKind.KREISFREIE_STADT) else None
    if town_id is not None:
        latest = (
            PopulationFigure.objects.filter(kommune_id=town_id, category="total")
            .order_by("-reference_date")
            .first()
        )
        if latest:
            card.items.append(
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
            card.items.append(
                Item(
                    _("Responsible today: %(authority)s") % {"authority": period.authority.name},
                    reverse("organisations:detail", args=[period.authority.code]),
                )
            )
    return card


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


def _audit_card() -> Card:
    since = timezone.now() - dt.timedelta(days=7)
    counts = dict(
        AuditEvent.objects.filter(created_at__gte=since)
        .values_list("event_type")
        .annotate(n=Count("id"))
        .values_list("event_type", "n")
    )
    total = sum(counts.values())
    failed = counts.get(EventType.LOGIN_FAILED, 0)
    card = Card(
        title=_("Data protection"), intro=_("Audit events in the last 7 days: %(n)d") % {"n": total}
    )
    card.items.append(Item(_("Open the audit trail"), reverse("audit:list")))
    card.items.append(
        Item(
            _("Failed logins in the last 7 days: %(n)d") % {"n": failed},
            reverse("audit:list") + "?event_type=" + EventType.LOGIN_FAILED,
            "warning" if failed else "",
        )
    )
    return card


def _admin_card(ctx: UserContext) -> Card:
    users = Membership.objects.active().values("user").distinct().count()
    card = Card(
        title=_("Administration"), intro=_("Active users with a role: %(n)d") % {"n": users}
    )
    if can_use_admin_site(ctx):
        card.items.append(Item(_("Manage users and roles (admin site)"), reverse("admin:index")))
    return card


def _council_card() -> Card:
    """Links only (no queries): the council pages show what has been released."""
    card = Card(
        title=_("Council information"),
        intro=_("No reports have been released to you yet. Released KIM reports appear here."),
    )
    card.items.append(Item(_("Motions and enquiries"), reverse("council:motion_list")))
    card.items.append(Item(_("Meetings"), reverse("council:meeting_list")))
    return card


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


def _membership_card(m: MembershipInfo, today: dt.date) -> Card | None:
    if m.role == Role.KIM_COORDINATION and m.region_id is not None:
        return _coordination_card(Organisation.objects.get(pk=m.region_id))
    if m.role in (Role.PROGRAMME_LEAD, Role.TEAM_LEAD):
        return _town_card(m.organisation_id, today, _("Programme – %(org)s"), with_programme=True)
    if m.role in (Role.CASE_MANAGER, Role.TRAEGER_MANAGER):
        return _town_card(
            m.organisation_id,
            today,
            _("Your organisation – %(org)s"),
            with_programme=m.role == Role.TRAEGER_MANAGER,
        )
    if m.role == Role.B3_OFFICER:
        return _authority_card(m.organisation_id, today)
    if m.role == Role.COUNCIL_MEMBER:
        return _council_card()
    return None


def start_page_cards(ctx: UserContext, today: dt.date | None = None) -> list[Card]:
    today = today or timezone.localdate()
    cards: list[Card] = []
    follow_ups = _follow_up_card(ctx, today)
    if follow_ups is not None:
        cards.append(follow_ups)
    if can_use_deadlines(ctx):
        cards.append(_deadlines_card(ctx, today))
    seen: set[tuple[str, int]] = set()
    for m in ctx.memberships:
        key = (m.role, m.organisation_id)
        if key in seen:
            continue
        seen.add(key)
        card = _membership_card(m, today)
        if card is not None:
            cards.append(card)
    if can_view_audit(ctx):
        cards.append(_audit_card())
    if is_administrator(ctx):
        cards.append(_admin_card(ctx))
    return cards
