"""Group → membership mappings applied just in time at a directory or IdP login (D-069).

``apply_group_mappings`` is the one entry point for every login source (LDAP, OpenID Connect,
SAML): the source passes the user and the groups the directory or IdP reports *now*; the
function grants what active mappings say and ends what a mapping granted earlier but no longer
gives. Memberships granted locally (admin, ``kim grant_role``, the seed) are never touched.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from kim.accounts.models import GrantStatus, GroupMapping, Membership
from kim.audit.models import EventType
from kim.audit.record import record
from kim.core.models import Actor


@dataclass
class MappingResult:
    """What one login changed; ``granted``/``ended`` hold the memberships touched."""

    granted: list[Membership] = field(default_factory=list)
    ended: list[Membership] = field(default_factory=list)
    matched: list[GroupMapping] = field(default_factory=list)


def normalise_groups(groups: Iterable[str]) -> frozenset[str]:
    """Group names and DNs compared case-insensitively (Active Directory ignores case)."""
    return frozenset(g.strip().casefold() for g in groups if g and g.strip())


def matching_mappings(groups: Iterable[str], *, source: str) -> list[GroupMapping]:
    """Active mappings whose group is among ``groups`` and whose source fits."""
    wanted = normalise_groups(groups)
    if not wanted:
        return []
    candidates = GroupMapping.objects.active().select_related("organisation", "unit")
    return [
        m for m in candidates if m.group.strip().casefold() in wanted and m.source in ("", source)
    ]


def record_mapping_change(
    event: str,
    membership: Membership,
    mapping: GroupMapping,
    *,
    source: str,
    actor: Actor = None,
) -> None:
    """The audit event of a membership a mapping granted or ended, naming the mapping."""
    record(
        event,
        actor=actor,
        subject=membership,
        organisation=membership.organisation,
        extra={
            "user": str(membership.user_id),
            "role": membership.role,
            "mapping": mapping.code,
            "group": mapping.group,
            "source": source,
        },
    )


@transaction.atomic
def apply_group_mappings(user: User, groups: Iterable[str], *, source: str) -> MappingResult:
    """Bring the user's mapped memberships in line with the groups reported at this login.

    - An active mapping whose group is reported grants its role (active at once: the
      mapping itself passed the four-eyes rule, the group membership is IT's decision) –
      unless the user already holds that role in that organisation, locally or through
      another mapping.
    - A membership granted by a mapping that no longer matches (group gone, mapping removed
      or limited to another source) is ended.
    Each change is an audit event naming the mapping, the group and the login source.
    """
    groups = list(groups)
    result = MappingResult(matched=matching_mappings(groups, source=source))
    # Lock the user's memberships: two parallel logins of the same person must not grant twice.
    current = list(
        # Lock the memberships only: PostgreSQL cannot lock the nullable side of the join.
        Membership.objects.select_for_update(of=("self",))
        .select_related("source_mapping")
        .filter(user=user, revoked_at__isnull=True)
        .exclude(status=GrantStatus.REJECTED)
    )
    wanted_ids = {m.pk for m in result.matched}
    now = timezone.now()
    for membership in current:
        mapping = membership.source_mapping
        if mapping is None or mapping.pk in wanted_ids:
            continue
        # A membership from a mapping limited to another source stays until that source says.
        if mapping.source not in ("", source) and mapping.removed_at is None:
            continue
        membership.revoked_at = now
        membership.save(update_fields=["revoked_at"])
        result.ended.append(membership)
        record_mapping_change(EventType.SSO_ROLE_ENDED, membership, mapping, source=source)
    held = {(m.organisation_id, m.role) for m in current if m.revoked_at is None}
    for mapping in result.matched:
        key = (mapping.organisation_id, mapping.role)
        if key in held:
            continue
        held.add(key)
        membership = Membership.objects.create(
            user=user,
            organisation=mapping.organisation,
            unit=mapping.unit,
            role=mapping.role,
            status=GrantStatus.ACTIVE,
            source_mapping=mapping,
        )
        result.granted.append(membership)
        record_mapping_change(EventType.SSO_ROLE_GRANTED, membership, mapping, source=source)
    return result
