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

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"],
                condition=Q(revoked_at__isnull=True),
                name="membership_unique_active_role",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.organisation}"
