"""Every change to the service directory (D-090): the topic catalogue, the entries, their texts
in further languages and the import.

Each action runs in one transaction, takes a keyword-only ``acting_user`` and writes one audit
event (codes, keys and counts only, never an entry's text). Who may call which action is the
caller's check (``kim.network.access``: ``can_edit_service`` for an entry, ``provider_choices``
for the provider); the actions check the data: dates, catalogue values, towns of the Kreis.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kim.audit.models import EventType
from kim.audit.record import record
from kim.core import languages
from kim.core.locking import lock_version
from kim.core.models import Actor, actor_user
from kim.network.models import Service, ServiceText, ServiceTopic
from kim.network.reference_data import SRC_TOPICS, TOPICS, TOPICS_VALID_FROM
from kim.organisations.models import Organisation, OrgKind, Rechtskreis

# The entry's own fields (besides region, topics and towns) that create and update accept.
SERVICE_FIELDS = (
    "provider",
    "name",
    "description",
    "legal_spheres",
    "address",
    "opening_hours",
    "languages",
    "accessibility",
    "step_free",
    "appointment",
    "phone",
    "email",
    "website",
    "valid_from",
    "valid_to",
    "source",
    "public",
)
TEXT_FIELDS = ("name", "description", "opening_hours", "appointment", "accessibility")
LEGAL_SPHERES = tuple(value for value in Rechtskreis.values if value)


def labels() -> dict[str, str]:
    """Field labels for the edit-conflict table, in the active language."""
    return {
        name: str(getattr(Service._meta.get_field(name), "verbose_name", name))
        for name in (*SERVICE_FIELDS, "topics", "towns")
    }


def text_labels() -> dict[str, str]:
    return {
        name: str(getattr(ServiceText._meta.get_field(name), "verbose_name", name))
        for name in TEXT_FIELDS
    }


# --------------------------------------------------------------------------------------------
# The topic catalogue
# --------------------------------------------------------------------------------------------


@transaction.atomic
def load_topics(*, acting_user: Actor) -> int:
    """Copy the catalogue (``reference_data.TOPICS``) into ``ServiceTopic``: a key without any
    row gets its first version; keys that have rows stay as they are. Returns how many were
    created; one audit event when any were."""
    known = set(ServiceTopic.objects.values_list("key", flat=True))
    missing = [t for t in TOPICS if t.key not in known]
    ServiceTopic.objects.bulk_create(
        ServiceTopic(
            key=t.key,
            name=t.name,
            name_en=t.name_en,
            legal_spheres=list(t.legal_spheres),
            position=t.position,
            valid_from=TOPICS_VALID_FROM,
            source=SRC_TOPICS,
        )
        for t in missing
    )
    if missing:
        record(
            EventType.TOPIC_RECORDED,
            actor=acting_user,
            subject_type="network.servicetopic",
            extra={"loaded": len(missing), "keys": [t.key for t in missing]},
        )
    return len(missing)


def current_topics(day: dt.date | None = None) -> list[ServiceTopic]:
    """The topics valid on ``day`` (today), one per key, in catalogue order."""
    today = day or timezone.localdate()
    return list(
        ServiceTopic.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=today), valid_from__lte=today
        ).order_by("position", "name")
    )


@transaction.atomic
def record_topic(
    *,
    acting_user: Actor,
    key: str,
    name: str,
    name_en: str,
    legal_spheres: Sequence[str],
    position: int,
    valid_from: dt.date,
    source: str,
) -> ServiceTopic:
    """A new dated version of a topic: the version in force on ``valid_from`` ends the day
    before, and the entries filed under the topic move to the new version (an entry names the
    topic, not one version of its wording)."""
    errors: dict[str, list[str]] = {}
    bad = [s for s in legal_spheres if s not in LEGAL_SPHERES]
    if bad:
        errors["legal_spheres"] = [_("Unknown legal sphere: %(v)s.") % {"v": ", ".join(bad)}]
    if not source.strip():
        errors["source"] = [_("Give the source.")]
    versions = list(ServiceTopic.objects.select_for_update().filter(key=key).order_by("valid_from"))
    if versions and valid_from <= versions[-1].valid_from:
        errors["valid_from"] = [
            _("The new version must start after %(day)s, when the current one started.")
            % {"day": versions[-1].valid_from.strftime("%d.%m.%Y")}
        ]
    if errors:
        raise ValidationError(errors)
    previous = versions[-1] if versions else None
    if previous is not None and (previous.valid_to is None or previous.valid_to >= valid_from):
        previous.valid_to = valid_from - dt.timedelta(days=1)
        previous.save(update_fields=["valid_to"])
    topic = ServiceTopic.objects.create(
        key=key,
        name=name.strip(),
        name_en=name_en.strip(),
        legal_spheres=list(legal_spheres),
        position=position,
        valid_from=valid_from,
        source=source.strip(),
    )
    moved = 0
    if previous is not None:
        through = Service.topics.through
        linked = through.objects.filter(servicetopic_id=previous.pk)
        moved = linked.update(servicetopic_id=topic.pk)
    record(
        EventType.TOPIC_RECORDED,
        actor=acting_user,
        subject_type="network.servicetopic",
        subject_code=key,
        extra={
            "key": key,
            "valid_from": valid_from.isoformat(),
            "ended": previous.pk if previous else None,
            "entries_moved": moved,
        },
    )
    return topic


# --------------------------------------------------------------------------------------------
# Entries
# --------------------------------------------------------------------------------------------


def _check_provider(region: Organisation, provider: Organisation | None) -> str:
    if region.kind not in (OrgKind.KREIS, OrgKind.KREISFREIE_STADT):
        return _("An entry belongs to a Kreis or a kreisfreie Stadt.")
    if provider is None:
        return _("Choose the provider.")
    if provider.pk != region.pk and provider.region_id != region.pk:
        return _("The provider must belong to this Kreis.")
    if provider.kind in (OrgKind.LAND, OrgKind.BEZIRKSREGIERUNG):
        return _("The Land or a Bezirksregierung cannot be a provider here.")
    return ""


def _check_dates(values: dict[str, Any]) -> tuple[str, str]:
    valid_from, valid_to = values.get("valid_from"), values.get("valid_to")
    if valid_from is None:
        return "valid_from", _("Give the first day of validity.")
    if valid_to is not None and valid_to < valid_from:
        return "valid_to", _("The end of validity cannot lie before its start.")
    return "", ""


def _check_catalogues(
    region: Organisation,
    values: dict[str, Any],
    topics: Sequence[ServiceTopic],
    towns: Sequence[Organisation],
    keep: set[int],
) -> dict[str, str]:
    problems: dict[str, str] = {}
    unknown = [c for c in values.get("languages", []) if languages.get(c) is None]
    if unknown:
        problems["languages"] = _("Unknown language: %(v)s.") % {"v": ", ".join(unknown)}
    bad = [s for s in values.get("legal_spheres", []) if s not in LEGAL_SPHERES]
    if bad:
        problems["legal_spheres"] = _("Unknown legal sphere: %(v)s.") % {"v": ", ".join(bad)}
    today = timezone.localdate()
    if not topics:
        problems["topics"] = _("Choose at least one topic.")
    elif any(t.pk not in keep and not t.is_valid_on(today) for t in topics):
        problems["topics"] = _("Only topics of the current catalogue can be chosen.")
    if any(t.region_id != region.pk or t.kind != OrgKind.KOMMUNE for t in towns):
        problems["towns"] = _("Only towns of this Kreis can be chosen.")
    return problems


def _check(
    region: Organisation,
    values: dict[str, Any],
    topics: Sequence[ServiceTopic],
    towns: Sequence[Organisation],
    *,
    keep_topics: Iterable[int] = (),
) -> None:
    """The data rules of an entry; every problem at once, next to its field."""
    problems = _check_catalogues(region, values, topics, towns, set(keep_topics))
    provider_problem = _check_provider(region, values.get("provider"))
    if provider_problem:
        problems["provider"] = provider_problem
    if not str(values.get("name", "")).strip():
        problems["name"] = _("Give the name of the service.")
    if not str(values.get("source", "")).strip():
        problems["source"] = _("Give the source of the data.")
    date_field, date_problem = _check_dates(values)
    if date_field:
        problems[date_field] = date_problem
    if problems:
        raise ValidationError({name: [message] for name, message in problems.items()})


def _clean(values: dict[str, Any], topics: Sequence[ServiceTopic]) -> dict[str, Any]:
    cleaned = {k: v for k, v in values.items() if k in SERVICE_FIELDS}
    for name in ("name", "source", "phone"):
        if name in cleaned:
            cleaned[name] = str(cleaned[name]).strip()
    if "languages" in cleaned:
        cleaned["languages"] = list(dict.fromkeys(cleaned["languages"]))
    if "legal_spheres" in cleaned:
        spheres = list(dict.fromkeys(cleaned["legal_spheres"]))
        if not spheres:  # left empty: the spheres the chosen topics usually touch
            spheres = [s for s in LEGAL_SPHERES if any(s in t.legal_spheres for t in topics)]
        cleaned["legal_spheres"] = spheres
    return cleaned


def _store_new(
    *,
    acting_user: Actor,
    region: Organisation,
    topics: Sequence[ServiceTopic],
    towns: Sequence[Organisation],
    confirmed_on: dt.date | None = None,
    **values: Any,
) -> Service:
    _check(region, values, topics, towns)
    user = actor_user(acting_user)
    service = Service(
        region=region,
        confirmed_on=confirmed_on or timezone.localdate(),
        confirmed_by=user,
        created_by=user,
        **_clean(values, topics),
    )
    service.full_clean(exclude=["topics", "towns", "confirmed_by", "created_by"])
    service.save()
    service.topics.set(topics)
    service.towns.set(towns)
    return service


def _store_changes(
    current: Service,
    *,
    acting_user: Actor,
    topics: Sequence[ServiceTopic],
    towns: Sequence[Organisation],
    confirmed_on: dt.date | None,
    **values: Any,
) -> list[str]:
    """Apply the values to the locked row; returns the names of the fields that changed."""
    old_topics = set(current.topics.values_list("pk", flat=True))
    merged = {name: getattr(current, name) for name in SERVICE_FIELDS} | values
    _check(current.region, merged, topics, towns, keep_topics=old_topics)
    changed = []
    for name, value in _clean(values, topics).items():
        if getattr(current, name) != value:
            setattr(current, name, value)
            changed.append(name)
    if confirmed_on is not None:
        current.confirmed_on = confirmed_on
        current.confirmed_by = actor_user(acting_user)
    current.version += 1
    current.full_clean(exclude=["topics", "towns", "confirmed_by", "created_by"])
    current.save()
    if old_topics != {t.pk for t in topics}:
        current.topics.set(topics)
        changed.append("topics")
    if set(current.towns.values_list("pk", flat=True)) != {t.pk for t in towns}:
        current.towns.set(towns)
        changed.append("towns")
    return changed


@transaction.atomic
def create_service(
    *,
    acting_user: Actor,
    region: Organisation,
    topics: Sequence[ServiceTopic],
    towns: Sequence[Organisation] = (),
    **values: Any,
) -> Service:
    """A new entry of ``region``'s directory, confirmed today by its author."""
    service = _store_new(
        acting_user=acting_user, region=region, topics=topics, towns=towns, **values
    )
    record(
        EventType.SERVICE_CREATED,
        actor=acting_user,
        subject=service,
        organisation=region,
        extra={"provider": service.provider.code, "public": service.public},
    )
    return service


