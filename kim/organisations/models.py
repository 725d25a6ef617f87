"""Organisations of the KIM world: Land, Bezirksregierung, Kreis, towns, Träger, authorities."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kim.core.models import CodeField, in_period


class OrgKind(models.TextChoices):
    LAND = "land", _("Land")
    BEZIRKSREGIERUNG = "bezirksregierung", _("Bezirksregierung")
    KREIS = "kreis", _("Kreis")
    KOMMUNE = "kommune", _("Kreisangehörige Kommune")
    KREISFREIE_STADT = "kreisfreie_stadt", _("Kreisfreie Stadt")
    TRAEGER = "traeger", _("Welfare agency (freier Träger)")
    UMBRELLA = "umbrella", _("Umbrella association (Spitzenverband)")
    AUTHORITY = "authority", _("Authority or service")


# Kinds that are regional roots: every other organisation belongs to exactly one of them.
REGION_KINDS = (OrgKind.KREIS, OrgKind.KREISFREIE_STADT)
# Kinds that carry an official municipality key (AGS).
AGS_KINDS = (OrgKind.KREIS, OrgKind.KOMMUNE, OrgKind.KREISFREIE_STADT)


class AuthorityType(models.TextChoices):
    JOBCENTER = "jobcenter", _("Jobcenter")
    AGENTUR_FUER_ARBEIT = "agentur_fuer_arbeit", _("Agentur für Arbeit")
    AUSLAENDERBEHOERDE = "auslaenderbehoerde", _("Ausländerbehörde")
    EINBUERGERUNGSBEHOERDE = "einbuergerungsbehoerde", _("Einbürgerungsbehörde")
    JUGENDAMT = "jugendamt", _("Jugendamt")
    SOZIALAMT = "sozialamt", _("Sozialamt")
    BAMF = "bamf", _("BAMF")
    MBE = "mbe", _("Migrationsberatung für erwachsene Zuwanderer (MBE)")
    JMD = "jmd", _("Jugendmigrationsdienst (JMD)")
    SCHULAMT = "schulamt", _("Schulamt")
    OTHER = "other", _("Other service")


class Rechtskreis(models.TextChoices):
    SGB_II = "sgb_ii", _("SGB II (Bürgergeld)")
    SGB_III = "sgb_iii", _("SGB III (employment promotion)")
    SGB_VIII = "sgb_viii", _("SGB VIII (child and youth welfare)")
    SGB_XII = "sgb_xii", _("SGB XII (social assistance)")
    ASYLBLG = "asylblg", _("AsylbLG")
    AUFENTHG = "aufenthg", _("AufenthG / AsylG (residence law)")
    STAG = "stag", _("StAG (nationality law)")
    INTV = "intv", _("Integrationskursverordnung")
    SCHULRECHT = "schulrecht", _("School law NRW")
    NONE = "", _("none")


ags_validator = RegexValidator(
    r"^05\d{3}(\d{3})?$",
    _("Enter the AGS of an NRW Kreis (5 digits) or municipality (8 digits), starting with 05."),
)


class Organisation(models.Model):
    """One organisation; ``region`` ties it to the Kreis or kreisfreie Stadt it belongs to."""

    code = CodeField()
    kind = models.CharField(_("kind"), max_length=24, choices=OrgKind.choices)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=80, blank=True)
    ags = models.CharField(_("AGS"), max_length=8, blank=True, validators=[ags_validator])
    municipality_type = models.CharField(
        _("municipality type"), max_length=40, blank=True, help_text=_("e.g. Stadt, Gemeinde")
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text=_(
            "Kommune → Kreis; authority → the body that runs it; Kreis → Bezirksregierung."
        ),
    )
    region = models.ForeignKey(
        "self",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        help_text=_("The Kreis or kreisfreie Stadt this organisation belongs to."),
    )
    umbrella = models.ForeignKey(
        "self",
        verbose_name=_("umbrella association"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="member_agencies",
    )
    authority_type = models.CharField(
        _("authority type"), max_length=32, choices=AuthorityType.choices, blank=True
    )
    rechtskreis = models.CharField(
        _("Rechtskreis"), max_length=16, choices=Rechtskreis.choices, blank=True
    )
    legal_form = models.CharField(_("legal form"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)
    is_demo = models.BooleanField(
        _("demo entry"), default=False, help_text=_("Fictional organisation of the demo world.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, help_text="optimistic locking")

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["ags"], condition=~Q(ags=""), name="organisation_unique_ags"
            ),
        ]
        indexes = [models.Index(fields=["region", "kind"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_region(self) -> bool:
        return self.kind in REGION_KINDS

    @property
    def region_id_or_self(self) -> int | None:
        return self.pk if self.is_region else self.region_id

    def clean(self) -> None:
        """No organisation lies under itself: its parent is neither itself nor one of the
        organisations below it (walks up from the new parent; the tree is a few levels deep)."""
        super().clean()
        if self.pk is None or self.parent_id is None:
            return
        seen: set[int] = set()
        node_id: int | None = self.parent_id
        while node_id is not None and node_id not in seen:
            if node_id == self.pk:
                raise ValidationError(
                    {
                        "parent": _(
                            "An organisation cannot be placed under itself or under one of "
                            "the organisations below it."
                        )
                    }
                )
            seen.add(node_id)
            node_id = (
                Organisation.objects.filter(pk=node_id).values_list("parent_id", flat=True).first()
            )


class OrganisationalUnit(models.Model):
    """A unit inside an organisation, e.g. the Kommunales Integrationszentrum of the Kreis."""

    code = CodeField()
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="units", verbose_name=_("organisation")
    )
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("organisational unit")
        verbose_name_plural = _("organisational units")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="unit_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation.short_name or self.organisation.name})"


class ResponsibilityPeriod(models.Model):
    """Which authority serves which Kommune, from when to when (``valid_to`` inclusive)."""

    code = CodeField()
    authority = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="responsibilities",
        verbose_name=_("authority"),
    )
    kommune = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="served_by",
        verbose_name=_("municipality"),
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("responsibility period")
        verbose_name_plural = _("responsibility periods")
        ordering = ["kommune__name", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="responsibility_valid_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.authority} → {self.kommune} ({self.valid_from}–{self.valid_to or ''})"

    def covers(self, day: dt.date) -> bool:
        return in_period(day, self.valid_from, self.valid_to)


class PopulationCategory(models.TextChoices):
    TOTAL = "total", _("Total population")
    FOREIGN = "foreign", _("Foreign population")
    REFUGEES = "refugees", _("Refugees")


class PopulationFigure(models.Model):
    """A population figure for a Kommune at a reference date, with its source."""

    code = CodeField()
    kommune = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="population_figures",
        verbose_name=_("municipality"),
    )
    category = models.CharField(
        _("category"), max_length=16, choices=PopulationCategory.choices, default="total"
    )
    reference_date = models.DateField(_("reference date"))
    value = models.PositiveIntegerField(_("value"))
    source = models.CharField(_("source"), max_length=500)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("population figure")
        verbose_name_plural = _("population figures")
        ordering = ["kommune__name", "-reference_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["kommune", "category", "reference_date"], name="population_unique_date"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kommune}: {self.value} ({self.reference_date})"
