"""Baustein-2 case management: persons, their legal-sphere timeline, cases through the
Case-Management phases (DGCC), consent per recipient, disclosures, activities, structural
barriers, and the catalogues and rules that steer them (life areas, triage criteria, caseload
limits, retention) as dated data.

Everything that names or describes a person is encrypted at rest (``EncryptedTextField``,
``EncryptedDateField``); search and the duplicate check use keyed tokens stored beside the row
(``PersonToken``, ``Person.birth_date_token``), never plaintext columns (decisions D-039, D-040).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import User
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kim.core.crypto import EncryptedDateField, EncryptedTextField
from kim.core.models import CodeField, StoredDocument, in_period
from kim.organisations.models import Rechtskreis

USER = settings.AUTH_USER_MODEL


def _valid_range(
    name: str, start: str = "valid_from", end: str = "valid_to"
) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gte": F(start)}), name=name
    )


# --------------------------------------------------------------------------------------------
# Catalogues and rules (data with validity dates and sources)
# --------------------------------------------------------------------------------------------


class LifeArea(models.Model):
    """One life area of the assessment (catalogue as data; brief § 2.3, UNCONFIRMED list)."""

    key = models.SlugField(_("key"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    position = models.PositiveSmallIntegerField(pgettext_lazy("sort order", "position"), default=0)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=500)

    class Meta:
        verbose_name = _("life area")
        verbose_name_plural = _("life areas")
        ordering = ["position", "key"]
        constraints = [_valid_range("lifearea_valid_range")]

    def __str__(self) -> str:
        return self.name

    def is_valid_on(self, day: dt.date) -> bool:
        return in_period(day, self.valid_from, self.valid_to)


class BarrierCategory(models.Model):
    """A category of structural barriers (catalogue as data)."""

    key = models.SlugField(_("key"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    position = models.PositiveSmallIntegerField(pgettext_lazy("sort order", "position"), default=0)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        verbose_name = _("barrier category")
        verbose_name_plural = _("barrier categories")
        ordering = ["position", "key"]
        constraints = [_valid_range("barriercategory_valid_range")]

    def __str__(self) -> str:
        return self.name


class TargetGroupCriterion(models.Model):
    """A local criterion for triaging the waiting list (e.g. Siegen-Wittgenstein: refugees without
    case management from another agency; brief § 2.2). One set per Kreis, dated."""

    code = CodeField()
    region = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Kreis"),
    )
    text = models.CharField(_("criterion"), max_length=300)
    weight = models.PositiveSmallIntegerField(
        _("weight"), default=1, help_text=_("Points a case gets when it meets the criterion.")
    )
    position = models.PositiveSmallIntegerField(pgettext_lazy("sort order", "position"), default=0)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=500)

    class Meta:
        verbose_name = _("target-group criterion")
        verbose_name_plural = _("target-group criteria")
        ordering = ["region", "position", "id"]
        constraints = [_valid_range("targetgroup_valid_range")]

    def __str__(self) -> str:
        return self.text


class CaseloadRule(models.Model):
    """The caseload limit per full-time case manager of one organisation (or the default for all
    when ``organisation`` is empty). No state norm exists (brief § 2.6): a configurable default."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation"),
    )
    limit = models.PositiveSmallIntegerField(_("caseload limit"), validators=[MinValueValidator(1)])
    review_interval_days = models.PositiveSmallIntegerField(_("review interval (days)"), default=90)
    transition_notice_days = models.PositiveSmallIntegerField(
        _("notice before a status transition (days)"), default=60
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    confirmed = models.BooleanField(_("confirmed"), default=False)
    source = models.CharField(_("source"), max_length=500)

    class Meta:
        verbose_name = _("caseload rule")
        verbose_name_plural = _("caseload rules")
        ordering = ["organisation_id", "-valid_from"]
        constraints = [_valid_range("caseloadrule_valid_range")]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class DataCategory(models.TextChoices):
    """Categories of personal data named in consents, disclosures and retention rules."""

    MASTER_DATA = "master_data", _("Master data (name, birth date, address)")
    CONTACT = "contact", _("Contact data")
    RESIDENCE = "residence", _("Residence status and file references")
    BENEFITS = "benefits", _("Benefits and livelihood")
    ASSESSMENT = "assessment", _("Needs and resources (assessment)")
    PLAN = "plan", _("Integration plan and goals")
    HEALTH = "health", _("Health data (Art. 9 GDPR)")
    FAMILY = "family", _("Family and household")
    EDUCATION_WORK = "education_work", _("School, training and work")
    DOCUMENTS = "documents", _("Documents")


class RetentionAction(models.TextChoices):
    DELETE = "delete", _("delete")
    ANONYMISE = "anonymise", _("anonymise")


class RetentionTarget(models.TextChoices):
    """What a retention rule applies to (each has its own clock, see ``kim.cases.retention``)."""

    CASE_FILE = "case_file", _("Closed case file with its person")
    ACTIVITIES = "activities", _("Contacts, appointments and notes of closed cases")
    DOCUMENTS = "documents", _("Documents of closed cases")
    CONSENTS = "consents", _("Revoked or expired consents")
    WAITING_LIST = "waiting_list", _("Waiting-list entries never taken on")


class RetentionRule(models.Model):
    """How long one kind of data is kept after its clock starts, and what happens then."""

    target = models.CharField(_("applies to"), max_length=20, choices=RetentionTarget.choices)
    action = models.CharField(_("action"), max_length=10, choices=RetentionAction.choices)
    months = models.PositiveSmallIntegerField(_("months after the clock starts"))
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    confirmed = models.BooleanField(_("confirmed"), default=False)
    source = models.CharField(_("source"), max_length=500)

    class Meta:
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")
        ordering = ["target", "-valid_from"]
        constraints = [_valid_range("retentionrule_valid_range")]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class ConsentFormText(models.Model):
    """The printable consent form (Einwilligung / Schweigepflichtentbindung) in one language.
    German is binding; translations are data (a translated form is signed beside the German one).
    """

    language = models.CharField(_("language"), max_length=8)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(
        _("text"),
        help_text=_(
            "Placeholders: {person}, {organisation}, {recipient}, {purpose}, {categories}, "
            "{valid_until}."
        ),
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=500, blank=True)
    # Issue 19: texts per Kreis and language, entered by the Kreis (certified translations).
    region = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Kreis"),
        help_text=_("Empty: the platform's default text, used where a Kreis has none."),
    )
    place_date_label = models.CharField(_("label “place, date”"), max_length=100, blank=True)
    signature_label = models.CharField(_("label “signature”"), max_length=100, blank=True)
    binding_note = models.CharField(
        _("note that the German text is binding"),
        max_length=300,
        blank=True,
        help_text=_("In this language; printed above the translation."),
    )
    certified_by = models.CharField(
        _("translation certified by"),
        max_length=300,
        blank=True,
        help_text=_("Who translated and certified the text (never a machine translation)."),
    )
    is_demo = models.BooleanField(_("demo text"), default=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("consent form text")
        verbose_name_plural = _("consent form texts")
        ordering = ["language", "-valid_from"]
        constraints = [_valid_range("consentformtext_valid_range")]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


# --------------------------------------------------------------------------------------------
# Persons and their legal-sphere timeline
# --------------------------------------------------------------------------------------------


class Sex(models.TextChoices):
    FEMALE = "f", _("female")
    MALE = "m", _("male")
    DIVERSE = "d", _("diverse")
    UNSTATED = "", _("not stated")


class Person(models.Model):
    """A client. Belongs to the organisation that keeps the case file (a town or a Träger);
    persons are never shared between organisations (separation city vs Träger)."""

    code = CodeField()
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation"),
    )
    number = models.CharField(
        _("case number"),
        max_length=24,
        help_text=_("Pseudonymous number, e.g. SI-2026-0042; says nothing about the person."),
    )
    first_name = EncryptedTextField(_("first name"), null=True)
    last_name = EncryptedTextField(_("last name"), null=True)
    birth_date = EncryptedDateField(_("birth date"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    interpreter_needed = models.BooleanField(_("interpreter needed"), default=False)
    nationalities = models.JSONField(_("nationalities"), default=list, blank=True)
    town = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("town of residence"),
    )
    address = EncryptedTextField(_("address"), null=True, blank=True)
    phone = EncryptedTextField(_("phone"), null=True, blank=True)
    email = EncryptedTextField(_("e-mail"), null=True, blank=True)
    special_categories = EncryptedTextField(
        _("special-category data"),
        null=True,
        blank=True,
        help_text=_("Health, religion and other data under Art. 9 GDPR, only where needed."),
    )
    notes = EncryptedTextField(_("notes"), null=True, blank=True)
    birth_date_token = models.CharField(max_length=64, blank=True, db_index=True)
    version = models.PositiveIntegerField(default=1)
    legal_hold = models.BooleanField(_("legal hold"), default=False)
    anonymised_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "number"], name="person_number_unique")
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def display_name(self) -> str:
        if self.anonymised_at is not None:
            return str(_("(anonymised)"))
        return f"{self.first_name or ''} {self.last_name or ''}".strip()


