"""Who a user is in the KIM world: memberships loaded once per request.

Every predicate in the other apps' ``access.py`` is a plain function of a ``UserContext``
and the row in question; none of them runs queries of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import Http404, HttpRequest

from kim.accounts.models import (
    CONFIRMING_ROLES,
    PERSONAL_DATA_ROLES,
    GrantStatus,
    GroupMapping,
    Membership,
    Role,
)


@dataclass(frozen=True)
class MembershipInfo:
    role: str
    organisation_id: int
    organisation_code: str
    organisation_name: str
    organisation_kind: str
    region_id: int | None
    unit_id: int | None
    unit_name: str

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label)


@dataclass(frozen=True)
class UserContext:
    user_id: int | None
    username: str
    is_superuser: bool
    memberships: tuple[MembershipInfo, ...] = field(default_factory=tuple)
    is_staff: bool = False  # Django's flag for its admin site (``/verwaltung/``)

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(m.role for m in self.memberships)

    @property
    def region_ids(self) -> frozenset[int]:
        """The Kreise / kreisfreie Städte the user works in."""
        return frozenset(m.region_id for m in self.memberships if m.region_id is not None)

    def has_role(self, *roles: str) -> bool:
        return any(m.role in roles for m in self.memberships)

    def regions_with_role(self, *roles: str) -> frozenset[int]:
        return frozenset(
            m.region_id for m in self.memberships if m.role in roles and m.region_id is not None
        )

    def organisations_with_role(self, *roles: str) -> frozenset[int]:
        return frozenset(m.organisation_id for m in self.memberships if m.role in roles)

    @property
    def needs_mfa(self) -> bool:
        return self.is_superuser or bool(self.roles & PERSONAL_DATA_ROLES)

    @property
    def primary(self) -> MembershipInfo | None:
        return self.memberships[0] if self.memberships else None


ANONYMOUS = UserContext(user_id=None, username="", is_superuser=False)


def load_user_context(user: AbstractBaseUser | AnonymousUser) -> UserContext:
    """One query: the user's active memberships with organisation and unit.

    Pending and rejected grants (D-051) and revoked memberships give no rights."""
    if not user.is_authenticated:
        return ANONYMOUS
    rows = (
        Membership.objects.active()
        .filter(user_id=user.pk)
        .select_related("organisation", "unit")
        .order_by("granted_at", "id")
    )
    infos = tuple(
        MembershipInfo(
            role=m.role,
            organisation_id=m.organisation_id,
            organisation_code=m.organisation.code,
            organisation_name=m.organisation.name,
            organisation_kind=m.organisation.kind,
            region_id=m.organisation.region_id_or_self,
            unit_id=m.unit_id,
            unit_name=m.unit.name if m.unit else "",
        )
        for m in rows
    )
    return UserContext(
        user_id=user.pk,
        username=user.get_username(),
        is_superuser=bool(getattr(user, "is_superuser", False)),
        memberships=infos,
        is_staff=bool(getattr(user, "is_staff", False) and user.is_active),
    )


def user_context(request: HttpRequest | Any) -> UserContext:
    """The request's user context, loaded at most once per request.

    Accepts Django's ``HttpRequest`` and DRF's ``Request`` (whose ``user`` may come from a token).
    """
    cached = getattr(request, "_kim_user_context", None)
    if cached is None:
        cached = load_user_context(request.user)
        request._kim_user_context = cached  # type: ignore[union-attr]
    return cached


def is_administrator(ctx: UserContext) -> bool:
    return ctx.is_superuser or ctx.has_role(Role.ADMINISTRATOR)


def can_manage_users(ctx: UserContext) -> bool:
    return is_administrator(ctx)


def can_review_grants(ctx: UserContext) -> bool:
    """Sees pending and recently decided role grants: administrators and the DPO."""
    return is_administrator(ctx) or ctx.has_role(Role.DPO)


def can_decide_grant(ctx: UserContext, membership: Membership) -> bool:
    """The four-eyes rule on role grants (D-051), shared by the pages and the actions.

    A grant that is still pending and not revoked is confirmed or rejected by someone who holds
    an active administrator or DPO membership and who neither made nor received it. The
    superuser flag alone does not count: one administrator can set it on any account."""
    return (
        ctx.user_id is not None
        and membership.status == GrantStatus.PENDING
        and membership.revoked_at is None
        and ctx.has_role(*CONFIRMING_ROLES)
        and ctx.user_id not in (membership.granted_by_id, membership.user_id)
    )


def can_decide_mapping(ctx: UserContext, mapping: GroupMapping) -> bool:
    """The same four-eyes rule for a pending group mapping (D-069): an administrator or the
    DPO who did not create it."""
    return (
        ctx.user_id is not None
        and mapping.status == GrantStatus.PENDING
        and mapping.removed_at is None
        and ctx.has_role(*CONFIRMING_ROLES)
        and ctx.user_id != mapping.created_by_id
    )


def get_grant_for_review(ctx: UserContext, code: str) -> Membership:
    """A membership for the confirm/reject pages: 404 for everyone who may not review grants,
    exactly like a made-up code."""
    if not can_review_grants(ctx):
        raise Http404("Membership not found")
    found = (
        Membership.objects.select_related("user", "organisation", "unit", "granted_by")
        .filter(code=code)
        .first()
    )
    if found is None:
        raise Http404("Membership not found")
    return found


def can_view_retention(ctx: UserContext) -> bool:
    """Sees what a retention run would delete or anonymise today, and its plan (dry run):
    the data-protection officer, who monitors it, and administrators (D-066)."""
    return is_administrator(ctx) or ctx.has_role(Role.DPO)


def can_run_retention(ctx: UserContext) -> bool:
    """Starts a retention run from the web: administrators only. Deleting is processing by
    the controller; the DPO monitors it and does not carry it out (Art. 38(6), 39 GDPR, D-066).
    The daily timer runs it anyway; the button only brings today's run forward."""
    return is_administrator(ctx)


def can_rotate_keys(ctx: UserContext) -> bool:
    """Re-encrypts every field with the newest key from the web: superusers only, who operate
    the installation and its keys (D-066); ``kim rotate_field_keys`` on the server is the same."""
    return ctx.is_superuser


def can_use_admin_site(ctx: UserContext) -> bool:
    """Django's admin site opens for active staff accounts only (``AdminSite.has_permission``),
    whatever their roles: an administrator by role without the flag gets its login page."""
    return ctx.is_staff


# Set by the login code of an identity provider that asserted MFA for this login (OIDC ``amr``,
# SAML AuthnContext); its value names the provider. Lives and dies with the session.
IDP_MFA_SESSION_KEY = "kim_idp_mfa"

# Authenticator types that are a second factor on their own. Recovery codes are a way back in
# after losing one, not a factor to start with.
SECOND_FACTOR_TYPES = ("totp", "webauthn")


def has_second_factor(request_or_user: HttpRequest | AbstractBaseUser | AnonymousUser) -> bool:
    """Whether the MFA policy is met: the user has an authenticator app (TOTP) or a passkey /
    security key (WebAuthn), or – given a request – an identity provider asserted MFA for
    this session (``request.session["kim_idp_mfa"]``). The one check behind the middleware,
    the start page's note and API tokens."""
    if isinstance(request_or_user, HttpRequest):
        session = getattr(request_or_user, "session", None)
        if session is not None and session.get(IDP_MFA_SESSION_KEY):
            return True
        user: AbstractBaseUser | AnonymousUser = request_or_user.user
    else:
        user = request_or_user
    if not user.is_authenticated:
        return False
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user_id=user.pk, type__in=SECOND_FACTOR_TYPES).exists()
