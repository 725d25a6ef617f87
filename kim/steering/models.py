"""Steering bodies (Lenkungsgruppe, working and project groups) with members, meetings,
agenda, attendance, minutes and decisions; topics (generative themes) built from structural
barriers, their dated level changes, and the dated thresholds that make the system propose a
topic. Topics show their evidence as counts only (D-041: never a case, person, case manager or
employer)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kim.core.models import CodeField, StoredDocument

# --------------------------------------------------------------------------------------------
# Bodies and their members
# --------------------------------------------------------------------------------------------


class BodyKind(models.TextChoices):
    STEERING_GROUP = "steering", _("Steering group (Lenkungsgruppe)")
    WORKING_GROUP = "working", _("Working group")
    PROJECT_GROUP = "project", _("Project group")


class SteeringBody(models.Model):
    """A Lenkungsgruppe or a working/project group of a Kreis or a town. An existing
    integration body may take the role of the Lenkungsgruppe (``remit`` says so)."""

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
        related_name="steering_bodies",
        verbose_name=_("run by"),
        help_text=_("The Kreis or town whose body this is."),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=BodyKind.choices)
    name = models.CharField(_("name"), max_length=200)
    remit = models.TextField(
        _("remit"), blank=True, help_text=_("What the body decides or works on.")
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="groups",
        verbose_name=_("reports to"),
        help_text=_("For a working or project group: the steering group it reports to."),
    )
    established_on = models.DateField(_("established on"))
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("steering body")
        verbose_name_plural = _("steering bodies")
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(dissolved_on__isnull=True)
                | Q(dissolved_on__gte=models.F("established_on")),
                name="steeringbody_valid_range",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def is_active_on(self, day: dt.date) -> bool:
        return self.established_on <= day and (
            self.dissolved_on is None or day <= self.dissolved_on
        )


class MemberRole(models.TextChoices):
    CHAIR = "chair", _("chair")
    DEPUTY_CHAIR = "deputy", _("deputy chair")
    MEMBER = "member", _("member")
    ADVISORY = "advisory", _("advisory member")
    SECRETARY = "secretary", _("secretary (minutes)")


class BodyMember(models.Model):
    """A member of a body: an account of the platform, or an external member named with the
    organisation and function they represent (office contact data only, never private)."""

    code = CodeField()
    body = models.ForeignKey(SteeringBody, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="steering_memberships",
        verbose_name=_("account"),
    )
    name = models.CharField(
        _("name"), max_length=200, blank=True, help_text=_("For members without an account.")
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation"),
    )
    organisation_name = models.CharField(
        _("organisation (if not in the directory)"), max_length=200, blank=True
    )
    function = models.CharField(
        _("function"), max_length=200, blank=True, help_text=_("e.g. head of the social department")
    )
    office_email = models.EmailField(
        _("office e-mail"), blank=True, help_text=_("A role or office address, not a private one.")
    )
    office_phone = models.CharField(_("office phone"), max_length=40, blank=True)
    role = models.CharField(
        _("role"), max_length=10, choices=MemberRole.choices, default=MemberRole.MEMBER
    )
    joined_on = models.DateField(_("member since"))
    left_on = models.DateField(_("member until"), null=True, blank=True)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["role", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(name=""), name="bodymember_user_or_name"
            ),
            models.UniqueConstraint(
                fields=["body", "user"],
                condition=Q(user__isnull=False, left_on__isnull=True),
                name="bodymember_one_active_per_user",
            ),
        ]

    def __str__(self) -> str:
        if self.user is not None and not self.name:
            return self.user.get_full_name() or self.user.get_username()
        return self.name

    def is_active_on(self, day: dt.date) -> bool:
        return self.joined_on <= day and (self.left_on is None or day <= self.left_on)


# --------------------------------------------------------------------------------------------
# Meetings
# --------------------------------------------------------------------------------------------


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    HELD = "held", _("held")
    CANCELLED = "cancelled", _("cancelled")


class SteeringMeeting(models.Model):
    """A meeting of a body. ``minutes`` is the text of the minutes (edited with optimistic
    locking on ``version``); signed minutes are attached as DOCX/PDF (``MinutesDocument``)."""

    code = CodeField()
    body = models.ForeignKey(SteeringBody, on_delete=models.PROTECT, related_name="meetings")
    held_on = models.DateField(_("date"))
    starts_at = models.TimeField(_("begins at"), null=True, blank=True)
    location = models.CharField(_("place"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    minutes = models.TextField(_("minutes"), blank=True)
    minutes_approved_on = models.DateField(_("minutes approved on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["body", "held_on"])]

    def __str__(self) -> str:
        return f"{self.body} {self.held_on:%d.%m.%Y}"


class MeetingAgendaItem(models.Model):
    """One item of a meeting's agenda; it may be a topic from the topic board."""

    code = CodeField()
    meeting = models.ForeignKey(
        SteeringMeeting, on_delete=models.CASCADE, related_name="agenda_items"
    )
    number = models.PositiveSmallIntegerField(_("item no."))
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    topic = models.ForeignKey(
        "Topic",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agenda_items",
        verbose_name=_("topic"),
    )

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["number", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="steering_agenda_number")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("present")
    EXCUSED = "excused", _("excused")
    ABSENT = "absent", _("absent")
    REPRESENTED = "represented", _("represented")


class Attendance(models.Model):
    meeting = models.ForeignKey(
        SteeringMeeting, on_delete=models.CASCADE, related_name="attendance"
    )
    member = models.ForeignKey(BodyMember, on_delete=models.PROTECT, related_name="attendance")
    status = models.CharField(_("attendance"), max_length=12, choices=AttendanceStatus.choices)
    note = models.CharField(
        _("note"), max_length=200, blank=True, help_text=_("e.g. represented by the deputy")
    )

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="steering_attendance_once")
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.status}"


