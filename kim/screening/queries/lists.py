"""Read side of uploaded lists: the filtered, sorted results, rows for display and export.

Results are stored as encrypted JSON (the CLI's shape plus norm and summary sentence); only
the rows of the page being shown (or exported) are decrypted. Criterion labels come from the
stored rule versions in one query.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from kim.accounts.access import UserContext
from kim.cases.retention import add_months
from kim.screening.access import lists_for_user
from kim.screening.models import Rule, ScreeningEntry, ScreeningList
from kim.screening.rulebook import database_versions

# Short column headings, in the engine's fixed order.
RULE_COLUMNS: list[tuple[str, str]] = [
    (Rule.AUFENTHG_25A, "§ 25a"),
    (Rule.AUFENTHG_25B, "§ 25b"),
    (Rule.AUFENTHG_104C, "§ 104c"),
    (Rule.STAG_10, "§ 10"),
    (Rule.STAG_10_3, "§ 10 Abs. 3"),
]
SHORT = dict(RULE_COLUMNS)
SHOW_CHOICES = [
    ("", gettext_lazy("everyone")),
    ("now", gettext_lazy("likely now")),
    ("soon", gettext_lazy("likely soon")),
    ("unclear", gettext_lazy("unclear (data missing)")),
]
SORT_CHOICES = [
    ("rank", gettext_lazy("outcome")),
    ("likely_from", gettext_lazy("likely from")),
    ("row", gettext_lazy("row")),
]
BADGE = {
    "likely": "success",
    "later": "info",
    "unclear": "warning",
    "unlikely": "danger",
    "not_in_force": "neutral",
}
MISSING_MAX = 4

Labels = dict[tuple[str, str | None], dict[str, str]]


@dataclass(frozen=True)
class EntryFilter:
    show: str = ""
    months: int = 12
    rule: str = ""
    sort: str = "rank"


def _rule_q(rule: str) -> Q:
    """``likely_rules`` (comma-separated) contains exactly this rule key."""
    return (
        Q(likely_rules=rule)
        | Q(likely_rules__startswith=f"{rule},")
        | Q(likely_rules__endswith=f",{rule}")
        | Q(likely_rules__contains=f",{rule},")
    )


def filtered_entries(
    screening_list: ScreeningList, f: EntryFilter, today: dt.date
) -> QuerySet[ScreeningEntry]:
    entries = ScreeningEntry.objects.filter(screening_list=screening_list).defer("facts")
    if f.show == "now":
        entries = entries.filter(rank=0)
    elif f.show == "soon":
        entries = entries.filter(rank=1, likely_from__lte=add_months(today, f.months))
    elif f.show == "unclear":
        entries = entries.filter(rank=2)
    if f.rule:
        entries = entries.filter(_rule_q(f.rule))
    if f.sort == "likely_from":
        return entries.order_by(F("likely_from").asc(nulls_last=True), "rank", "row")
    if f.sort == "row":
        return entries.order_by("row")
    return entries.order_by("rank", F("likely_from").asc(nulls_last=True), "row")


def rank_counts(screening_list: ScreeningList) -> dict[int, int]:
    """How many persons per summary rank (one query)."""
    rows = (
        ScreeningEntry.objects.filter(screening_list=screening_list, rank__isnull=False)
        .values("rank")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = dict.fromkeys(range(4), 0)
    counts.update({r["rank"]: r["n"] for r in rows if r["rank"] is not None})
    return counts


@dataclass(frozen=True)
class ListCounts:
    """One list of the officer with how many of its persons the results page shows under
    "likely now" and under "likely soon" for ``months`` months."""

    screening_list: ScreeningList
    likely_now: int
    likely_soon: int


def list_counts(ctx: UserContext, today: dt.date, months: int) -> list[ListCounts]:
    """Every list the user sees, newest first, with the counts of ``filtered_entries`` for
    ``show=now`` and ``show=soon&months=…`` (one query, nothing decrypted)."""
    soon = Q(entries__rank=1, entries__likely_from__lte=add_months(today, months))
    lists = (
        lists_for_user(ctx)
        .only("code", "title", "status", "decision_date", "uploaded_at", "organisation_id")
        .annotate(
            n_now=Count("entries", filter=Q(entries__rank=0)),
            n_soon=Count("entries", filter=soon),
        )
        .order_by("-uploaded_at", "-id")
    )
    return [ListCounts(sl, sl.n_now, sl.n_soon) for sl in lists]  # type: ignore[attr-defined]


def criterion_labels() -> Labels:
    """(rule, valid_from ISO) → {criterion id: label}, from the rule versions (one query)."""
    return {
        (v.rule, v.valid_from.isoformat()): {
            str(c.get("id")): str(c.get("label") or c.get("id")) for c in v.criteria
        }
        for v in database_versions()
    }


def _date(value: str | None) -> str:
    return formats.date_format(dt.date.fromisoformat(value), "SHORT_DATE_FORMAT") if value else ""


def outcome_badge(result: dict[str, Any]) -> tuple[str, str]:
    """(German text, badge colour) of one rule result: "wahrscheinlich", "ab 14.03.2027" …"""
    outcome = result.get("outcome")
    if outcome == "likely":
        return pgettext("screening outcome", "likely"), BADGE["likely"]
    if outcome == "not_in_force":
        return pgettext("screening outcome", "not in force"), BADGE["not_in_force"]
    if result.get("met_from"):
        return pgettext("screening outcome", "from %s") % _date(result["met_from"]), BADGE["later"]
    if outcome == "unclear":
        return pgettext("screening outcome", "unclear"), BADGE["unclear"]
    return pgettext("screening outcome", "unlikely"), BADGE["unlikely"]


def _label(labels: Labels, result: dict[str, Any], criterion_id: str) -> str:
    version = labels.get((result["rule"], result.get("version_valid_from")), {})
    return version.get(criterion_id, criterion_id)


def missing_criteria(results: list[dict[str, Any]], labels: Labels) -> list[str]:
    """What to ask the person: the checkable criteria without data ("?") of the rules whose
    outcome is *unclear*, as "§ 25b: label ?". Rules that fail on the facts are left out – their
    badge says so, and listing every failing criterion of every rule buried the one question
    that matters; a rule likely later shows its date in the badge."""
    items = []
    for result in results:
        if result.get("outcome") != "unclear":
            continue
        for c in result.get("criteria", []):
            if c.get("kind") == "checkable" and c.get("met") is None:
                short = SHORT.get(result["rule"], result["rule"])
                items.append(f"{short}: {_label(labels, result, c['id'])} ?")
    return items


@dataclass
class EntryRow:
    entry: ScreeningEntry
    outcomes: list[tuple[str, str, str]]  # (rule, text, badge colour), in RULE_COLUMNS order
    missing: list[str] = field(default_factory=list)

    @property
    def missing_short(self) -> list[str]:
        return self.missing[:MISSING_MAX]

    @property
    def missing_more(self) -> int:
        return max(0, len(self.missing) - MISSING_MAX)


def results_of(entry: ScreeningEntry) -> list[dict[str, Any]]:
    return list(json.loads(entry.results)) if entry.results else []


def entry_row(entry: ScreeningEntry, labels: Labels) -> EntryRow:
    by_rule = {r["rule"]: r for r in results_of(entry)}
    outcomes = []
    for rule, _short in RULE_COLUMNS:
        result = by_rule.get(rule)
        text, colour = outcome_badge(result) if result else ("–", "neutral")
        outcomes.append((rule, text, colour))
    return EntryRow(entry, outcomes, missing_criteria(list(by_rule.values()), labels))


def entry_rows(entries: Iterable[ScreeningEntry], labels: Labels) -> list[EntryRow]:
    return [entry_row(e, labels) for e in entries]


# --------------------------------------------------------------------------------------------
# Detail
# --------------------------------------------------------------------------------------------

MET_TEXT = {
    True: pgettext_lazy("screening criterion", "met"),
    False: pgettext_lazy("screening criterion", "not met"),
    None: pgettext_lazy("screening criterion", "unknown"),
}
KIND_TEXT = {
    "checkable": pgettext_lazy("screening criterion", "checkable"),
    "discretionary": pgettext_lazy("screening criterion", "discretion"),
}


@dataclass
class CriterionView:
    label: str
    met: bool | None
    met_text: str
    kind_text: str
    explanation: str


@dataclass
class RuleView:
    rule: str
    title: str
    outcome_text: str
    badge: str
    norm: str
    explanation: str
    version_valid_from: dt.date | None
    met_from: dt.date | None
    criteria: list[CriterionView]


def rule_views(entry: ScreeningEntry, labels: Labels) -> list[RuleView]:
    """Every rule with every criterion, for the entry's detail page."""
    views = []
    for result in results_of(entry):
        text, colour = outcome_badge(result)
        criteria = [
            CriterionView(
                label=_label(labels, result, c["id"]),
                met=c.get("met"),
                met_text=str(MET_TEXT[c.get("met")]),
                kind_text=str(KIND_TEXT.get(c.get("kind", ""), c.get("kind", ""))),
                explanation=c.get("explanation", ""),
            )
            for c in result.get("criteria", [])
        ]
        views.append(
            RuleView(
                rule=result["rule"],
                title=str(Rule(result["rule"]).label) if result["rule"] in Rule.values else "",
                outcome_text=text,
                badge=colour,
                norm=result.get("norm", ""),
                explanation=result.get("explanation", ""),
                version_valid_from=_parse(result.get("version_valid_from")),
                met_from=_parse(result.get("met_from")),
                criteria=criteria,
            )
        )
    return views


def _parse(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


# --------------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------------


def export_header() -> list[str]:
    header = [_("Row"), _("Reference"), _("Name or label")]
    for _rule, short in RULE_COLUMNS:
        header += [short, _("%s likely from") % short]
    return [*header, _("Data still missing")]


def _export_row(entry: ScreeningEntry, labels: Labels) -> list[Any]:
    by_rule = {r["rule"]: r for r in results_of(entry)}
    row: list[Any] = [entry.row, entry.ref, entry.label or ""]
    for rule, _short in RULE_COLUMNS:
        result = by_rule.get(rule)
        row += [outcome_badge(result)[0] if result else "", _parse((result or {}).get("met_from"))]
    return [*row, "; ".join(missing_criteria(list(by_rule.values()), labels))]


def export_rows(entries: QuerySet[ScreeningEntry]) -> Iterator[list[Any]]:
    """The rows of the (filtered) results, decrypted in batches."""
    labels = criterion_labels()
    for entry in entries.iterator(chunk_size=1000):
        yield _export_row(entry, labels)