@transaction.atomic
def update_service(
    service: Service,
    *,
    acting_user: Actor,
    expected_version: int,
    topics: Sequence[ServiceTopic],
    towns: Sequence[Organisation] = (),
    confirm: bool = False,
    **values: Any,
) -> Service:
    """Change an entry (``EditConflict`` when someone else saved it since the form was
    loaded); with ``confirm`` the data count as confirmed today."""
    current = lock_version(
        Service,
        service.pk,
        expected_version,
        fields=(*SERVICE_FIELDS, "topics", "towns"),
        labels=labels(),
    )
    changed = _store_changes(
        current,
        acting_user=acting_user,
        topics=topics,
        towns=towns,
        confirmed_on=timezone.localdate() if confirm else None,
        **values,
    )
    record(
        EventType.SERVICE_UPDATED,
        actor=acting_user,
        subject=current,
        organisation=current.region,
        extra={"fields": changed, "confirmed": confirm},
    )
    return current


@transaction.atomic
def confirm_service(service: Service, *, acting_user: Actor) -> Service:
    """The maintainer checked the entry: its data are current as of today. The version stays
    (nobody's open edit form becomes outdated by a confirmation)."""
    today = timezone.localdate()
    user = actor_user(acting_user)
    Service.objects.filter(pk=service.pk).update(confirmed_on=today, confirmed_by=user)
    service.confirmed_on, service.confirmed_by = today, user
    record(
        EventType.SERVICE_CONFIRMED,
        actor=acting_user,
        subject=service,
        organisation=service.region,
        extra={"confirmed_on": today.isoformat()},
    )
    return service


