"""Read side of the topics: the board (filtered, grouped by level), a topic's evidence as counts
only, its level history and decisions, the export rows, and the thresholds list.

Every function that returns rows for a page, an export or the API takes the reader's
``UserContext`` or a topic already opened through ``access.get_topic_for_user``. Evidence is
counted in the database: no barrier, case, person, case manager or organisation leaves it,
only counts by quarter, category and legal sphere (D-041, D-084).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kim.accounts.access import UserContext
from kim.cases.models import Barrier
from kim.cases.queries.barriers import Quarter
from kim.organisations.models import Organisation, Rechtskreis
from kim.steering import access
from kim.steering.models import (
    Decision,
    MeetingAgendaItem,
    Topic,
    TopicLevel,
    TopicLevelChange,
    TopicStatus,
    TopicThreshold,
)

# What the board shows unless the reader filters by status: the topics still in play.
BOARD_STATUSES = (TopicStatus.PROPOSED, TopicStatus.OPEN)


@dataclass(frozen=True)
class TopicFilter:
    status: str = ""  # "" = proposed and open; "all" = every status
    level: str = ""
    category: str = ""  # BarrierCategory.key
    working_group: str = ""  # SteeringBody.code
    q: str = ""


def topic_list(ctx: UserContext, f: TopicFilter) -> QuerySet[Topic]:
    """The reader's topics after the filter, with their barrier count (one query)."""
    qs = access.topics_for_user(ctx)
    if not f.status:
        qs = qs.filter(status__in=BOARD_STATUSES)
    elif f.status != "all":
        qs = qs.filter(status=f.status)
    if f.level:
        qs = qs.filter(level=f.level)
    if f.category:
        qs = qs.filter(category__key=f.category)
    if f.working_group:
        qs = qs.filter(working_group__code=f.working_group)
    if f.q.strip():
        qs = qs.filter(title__icontains=f.q.strip())
    return (
        qs.select_related("category", "working_group", "region")
        .annotate(barrier_count=Count("barriers", distinct=True))
        .order_by("title", "id")
    )


@dataclass
class Column:
    level: str
    label: str
    topics: list[Topic] = field(default_factory=list)


def board(topics: Sequence[Topic]) -> list[Column]:
    """The topics in one column per level, lowest level first; proposals first in a column."""
    columns = {level.value: Column(level.value, str(level.label)) for level in TopicLevel}
    for topic in sorted(topics, key=lambda t: (t.status != TopicStatus.PROPOSED, t.title)):
        columns[topic.level].topics.append(topic)
    return list(columns.values())


def working_group_choices(ctx: UserContext) -> list[tuple[str, str]]:
    """Working groups that have topics the reader sees (for the filter)."""
    rows = (
        access.topics_for_user(ctx)
        .filter(working_group__isnull=False)
        .values_list("working_group__code", "working_group__name")
        .distinct()
        .order_by("working_group__name")
    )
    return list(rows)


# --- one topic ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    total: int
    organisations: int
    by_quarter: list[tuple[str, int]]
    by_category: list[tuple[str, int]]
    by_legal_sphere: list[tuple[str, int]]


def _quarter_label(month: dt.date) -> str:
    return Quarter.of(month).label


def evidence(topic: Topic) -> Evidence:
    """The topic's barriers counted by quarter, category and legal sphere (two queries)."""
    barriers = Barrier.objects.filter(topics=topic)
    rows = list(
        barriers.values("observed_month", "category__name", "rechtskreis")
        .annotate(n=Count("pk"))
        .order_by("observed_month", "category__name", "rechtskreis")
    )
    organisations = barriers.filter(organisation__isnull=False).aggregate(
        n=Count("organisation", distinct=True)
    )["n"]
    quarters: dict[str, int] = {}
    categories: dict[str, int] = {}
    spheres: dict[str, int] = {}
    for row in rows:
        label = _quarter_label(row["observed_month"])
        quarters[label] = quarters.get(label, 0) + row["n"]
        categories[row["category__name"]] = categories.get(row["category__name"], 0) + row["n"]
        sphere = str(Rechtskreis(row["rechtskreis"]).label) if row["rechtskreis"] else _("none")
        spheres[sphere] = spheres.get(sphere, 0) + row["n"]
    return Evidence(
        total=sum(quarters.values()),
        organisations=organisations,
        by_quarter=list(quarters.items()),
        by_category=sorted(categories.items(), key=lambda kv: (-kv[1], kv[0])),
        by_legal_sphere=sorted(spheres.items(), key=lambda kv: (-kv[1], kv[0])),
    )


def level_history(topic: Topic) -> QuerySet[TopicLevelChange]:
    return topic.level_changes.select_related("changed_by").order_by("changed_on", "id")


def topic_decisions(topic: Topic) -> QuerySet[Decision]:
    """Decisions of steering meetings taken on the topic, with their meeting and body."""
    return (
        Decision.objects.filter(topic=topic)
        .select_related("meeting", "meeting__body", "owner")
        .order_by("meeting__held_on", "id")
    )


@dataclass(frozen=True)
class AgendaEntry:
    """A meeting's agenda item on the topic; ``readable``: the reader may open the meeting."""

    item: MeetingAgendaItem
    readable: bool