class PersonToken(models.Model):
    """One keyed search token of a person's name (HMAC of a normalised token or its Kölner
    Phonetik code). Lets search and the duplicate check run without plaintext."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="tokens")
    organisation_id_copy = models.PositiveBigIntegerField(db_index=True)
    token = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["token", "organisation_id_copy"])]
        constraints = [
            models.UniqueConstraint(fields=["person", "token"], name="persontoken_unique")
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class Relation(models.TextChoices):
    SPOUSE = "spouse", _("spouse or partner")
    CHILD = "child", _("child")
    PARENT = "parent", _("parent")
    SIBLING = "sibling", _("sibling")
    OTHER = "other", _("other household member")


class HouseholdLink(models.Model):
    """``other`` is ``person``'s <relation> (e.g. other = child of person)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="household")
    other = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    relation = models.CharField(_("relation"), max_length=10, choices=Relation.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "other"], name="householdlink_unique"),
            models.CheckConstraint(condition=~Q(person=F("other")), name="householdlink_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class ResidenceStatus(models.TextChoices):
    GESTATTUNG = "gestattung", _("Aufenthaltsgestattung (asylum procedure)")
    DULDUNG = "duldung", _("Duldung (toleration)")
    AUFENTHALTSERLAUBNIS = "aufenthaltserlaubnis", _("Aufenthaltserlaubnis (residence permit)")
    NIEDERLASSUNGSERLAUBNIS = "niederlassungserlaubnis", _("Niederlassungserlaubnis")
    DAUERAUFENTHALT_EU = "daueraufenthalt_eu", _("Erlaubnis zum Daueraufenthalt-EU")
    EU_FREEDOM = "eu_freizuegigkeit", _("EU freedom of movement")
    FIKTION = "fiktion", _("Fiktionsbescheinigung")
    GERMAN = "deutsch", _("German citizen")
    NONE = "none", _("no status / unknown")


class ResidencePeriod(models.Model):
    """A dated residence status, e.g. Duldung § 60a until 31.03.2027."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="residence")
    status = models.CharField(_("status"), max_length=24, choices=ResidenceStatus.choices)
    section = models.CharField(
        _("legal basis"), max_length=40, blank=True, help_text=_("e.g. § 60a, § 25 Abs. 2")
    )
    valid_from = models.DateField(_("from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    authority = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible authority"),
    )
    file_reference = EncryptedTextField(_("file reference"), null=True, blank=True)

    class Meta:
        verbose_name = _("residence period")
        verbose_name_plural = _("residence periods")
        ordering = ["person", "valid_from", "id"]
        constraints = [_valid_range("residence_valid_range", end="valid_until")]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class BenefitSystem(models.TextChoices):
    SGB_II = "sgb_ii", _("SGB II (Bürgergeld, Jobcenter)")
    SGB_III = "sgb_iii", _("SGB III (Agentur für Arbeit)")
    SGB_XII = "sgb_xii", _("SGB XII (Sozialamt)")
    ASYLBLG = "asylblg", _("AsylbLG (Sozialamt)")
    BAFOEG = "bafoeg", _("BAföG / BAB")
    NONE = "none", _("no benefits")


class BenefitPeriod(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="benefits")
    system = models.CharField(_("benefit system"), max_length=10, choices=BenefitSystem.choices)
    valid_from = models.DateField(_("from"))
    valid_until = models.DateField(_("until"), null=True, blank=True)
    authority = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible authority"),
    )
    file_reference = EncryptedTextField(_("file reference"), null=True, blank=True)

    class Meta:
        verbose_name = _("benefit period")
        verbose_name_plural = _("benefit periods")
        ordering = ["person", "valid_from", "id"]
        constraints = [_valid_range("benefit_valid_range", end="valid_until")]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


# --------------------------------------------------------------------------------------------
# Cases and their phases
# --------------------------------------------------------------------------------------------


class Phase(models.TextChoices):
    ACCESS = "access", _("Access (Zugang)")
    INTAKE = "intake", _("Intake and indication (Klärung)")
    ASSESSMENT = "assessment", _("Assessment")
    PLANNING = "planning", _("Integration planning")
    LINKING = "linking", _("Linking (Umsetzung)")
    MONITORING = "monitoring", _("Monitoring")
    CLOSED = "closed", _("Closed (Abschluss)")


ACTIVE_PHASES = tuple(p for p in Phase if p != Phase.CLOSED)


class ReferralSource(models.TextChoices):
    JOBCENTER = "jobcenter", _("Jobcenter")
    AUSLAENDERBEHOERDE = "auslaenderbehoerde", _("Ausländerbehörde")
    SOZIALAMT = "sozialamt", _("Sozialamt")
    JUGENDAMT = "jugendamt", _("Jugendamt")
    SCHOOL = "school", _("School or Kita")
    MBE_JMD = "mbe_jmd", _("Migration counselling (MBE/JMD)")
    SELF = "self", _("Self-referral")
    OTHER = "other", _("Other")


class Indication(models.TextChoices):
    INDICATED = "indicated", _("Case management indicated")
    SHORT_COUNSELLING = (
        "short_counselling",
        _("Short counselling only (referral to regular service)"),
    )
    NOT_INDICATED = "not_indicated", _("Not indicated")


class ClosingReason(models.TextChoices):
    GOALS_MET = "goals_met", _("Goals met")
    DROPPED_OUT = "dropped_out", _("Dropped out")
    MOVED_AWAY = "moved_away", _("Moved away")
    HANDED_OVER = "handed_over", _("Handed over")
    SHORT_COUNSELLING = "short_counselling", _("Short counselling with referral")
    NOT_INDICATED = "not_indicated", _("Case management not indicated")


class Case(models.Model):
    code = CodeField()
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="cases")
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation"),
    )
    responsible = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("case manager")
    )
    deputies: models.ManyToManyField[User, models.Model] = models.ManyToManyField(
        USER, blank=True, related_name="+", verbose_name=_("deputies")
    )
    phase = models.CharField(_("phase"), max_length=12, choices=Phase.choices, default=Phase.ACCESS)
    # Access (phase 0)
    referral_source = models.CharField(
        _("referred by"), max_length=20, choices=ReferralSource.choices
    )
    referral_organisation = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("referring organisation"),
    )
    referred_on = models.DateField(_("referred on"))
    on_waiting_list = models.BooleanField(_("on the waiting list"), default=False)
    triage_criteria = models.ManyToManyField(
        TargetGroupCriterion, blank=True, related_name="+", verbose_name=_("criteria met")
    )
    triage_score = models.PositiveSmallIntegerField(_("triage score"), default=0)
    # Intake (phase 1)
    indication = models.CharField(
        _("indication"), max_length=20, choices=Indication.choices, blank=True
    )
    indication_reason = EncryptedTextField(_("reason"), null=True, blank=True)
    indicated_on = models.DateField(_("decided on"), null=True, blank=True)
    # Planning (phase 3)
    plan_agreed_on = models.DateField(_("plan agreed with the client on"), null=True, blank=True)
    plan_version = models.PositiveIntegerField(default=1)
    # Monitoring (phase 5)
    next_review_on = models.DateField(_("next review"), null=True, blank=True, db_index=True)
    # Closing (phase 6)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closing_reason = models.CharField(
        _("closing reason"), max_length=20, choices=ClosingReason.choices, blank=True
    )
    handed_to = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("referred or handed over to"),
        help_text=_("The regular service (short counselling) or the new case manager's agency."),
    )
    closing_note = EncryptedTextField(_("closing note"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    legal_hold = models.BooleanField(_("legal hold"), default=False)
    legal_hold_reason = models.CharField(_("reason for the legal hold"), max_length=300, blank=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["responsible", "phase"]),
            models.Index(fields=["organisation", "phase"]),
        ]

    def __str__(self) -> str:
        return self.person.number

    @property
    def is_closed(self) -> bool:
        return self.phase == Phase.CLOSED


class PhaseChange(models.Model):
    """The phase history of a case (kept for the case's lifetime)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="phase_changes")
    from_phase = models.CharField(max_length=12, choices=Phase.choices, blank=True)
    to_phase = models.CharField(max_length=12, choices=Phase.choices)
    changed_on = models.DateField(_("date"))
    changed_at = models.DateTimeField(auto_now_add=True)
    changed_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["case", "changed_at", "id"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class NeedLevel(models.TextChoices):
    NONE = "none", _("no need")
    LOW = "low", _("low")
    MEDIUM = "medium", _("medium")
    HIGH = "high", _("high")


class AssessmentEntry(models.Model):
    """Needs and resources in one life area (phase 2)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assessment")
    life_area = models.ForeignKey(LifeArea, on_delete=models.PROTECT, related_name="+")
    need = models.CharField(_("need"), max_length=8, choices=NeedLevel.choices)
    needs_text = EncryptedTextField(_("needs"), null=True, blank=True)
    resources_text = EncryptedTextField(_("resources"), null=True, blank=True)
    assessed_on = models.DateField(_("assessed on"))

    class Meta:
        ordering = ["case", "life_area__position"]
        constraints = [
            models.UniqueConstraint(fields=["case", "life_area"], name="assessment_unique_area")
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class GoalStatus(models.TextChoices):
    OPEN = "open", _("open")
    IN_PROGRESS = "in_progress", _("in progress")
    ACHIEVED = "achieved", _("achieved")
    PARTLY = "partly", _("partly achieved")
    NOT_ACHIEVED = "not_achieved", _("not achieved")
    DROPPED = "dropped", _("dropped")


FINAL_GOAL_STATUSES = (
    GoalStatus.ACHIEVED,
    GoalStatus.PARTLY,
    GoalStatus.NOT_ACHIEVED,
    GoalStatus.DROPPED,
)


class Goal(models.Model):
    """A goal of the integration plan (phase 3) with its status (monitoring, closing)."""

    code = CodeField()
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="goals")
    life_area = models.ForeignKey(LifeArea, on_delete=models.PROTECT, related_name="+")
    description = EncryptedTextField(_("goal"))
    due_on = models.DateField(_("due on"))
    responsible_organisation = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible organisation"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=GoalStatus.choices, default=GoalStatus.OPEN
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["case", "position", "id"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class Measure(models.Model):
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="measures")
    description = EncryptedTextField(_("measure"))
    responsible_organisation = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible organisation"),
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        ordering = ["goal", "id"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


# --------------------------------------------------------------------------------------------
# Consent and disclosure
# --------------------------------------------------------------------------------------------


class ConsentScope(models.TextChoices):
    DISCLOSURE = "disclosure", _("Passing data on to the recipient")
    SCREENING = "screening", _("Residence-law and naturalisation screening (Baustein 3)")
    # D-093: a freelance interpreter commissioned by the case's own organisation learns of an
    # appointment; the consent is recorded for that organisation and allows no disclosure.
    INTERPRETING = "interpreting", _("Booking a freelance interpreter for appointments")


class Consent(models.Model):
    """One consent / release from confidentiality for one recipient organisation, purpose and
    set of data categories (brief § 2.5). Active from ``given_on`` to ``valid_until`` unless
    revoked; revocation takes effect at once."""

    code = CodeField()
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    recipient = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=pgettext_lazy("disclosure", "recipient"),
    )
    purpose = models.CharField(_("purpose"), max_length=300)
    scope = models.CharField(
        _("consent to"),
        max_length=12,
        choices=ConsentScope.choices,
        default=ConsentScope.DISCLOSURE,
        help_text=_(
            "A screening consent lets the case manager check the person's residence-law "
            "prospects; it allows no disclosure."
        ),
    )
    categories = models.JSONField(_("data categories"), default=list)
    given_on = models.DateField(_("given on"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    form_language = models.CharField(_("form language"), max_length=8, default="de")
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["person", "-given_on", "id"]
        constraints = [_valid_range("consent_valid_range", start="given_on", end="valid_until")]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"

    def is_active_on(self, day: dt.date) -> bool:
        if self.revoked_at is not None and self.revoked_at.date() <= day:
            return False
        return in_period(day, self.given_on, self.valid_until)

    def covers(self, categories: list[str] | tuple[str, ...] | set[str]) -> bool:
        return set(categories) <= set(self.categories)


class ConsentDocument(StoredDocument):
    """The signed consent form (encrypted at rest like every case document)."""

    consent = models.ForeignKey(Consent, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(upload_to="cases/consents/%Y/")

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("sent")
    ACCEPTED = "accepted", pgettext_lazy("referral", "accepted")
    DECLINED = "declined", _("declined")
    COMPLETED = "completed", _("completed")


class Referral(models.Model):
    """A referral to a partner organisation (phase 4); sending it is a disclosure."""

    code = CodeField()
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    recipient = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=pgettext_lazy("disclosure", "recipient"),
    )
    service = models.ForeignKey(
        "network.Service",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("service"),
    )
    goal = models.ForeignKey(Goal, null=True, blank=True, on_delete=models.SET_NULL)
    purpose = models.CharField(_("purpose"), max_length=300)
    categories = models.JSONField(_("data categories"), default=list)
    sent_on = models.DateField(_("sent on"))
    status = models.CharField(
        _("status"), max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.SENT
    )
    status_changed_on = models.DateField(_("status since"))
    note = EncryptedTextField(_("note"), null=True, blank=True)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["case", "-sent_on", "id"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class CaseConference(models.Model):
    """A Fallkonferenz with partner organisations (phase 4)."""

    code = CodeField()
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="conferences")
    held_on = models.DateField(_("held on"))
    participants = models.ManyToManyField(
        "organisations.Organisation",
        related_name="+",
        verbose_name=_("participating organisations"),
    )
    summary = EncryptedTextField(_("summary"), null=True, blank=True)

    class Meta:
        ordering = ["case", "-held_on"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class DisclosureKind(models.TextChoices):
    REFERRAL = "referral", _("Referral")
    SUMMARY = "summary", _("Case summary sent")
    DOCUMENT = "document", _("Document shared")
    CONFERENCE = "conference", _("Case conference")
    INTERPRETING = "interpreting", _("Interpreter booked")


class Disclosure(models.Model):
    """One transfer of personal data to another organisation, with the consent it rested on.
    Written by ``disclose`` together with its audit event; never changed."""

    code = CodeField()
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="disclosures")
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="disclosures")
    recipient = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=12, choices=DisclosureKind.choices)
    categories = models.JSONField(default=list)
    legal_basis = models.CharField(_("legal basis"), max_length=200)
    disclosed_at = models.DateTimeField()
    disclosed_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    referral = models.ForeignKey(Referral, null=True, blank=True, on_delete=models.SET_NULL)
    document = models.ForeignKey(
        "cases.CaseDocument", null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["case", "-disclosed_at"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


# --------------------------------------------------------------------------------------------
# Activities and documents
# --------------------------------------------------------------------------------------------


class ActivityKind(models.TextChoices):
    CONTACT = "contact", _("Contact")
    APPOINTMENT = "appointment", _("Appointment")
    NOTE = "note", _("Note")


class Channel(models.TextChoices):
    IN_PERSON = "in_person", _("in person")
    PHONE = "phone", _("phone")
    VIDEO = "video", _("video call")
    HOME_VISIT = "home_visit", _("home visit")
    ACCOMPANIMENT = "accompaniment", _("accompaniment to an agency")
    EMAIL = "email", _("e-mail or letter")
    NONE = "", _("—")


class Activity(models.Model):
    code = CodeField()
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(_("kind"), max_length=12, choices=ActivityKind.choices)
    occurred_at = models.DateTimeField(_("date and time"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), null=True, blank=True
    )
    channel = models.CharField(_("channel"), max_length=14, choices=Channel.choices, blank=True)
    with_interpreter = models.BooleanField(_("with interpreter"), default=False)
    text = EncryptedTextField(_("text"), null=True, blank=True)
    confidential = models.BooleanField(
        _("confidential"),
        default=False,
        help_text=_("Visible to the responsible case manager only."),
    )
    author = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["case", "-occurred_at", "-id"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class DocumentType(models.TextChoices):
    NOTICE = "notice", _("Official notice (Bescheid)")
    APPLICATION = "application", _("Application")
    CERTIFICATE = "certificate", _("Certificate")
    PLAN = "plan", _("Signed integration plan")
    CORRESPONDENCE = "correspondence", _("Correspondence")
    OTHER = "other", _("Other")


class CaseDocument(StoredDocument):
    """A document of the case file, encrypted at rest (see ``kim.cases.documents``)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    doc_type = models.CharField(_("document type"), max_length=16, choices=DocumentType.choices)
    file = models.FileField(upload_to="cases/documents/%Y/")

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class TaskKind(models.TextChoices):
    TRANSITION = "transition", _("Status transition")
    REVIEW = "review", _("Review")
    GOAL = "goal", _("Goal due")
    MANUAL = "manual", _("Task")


class Task(models.Model):
    """A dated to-do on a case; status transitions create them automatically."""

    code = CodeField()
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    kind = models.CharField(_("kind"), max_length=12, choices=TaskKind.choices)
    title = models.CharField(_("task"), max_length=200)
    due_on = models.DateField(_("due on"), db_index=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    # The timeline row that caused a transition task (one task per row and kind of transition).
    source_key = models.CharField(max_length=60, blank=True)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "source_key"],
                condition=~Q(source_key=""),
                name="task_unique_source",
            )
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


# --------------------------------------------------------------------------------------------
# Structural barriers (case → system level)
# --------------------------------------------------------------------------------------------


class Barrier(models.Model):
    """A structural barrier seen in a case. The description must not contain personal data;
    the coordination's log shows barriers only aggregated, never with their case (D-041)."""

    code = CodeField()
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="barriers"
    )
    region = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    category = models.ForeignKey(BarrierCategory, on_delete=models.PROTECT, related_name="+")
    rechtskreis = models.CharField(
        _("legal sphere"), max_length=10, choices=Rechtskreis.choices, blank=True
    )
    organisation_involved = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation involved"),
    )
    # The case's organisation (town or welfare agency) when the barrier was recorded, kept
    # here so that topic proposals can count organisations without reading the case (which
    # lies behind row-level security) and after a case is deleted (D-084). Never shown.
    organisation = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by (organisation)"),
    )
    description = models.TextField(_("description (no personal data)"))
    suggested_remedy = models.TextField(_("suggested remedy"), blank=True)
    observed_month = models.DateField(_("month"), help_text=_("First day of the month."))
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("structural barrier")
        verbose_name_plural = _("structural barriers")
        ordering = ["-observed_month", "id"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


# --------------------------------------------------------------------------------------------
# Interpreter bookings (issue 19)
# --------------------------------------------------------------------------------------------


class BookingStatus(models.TextChoices):
    BOOKED = "booked", _("booked")
    HELD = "held", _("took place")
    CANCELLED = "cancelled", pgettext_lazy("booking", "cancelled")


class InterpreterBooking(models.Model):
    """An interpreter of the Kreis' pool booked for an appointment in a case. Telling the
    interpreter about the appointment passes data on: the booking names the consent it rests
    on and the categories shared. The hourly rate is copied at booking time."""

    code = CodeField()
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="interpreter_bookings")
    interpreter = models.ForeignKey(
        "network.Interpreter",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("interpreter"),
    )
    language = models.CharField(_("language"), max_length=8)
    starts_at = models.DateTimeField(_("appointment"))
    duration_minutes = models.PositiveSmallIntegerField(_("planned duration (minutes)"))
    place = EncryptedTextField(_("place"), null=True, blank=True)
    activity = models.ForeignKey(
        Activity,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("appointment in the case"),
    )
    consent = models.ForeignKey(
        Consent,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("consent"),
    )
    shared_categories = models.JSONField(_("data categories shared"), default=list)
    hourly_rate = models.DecimalField(_("cost per hour (€)"), max_digits=8, decimal_places=2)
    status = models.CharField(
        _("status"), max_length=10, choices=BookingStatus.choices, default=BookingStatus.BOOKED
    )
    billed_minutes = models.PositiveSmallIntegerField(_("minutes billed"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("interpreter booking")
        verbose_name_plural = _("interpreter bookings")
        ordering = ["case", "-starts_at", "id"]
        indexes = [models.Index(fields=["starts_at"], name="booking_starts_at")]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"