@transaction.atomic
def end_service(
    service: Service, *, acting_user: Actor, valid_to: dt.date, expected_version: int
) -> Service:
    """The service is no longer offered after ``valid_to`` (the entry stays, as a past one)."""
    current = lock_version(
        Service, service.pk, expected_version, fields=("valid_to",), labels=labels()
    )
    if valid_to < current.valid_from:
        raise ValidationError({"valid_to": _("The end of validity cannot lie before its start.")})
    current.valid_to = valid_to
    current.version += 1
    current.save(update_fields=["valid_to", "version", "modified"])
    record(
        EventType.SERVICE_UPDATED,
        actor=acting_user,
        subject=current,
        organisation=current.region,
        extra={"fields": ["valid_to"], "ended": valid_to.isoformat()},
    )
    return current


def _referencing_tables() -> list[str]:
    """Tables with a foreign key to an entry (referrals of case management), known from the
    model registry – this app does not import the apps that point at it."""
    return [
        rel.related_model._meta.db_table
        for rel in Service._meta.related_objects
        if rel.related_model is not ServiceText and rel.many_to_many is False
    ]


@transaction.atomic
def delete_service(service: Service, *, acting_user: Actor) -> None:
    """Delete an entry nobody refers to. A referral of a case points at it: refused (end the
    entry instead).

    Django's collector refuses first (``ProtectedError``) when it sees the referral. Under
    row-level security (PostgreSQL) the reader may not see the referral rows, so the collector
    finds none; the foreign key – deferred to the commit by Django – is then checked right
    here, inside a savepoint (``check_constraints``: ``SET CONSTRAINTS ALL IMMEDIATE``), so the
    refusal reaches the user instead of failing the commit."""
    code, region = service.code, service.region
    try:
        with transaction.atomic():
            ServiceText.objects.filter(service=service).delete()
            Service.objects.get(pk=service.pk).delete()
            connection.check_constraints(table_names=_referencing_tables())
    except (ProtectedError, IntegrityError):
        raise ValidationError(
            _(
                "This entry cannot be deleted: referrals of case management point to it. "
                "End its validity instead."
            ),
            code="referenced",
        ) from None
    record(
        EventType.SERVICE_DELETED,
        actor=acting_user,
        subject_type="network.service",
        subject_code=code,
        organisation=region,
    )