def topic_agenda(ctx: UserContext, topic: Topic) -> list[AgendaEntry]:
    """Agenda items of steering meetings on the topic, latest meeting first, each marked with
    whether the reader may open its meeting (members and the coordination) – two queries."""
    items = list(
        MeetingAgendaItem.objects.filter(topic=topic)
        .select_related("meeting", "meeting__body")
        .order_by("-meeting__held_on", "number")
    )
    readable = (
        set(
            access.meetings_for_user(ctx)
            .filter(pk__in=[i.meeting_id for i in items])
            .values_list("pk", flat=True)
        )
        if items
        else set()
    )
    return [AgendaEntry(item, item.meeting_id in readable) for item in items]


def merge_targets(topic: Topic) -> QuerySet[Topic]:
    """Topics of the same Kreis the topic can be merged into."""
    return (
        Topic.objects.filter(region_id=topic.region_id, status__in=BOARD_STATUSES)
        .exclude(pk=topic.pk)
        .order_by("title")
    )


def barrier_quarters(topic: Topic) -> list[Quarter]:
    """Quarters with barriers of the topic's category in its Kreis not yet in the topic."""
    months = (
        Barrier.objects.filter(region_id=topic.region_id, category_id=topic.category_id)
        .exclude(topics=topic)
        .values_list("observed_month", flat=True)
        .distinct()
    )
    return sorted({Quarter.of(m) for m in months}, key=lambda q: (q.year, q.quarter))


# --- exports and thresholds --------------------------------------------------------------------


def export_header() -> list[str]:
    return [
        _("Title"),
        _("Category"),
        _("Level"),
        _("Status"),
        _("Working group"),
        _("Proposed for quarter"),
        _("Barriers"),
    ]


def export_rows(ctx: UserContext, topics: Sequence[Topic]) -> list[list[object]]:
    """The board's rows; the working group only for the topic's full readers."""
    return [
        [
            t.title,
            t.category.name,
            t.get_level_display(),
            t.get_status_display(),
            t.working_group.name
            if t.working_group and access.can_read_topic_details(ctx, t)
            else "",
            t.proposed_quarter,
            getattr(t, "barrier_count", 0),
        ]
        for t in topics
    ]


def managed_kreise(ctx: UserContext) -> QuerySet[Organisation]:
    """The Kreise whose topics the user manages (proposal runs, thresholds)."""
    return Organisation.objects.filter(pk__in=access.managed_regions(ctx)).order_by("name")


def thresholds_for_user(ctx: UserContext) -> QuerySet[TopicThreshold]:
    """The default rows and the rows of the Kreise the user manages, newest first."""
    return (
        TopicThreshold.objects.filter(
            Q(region__isnull=True) | Q(region_id__in=access.managed_regions(ctx))
        )
        .select_related("region", "category")
        .order_by("-valid_from", "-id")
    )


# --- the council block "Strukturelle Hürden" ---------------------------------------------------


@dataclass(frozen=True)
class CouncilTopic:
    """A topic as a council report shows it on a reference date."""

    topic: Topic
    level: str  # the level on the day
    changes: list[TopicLevelChange]  # up to the day
    decisions: list[Decision]  # taken in meetings up to the day


def level_on(topic: Topic, changes: Sequence[TopicLevelChange], day: dt.date) -> str:
    """The topic's level on ``day`` from its dated history (changes in date order)."""
    before = [c for c in changes if c.changed_on <= day]
    if before:
        return before[-1].to_level
    return changes[0].from_level if changes else topic.level


def topic_since(topic: Topic) -> dt.date:
    """Since when a topic exists: the first day of the quarter it was proposed for (the
    barriers are that old), else the day it was opened."""
    year, _dash, quarter = topic.proposed_quarter.partition("-Q")
    if year.isdigit() and quarter.isdigit():
        return Quarter(int(year), int(quarter)).first_month
    return timezone.localtime(topic.created_at).date()


def council_topics(region_id: int, day: dt.date) -> list[CouncilTopic]:
    """The confirmed topics (open or closed) of a Kreis that existed on ``day``, with their
    level, level changes and decisions up to the day – for the council's answer block. Three
    queries, whatever the number of topics. Codes, titles and decisions only: no barrier and
    nothing of a case."""
    from django.db.models import Prefetch

    topics = list(
        Topic.objects.filter(
            region_id=region_id,
            status__in=(TopicStatus.OPEN, TopicStatus.CLOSED),
        )
        .select_related("category", "working_group")
        .prefetch_related(
            Prefetch(
                "level_changes", queryset=TopicLevelChange.objects.order_by("changed_on", "id")
            ),
            Prefetch(
                "decisions",
                queryset=Decision.objects.filter(meeting__held_on__lte=day)
                .select_related("meeting", "meeting__body")
                .order_by("meeting__held_on", "id"),
            ),
        )
        .order_by("category__position", "title", "id")
    )
    found = []
    for topic in topics:
        if topic_since(topic) > day:
            continue
        changes = list(topic.level_changes.all())
        found.append(
            CouncilTopic(
                topic=topic,
                level=level_on(topic, changes, day),
                changes=[c for c in changes if c.changed_on <= day],
                decisions=list(topic.decisions.all()),
            )
        )
    return found
