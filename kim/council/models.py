"""Council business in OParl vocabulary.

A **Body** is the municipality (Stadt or Kreis) whose council business is recorded; its
**Organizations** are the council, its committees, the council groups (Fraktionen) and the
administration's departments. **Meetings** of committees have **AgendaItems**. A **Paper** is any
council document: a motion (Antrag) or enquiry (Anfrage) from the council groups, or an
administration paper (Mitteilungsvorlage, Beschlussvorlage …). A **Consultation** says which
meeting or committee deals with a paper and in what role; a **File** is an uploaded document of a
paper. A motion's numbered **MotionQuestions** can be tagged with the answer blocks
(``blocks.BLOCK_KEYS``) that will answer them.

Every model carries ``created``/``modified`` (OParl publishes them and filters on them) and a
random ``code`` for URLs. Who sees what: ``access.py``; OParl output: ``oparl.py``.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kim.core.models import CodeField


class Timestamped(models.Model):
    """``created`` and ``modified`` as OParl defines them; actions that change an object which
    OParl embeds elsewhere also touch the embedding object (see ``actions._touch``)."""

    created = models.DateTimeField(_("created"), auto_now_add=True)
    modified = models.DateTimeField(_("modified"), auto_now=True, db_index=True)

    class Meta:
        abstract = True


class Body(Timestamped):
    """The Stadt or Kreis whose council business is recorded here (OParl ``Body``)."""

    code = CodeField()
    organisation = models.OneToOneField(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="council_body",
        verbose_name=_("municipality"),
    )
    # The Kreis or kreisfreie Stadt of ``organisation``, kept so predicates need no query.
    region = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=80, blank=True)
    website = models.URLField(_("website"), blank=True)

    class Meta:
        verbose_name = _("council body")
        verbose_name_plural = _("council bodies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def ags(self) -> str:
        """The official municipality key, from the organisation (load it with the body)."""
        return self.organisation.ags


class OrganizationKind(models.TextChoices):
    COUNCIL = "council", _("council")
    COMMITTEE = "committee", _("committee")
    FRAKTION = "fraktion", _("council group (Fraktion)")
    DEPARTMENT = "department", _("administration department")


# Kinds that hold meetings and consult papers.
MEETING_KINDS = (OrganizationKind.COUNCIL, OrganizationKind.COMMITTEE)


class Organization(Timestamped):
    """A council, committee, council group or department of a body (OParl ``Organization``)."""

    code = CodeField()
    body = models.ForeignKey(
        Body, on_delete=models.PROTECT, related_name="organizations", verbose_name=_("body")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=OrganizationKind.choices)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=80, blank=True)
    start_date = models.DateField(_("from"), null=True, blank=True)
    end_date = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("council organization")
        verbose_name_plural = _("council organizations")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["body", "name"], name="council_organization_name")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def holds_meetings(self) -> bool:
        return self.kind in MEETING_KINDS


class MeetingState(models.TextChoices):
    PLANNED = "planned", _("scheduled")
    INVITED = "invited", _("invitations sent")
    HELD = "held", _("held")
    CANCELLED = "cancelled", _("cancelled")


class Meeting(Timestamped):
    """A meeting of one or more committees (OParl ``Meeting``); ``public`` decides whether
    council members and the OParl API see it at all."""

    code = CodeField()
    body = models.ForeignKey(
        Body, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("body")
    )
    name = models.CharField(_("name"), max_length=300)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=MeetingState.choices, default=MeetingState.PLANNED
    )
    public = models.BooleanField(_("public meeting"), default=True)
    organizations = models.ManyToManyField(
        Organization, related_name="meetings", verbose_name=_("committees")
    )

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-start", "-id"]
        indexes = [models.Index(fields=["body", "start"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.start:%d.%m.%Y})"


class AgendaItem(Timestamped):
    """One item on a meeting's agenda (OParl ``AgendaItem``); the paper it deals with is
    linked through its ``consultation``."""

    code = CodeField()
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="agenda_items", verbose_name=_("meeting")
    )
    number = models.CharField(_("number"), max_length=20, help_text=_('e.g. "4b"'))
    order = models.PositiveIntegerField(_("position on the agenda"))
    name = models.CharField(_("title"), max_length=500)
    public = models.BooleanField(_("public"), default=True)
    result = models.CharField(_("result"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "order"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "order"], name="council_agenda_order")
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class PaperType(models.TextChoices):
    ANTRAG = "antrag", _("motion (Antrag)")
    ANFRAGE = "anfrage", _("enquiry (Anfrage)")
    MITTEILUNGSVORLAGE = "mitteilungsvorlage", _("information paper (Mitteilungsvorlage)")
    BESCHLUSSVORLAGE = "beschlussvorlage", _("decision paper (Beschlussvorlage)")
    BEANTWORTUNG = "beantwortung", _("answer to an enquiry (Beantwortung einer Anfrage)")


# Papers that come from the council side with questions for the administration.
MOTION_TYPES = (PaperType.ANTRAG, PaperType.ANFRAGE)


class MotionStatus(models.TextChoices):
    RECEIVED = "received", _("received")
    IN_PROGRESS = "in_progress", _("in progress")
    ANSWERED = "answered", _("answered")
    SETTLED = "settled", _("settled")


# Allowed moves of a motion's status. An answered motion can be reopened (follow-up questions in
# the meeting); a settled one is final.
STATUS_TRANSITIONS: dict[str, tuple[str, ...]] = {
    MotionStatus.RECEIVED: (MotionStatus.IN_PROGRESS,),
    MotionStatus.IN_PROGRESS: (MotionStatus.ANSWERED,),
    MotionStatus.ANSWERED: (MotionStatus.SETTLED, MotionStatus.IN_PROGRESS),
    MotionStatus.SETTLED: (),
}


class Paper(Timestamped):
    """A council document (OParl ``Paper``). Motions and enquiries additionally carry status,
    deadline, the committee and meeting they are addressed to, and numbered questions.

    ``released`` makes the paper visible to council members and the OParl API; until then it is
    a draft of the body's staff."""

    code = CodeField()
    body = models.ForeignKey(
        Body, on_delete=models.PROTECT, related_name="papers", verbose_name=_("body")
    )
    reference = models.CharField(
        _("reference number"), max_length=50, help_text=_('e.g. "197/2023"')
    )
    date = models.DateField(_("date"))
    paper_type = models.CharField(_("type"), max_length=20, choices=PaperType.choices)
    name = models.CharField(pgettext_lazy("council paper", "subject"), max_length=500)
    originator_organizations = models.ManyToManyField(
        Organization,
        blank=True,
        related_name="originated_papers",
        verbose_name=_("submitted by"),
    )
    under_direction_of = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="directed_papers",
        verbose_name=_("responsible department"),
    )
    related_papers = models.ManyToManyField("self", blank=True, verbose_name=_("related papers"))
    released = models.BooleanField(_("released"), default=False)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    # Motions and enquiries only (constraint below).
    status = models.CharField(_("status"), max_length=12, choices=MotionStatus.choices, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    committee = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="addressed_papers",
        verbose_name=_("addressed to"),
    )
    meeting = models.ForeignKey(
        Meeting,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="addressed_papers",
        verbose_name=_("for the meeting"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("council paper")
        verbose_name_plural = _("council papers")
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["body", "reference"], name="council_paper_reference"),
            models.CheckConstraint(
                condition=(Q(paper_type__in=MOTION_TYPES) & ~Q(status=""))
                | (~Q(paper_type__in=MOTION_TYPES) & Q(status="")),
                name="council_paper_status_only_for_motions",
            ),
        ]
        indexes = [models.Index(fields=["body", "released", "date"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.name}"

    @property
    def is_motion(self) -> bool:
        return self.paper_type in MOTION_TYPES

    def next_statuses(self) -> tuple[str, ...]:
        return STATUS_TRANSITIONS.get(self.status, ())

    def can_move_to(self, status: str) -> bool:
        return status in self.next_statuses()

    def is_overdue_on(self, day: dt.date) -> bool:
        """Deadline passed while the motion is still unanswered."""
        return (
            self.deadline is not None
            and self.status in (MotionStatus.RECEIVED, MotionStatus.IN_PROGRESS)
            and self.deadline < day
        )


class MotionQuestion(Timestamped):
    """One numbered question of a motion, with the keys of the answer blocks that answer it."""

    code = CodeField()
    paper = models.ForeignKey(
        Paper, on_delete=models.CASCADE, related_name="questions", verbose_name=_("motion")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("question"))
    block_keys = models.JSONField(_("answer blocks"), default=list, blank=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["paper", "number"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "number"], name="council_question_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="council_question_number_1"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.text[:60]}"


class ConsultationRole(models.TextChoices):
    KENNTNISNAHME = "kenntnisnahme", _("for information (Kenntnisnahme)")
    VORBERATUNG = "vorberatung", _("preliminary discussion (Vorberatung)")
    ENTSCHEIDUNG = "entscheidung", _("decision (Entscheidung)")


class Consultation(Timestamped):
    """A paper dealt with by a committee and/or in a meeting (OParl ``Consultation``)."""

    code = CodeField()
    paper = models.ForeignKey(
        Paper, on_delete=models.CASCADE, related_name="consultations", verbose_name=_("paper")
    )
    meeting = models.ForeignKey(
        Meeting,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consultations",
        verbose_name=_("meeting"),
    )
    agenda_item = models.OneToOneField(
        AgendaItem,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consultation",
        verbose_name=_("agenda item"),
    )
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consultations",
        verbose_name=_("committee"),
    )
    role = models.CharField(_("role"), max_length=14, choices=ConsultationRole.choices)
    authoritative = models.BooleanField(
        _("final decision"),
        default=False,
        help_text=_("The committee takes the final decision on the paper."),
    )

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["paper", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(meeting__isnull=False) | Q(organization__isnull=False),
                name="council_consultation_meeting_or_committee",
            )
        ]

    def __str__(self) -> str:
        return f"{self.paper.reference}: {self.get_role_display()}"


class FileRole(models.TextChoices):
    MAIN = "main", _("main document")
    AUXILIARY = "auxiliary", _("attachment")


class File(Timestamped):
    """A document of a paper (OParl ``File``). Stored under MEDIA_ROOT, outside the static
    files; it leaves the server only through an access-checked view."""

    code = CodeField()
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="files")
    paper = models.ForeignKey(
        Paper, on_delete=models.CASCADE, related_name="files", verbose_name=_("paper")
    )
    role = models.CharField(_("role"), max_length=10, choices=FileRole.choices)
    name = models.CharField(_("title"), max_length=300)
    file_name = models.CharField(_("file name"), max_length=200)
    mime_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    sha512 = models.CharField(max_length=128)
    date = models.DateField(_("date"))
    file = models.FileField(upload_to="council/files/%Y/")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("file")
        verbose_name_plural = _("files")
        ordering = ["paper", "role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["paper"], condition=Q(role="main"), name="council_file_one_main"
            )
        ]

    def __str__(self) -> str:
        return self.file_name