# --------------------------------------------------------------------------------------------
# Texts in further languages
# --------------------------------------------------------------------------------------------


@transaction.atomic
def save_service_text(
    service: Service,
    *,
    acting_user: Actor,
    language: str,
    expected_version: int | None = None,
    **values: str,
) -> ServiceText:
    """The entry's texts in one further language (created, or changed: ``expected_version``
    is the text's version the form showed, ``EditConflict`` when it moved on)."""
    if languages.get(language) is None or language == "de":
        raise ValidationError({"language": _("Choose a language other than German.")})
    if not str(values.get("name", "")).strip():
        raise ValidationError({"name": _("Give the name of the service in this language.")})
    cleaned = {k: str(values.get(k, "")).strip() for k in TEXT_FIELDS}
    existing = ServiceText.objects.filter(service=service, language=language).first()
    if existing is None:
        text = ServiceText.objects.create(service=service, language=language, **cleaned)
    else:
        text = lock_version(
            ServiceText,
            existing.pk,
            existing.version if expected_version is None else expected_version,
            fields=TEXT_FIELDS,
            labels=text_labels(),
        )
        for name, value in cleaned.items():
            setattr(text, name, value)
        text.version += 1
        text.save()
    record(
        EventType.SERVICE_TEXT_SAVED,
        actor=acting_user,
        subject=service,
        organisation=service.region,
        extra={"language": language, "version": text.version},
    )
    return text


