"""The service network (issue 19, D-089): services that authorities, welfare agencies and
other providers offer across legal spheres, the dated topic catalogue they are filed under,
their texts in the clients' languages, and the pool of interpreters.

Nothing here is personal data of clients. A service carries office contact data only (a
service's phone, e-mail and website, never a named employee's private ones); an interpreter is
listed with the office contact they gave for bookings.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kim.core.models import CodeField

USER = settings.AUTH_USER_MODEL

# An entry whose data nobody has confirmed for this many months is flagged to its maintainer.
CONFIRMATION_MONTHS = 12


def _valid_range(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")), name=name
    )


class ServiceTopic(models.Model):
    """One topic of the catalogue (Arbeit, Aufenthalt, Sprache …), dated, with the legal
    spheres (``organisations.Rechtskreis`` values) it usually touches."""

    key = models.SlugField(_("key"), max_length=40)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    legal_spheres = models.JSONField(_("legal spheres"), default=list, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=500)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["position", "name"]
        constraints = [
            _valid_range("servicetopic_valid_range"),
            models.UniqueConstraint(fields=["key", "valid_from"], name="servicetopic_key_from"),
        ]

    def __str__(self) -> str:
        return self.name

    def is_valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class Service(models.Model):
    """A service in the directory of one Kreis: who offers it, on which topics and legal
    spheres, for which towns, where and when, in which languages, and how to get an
    appointment. German texts are on the row; texts in other languages are ``ServiceText``."""

    code = CodeField()
    region = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Kreis"),
    )
    provider = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="network_services",
        verbose_name=_("provider"),
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    topics = models.ManyToManyField(ServiceTopic, related_name="services", verbose_name=_("topics"))
    legal_spheres = models.JSONField(_("legal spheres"), default=list, blank=True)
    towns = models.ManyToManyField(
        "organisations.Organisation", related_name="+", verbose_name=_("towns served")
    )
    address = models.TextField(_("address"), blank=True)
    opening_hours = models.TextField(_("opening hours"), blank=True)
    languages = models.JSONField(
        _("languages offered"),
        default=list,
        blank=True,
        help_text=_("Languages in which counselling is offered (without an interpreter)."),
    )
    accessibility = models.TextField(_("accessibility"), blank=True)
    step_free = models.BooleanField(_("step-free access"), null=True, blank=True)
    appointment = models.TextField(_("how to get an appointment"), blank=True)
    phone = models.CharField(_("office phone"), max_length=60, blank=True)
    email = models.EmailField(_("office e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    source = models.CharField(
        _("source"),
        max_length=500,
        help_text=_("Where the data come from, e.g. the provider's website or a phone call."),
    )
    confirmed_on = models.DateField(_("last confirmed on"))
    confirmed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    public = models.BooleanField(
        _("show on the public page"),
        default=False,
        help_text=_("Only public entries appear on the directory page without login."),
    )
    version = models.PositiveIntegerField(default=1)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["name", "id"]
        constraints = [_valid_range("service_valid_range")]
        indexes = [models.Index(fields=["region", "public"], name="service_region_public")]

    def __str__(self) -> str:
        return self.name

    def is_valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class ServiceText(models.Model):
    """The texts of a service in one further language (the German ones are on the service).
    Empty fields fall back to German on the public page."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(_("language"), max_length=8)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    opening_hours = models.TextField(_("opening hours"), blank=True)
    appointment = models.TextField(_("how to get an appointment"), blank=True)
    accessibility = models.TextField(_("accessibility"), blank=True)
    version = models.PositiveIntegerField(default=1)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("text in another language")
        verbose_name_plural = _("texts in other languages")
        ordering = ["service", "language"]
        constraints = [
            models.UniqueConstraint(fields=["service", "language"], name="servicetext_language"),
            models.CheckConstraint(condition=~Q(language="de"), name="servicetext_not_german"),
        ]

    def __str__(self) -> str:
        return f"{self.service} ({self.language})"


class InterpreterKind(models.TextChoices):
    ORGANISATION = "organisation", _("employed by an organisation")
    FREELANCE = "freelance", _("freelance")


class Interpreter(models.Model):
    """An interpreter of the Kreis' pool, with the office contact given for bookings."""

    code = CodeField()
    region = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Kreis"),
    )
    name = models.CharField(_("name"), max_length=200)
    languages = models.JSONField(_("languages"), default=list)
    kind = models.CharField(_("kind"), max_length=12, choices=InterpreterKind.choices)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation"),
        help_text=_("The interpreting service or agency that employs the interpreter."),
    )
    hourly_rate = models.DecimalField(_("cost per hour (€)"), max_digits=8, decimal_places=2)
    phone = models.CharField(_("office phone"), max_length=60, blank=True)
    email = models.EmailField(_("office e-mail"), blank=True)
    active = models.BooleanField(_("available for bookings"), default=True)
    version = models.PositiveIntegerField(default=1)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("interpreter")
        verbose_name_plural = _("interpreters")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(hourly_rate__gte=0), name="interpreter_rate_min"),
            models.CheckConstraint(
                condition=Q(kind="freelance") | Q(organisation__isnull=False),
                name="interpreter_organisation_given",
            ),
        ]

    def __str__(self) -> str:
        return self.name