# --- the administration's report on a motion ---------------------------------------------


REPORT_PAPER_TYPES = (
    PaperType.MITTEILUNGSVORLAGE,
    PaperType.BESCHLUSSVORLAGE,
    PaperType.BEANTWORTUNG,
)

DEFAULT_PROPOSAL = "Der Ausschuss nimmt den Bericht zur Kenntnis."


class Report(Timestamped):
    """The administration's answer to a motion: an editable draft composed from live data as
    of ``as_of``; each release freezes it as a ``ReportRelease`` (four-eyes: the releasing
    person is not the one who last edited the draft)."""

    code = CodeField()
    motion = models.OneToOneField(
        Paper, on_delete=models.PROTECT, related_name="report", verbose_name=_("motion")
    )
    reference = models.CharField(
        _("reference number of the report"), max_length=50, help_text=_('e.g. "2022/0815"')
    )
    paper_type = models.CharField(
        _("type"),
        max_length=20,
        choices=[(t.value, t.label) for t in REPORT_PAPER_TYPES],
        default=PaperType.MITTEILUNGSVORLAGE,
    )
    subject = models.CharField(_("subject (Betreff)"), max_length=500)
    date = models.DateField(_("date of the paper"))
    as_of = models.DateField(
        _("reference date (Stichtag)"), help_text=_("All figures are computed as of this day.")
    )
    department = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("department"),
    )
    proposal = models.TextField(_("proposed resolution"), default=DEFAULT_PROPOSAL)
    introduction = models.TextField(_("introduction"), blank=True)
    version = models.PositiveIntegerField(default=1)
    last_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"


