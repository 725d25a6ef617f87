"""Every change to steering: bodies and their members (``actions.bodies``); meetings, agenda,
attendance, minutes and decisions (``actions.meetings``); topics (``actions.topics``). Each
action is atomic, takes a keyword-only ``acting_user`` and writes one audit event in the same
transaction."""

from collections.abc import Mapping

from django.utils.functional import Promise


def as_text(labels: Mapping[str, str | Promise]) -> dict[str, str]:
    """Field labels for ``lock_version`` in the active language."""
    return {field: str(label) for field, label in labels.items()}
