"""Accounts and role changes; every change is an audit event in the same transaction."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kim.accounts.access import can_decide_grant, load_user_context
from kim.accounts.models import (
    CONFIRMATION_ROLES,
    GrantStatus,
    GroupMapping,
    Membership,
    Role,
)
from kim.accounts.sso import record_mapping_change
from kim.audit.models import EventType
from kim.audit.record import record
from kim.core.models import Actor, actor_user
from kim.organisations.models import Organisation, OrganisationalUnit


@transaction.atomic
def create_user(
    *,
    acting_user: Actor,
    username: str,
    password: str | None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    is_superuser: bool = False,
    validate_password: bool = True,
) -> User:
    """Create an account. ``validate_password=False`` is for the demo seed only."""
    user_model = get_user_model()
    user: User = user_model(
        username=username, first_name=first_name, last_name=last_name, email=email
    )
    user.is_superuser = is_superuser
    user.is_staff = is_superuser
    if password is None:
        user.set_unusable_password()
    else:
        if validate_password:
            from django.contrib.auth.password_validation import validate_password as check

            check(password, user)
        user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    record(
        EventType.USER_CREATED,
        actor=acting_user,
        subject_type="auth.user",
        subject_code=str(user.pk),
    )
    return user


def _grant_status(acting_user: Actor, role: str) -> str:
    """Pending when an administrator grants a role that needs a second person (D-051).

    Grants with no acting user are the operator's: the demo seed and ``kim grant_role`` (and
    tests). Whoever runs them already has the server and its database, so a second person in
    the application would protect nothing; they are active at once and audited as such.
    """
    if actor_user(acting_user) is not None and role in CONFIRMATION_ROLES:
        return GrantStatus.PENDING
    return GrantStatus.ACTIVE


@transaction.atomic
def grant_role(
    *,
    acting_user: Actor,
    user: User,
    organisation: Organisation,
    role: str,
    unit: OrganisationalUnit | None = None,
    via: str = "",
) -> Membership:
    """Grant a role; roles in ``CONFIRMATION_ROLES`` granted by a user wait for confirmation.

    ``via`` names the channel in the audit event ("admin", "command"; empty for the rest).
    """
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    if unit is not None and unit.organisation_id != organisation.pk:
        raise ValidationError({"unit": _("The unit does not belong to this organisation.")})
    if Membership.objects.held().filter(user=user, organisation=organisation, role=role).exists():
        raise ValidationError({"role": _("The user already holds this role here.")})
    status = _grant_status(acting_user, role)
    membership = Membership.objects.create(
        user=user,
        organisation=organisation,
        role=role,
        unit=unit,
        status=status,
        granted_by=actor_user(acting_user),
    )
    extra = {"user": str(user.pk), "role": role, "status": status}
    if via:
        extra["via"] = via
    record(
        EventType.ROLE_GRANTED,
        actor=acting_user,
        subject=membership,
        organisation=organisation,
        extra=extra,
    )
    return membership


def _decide(acting_user: Actor, membership: Membership, status: str, event: str) -> Membership:
    """Lock the row, check the four-eyes rule against the database, then decide and record."""
    locked = Membership.objects.select_for_update().get(pk=membership.pk)
    decider = actor_user(acting_user)
    if decider is None or not can_decide_grant(load_user_context(decider), locked):
        raise PermissionDenied(
            _(
                "Only a second administrator or the data-protection officer may decide a "
                "pending role grant – never the person who granted or received it."
            )
        )
    locked.status = status
    locked.decided_by = decider
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    record(
        event,
        actor=acting_user,
        subject=locked,
        organisation=locked.organisation,
        extra={
            "user": str(locked.user_id),
            "role": locked.role,
            "granted_by": str(locked.granted_by_id or ""),
        },
    )
    membership.status, membership.decided_by, membership.decided_at = (
        locked.status,
        locked.decided_by,
        locked.decided_at,
    )
    return membership


@transaction.atomic
def confirm_role(*, acting_user: Actor, membership: Membership) -> Membership:
    """Confirm a pending grant: from now on it counts (second step of the four-eyes rule)."""
    return _decide(acting_user, membership, GrantStatus.ACTIVE, EventType.ROLE_CONFIRMED)


@transaction.atomic
def reject_role(*, acting_user: Actor, membership: Membership) -> Membership:
    """Reject a pending grant: it never counts; granting the role again starts anew."""
    return _decide(acting_user, membership, GrantStatus.REJECTED, EventType.ROLE_REJECTED)


@transaction.atomic
def revoke_role(*, acting_user: Actor, membership: Membership) -> Membership:
    if membership.revoked_at is not None:
        return membership
    membership.revoked_at = timezone.now()
    membership.save(update_fields=["revoked_at"])
    record(
        EventType.ROLE_REVOKED,
        actor=acting_user,
        subject=membership,
        organisation=membership.organisation,
        extra={"user": str(membership.user_id), "role": membership.role},
    )
    return membership


@transaction.atomic
def issue_api_token(*, acting_user: Actor, user: User) -> str:
    """Create (or replace) the user's API token and return its key.

    The key is shown once; the audit event names the user, never the key. When MFA is
    required, a user whose role sees personal data must have set up a second factor
    (authenticator app or passkey) first: a token
    must not be a way around the second factor.
    """
    from django.conf import settings
    from rest_framework.authtoken.models import Token

    from kim.accounts.access import has_second_factor, load_user_context

    if (
        settings.KIM_REQUIRE_MFA
        and load_user_context(user).needs_mfa
        and not has_second_factor(user)
    ):
        raise ValidationError(
            _("%(user)s must set up two-factor authentication before an API token is issued.")
            % {"user": user.get_username()}
        )
    Token.objects.filter(user=user).delete()
    token = Token.objects.create(user=user)
    record(
        EventType.API_TOKEN_ISSUED,
        actor=acting_user,
        subject_type="auth.user",
        subject_code=str(user.pk),
    )
    return str(token.key)


@transaction.atomic
def revoke_api_token(*, acting_user: Actor, user: User) -> bool:
    """Delete the user's API token; returns whether there was one."""
    from rest_framework.authtoken.models import Token

    deleted, _ = Token.objects.filter(user=user).delete()
    if deleted:
        record(
            EventType.API_TOKEN_REVOKED,
            actor=acting_user,
            subject_type="auth.user",
            subject_code=str(user.pk),
        )
    return bool(deleted)


