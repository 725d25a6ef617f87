"""Loading the catalogues and default rules of ``kim.cases.reference_data``."""

from __future__ import annotations

from django.db import transaction

from kim.audit.models import EventType
from kim.audit.record import record
from kim.cases import reference_data as ref
from kim.cases.models import (
    BarrierCategory,
    CaseloadRule,
    ConsentFormText,
    LifeArea,
    RetentionRule,
    TargetGroupCriterion,
)
from kim.core.models import Actor
from kim.organisations.models import Organisation


@transaction.atomic
def load_case_reference_data(
    *, acting_user: Actor, region: Organisation | None = None
) -> dict[str, int]:
    """Idempotent; with ``region`` also that Kreis' default target-group criteria."""
    counts = dict.fromkeys(
        ("life_areas", "barrier_categories", "caseload", "retention", "forms", "criteria"), 0
    )
    for position, (key, name, name_en) in enumerate(ref.LIFE_AREAS, start=1):
        _, created = LifeArea.objects.get_or_create(
            key=key,
            defaults={
                "name": name,
                "name_en": name_en,
                "position": position,
                "valid_from": ref.PROGRAMME_START,
                "source": ref.SRC_LIFE_AREAS,
            },
        )
        counts["life_areas"] += created
    for position, (key, name, name_en) in enumerate(ref.BARRIER_CATEGORIES, start=1):
        _, created = BarrierCategory.objects.get_or_create(
            key=key,
            defaults={
                "name": name,
                "name_en": name_en,
                "position": position,
                "valid_from": ref.PROGRAMME_START,
            },
        )
        counts["barrier_categories"] += created
    _, created = CaseloadRule.objects.get_or_create(
        organisation=None,
        valid_from=ref.PROGRAMME_START,
        defaults={
            "limit": ref.DEFAULT_CASELOAD,
            "review_interval_days": ref.DEFAULT_REVIEW_DAYS,
            "transition_notice_days": ref.DEFAULT_TRANSITION_NOTICE_DAYS,
            "confirmed": False,
            "source": ref.SRC_CASELOAD,
        },
    )
    counts["caseload"] += created
    for target, action, months, source in ref.RETENTION_RULES:
        _, created = RetentionRule.objects.get_or_create(
            target=target,
            valid_from=ref.PROGRAMME_START,
            defaults={"action": action, "months": months, "confirmed": False, "source": source},
        )
        counts["retention"] += created
    for language, title, body, labels in ref.CONSENT_FORMS:
        _, created = ConsentFormText.objects.get_or_create(
            language=language,
            region=None,
            valid_from=ref.PROGRAMME_START,
            defaults={"title": title, "body": body, "source": ref.SRC_CONSENT, **labels},
        )
        counts["forms"] += created
    if region is not None and not TargetGroupCriterion.objects.filter(region=region).exists():
        for position, (text, weight) in enumerate(ref.TARGET_GROUP_CRITERIA, start=1):
            TargetGroupCriterion.objects.create(
                region=region,
                text=text,
                weight=weight,
                position=position,
                valid_from=ref.PROGRAMME_START,
                source=ref.SRC_TARGET_GROUP,
            )
            counts["criteria"] += 1
    if any(counts.values()):
        record(
            EventType.REFERENCE_DATA_LOADED,
            actor=acting_user,
            subject_type="cases.reference",
            extra={"cases": counts},
        )
    return counts