class MinutesDocument(StoredDocument):
    """Minutes of a steering meeting as a file (DOCX or PDF)."""

    meeting = models.ForeignKey(SteeringMeeting, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(upload_to="steering/minutes/%Y/")

    class Meta:
        verbose_name = _("minutes document")
        verbose_name_plural = _("minutes documents")
        ordering = ["uploaded_at"]


class DecisionStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("decision", "open")
    IN_PROGRESS = "in_progress", _("in progress")
    DONE = "done", pgettext_lazy("decision", "done")
    DROPPED = "dropped", _("dropped")


OPEN_DECISION_STATUSES = (DecisionStatus.OPEN, DecisionStatus.IN_PROGRESS)


class Decision(models.Model):
    """A decision of a meeting: what, who carries it out (a member), by when, and where it
    stands. A decision may close the topic it was taken on."""

    code = CodeField()
    meeting = models.ForeignKey(SteeringMeeting, on_delete=models.PROTECT, related_name="decisions")
    agenda_item = models.ForeignKey(
        MeetingAgendaItem,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decisions",
        verbose_name=_("agenda item"),
    )
    text = models.TextField(_("decision"))
    owner = models.ForeignKey(
        BodyMember,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decisions",
        verbose_name=_("responsible"),
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=DecisionStatus.choices, default=DecisionStatus.OPEN
    )
    status_note = models.CharField(_("state of implementation"), max_length=500, blank=True)
    topic = models.ForeignKey(
        "Topic",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decisions",
        verbose_name=_("topic"),
    )
    closes_topic = models.BooleanField(
        _("closes the topic"),
        default=False,
        help_text=_("When the decision is done, the topic is closed."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["owner", "status"])]

    def __str__(self) -> str:
        return self.text[:80]


# --------------------------------------------------------------------------------------------
# Topics (generative themes)
# --------------------------------------------------------------------------------------------


class TopicLevel(models.TextChoices):
    """The staircase, lowest first; the order of the choices is the order of the levels."""

    CASE_TEAM = "case_team", _("Case/team")
    WORKING_GROUP = "working_group", _("Working group")
    STEERING_GROUP = "steering_group", _("Steering group")
    LAND = "land", _("Land/Bezirksregierung")


LEVEL_ORDER: dict[str, int] = {value: index for index, value in enumerate(TopicLevel.values)}


class TopicStatus(models.TextChoices):
    PROPOSED = "proposed", _("proposed")
    OPEN = "open", pgettext_lazy("topic", "open")
    CLOSED = "closed", pgettext_lazy("topic", "closed")
    REJECTED = "rejected", _("rejected")
    MERGED = "merged", _("merged")


class TopicThreshold(models.Model):
    """When the system proposes a topic: at least ``min_barriers`` barriers of one category in
    one quarter, recorded in cases of at least ``min_organisations`` organisations. Dated data;
    ``region`` empty = the default for every Kreis, ``category`` empty = every category. The most
    specific row valid on the quarter's first day applies."""

    region = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Kreis"),
    )
    category = models.ForeignKey(
        "cases.BarrierCategory",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("barrier category"),
    )
    min_barriers = models.PositiveSmallIntegerField(_("barriers per quarter (at least)"))
    min_organisations = models.PositiveSmallIntegerField(_("organisations (at least)"), default=2)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=500)

    class Meta:
        verbose_name = _("topic threshold")
        verbose_name_plural = _("topic thresholds")
        ordering = ["region", "category", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="topicthreshold_valid_range",
            ),
            models.CheckConstraint(
                condition=Q(min_barriers__gte=1) & Q(min_organisations__gte=1),
                name="topicthreshold_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"≥ {self.min_barriers} / ≥ {self.min_organisations} ({self.valid_from})"


class Topic(models.Model):
    """A generative theme: barriers of one category that affect many cases, carried up the
    levels. Proposed by the system (``proposed_quarter``) or opened by the coordination."""

    code = CodeField()
    region = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Kreis"),
    )
    category = models.ForeignKey(
        "cases.BarrierCategory",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("barrier category"),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description (no personal data)"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=TopicStatus.choices, default=TopicStatus.PROPOSED
    )
    level = models.CharField(
        _("level"), max_length=16, choices=TopicLevel.choices, default=TopicLevel.CASE_TEAM
    )
    working_group = models.ForeignKey(
        SteeringBody,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="topics",
        verbose_name=_("working group"),
    )
    barriers = models.ManyToManyField(
        "cases.Barrier", blank=True, related_name="topics", verbose_name=_("barriers")
    )
    proposed_quarter = models.CharField(
        _("proposed for quarter"), max_length=7, blank=True, help_text=_("e.g. 2026-Q1")
    )
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_topics",
        verbose_name=_("merged into"),
    )
    status_reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["status", "-updated_at", "id"]
        indexes = [models.Index(fields=["region", "status", "level"])]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "category", "proposed_quarter"],
                condition=Q(status="proposed"),
                name="topic_one_proposal_per_quarter",
            )
        ]

    def __str__(self) -> str:
        return self.title


class TopicLevelChange(models.Model):
    """A move of a topic up or down the levels: dated, reasoned, by whom."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="level_changes")
    from_level = models.CharField(_("from"), max_length=16, choices=TopicLevel.choices)
    to_level = models.CharField(_("to"), max_length=16, choices=TopicLevel.choices)
    changed_on = models.DateField(_("date"))
    reason = models.TextField(_("reason"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("level change")
        verbose_name_plural = _("level changes")
        ordering = ["changed_on", "id"]

    def __str__(self) -> str:
        return f"{self.from_level} → {self.to_level} ({self.changed_on})"
