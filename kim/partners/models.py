"""Cooperation with welfare agencies (freie Träger): services, contacts, talks with outcomes,
minutes, follow-up tasks, and the dated staffing decision per position."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kim.core.models import CodeField, StoredDocument
from kim.programmes.models import Baustein, EmployerType


class ServiceKind(models.TextChoices):
    MBE = "mbe", _("Migrationsberatung für erwachsene Zuwanderer (MBE)")
    JMD = "jmd", _("Jugendmigrationsdienst (JMD)")
    REFUGEE_COUNSELLING = "refugee", _("Refugee counselling")
    KIM_CASE_MANAGEMENT = "kim_cm", _("KIM case management")
    RETURN_COUNSELLING = "return", _("Return counselling")
    OTHER = "other", _("Other service")


class TraegerService(models.Model):
    """A service a welfare agency runs, and the towns it serves."""

    code = CodeField()
    traeger = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="services",
        verbose_name=_("welfare agency"),
    )
    kind = models.CharField(_("service"), max_length=10, choices=ServiceKind.choices)
    description = models.CharField(_("description"), max_length=300, blank=True)
    towns = models.ManyToManyField(
        "organisations.Organisation", related_name="+", verbose_name=_("towns served")
    )

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["kind"]

    def __str__(self) -> str:
        return f"{self.traeger}: {self.get_kind_display()}"


class TraegerContact(models.Model):
    """A contact by role and office address – no private data."""

    code = CodeField()
    traeger = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="contacts",
        verbose_name=_("welfare agency"),
    )
    role = models.CharField(
        _("role"), max_length=120, help_text=_("e.g. management, head of migration services")
    )
    office_email = models.EmailField(
        _("office e-mail"), blank=True, help_text=_("A role or office address, not a private one.")
    )
    office_phone = models.CharField(_("office phone"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["role"]

    def __str__(self) -> str:
        return self.role


class TalkFormat(models.TextChoices):
    IN_PERSON = "in_person", _("in person")
    VIDEO = "video", _("video conference")
    PHONE = "phone", _("telephone")
    WRITTEN = "written", _("in writing")


class Outcome(models.TextChoices):
    AGREEMENT = "agreement", _("agreement reached")
    OPEN = "open", _("open")
    DECLINED = "declined", _("declined")
    POSTPONED = "postponed", _("postponed")


class Talk(models.Model):
    """A talk between the administration and welfare agencies, with a structured outcome."""

    code = CodeField()
    region = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    host = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="hosted_talks",
        verbose_name=_("held by"),
        help_text=_("The Kreis or town that held the talk."),
    )
    held_on = models.DateField(_("date"))
    format = models.CharField(_("format"), max_length=10, choices=TalkFormat.choices)
    topics = models.TextField(_("topics"))
    baustein = models.CharField(_("Baustein"), max_length=2, choices=Baustein.choices, blank=True)
    positions = models.ManyToManyField(
        "programmes.Position", blank=True, related_name="talks", verbose_name=_("positions")
    )
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.OPEN
    )
    outcome_summary = models.CharField(
        _("outcome in brief"),
        max_length=500,
        blank=True,
        help_text=_("One or two sentences that may appear in a council report."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("talk")
        verbose_name_plural = _("talks")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["region", "held_on"])]

    def __str__(self) -> str:
        return f"{self.held_on:%d.%m.%Y} {self.host}"


class ParticipantRole(models.TextChoices):
    HOST = "host", _("host")
    TRAEGER = "traeger", _("welfare agency")
    AUTHORITY = "authority", _("authority")
    GUEST = "guest", _("guest")


class TalkParticipant(models.Model):
    talk = models.ForeignKey(Talk, on_delete=models.CASCADE, related_name="participants")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="talk_participations"
    )
    role = models.CharField(_("role"), max_length=10, choices=ParticipantRole.choices)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(fields=["talk", "organisation"], name="talk_participant_unique")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.role})"


class TalkDocument(StoredDocument):
    """Minutes of a talk."""

    talk = models.ForeignKey(Talk, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(upload_to="partners/minutes/%Y/")

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")
        ordering = ["uploaded_at"]


class FollowUp(models.Model):
    """A task agreed in a talk, with an owner and a due date."""

    code = CodeField()
    talk = models.ForeignKey(Talk, on_delete=models.CASCADE, related_name="follow_ups")
    title = models.CharField(_("task"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="follow_ups",
        verbose_name=_("owner"),
    )
    due = models.DateField(_("due on"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        verbose_name = _("follow-up task")
        verbose_name_plural = _("follow-up tasks")
        ordering = ["due", "id"]

    def __str__(self) -> str:
        return self.title


class StaffingDecision(models.Model):
    """Who fills a position – the town or a Träger – and why; dated, append-only."""

    code = CodeField()
    position = models.ForeignKey(
        "programmes.Position", on_delete=models.CASCADE, related_name="staffing_decisions"
    )
    decided_on = models.DateField(_("decided on"))
    employer_type = models.CharField(_("filled by"), max_length=12, choices=EmployerType.choices)
    traeger = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("welfare agency"),
    )
    rationale = models.TextField(_("rationale"))
    tasks = models.TextField(_("tasks"), blank=True)
    decided_by = models.CharField(
        _("decided by"), max_length=200, blank=True, help_text=_("e.g. council resolution of …")
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("staffing decision")
        verbose_name_plural = _("staffing decisions")
        ordering = ["decided_on", "id"]

    def __str__(self) -> str:
        return f"{self.position} → {self.employer_type} ({self.decided_on})"


class AgreementKind(models.TextChoices):
    CONTRACT = "contract", _("contract")
    NOTICE = "notice", _("notice (Weiterleitungsbescheid)")


DEFAULT_CONDITIONS = _(
    "The ANBest-P and the conditions of the funding notice are carried over to the recipient."
)


def _default_conditions() -> str:
    return str(DEFAULT_CONDITIONS)


class Agreement(models.Model):
    """Passing funds on: Kreis → town, or Kreis/town → welfare agency."""

    code = CodeField()
    region = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    grantor = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="agreements_granted",
        verbose_name=_("grantor"),
    )
    recipient = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="agreements_received",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=AgreementKind.choices)
    title = models.CharField(_("title"), max_length=300)
    signed_on = models.DateField(_("signed on"))
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    conditions = models.TextField(_("conditions"), default=_default_conditions)
    positions = models.ManyToManyField(
        "programmes.Position", blank=True, related_name="agreements", verbose_name=_("positions")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("pass-through agreement")
        verbose_name_plural = _("pass-through agreements")
        ordering = ["-period_start", "title"]
        indexes = [models.Index(fields=["region", "period_start"])]

    def __str__(self) -> str:
        return self.title


class AgreementAmount(models.Model):
    """The amount passed on for one year, and the municipality's top-up on it."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="amounts")
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("amount (€)"), max_digits=12, decimal_places=2)
    top_up = models.DecimalField(
        _("top-up by the municipality (€)"), max_digits=12, decimal_places=2, default=0
    )

    class Meta:
        verbose_name = _("amount per year")
        verbose_name_plural = _("amounts per year")
        ordering = ["year"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "year"], name="agreement_amount_year")
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.amount}"

    @property
    def total(self) -> Decimal:
        return self.amount + self.top_up


