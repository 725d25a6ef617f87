"""Read side of role grants: what waits for a second person, and what was decided lately."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from kim.accounts.access import UserContext, can_decide_grant, can_review_grants
from kim.accounts.models import GrantStatus, GroupMapping, Membership

RECENT_DAYS = 30
RELATED = ("user", "organisation", "unit", "granted_by", "decided_by")


@dataclass(frozen=True)
class GrantRow:
    membership: Membership
    may_decide: bool


@dataclass(frozen=True)
class GrantOverview:
    pending: list[GrantRow]
    recent: list[GrantRow]
    days: int = RECENT_DAYS


def pending_grants(ctx: UserContext) -> list[GrantRow]:
    """Grants waiting for confirmation, oldest first (one query); empty for non-reviewers."""
    if not can_review_grants(ctx):
        return []
    rows = Membership.objects.pending().select_related(*RELATED).order_by("granted_at", "id")
    return [GrantRow(m, can_decide_grant(ctx, m)) for m in rows]


def recent_decisions(ctx: UserContext, since: dt.datetime) -> list[GrantRow]:
    """Grants confirmed or rejected since ``since``, newest first (one query)."""
    if not can_review_grants(ctx):
        return []
    rows = (
        Membership.objects.filter(decided_at__gte=since)
        .select_related(*RELATED)
        .order_by("-decided_at", "-id")
    )
    return [GrantRow(m, False) for m in rows]


def grant_overview(ctx: UserContext, now: dt.datetime | None = None) -> GrantOverview | None:
    """The start-page card of administrators and the DPO (two queries); None for the rest."""
    if not can_review_grants(ctx):
        return None
    since = (now or timezone.now()) - dt.timedelta(days=RECENT_DAYS)
    return GrantOverview(pending=pending_grants(ctx), recent=recent_decisions(ctx, since))


def current_group_mappings() -> QuerySet[GroupMapping]:
    """Mappings not removed or rejected, each with its number of current memberships (the
    operator's ``kim sso map list``; active and pending, D-069)."""
    return (
        GroupMapping.objects.filter(removed_at__isnull=True)
        .exclude(status=GrantStatus.REJECTED)
        .select_related("organisation", "unit")
        .annotate(
            active_memberships=Count(
                "memberships",
                filter=Q(memberships__revoked_at__isnull=True)
                & Q(memberships__status=GrantStatus.ACTIVE),
            )
        )
    )
