"""Read side of the rules page: every rule with all its versions, from the database.

The catalogue holds no personal data; anyone with a role may read it
(``can_read_rules``). One query (``kim.screening.rulebook.database_versions``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kim.accounts.access import UserContext
from kim.screening.models import Rule
from kim.screening.rulebook import RuleVersionData, database_versions
from kim.screening.rules import STATUS_DE

# Readable names of the parameters the rule checks read (kim.screening.reference_data).
PARAM_LABELS: dict[str, Any] = {
    "years_required": gettext_lazy("Years of residence required"),
    "years_with_child": gettext_lazy("Years required with a minor child in the household"),
    "years_with_achievements": gettext_lazy("Years required with special integration achievements"),
    "years_with_course": gettext_lazy("Years required with an integration course"),
    "counting_statuses": gettext_lazy("Statuses that count towards the time"),
    "paused_sections": gettext_lazy("Sections whose time does not count"),
    "pause_exempt_sections": gettext_lazy("Except for holders of"),
    "max_interruption_days": gettext_lazy("Harmless interruption (days)"),
    "min_age": gettext_lazy("Minimum age"),
    "age_limit": gettext_lazy("Application before this birthday"),
    "school_years": gettext_lazy("Years of school attendance in Germany"),
    "duldung_months": gettext_lazy("Months with a Duldung"),
    "status_statuses": gettext_lazy("Required status"),
    "status_sections": gettext_lazy("Or a permit under"),
    "accepted_tests": gettext_lazy("Accepted tests"),
    "min_oral_level": gettext_lazy("Oral German at least"),
    "min_level": gettext_lazy("German at least"),
    "max_fine_daily_rates": gettext_lazy("Fines up to (daily rates)"),
    "max_fine_foreigner_offences": gettext_lazy(
        "Fines up to (daily rates) for offences only under the AufenthG or AsylG"
    ),
    "section_60d_months": gettext_lazy("Months with a Beschäftigungsduldung (§ 60d)"),
    "cutoff_date": gettext_lazy("Cut-off date"),
    "expired_note": gettext_lazy("Note after expiry"),
    "gestattung_counts_if_recognized": gettext_lazy(
        "Asylum-procedure time counts after recognition (§ 55 Abs. 3 AsylG)"
    ),
    "temporary_permit_sections": gettext_lazy("Permits for temporary purposes (do not count)"),
    "capacity_age": gettext_lazy("Capacity to act from age"),
    "full_time_months_required": gettext_lazy("Months of full-time work (of the last 24)"),
}
_URL = re.compile(r"https?://\S+")


def can_read_rules(ctx: UserContext) -> bool:
    """Every signed-in user with a role (the catalogue is public law, no personal data)."""
    return ctx.is_superuser or bool(ctx.roles)


@dataclass(frozen=True)
class Source:
    url: str
    text: str


@dataclass(frozen=True)
class Param:
    key: str
    label: str
    value: str


@dataclass(frozen=True)
class VersionRow:
    version: RuleVersionData
    in_force: bool
    ended: bool
    sources: tuple[Source, ...]
    params: tuple[Param, ...]


@dataclass(frozen=True)
class RuleGroup:
    code: str
    label: str
    versions: tuple[VersionRow, ...]

    @property
    def in_force(self) -> bool:
        return any(v.in_force for v in self.versions)

    @property
    def expired(self) -> bool:
        """No longer in force: every version ended before today."""
        return bool(self.versions) and all(v.ended for v in self.versions)


def parse_sources(source: str) -> tuple[Source, ...]:
    """ " https://a.de/x (Title) ; plain text" → links with their text, text without a link."""
    parts = [p.strip() for p in re.split(r"\s;\s|\n", source) if p.strip()]
    found = []
    for part in parts:
        match = _URL.search(part)
        url = match.group(0) if match else ""
        text = (part.replace(url, "", 1).strip() if url else part).strip("() ")
        found.append(Source(url, text))
    return tuple(found)


# Codes inside parameter values, shown in words (the statuses as the explanations name them).
CODE_WORDS: dict[str, str] = {
    **{status.value: name for status, name in STATUS_DE.items()},
    "leben_in_deutschland": "Test „Leben in Deutschland“",
    "einbuergerungstest": "Einbürgerungstest",
}


def _word(key: str, item: Any) -> str:
    text = str(item)
    if key.endswith("sections") and text and not text.startswith("§"):
        return f"§ {text}"
    return CODE_WORDS.get(text, text)


def _value(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list | tuple):
        return ", ".join(_word(key, v) for v in value) or "–"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if key.endswith("_date"):
        with contextlib.suppress(ValueError):
            return date_format(dt.date.fromisoformat(str(value)), "SHORT_DATE_FORMAT")
    return _word(key, value)


def param_rows(params: dict[str, Any]) -> tuple[Param, ...]:
    return tuple(
        Param(key, str(PARAM_LABELS.get(key, key)), _value(key, value))
        for key, value in params.items()
    )


def _row(version: RuleVersionData, today: dt.date) -> VersionRow:
    return VersionRow(
        version=version,
        in_force=version.applies_on(today),
        ended=version.valid_to is not None and version.valid_to < today,
        sources=parse_sources(version.source),
        params=param_rows(version.params),
    )


def rule_catalogue(today: dt.date) -> list[RuleGroup]:
    """Every rule (in the engine's order), each with all its versions, oldest first."""
    versions = database_versions()
    codes = list(Rule.values) + sorted({v.rule for v in versions} - set(Rule.values))
    groups = []
    for code in codes:
        rows = sorted((v for v in versions if v.rule == code), key=lambda v: v.valid_from)
        label = str(Rule(code).label) if code in Rule.values else code
        groups.append(RuleGroup(code, label, tuple(_row(v, today) for v in rows)))
    return groups