# --- group mappings (decisions D-069) -----------------------------------------------------------


@transaction.atomic
def add_group_mapping(
    *,
    acting_user: Actor,
    group: str,
    organisation: Organisation,
    role: str,
    unit: OrganisationalUnit | None = None,
    source: str = "",
    via: str = "",
) -> GroupMapping:
    """Record "group G gives role R in organisation O"; applied at the group's next logins.

    Like a role grant (D-051): made by a user for a role that opens case or screening data, it
    waits for a second administrator or the DPO; made by the operator (no acting user) it is
    active at once and audited as a system change.
    """
    group = group.strip()
    source = source.strip().lower()
    if not group:
        raise ValidationError({"group": _("Name the directory or identity-provider group.")})
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    if unit is not None and unit.organisation_id != organisation.pk:
        raise ValidationError({"unit": _("The unit does not belong to this organisation.")})
    current = GroupMapping.objects.filter(
        group__iexact=group, source=source, organisation=organisation, role=role
    ).exclude(status=GrantStatus.REJECTED)
    if current.filter(removed_at__isnull=True).exists():
        raise ValidationError({"group": _("This group already gives this role here.")})
    mapping = GroupMapping.objects.create(
        group=group,
        source=source,
        organisation=organisation,
        role=role,
        unit=unit,
        status=_grant_status(acting_user, role),
        created_by=actor_user(acting_user),
    )
    extra = {"group": group, "source": source, "role": role, "status": mapping.status}
    if via:
        extra["via"] = via
    record(
        EventType.SSO_MAPPING_ADDED,
        actor=acting_user,
        subject=mapping,
        organisation=organisation,
        extra=extra,
    )
    return mapping


@transaction.atomic
def decide_group_mapping(*, acting_user: Actor, mapping: GroupMapping, confirm: bool) -> None:
    """Confirm or reject a pending mapping: a second administrator or the DPO (D-069)."""
    from kim.accounts.access import can_decide_mapping

    locked = GroupMapping.objects.select_for_update().get(pk=mapping.pk)
    decider = actor_user(acting_user)
    if decider is None or not can_decide_mapping(load_user_context(decider), locked):
        raise PermissionDenied(
            _(
                "Only a second administrator or the data-protection officer may decide a "
                "pending group mapping – never the person who created it."
            )
        )
    locked.status = GrantStatus.ACTIVE if confirm else GrantStatus.REJECTED
    locked.decided_by = decider
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    record(
        EventType.SSO_MAPPING_CONFIRMED if confirm else EventType.SSO_MAPPING_REMOVED,
        actor=acting_user,
        subject=locked,
        organisation=locked.organisation,
        extra={"group": locked.group, "role": locked.role, "status": locked.status},
    )


@transaction.atomic
def remove_group_mapping(*, acting_user: Actor, mapping: GroupMapping, via: str = "") -> int:
    """Remove a mapping and end, at once, every membership it granted; returns their number."""
    locked = GroupMapping.objects.select_for_update().get(pk=mapping.pk)
    if locked.removed_at is not None:
        return 0
    now = timezone.now()
    locked.removed_at = now
    locked.save(update_fields=["removed_at"])
    ended = 0
    for membership in Membership.objects.select_for_update().filter(
        source_mapping=locked, revoked_at__isnull=True
    ):
        membership.revoked_at = now
        membership.save(update_fields=["revoked_at"])
        ended += 1
        record_mapping_change(
            EventType.SSO_ROLE_ENDED,
            membership,
            locked,
            source="mapping removed",
            actor=acting_user,
        )
    extra: dict[str, str | int] = {"group": locked.group, "role": locked.role, "ended": ended}
    if via:
        extra["via"] = via
    record(
        EventType.SSO_MAPPING_REMOVED,
        actor=acting_user,
        subject=locked,
        organisation=locked.organisation,
        extra=extra,
    )
    mapping.removed_at = now
    return ended
