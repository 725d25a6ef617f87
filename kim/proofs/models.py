"""Proof of use (Verwendungsnachweis): who proves what for which funding year (decisions D-085).

A ``Proof`` is one organisation's proof for one funding year:

- the Kreis' proof to the Land on its grants of the year (``agreement`` empty), prepared by the
  KIM coordination and released by a second person;
- a town's or welfare agency's proof to its grantor for a pass-through ``agreement``, prepared
  by the town's programme lead or the agency's manager, submitted, and reviewed by the grantor
  (accepted, queried with a reason, or a reclaim up to what was paid – the review is recorded
  on the agreement's reporting duty as well).

The figures are always computed from live data (``kim.proofs.statement``). On submission and on
release they are frozen into ``figures`` so that what the grantor accepted is what the Kreis'
own proof lists, even when payroll rows change later.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kim.core.models import CodeField


class ProofStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    QUERIED = "queried", _("queried")
    ACCEPTED = "accepted", _("accepted")
    RECLAIM = "reclaim", _("accepted with reclaim")
    RELEASED = "released", _("released")


class Proof(models.Model):
    code = CodeField()
    region = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Kreis"),
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="proofs",
        verbose_name=_("organisation giving proof"),
    )
    year = models.PositiveSmallIntegerField(_("funding year"))
    agreement = models.ForeignKey(
        "partners.Agreement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proofs",
        verbose_name=_("pass-through agreement"),
    )
    duty = models.ForeignKey(
        "partners.ReportingDuty",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reporting duty"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ProofStatus.choices, default=ProofStatus.DRAFT
    )
    due_on = models.DateField(_("due on"))
    third_party_funds = models.DecimalField(
        _("third-party funds (€)"),
        max_digits=12,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    third_party_note = models.CharField(
        _("third-party funds: from whom"), max_length=300, blank=True
    )
    place = models.CharField(_("place"), max_length=100, blank=True)
    figures = models.JSONField(_("frozen figures"), default=dict, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_note = models.TextField(_("reason"), blank=True)
    reclaim_amount = models.DecimalField(
        _("reclaim (€)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("proof of use")
        verbose_name_plural = _("proofs of use")
        ordering = ["-year", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year"],
                condition=Q(agreement__isnull=True),
                name="proof_unique_land_year",
            ),
            models.UniqueConstraint(
                fields=["agreement", "year"],
                condition=Q(agreement__isnull=False),
                name="proof_unique_agreement_year",
            ),
        ]

    def __str__(self) -> str:
        return f"Verwendungsnachweis {self.year} {self.organisation}"

    @property
    def to_land(self) -> bool:
        return self.agreement_id is None


# --- the Sachbericht (decisions D-087) ---------------------------------------------------------


class Sachbericht(models.Model):
    """The narrative part of a proof of use: sections with an editable text over blocks of
    live figures for the funding year, composed by the council report engine
    (``kim.proofs.sachbericht.compose``). Each release by a second person freezes a numbered
    ``SachberichtRelease``; the draft keeps following the data."""

    code = CodeField()
    proof = models.OneToOneField(
        Proof, on_delete=models.PROTECT, related_name="sachbericht", verbose_name=_("proof of use")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)
    last_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("Sachbericht")
        verbose_name_plural = _("Sachberichte")

    def __str__(self) -> str:
        return f"Sachbericht {self.proof}"


class SachberichtSection(models.Model):
    """One section: a stable key, its number and title, the narrative and the block keys. The
    figures of the blocks when the text was saved are fingerprinted (D-054) – when they differ
    now, the draft marks the section and the release asks for a confirmation."""

    sachbericht = models.ForeignKey(Sachbericht, on_delete=models.CASCADE, related_name="sections")
    key = models.SlugField(_("key"), max_length=40)
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    narrative = models.TextField(_("text"), blank=True)
    block_keys = models.JSONField(_("blocks of figures"), default=list, blank=True)
    figures_fingerprint = models.CharField(
        _("figures the text was written for"), max_length=64, blank=True, editable=False
    )
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Sachbericht section")
        verbose_name_plural = _("Sachbericht sections")
        ordering = ["sachbericht", "number"]
        constraints = [
            models.UniqueConstraint(fields=["sachbericht", "key"], name="sachbericht_section_key"),
            models.UniqueConstraint(
                fields=["sachbericht", "number"], name="sachbericht_section_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class SachberichtRelease(models.Model):
    """A released, frozen version of a Sachbericht: the composed document as JSON, never
    changed (``kim.council.document.ReportDocument.to_dict``)."""

    code = CodeField()
    sachbericht = models.ForeignKey(Sachbericht, on_delete=models.PROTECT, related_name="releases")
    number = models.PositiveIntegerField(_("version"))
    snapshot = models.JSONField()
    released_at = models.DateTimeField(_("released at"))
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("released Sachbericht")
        verbose_name_plural = _("released Sachberichte")
        ordering = ["sachbericht", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["sachbericht", "number"], name="sachbericht_release_number"
            )
        ]

    def __str__(self) -> str:
        return f"Sachbericht {self.sachbericht_id} v{self.number}"
