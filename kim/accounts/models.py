"""Memberships: a user's rights come from (organisation, unit, role) triples."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kim.core.models import CodeField


class Role(models.TextChoices):
    KIM_COORDINATION = "kim_coordination", _("KIM coordination")
    PROGRAMME_LEAD = "programme_lead", _("Programme lead")
    CASE_MANAGER = "case_manager", _("Case manager")
    TEAM_LEAD = "team_lead", _("Team lead")
    B3_OFFICER = "b3_officer", _("Baustein-3 officer")
    TRAEGER_MANAGER = "traeger_manager", _("Welfare agency manager")
    COUNCIL_MEMBER = "council_member", _("Council member")
    DPO = "dpo", _("Data-protection officer")
    ADMINISTRATOR = "administrator", _("Administrator")


# Roles whose holders can see personal data (now or in later modules): MFA is mandatory for
# them in production. Council members read released, aggregated reports only.
PERSONAL_DATA_ROLES = frozenset(
    {
        Role.KIM_COORDINATION,
        Role.PROGRAMME_LEAD,
        Role.CASE_MANAGER,
        Role.TEAM_LEAD,
        Role.B3_OFFICER,
        Role.TRAEGER_MANAGER,
        Role.DPO,
        Role.ADMINISTRATOR,
    }
)


# Roles that open case or screening data, and the roles that may confirm such grants: granted by
# an administrator they wait for a second person (D-051). Were administrator and DPO not on the
# list, an administrator could give a second account of their own the right to confirm.
CONFIRMATION_ROLES = frozenset(
    {Role.CASE_MANAGER, Role.TEAM_LEAD, Role.B3_OFFICER, Role.DPO, Role.ADMINISTRATOR}
)
# Who confirms or rejects a pending grant (never the grantor or the grantee).
CONFIRMING_ROLES = (Role.ADMINISTRATOR, Role.DPO)


class GrantStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting confirmation")
    ACTIVE = "active", _("Active")
    REJECTED = "rejected", _("Rejected")


class MembershipQuerySet(models.QuerySet["Membership"]):
    """The one place that says which memberships count."""

    def active(self) -> MembershipQuerySet:
        """Memberships that give rights: confirmed (or needing no confirmation), not revoked.

        Every read for authorization – the request's ``UserContext``, lists of case managers,
        assignment checks – goes through this method."""
        return self.filter(status=GrantStatus.ACTIVE, revoked_at__isnull=True)

    def pending(self) -> MembershipQuerySet:
        """Grants waiting for a second person; they give no rights yet."""
        return self.filter(status=GrantStatus.PENDING, revoked_at__isnull=True)

    def held(self) -> MembershipQuerySet:
        """Active or pending: what blocks granting the same role twice."""
        return self.filter(
            status__in=[GrantStatus.ACTIVE, GrantStatus.PENDING], revoked_at__isnull=True
        )


class GroupMappingQuerySet(models.QuerySet["GroupMapping"]):
    def active(self) -> GroupMappingQuerySet:
        """Mappings applied at login: confirmed (or needing no confirmation), not removed."""
        return self.filter(status=GrantStatus.ACTIVE, removed_at__isnull=True)


class GroupMapping(models.Model):
    """ "Directory or identity-provider group G gives role R in organisation O" (issue 15, D-069).

    Applied at every directory/IdP login by ``kim.accounts.sso.apply_group_mappings``: the
    memberships it grants carry ``Membership.source_mapping``; locally granted memberships are
    never touched. ``group`` matches a group's name or its full DN, case-insensitively;
    ``source`` limits the mapping to one login source (``ldap`` or a provider id such as
    ``keycloak``), empty for any source.
    """

    code = CodeField()
    group = models.CharField(_("group"), max_length=255)
    source = models.CharField(
        _("login source"),
        max_length=64,
        blank=True,
        help_text=_(
            "Empty: every directory and identity provider. Otherwise ldap or a provider id."
        ),
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="group_mappings",
        verbose_name=_("organisation"),
    )
    unit = models.ForeignKey(
        "organisations.OrganisationalUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="group_mappings",
        verbose_name=_("unit"),
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=GrantStatus.choices,
        default=GrantStatus.PENDING,
        db_index=True,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("confirmed or rejected by"),
    )
    decided_at = models.DateTimeField(_("confirmed or rejected at"), null=True, blank=True)
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)

    objects = GroupMappingQuerySet.as_manager()

    class Meta:
        verbose_name = _("group mapping")
        verbose_name_plural = _("group mappings")
        ordering = ["group", "organisation__name", "role"]
        constraints = [
            models.UniqueConstraint(
                models.functions.Lower("group"),
                "source",
                "organisation",
                "role",
                condition=Q(removed_at__isnull=True) & ~Q(status="rejected"),
                name="groupmapping_unique_current",
            )
        ]

    def __str__(self) -> str:
        return f"{self.group} → {self.get_role_display()} – {self.organisation}"


class Membership(models.Model):
    code = CodeField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    unit = models.ForeignKey(
        "organisations.OrganisationalUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("unit"),
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=GrantStatus.choices,
        default=GrantStatus.PENDING,
        db_index=True,
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("granted by"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("confirmed or rejected by"),
    )
    decided_at = models.DateTimeField(_("confirmed or rejected at"), null=True, blank=True)
    # Set when a group mapping granted the membership at a directory/IdP login; such
    # memberships are ended by the mapping when the group is gone (kim.accounts.sso).
    source_mapping = models.ForeignKey(
        GroupMapping,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("granted by group mapping"),
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"],
                condition=Q(revoked_at__isnull=True) & ~Q(status="rejected"),
                name="membership_unique_active_role",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.organisation}"


class UserSession(models.Model):
    """One signed-in browser of a user, for "Angemeldete Geräte" (issue 15, D-072).

    Django's database sessions cannot be listed per user; this row, written at login, touched at
    most once a minute and deleted at logout, can. ``session_key`` is the same key
    ``django_session`` stores, so ending a session here deletes exactly that row there.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="browser_sessions"
    )
    session_key = models.CharField(max_length=40, unique=True)
    # Shortened User-Agent (for "Firefox unter Windows"); no client address is kept.
    user_agent = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.user} – {self.created_at:%Y-%m-%d %H:%M}"
