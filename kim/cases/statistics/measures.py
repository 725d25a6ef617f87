"""What the case statistics count (D-082; docs/statistics.md has the same in German words).

Every measure counts within a Kreis (or the reader's own organisations) over a period
``[from, to]`` (both days included):

- ``new_cases`` – cases referred in the period (``referred_on``).
- ``active_cases`` – cases open at any time in the period: referred on or before ``to`` and not
  closed before ``from``. A case open in two quarters is one active case of the half year, so
  this measure has no time dimension (its cells would not add up).
- ``closed_cases`` – cases closed in the period (``closed_on``).
- ``referrals`` – referrals to partner organisations sent in the period (a case can have
  several; the unit is the referral).
- ``referrals_by_topic`` – the referrals of ``referrals`` by the topics of the directory's
  service they name (D-091): a referral to a service with two topics counts once under each
  (so the total counts referral–topic pairs, not referrals), a referral without a service
  under ``no_service`` ("ohne Angebot"). The dimension ``topic`` is required.
- ``closing_reasons`` – the closed cases of the period by closing reason (the dimension
  ``closing_reason`` is required).
- ``goals_reached`` – cases closed in the period with at least one goal of the integration plan
  marked achieved.
- ``waiting_days_median`` – the lower median of the days from referral to the start of the
  intake phase, over the cases whose intake started in the period. Not a count: a median with
  fewer than 3 cases behind it is suppressed; the margins are medians over the margin's cases,
  not sums of the cells.
- ``barriers`` – structural barriers recorded for the period (month of observation).

Dimensions: ``town`` (AGS of the person's town of residence), ``organisation`` (the code of the
organisation that keeps the case), ``quarter`` (``2026-Q1``) and ``year`` of the measure's date,
``phase`` (on the last day of the period), ``legal_sphere`` (the benefit system on the day the
intake started, else on the referral day; for barriers the legal sphere recorded with them),
``recipient_type`` (kind of the receiving organisation of a referral), ``topic`` (key of the
topic catalogue of the service a referral names), ``closing_reason`` and ``barrier_category``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kim.cases.statistics.suppression import MAX_DIMENSIONS

PLACE = ("town", "organisation")
TIME = ("quarter", "year")


@dataclass(frozen=True)
class MeasureDef:
    key: str
    label: Promise
    dimensions: tuple[str, ...]
    median: bool = False
    required: str = ""


MEASURES: dict[str, MeasureDef] = {
    m.key: m
    for m in (
        MeasureDef("new_cases", gettext_lazy("New cases"), (*PLACE, *TIME, "legal_sphere")),
        MeasureDef(
            "active_cases",
            gettext_lazy("Active cases (open at any time in the period)"),
            (*PLACE, "legal_sphere", "phase"),
        ),
        MeasureDef(
            "closed_cases",
            gettext_lazy("Closed cases"),
            (*PLACE, *TIME, "legal_sphere", "closing_reason"),
        ),
        MeasureDef(
            "referrals",
            gettext_lazy("Referrals to partner organisations"),
            (*PLACE, *TIME, "recipient_type"),
        ),
        MeasureDef(
            "referrals_by_topic",
            gettext_lazy("Referrals by topic"),
            (*PLACE, *TIME, "topic"),
            required="topic",
        ),
        MeasureDef(
            "closing_reasons",
            gettext_lazy("Closing reasons"),
            (*PLACE, *TIME, "legal_sphere", "closing_reason"),
            required="closing_reason",
        ),
        MeasureDef(
            "goals_reached",
            gettext_lazy("Closed cases with a goal reached"),
            (*PLACE, *TIME, "legal_sphere", "closing_reason"),
        ),
        MeasureDef(
            "waiting_days_median",
            gettext_lazy("Waiting time from referral to intake (median, days)"),
            (*PLACE, *TIME, "legal_sphere"),
            median=True,
        ),
        MeasureDef(
            "barriers",
            gettext_lazy("Structural barriers"),
            (*TIME, "legal_sphere", "barrier_category"),
        ),
    )
}

DIMENSIONS: dict[str, Promise] = {
    "town": gettext_lazy("Town"),
    "organisation": gettext_lazy("Organisation"),
    "quarter": gettext_lazy("Quarter"),
    "year": gettext_lazy("Year"),
    "phase": gettext_lazy("Phase"),
    "legal_sphere": gettext_lazy("Legal sphere"),
    "recipient_type": gettext_lazy("Type of recipient"),
    "topic": gettext_lazy("Topic of the service"),
    "closing_reason": gettext_lazy("Closing reason"),
    "barrier_category": gettext_lazy("Barrier category"),
}


class StatisticsError(ValueError):
    """Bad input, with a German message for the page, the API (400) and the CLI (exit 2)."""


MAX_YEARS = 10  # quarters and years are listed in full: bound the axes


def check_period(start: dt.date, end: dt.date) -> None:
    if start > end:
        raise StatisticsError(_("The start of the period lies after its end."))
    if end.year - start.year >= MAX_YEARS:
        raise StatisticsError(
            _("The period may span at most %(n)s calendar years.") % {"n": MAX_YEARS}
        )


def check_request(measure: str, dims: tuple[str, ...]) -> MeasureDef:
    """The measure's definition, or a ``StatisticsError`` that says what is wrong."""
    found = MEASURES.get(measure)
    if found is None:
        raise StatisticsError(
            _("Unknown measure “%(m)s”. Possible: %(all)s.")
            % {"m": measure, "all": ", ".join(MEASURES)}
        )
    if len(dims) > MAX_DIMENSIONS:
        raise StatisticsError(_("At most two dimensions can be combined."))
    if len(set(dims)) != len(dims):
        raise StatisticsError(_("A dimension cannot be used twice."))
    for dim in dims:
        if dim not in DIMENSIONS:
            raise StatisticsError(
                _("Unknown dimension “%(d)s”. Possible: %(all)s.")
                % {"d": dim, "all": ", ".join(DIMENSIONS)}
            )
        if dim not in found.dimensions:
            raise StatisticsError(
                _("The measure “%(m)s” cannot be broken down by “%(d)s”. Possible: %(all)s.")
                % {"m": measure, "d": dim, "all": ", ".join(found.dimensions)}
            )
    if set(TIME) <= set(dims):
        raise StatisticsError(_("Quarter and year cannot be combined; choose one of them."))
    if found.required and found.required not in dims:
        raise StatisticsError(
            _("The measure “%(m)s” needs the dimension “%(d)s”.")
            % {"m": measure, "d": found.required}
        )
    return found
