"""Baustein-3 screening: legal rules as dated versions, uploaded lists and their results.

A rule version (``RuleVersion``) is data: its validity, the norm and source, its parameters
(periods, age limits, language levels …) and its criteria with their kind; the code that
checks a criterion lives in ``kim.screening.rules`` and reads the parameters from the version
(decisions D-045). Uploaded lists are personal data: every value that names or describes a
person is encrypted at rest; the plain columns hold only what sorting and progress need.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kim.core.crypto import EncryptedTextField
from kim.core.models import CodeField


class Rule(models.TextChoices):
    AUFENTHG_25A = "aufenthg_25a", _("§ 25a AufenthG – well-integrated young people")
    AUFENTHG_25B = "aufenthg_25b", _("§ 25b AufenthG – sustainable integration")
    AUFENTHG_104C = "aufenthg_104c", _("§ 104c AufenthG – Chancen-Aufenthaltsrecht")
    STAG_10 = "stag_10", _("§ 10 StAG – naturalisation")
    STAG_10_3 = "stag_10_3", _("§ 10 Abs. 3 StAG – naturalisation after 3 years (former)")


class RuleVersion(models.Model):
    """One version of a rule, valid from ``valid_from`` to ``valid_to`` (inclusive, open)."""

    rule = models.CharField(_("rule"), max_length=16, choices=Rule.choices)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    norm = models.CharField(_("norm"), max_length=200)
    source = models.TextField(_("source"))
    params = models.JSONField(_("parameters"), default=dict)
    criteria = models.JSONField(
        _("criteria"), default=list, help_text=_("List of {id, kind, label}.")
    )
    confirmed = models.BooleanField(_("confirmed"), default=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("rule version")
        verbose_name_plural = _("rule versions")
        ordering = ["rule", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "valid_from"], name="ruleversion_unique"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="ruleversion_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.valid_from}"


class ListStatus(models.TextChoices):
    UPLOADED = "uploaded", _("uploaded, waiting to be screened")
    SCREENING = "screening", _("being screened")
    DONE = "done", _("screened")
    FAILED = "failed", _("failed")


class ScreeningList(models.Model):
    """A list of persons uploaded by a Baustein-3 officer (CSV, XLSX or JSON)."""

    code = CodeField()
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    title = models.CharField(_("title"), max_length=200)
    original_name = EncryptedTextField(_("file name"), null=True)
    file_format = models.CharField(_("format"), max_length=8)
    decision_date = models.DateField(_("decision date"))
    status = models.CharField(
        _("status"), max_length=12, choices=ListStatus.choices, default=ListStatus.UPLOADED
    )
    total = models.PositiveIntegerField(_("persons"), default=0)
    screened = models.PositiveIntegerField(_("screened"), default=0)
    error = models.TextField(_("error"), blank=True)
    delete_after = models.DateField(_("deleted automatically on"))

    class Meta:
        verbose_name = _("screening list")
        verbose_name_plural = _("screening lists")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.title


class ScreeningEntry(models.Model):
    """One person of a list: the facts and the results, encrypted; plain summary columns for
    sorting (outcome ranks and dates say nothing without the encrypted reference)."""

    screening_list = models.ForeignKey(
        ScreeningList, on_delete=models.CASCADE, related_name="entries"
    )
    row = models.PositiveIntegerField(_("row"))
    ref = EncryptedTextField(_("reference"))
    label = EncryptedTextField(_("name or label"), null=True, blank=True)
    facts = EncryptedTextField(_("facts (JSON)"))
    results = EncryptedTextField(_("results (JSON)"), null=True, blank=True)
    # Plain summary: best outcome rank (0 likely now … 3 not in force), rules likely now,
    # the earliest date a rule becomes likely, and how many checkable criteria are unclear.
    rank = models.PositiveSmallIntegerField(null=True, blank=True, db_index=True)
    likely_rules = models.CharField(max_length=80, blank=True)
    likely_from = models.DateField(null=True, blank=True)
    unclear_count = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["screening_list", "row"]
        constraints = [
            models.UniqueConstraint(fields=["screening_list", "row"], name="entry_unique_row")
        ]

    def __str__(self) -> str:
        return f"{self.screening_list_id}:{self.row}"


class LetterText(models.Model):
    """The invitation letter's fixed texts in one language (issue 19, D-092): German is the
    binding default (reference data); translations are certified translations entered by the
    Kreis' KIM coordination, never machine translations. ``region`` empty: the platform's
    default, used where the authority's Kreis has no text of its own.

    ``terms`` translates the rule titles (keys: ``Rule`` values) and the documents to bring
    (keys: ``kim.screening.letters.DOCUMENTS``); a missing term is printed in German.
    """

    region = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Kreis"),
    )
    language = models.CharField(_("language"), max_length=8)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=500, blank=True)
    certified_by = models.CharField(_("translation certified by"), max_length=300, blank=True)
    is_demo = models.BooleanField(_("demo text"), default=False)
    version = models.PositiveIntegerField(default=1)
    binding_note = models.CharField(
        _("note that the German text is binding"), max_length=300, blank=True
    )
    title = models.CharField(_("title"), max_length=200)
    file_number_label = models.CharField(_("label “file number”"), max_length=100)
    salutation = models.CharField(_("salutation"), max_length=200)
    intro = models.TextField(_("introduction"))
    promising_intro = models.TextField(_("introduction of the possibilities"), blank=True)
    fallback_promising = models.CharField(_("possibility where no rule stands out"), max_length=300)
    possibly_from = models.CharField(_("“possibly from” line"), max_length=200)
    documents_intro = models.TextField(_("introduction of the documents"))
    disclaimer = models.TextField(_("note that the letter is no decision"))
    contact_label = models.CharField(_("label “contact”"), max_length=100)
    closing = models.CharField(_("closing"), max_length=200)
    terms = models.JSONField(_("terms"), default=dict, blank=True)

    class Meta:
        verbose_name = _("invitation letter text")
        verbose_name_plural = _("invitation letter texts")
        ordering = ["language", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="lettertext_valid_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"