@transaction.atomic
def delete_service_text(service: Service, *, acting_user: Actor, language: str) -> None:
    deleted, _rows = ServiceText.objects.filter(service=service, language=language).delete()
    if not deleted:
        raise ValidationError(_("There is no text in this language."))
    record(
        EventType.SERVICE_TEXT_SAVED,
        actor=acting_user,
        subject=service,
        organisation=service.region,
        extra={"language": language, "deleted": True},
    )


# --------------------------------------------------------------------------------------------
# Import
# --------------------------------------------------------------------------------------------


@dataclass
class ImportRow:
    """One checked row of an import file (``directory.importer``)."""

    line: int
    service: Service | None  # the entry the row's code names; None: a new entry
    values: dict[str, Any]
    topics: list[ServiceTopic]
    towns: list[Organisation]
    confirmed_on: dt.date | None = None


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    codes: list[str] = field(default_factory=list)


@transaction.atomic
def import_directory(
    *,
    acting_user: Actor,
    region: Organisation,
    rows: Sequence[ImportRow],
    file_name: str,
    data: bytes,
) -> ImportResult:
    """Store the rows of a checked file (``importer.parse_directory_file`` checked every row
    and the importer's right to each entry first): all of them or – when one fails the data
    rules after all – none."""
    result = ImportResult()
    for row in rows:
        try:
            if row.service is None:
                service = _store_new(
                    acting_user=acting_user,
                    region=region,
                    topics=row.topics,
                    towns=row.towns,
                    confirmed_on=row.confirmed_on,
                    **row.values,
                )
                result.created += 1
            else:
                service = Service.objects.select_for_update().get(pk=row.service.pk)
                _store_changes(
                    service,
                    acting_user=acting_user,
                    topics=row.topics,
                    towns=row.towns,
                    confirmed_on=row.confirmed_on,
                    **row.values,
                )
                result.updated += 1
        except ValidationError as exc:
            raise ValidationError(
                [
                    _("Line %(line)d: %(problem)s") % {"line": row.line, "problem": message}
                    for message in exc.messages
                ]
            ) from None
        result.codes.append(service.code)
    record(
        EventType.DIRECTORY_IMPORTED,
        actor=acting_user,
        subject_type="network.service",
        organisation=region,
        extra={
            "created": result.created,
            "updated": result.updated,
            "file_sha256": hashlib.sha256(data).hexdigest(),
            "file_type": file_name.rsplit(".", 1)[-1].lower(),
        },
    )
    return result
