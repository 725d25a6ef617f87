"""Loading the rule versions of ``kim.screening.reference_data`` into ``RuleVersion``."""

from __future__ import annotations

from django.db import transaction

from kim.audit.models import EventType
from kim.audit.record import record
from kim.core.models import Actor
from kim.screening import reference_data as ref
from kim.screening.models import LetterText, RuleVersion


@transaction.atomic
def load_screening_reference_data(*, acting_user: Actor) -> dict[str, int]:
    """Idempotent: a version that exists (same rule and ``valid_from``) is left as it is, so
    local corrections survive a reload. Returns the numbers created; the German invitation
    letter text is the platform's default ``LetterText``."""
    counts = {"rule_versions": 0, "letter_texts": 0}
    for version in ref.VERSIONS:
        _, created = RuleVersion.objects.get_or_create(
            rule=version["rule"],
            valid_from=version["valid_from"],
            defaults={
                "valid_to": version["valid_to"],
                "norm": version["norm"],
                "source": version["source"],
                "params": version["params"],
                "criteria": version["criteria"],
                "confirmed": version["confirmed"],
                "note": version["note"],
            },
        )
        counts["rule_versions"] += created
    german = dict(ref.LETTER_TEXT_DE)
    _, created = LetterText.objects.get_or_create(
        region=None,
        language=german.pop("language"),
        valid_from=german.pop("valid_from"),
        defaults=german,
    )
    counts["letter_texts"] += created
    if any(counts.values()):
        record(
            EventType.REFERENCE_DATA_LOADED,
            actor=acting_user,
            subject_type="screening.reference",
            extra={"screening": counts},
        )
    return counts