class PaymentKind(models.TextChoices):
    CALL_FOR_FUNDS = "call", _("call for funds")
    PAYMENT = "payment", _("payment")


class Payment(models.Model):
    """One step of the payment schedule: a call for funds or a payment."""

    code = CodeField()
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="payments")
    kind = models.CharField(_("kind"), max_length=10, choices=PaymentKind.choices)
    due_on = models.DateField(_("due on"))
    amount = models.DecimalField(_("amount (€)"), max_digits=12, decimal_places=2)
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.due_on}"


class DutyKind(models.TextChoices):
    INTERIM = "interim", _("interim report")
    SACHBERICHT = "sachbericht", _("Sachbericht")
    VERWENDUNGSNACHWEIS = "vn", _("zahlenmäßiger Nachweis / Verwendungsnachweis")


class Review(models.TextChoices):
    PENDING = "pending", _("pending")
    ACCEPTED = "accepted", _("accepted")
    QUERIES = "queries", _("queries")
    RECLAIM = "reclaim", _("reclaim")


class ReportingDuty(models.Model):
    """A report the recipient owes, its receipt and the review result."""

    code = CodeField()
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="duties")
    kind = models.CharField(_("kind"), max_length=12, choices=DutyKind.choices)
    due_on = models.DateField(_("due on"))
    received_on = models.DateField(_("received on"), null=True, blank=True)
    review = models.CharField(
        _("review"), max_length=10, choices=Review.choices, default=Review.PENDING
    )
    reclaim_amount = models.DecimalField(
        _("reclaim (€)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("reporting duty")
        verbose_name_plural = _("reporting duties")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.due_on}"


# --- calls for expressions of interest (Interessenbekundungsverfahren) ----------------------


class CallStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")
    DECIDED = "decided", _("decided")


class CallDecision(models.TextChoices):
    AWARD = "award", _("award")
    PARTIAL = "partial", _("partial award")
    NO_AWARD = "no_award", _("no award")
    WITHDRAWN = "withdrawn", _("withdrawn")


class Call(models.Model):
    """A call for expressions of interest offering specific posts to welfare agencies."""

    code = CodeField()
    region = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    issuer = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="calls_issued",
        verbose_name=_("issued by"),
        help_text=_("The Kreis or town that offers the posts and passes the funds on."),
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    baustein = models.CharField(_("Baustein"), max_length=2, choices=Baustein.choices)
    area = models.CharField(
        _("area"), max_length=300, help_text=_("Where the posts work, e.g. a town or district.")
    )
    positions = models.ManyToManyField(
        "programmes.Position", related_name="calls", verbose_name=_("posts offered")
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    funding_per_vze = models.DecimalField(
        _("funding per VZÄ and year (€)"), max_digits=12, decimal_places=2
    )
    top_up_per_vze = models.DecimalField(
        _("top-up per VZÄ and year (€)"),
        max_digits=12,
        decimal_places=2,
        default=0,
        help_text=_("What the issuer adds on top of the funding, if anything."),
    )
    scale_max = models.PositiveSmallIntegerField(
        _("highest score"), default=10, help_text=_("Each criterion is scored from 0 to this.")
    )
    min_evaluators = models.PositiveSmallIntegerField(
        _("evaluators needed"),
        default=2,
        help_text=_("How many different people must score every submission before a decision."),
    )
    deadline = models.DateTimeField(_("deadline for submissions"))
    published_on = models.DateField(_("published on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=CallStatus.choices, default=CallStatus.DRAFT
    )
    decision = models.CharField(
        _("decision"), max_length=10, choices=CallDecision.choices, blank=True
    )
    decision_reason = models.TextField(_("reason"), blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decided_by = models.CharField(
        _("decided by"), max_length=200, blank=True, help_text=_("e.g. council resolution of …")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("call for expressions of interest")
        verbose_name_plural = _("calls for expressions of interest")
        ordering = ["-deadline", "title"]
        indexes = [models.Index(fields=["region", "deadline"])]

    def __str__(self) -> str:
        return self.title


class Criterion(models.Model):
    """An assessment criterion of a call, with its weight in per cent."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("criterion"), max_length=200)
    description = models.CharField(_("what is assessed"), max_length=500, blank=True)
    weight = models.PositiveSmallIntegerField(_("weight (%)"))
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["call", "name"], name="criterion_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class SubmissionStatus(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    WITHDRAWN = "withdrawn", _("withdrawn")
    AWARDED = "awarded", _("awarded")
    NOT_AWARDED = "not_awarded", _("not awarded")


class Submission(models.Model):
    """A welfare agency's expression of interest in a call."""

    code = CodeField()
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="submissions")
    traeger = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="submissions",
        verbose_name=_("welfare agency"),
    )
    submitted_at = models.DateTimeField(_("received at"))
    vze_offered = models.DecimalField(_("VZÄ offered"), max_digits=6, decimal_places=2)
    summary = models.TextField(
        _("concept in brief"), help_text=_("How the agency would fill and run the posts.")
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=SubmissionStatus.choices,
        default=SubmissionStatus.SUBMITTED,
    )
    agreement = models.ForeignKey(
        Agreement,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("resulting agreement"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("expression of interest")
        verbose_name_plural = _("expressions of interest")
        ordering = ["submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["call", "traeger"], name="submission_one_per_traeger")
        ]

    def __str__(self) -> str:
        return f"{self.traeger} – {self.call}"


class SubmissionDocument(StoredDocument):
    """A document of a submission."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(upload_to="partners/submissions/%Y/")

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["uploaded_at", "id"]


class Score(models.Model):
    """One evaluator's points for one submission on one criterion."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    points = models.PositiveSmallIntegerField(_("points"))
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    scored_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["criterion__order", "criterion_id", "evaluator_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "criterion", "evaluator"], name="score_once_per_evaluator"
            )
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.points}"


class Award(models.Model):
    """Which posts of a call went to which submission (the result of the decision)."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="awards")
    position = models.ForeignKey("programmes.Position", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("awarded post")
        verbose_name_plural = _("awarded posts")
        constraints = [
            models.UniqueConstraint(fields=["submission", "position"], name="award_unique")
        ]

    def __str__(self) -> str:
        return f"{self.position} → {self.submission.traeger}"
