"""Topics (generative themes): the system's proposals from the barrier log and what the KIM
coordination does with them – confirm, reject, merge, rename, add barriers, assign to a
working group, move up or down the levels, close – and the dated thresholds.

Every action runs in one transaction, writes one audit event and – where it changes a topic –
checks the version the user saw (``expected_version``, kim/core/locking.py) and counts it up.
Audit events carry codes, keys and counts only, never a title or a reason's text.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kim.audit.models import EventType
from kim.audit.record import record
from kim.cases.models import Barrier, BarrierCategory
from kim.cases.queries.barriers import Quarter
from kim.core.locking import lock_version
from kim.core.models import Actor, actor_user
from kim.organisations.models import Organisation
from kim.steering import proposals
from kim.steering.models import (
    LEVEL_ORDER,
    BodyKind,
    SteeringBody,
    Topic,
    TopicLevel,
    TopicLevelChange,
    TopicStatus,
    TopicThreshold,
)

ACTIVE = (TopicStatus.PROPOSED, TopicStatus.OPEN)

EDIT_FIELDS = ("title", "description")


def _labels() -> dict[str, str]:
    return {"title": _("Title"), "description": _("Description")}


def _lock(topic: Topic, expected_version: int, fields: tuple[str, ...] = EDIT_FIELDS) -> Topic:
    current = lock_version(Topic, topic.pk, expected_version, fields=fields, labels=_labels())
    current.version += 1
    return current


def _require(topic: Topic, *statuses: str) -> None:
    if topic.status not in statuses:
        raise ValidationError(
            _("Not possible while the topic is “%(status)s”.")
            % {"status": topic.get_status_display()}
        )


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason.")})
    return reason


def _event(event_type: str, topic: Topic, acting_user: Actor, **extra: object) -> None:
    record(
        event_type,
        actor=acting_user,
        subject=topic,
        organisation=topic.region,
        extra={"status": topic.status, "level": topic.level, **extra},
    )


# --- thresholds and proposals ---------------------------------------------------------------

# The default row (also seeded by migration ``steering 0002``, which keeps its own frozen copy):
# a starting value of the platform, not an official figure (D-084).
DEFAULT_THRESHOLD = {
    "min_barriers": 5,
    "min_organisations": 2,
    "valid_from": dt.date(2020, 1, 1),
    "source": "Voreinstellung der KIM-Plattform; von der KIM-Koordination festzulegen",
}


def ensure_default_threshold() -> None:
    """Reference data: the default row, if no row without Kreis and category exists (e.g. in a
    database that was emptied and seeded again, as the browser tests do)."""
    if not TopicThreshold.objects.filter(region=None, category=None).exists():
        TopicThreshold.objects.create(**DEFAULT_THRESHOLD)


def _rules(region: Organisation) -> list[proposals.Rule]:
    rows = TopicThreshold.objects.filter(Q(region_id=region.pk) | Q(region__isnull=True))
    return [
        proposals.Rule(
            pk=pk,
            region_id=region_id,
            category_id=category_id,
            min_barriers=nb,
            min_organisations=no,
            valid_from=vf,
            valid_to=vt,
            source=source,
        )
        for pk, region_id, category_id, nb, no, vf, vt, source in rows.values_list(
            "pk",
            "region_id",
            "category_id",
            "min_barriers",
            "min_organisations",
            "valid_from",
            "valid_to",
            "source",
        )
    ]


@transaction.atomic
def record_threshold(
    *,
    acting_user: Actor,
    region: Organisation | None,
    category: BarrierCategory | None,
    min_barriers: int,
    min_organisations: int,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
    source: str,
) -> TopicThreshold:
    """A new threshold row; from ``valid_from`` on it supersedes older rows of the same
    specificity (proposals.applicable_rule)."""
    source = source.strip()
    if not source:
        raise ValidationError({"source": _("Say who set the threshold (e.g. a decision).")})
    if min_barriers < 1:
        raise ValidationError({"min_barriers": _("At least one barrier.")})
    if min_organisations < 1:
        raise ValidationError({"min_organisations": _("At least one organisation.")})
    if valid_to is not None and valid_to < valid_from:
        raise ValidationError({"valid_to": _("The end lies before the start.")})
    threshold = TopicThreshold.objects.create(
        region=region,
        category=category,
        min_barriers=min_barriers,
        min_organisations=min_organisations,
        valid_from=valid_from,
        valid_to=valid_to,
        source=source,
    )
    record(
        EventType.TOPIC_THRESHOLD_RECORDED,
        actor=acting_user,
        subject=threshold,
        subject_code=str(threshold.pk),
        organisation=region,
        extra={
            "category": category.key if category else "",
            "min_barriers": min_barriers,
            "min_organisations": min_organisations,
            "valid_from": valid_from.isoformat(),
        },
    )
    return threshold


def _proposal_text(t: proposals.Tally, rule: proposals.Rule) -> str:
    return _(
        "Proposed by KIM-Plattform: %(n)s barriers of this category in %(quarter)s, recorded "
        "in cases of %(orgs)s organisations (threshold: at least %(min)s barriers from at "
        "least %(min_orgs)s organisations; %(source)s)."
    ) % {
        "n": t.barriers,
        "quarter": t.quarter.label,
        "orgs": t.organisations,
        "min": rule.min_barriers,
        "min_orgs": rule.min_organisations,
        "source": rule.source,
    }


@transaction.atomic
def propose_topics(*, acting_user: Actor, region: Organisation, day: dt.date) -> list[Topic]:
    """Propose a topic for every category whose barriers of a quarter up to ``day`` reach the
    threshold valid on the quarter's first day – once per Kreis, category and quarter, whatever
    became of an earlier proposal. Barriers observed after ``day``'s month do not count.

    1. Lock the Kreis row, so that two runs cannot propose the same topic twice.
    2. Tally the Kreis' barriers per category and quarter (one query).
    3. Skip (category, quarter) pairs that were ever proposed; check the rest.
    4. Create each topic with its barriers and one ``TOPIC_PROPOSED`` event.
    """
    Organisation.objects.select_for_update().filter(pk=region.pk).first()
    barriers = Barrier.objects.filter(region=region, observed_month__lte=day)
    tallies = proposals.tally(
        barriers.values_list("category_id", "observed_month", "organisation_id")
    )
    already = set(
        Topic.objects.filter(region=region)
        .exclude(proposed_quarter="")
        .values_list("category_id", "proposed_quarter")
    )
    categories = {c.pk: c for c in BarrierCategory.objects.all()}
    created = []
    for t, rule in proposals.due(_rules(region), region.pk, tallies, already):
        category = categories[t.category_id]
        code = proposals.quarter_code(t.quarter)
        topic = Topic.objects.create(
            region=region,
            category=category,
            title=f"{category.name} ({t.quarter.label})",
            description=_proposal_text(t, rule),
            proposed_quarter=code,
        )
        topic.barriers.set(
            barriers.filter(
                category=category,
                observed_month__gte=t.quarter.first_month,
                observed_month__lt=t.quarter.end,
            )
        )
        _event(
            EventType.TOPIC_PROPOSED,
            topic,
            acting_user,
            category=category.key,
            quarter=code,
            barriers=t.barriers,
            organisations=t.organisations,
            threshold=rule.pk or 0,
        )
        created.append(topic)
    return created


# --- the coordination's decisions on a topic -------------------------------------------------


@transaction.atomic
def confirm_topic(topic: Topic, *, acting_user: Actor, expected_version: int) -> Topic:
    """A proposal becomes an open topic."""
    topic = _lock(topic, expected_version)
    _require(topic, TopicStatus.PROPOSED)
    topic.status = TopicStatus.OPEN
    topic.save(update_fields=["status", "version", "updated_at"])
    _event(EventType.TOPIC_CONFIRMED, topic, acting_user)
    return topic


@transaction.atomic
def reject_topic(topic: Topic, *, acting_user: Actor, reason: str, expected_version: int) -> Topic:
    """A proposal is not taken up; the reason is kept. It is never proposed again."""
    reason = _reason(reason)
    topic = _lock(topic, expected_version)
    _require(topic, TopicStatus.PROPOSED)
    topic.status = TopicStatus.REJECTED
    topic.status_reason = reason
    topic.save(update_fields=["status", "status_reason", "version", "updated_at"])
    _event(EventType.TOPIC_REJECTED, topic, acting_user)
    return topic


@transaction.atomic
def merge_topic(
    topic: Topic, *, acting_user: Actor, into: Topic, reason: str = "", expected_version: int
) -> Topic:
    """``topic`` goes into ``into`` (same Kreis, proposed or open): its barriers move there,
    it keeps its history with status MERGED and a pointer to ``into``."""
    topic = _lock(topic, expected_version)
    _require(topic, *ACTIVE)
    into = Topic.objects.select_for_update().get(pk=into.pk)
    if into.pk == topic.pk or into.region_id != topic.region_id or into.status not in ACTIVE:
        raise ValidationError(
            {"into": _("Choose another proposed or open topic of the same Kreis.")}
        )
    moved = list(topic.barriers.values_list("pk", flat=True))
    into.barriers.add(*moved)
    topic.barriers.clear()
    topic.status = TopicStatus.MERGED
    topic.merged_into = into
    topic.status_reason = reason.strip()
    topic.save(update_fields=["status", "merged_into", "status_reason", "version", "updated_at"])
    into.version += 1
    into.save(update_fields=["version", "updated_at"])
    _event(EventType.TOPIC_MERGED, topic, acting_user, into=into.code, barriers=len(moved))
    return topic


@transaction.atomic
def edit_topic(
    topic: Topic, *, acting_user: Actor, title: str, description: str, expected_version: int
) -> Topic:
    """Rename a topic or change its description (no personal data)."""
    title = title.strip()
    if not title:
        raise ValidationError({"title": _("Give the topic a title.")})
    topic = _lock(topic, expected_version)
    _require(topic, *ACTIVE)
    changed = [
        f for f, v in (("title", title), ("description", description)) if getattr(topic, f) != v
    ]
    topic.title, topic.description = title, description.strip()
    topic.save(update_fields=["title", "description", "version", "updated_at"])
    _event(EventType.TOPIC_UPDATED, topic, acting_user, fields=changed)
    return topic


@transaction.atomic
def add_barriers(
    topic: Topic, *, acting_user: Actor, quarter: Quarter, expected_version: int
) -> int:
    """Add the Kreis' barriers of the topic's category observed in ``quarter`` (e.g. a later
    one) to the topic; returns how many were added."""
    topic = _lock(topic, expected_version)
    _require(topic, *ACTIVE)
    found = Barrier.objects.filter(
        region_id=topic.region_id,
        category_id=topic.category_id,
        observed_month__gte=quarter.first_month,
        observed_month__lt=quarter.end,
    ).exclude(topics=topic)
    new = list(found.values_list("pk", flat=True))
    if not new:
        raise ValidationError(
            {"quarter": _("No further barriers of this category in %(q)s.") % {"q": quarter.label}}
        )
    topic.barriers.add(*new)
    topic.save(update_fields=["version", "updated_at"])
    _event(
        EventType.TOPIC_UPDATED,
        topic,
        acting_user,
        barriers_added=len(new),
        quarter=proposals.quarter_code(quarter),
    )
    return len(new)


def working_groups(region_id: int) -> list[SteeringBody]:
    """Working and project groups of the Kreis (or its towns) that a topic can go to."""
    return list(
        SteeringBody.objects.filter(
            region_id=region_id,
            kind__in=[BodyKind.WORKING_GROUP, BodyKind.PROJECT_GROUP],
            dissolved_on__isnull=True,
        ).order_by("name")
    )


@transaction.atomic
def assign_working_group(
    topic: Topic, *, acting_user: Actor, body: SteeringBody | None, expected_version: int
) -> Topic:
    """Give the topic to a working or project group of its Kreis (None: take it back)."""
    topic = _lock(topic, expected_version)
    _require(topic, *ACTIVE)
    if body is not None and (
        body.region_id != topic.region_id
        or body.kind not in (BodyKind.WORKING_GROUP, BodyKind.PROJECT_GROUP)
        or body.dissolved_on is not None
    ):
        raise ValidationError(
            {"body": _("Choose an active working or project group of the topic's Kreis.")}
        )
    topic.working_group = body
    topic.save(update_fields=["working_group", "version", "updated_at"])
    _event(EventType.TOPIC_ASSIGNED, topic, acting_user, body=body.code if body else "")
    return topic


@transaction.atomic
def change_level(
    topic: Topic,
    *,
    acting_user: Actor,
    to_level: str,
    changed_on: dt.date,
    reason: str,
    expected_version: int,
) -> TopicLevelChange:
    """Move an open topic one or more levels up or down, dated and reasoned.

    The date lies neither in the future nor before the topic's last move."""
    reason = _reason(reason)
    if to_level not in LEVEL_ORDER:
        raise ValidationError({"to_level": _("Choose a level.")})
    topic = _lock(topic, expected_version)
    _require(topic, TopicStatus.OPEN)
    if to_level == topic.level:
        raise ValidationError({"to_level": _("The topic is already on this level.")})
    if changed_on > timezone.localdate():
        raise ValidationError({"changed_on": _("The date lies in the future.")})
    last = topic.level_changes.aggregate(last=Max("changed_on"))["last"]
    if last is not None and changed_on < last:
        raise ValidationError(
            {"changed_on": _("The topic was last moved on a later day: %(day)s.") % {"day": last}}
        )
    change = TopicLevelChange.objects.create(
        topic=topic,
        from_level=topic.level,
        to_level=to_level,
        changed_on=changed_on,
        reason=reason,
        changed_by=actor_user(acting_user),
    )
    direction = "up" if LEVEL_ORDER[to_level] > LEVEL_ORDER[topic.level] else "down"
    topic.level = to_level
    topic.save(update_fields=["level", "version", "updated_at"])
    _event(
        EventType.TOPIC_LEVEL_CHANGED,
        topic,
        acting_user,
        from_level=change.from_level,
        direction=direction,
        changed_on=changed_on.isoformat(),
    )
    return change


@transaction.atomic
def close_topic(topic: Topic, *, acting_user: Actor, reason: str, expected_version: int) -> Topic:
    """Close an open topic (e.g. the barrier is resolved, or nothing more can be done)."""
    reason = _reason(reason)
    topic = _lock(topic, expected_version)
    _require(topic, TopicStatus.OPEN)
    topic.status = TopicStatus.CLOSED
    topic.status_reason = reason
    topic.save(update_fields=["status", "status_reason", "version", "updated_at"])
    _event(EventType.TOPIC_CLOSED, topic, acting_user)
    return topic


__all__ = [
    "TopicLevel",
    "add_barriers",
    "assign_working_group",
    "change_level",
    "close_topic",
    "confirm_topic",
    "edit_topic",
    "merge_topic",
    "propose_topics",
    "record_threshold",
    "reject_topic",
    "working_groups",
]