class ReportSection(Timestamped):
    """The narrative and the chosen answer blocks for one question of the motion."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="sections")
    question = models.ForeignKey(MotionQuestion, on_delete=models.CASCADE, related_name="+")
    narrative = models.TextField(_("answer (text)"), blank=True)
    block_keys = models.JSONField(_("answer blocks"), default=list, blank=True)
    # The figures of the blocks when the narrative was last saved (or confirmed at a release):
    # a digest (``kim.council.report.fingerprint``). When the figures differ now, the draft
    # marks the answer and the release asks for a confirmation (decisions D-054).
    figures_fingerprint = models.CharField(
        _("figures the text was written for"), max_length=64, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("report section")
        verbose_name_plural = _("report sections")
        ordering = ["question__number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "question"], name="council_section_unique")
        ]

    def __str__(self) -> str:
        return f"{self.report.reference} – {self.question}"


class ReportRelease(Timestamped):
    """A released, frozen version of a report: the composed document as JSON, never changed."""

    code = CodeField()
    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="releases")
    number = models.PositiveIntegerField(_("version"))
    as_of = models.DateField(_("reference date (Stichtag)"))
    snapshot = models.JSONField()
    paper = models.ForeignKey(
        Paper, on_delete=models.PROTECT, related_name="report_releases", verbose_name=_("paper")
    )
    released_at = models.DateTimeField(_("released at"))
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("released report")
        verbose_name_plural = _("released reports")
        ordering = ["report", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="council_release_number")
        ]

    def __str__(self) -> str:
        return f"{self.report.reference} v{self.number}"
