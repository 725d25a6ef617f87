"""Labels for screening results in templates (``{% load screening_results %}``)."""

from __future__ import annotations

import functools
from typing import Any

from django import template
from django.utils.translation import gettext as _

from kim.screening.models import Rule

register = template.Library()

BADGES = {
    "likely": "success",
    "unlikely": "danger",
    "unclear": "warning",
    "not_in_force": "neutral",
}


@register.filter
def rule_label(code: str) -> str:
    """ "aufenthg_25b" → "§ 25b AufenthG – sustainable integration" (translated)."""
    return str(Rule(code).label) if code in Rule.values else code


@register.filter
def outcome_label(outcome: str) -> str:
    labels = {
        "likely": _("likely"),
        "unlikely": _("unlikely"),
        "unclear": _("unclear"),
        "not_in_force": _("not in force"),
    }
    return labels.get(str(outcome), str(outcome))


@register.filter
def outcome_badge(outcome: str) -> str:
    """The KERN badge modifier for an outcome (success, danger, warning, info)."""
    return BADGES.get(str(outcome), "info")


@register.filter
def criterion_met(met: bool | None) -> str:
    if met is None:
        return _("unknown")
    return _("met") if met else _("not met")


@register.filter
def kind_label(kind: str) -> str:
    return _("discretionary") if str(kind) == "discretionary" else _("checkable")


@register.filter
def status_label(status: str) -> str:
    """A residence status of the screening ("duldung") with the case file's label."""
    from kim.cases.models import ResidenceStatus

    value = str(status)
    return str(ResidenceStatus(value).label) if value in ResidenceStatus.values else value


@functools.cache
def _criterion_labels() -> dict[tuple[str, str, str], str]:
    """(rule, version valid_from ISO, criterion id) → label, from the reference data (the
    versions stored in the database are copies of it)."""
    from kim.screening.rulebook import reference_versions

    return {
        (v.rule, v.valid_from.isoformat(), c["id"]): c.get("label", c["id"])
        for v in reference_versions()
        for c in v.criteria
    }


@register.simple_tag
def criterion_label(result: Any, criterion_id: str) -> str:
    """The label of a criterion of ``result``'s version; the id when unknown."""
    day = result.version_valid_from.isoformat() if result.version_valid_from else ""
    return _criterion_labels().get((result.rule, day, criterion_id), criterion_id)
