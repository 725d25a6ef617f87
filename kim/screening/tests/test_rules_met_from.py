"""Properties of ``met_from`` and of the engine as a whole."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from kim.screening.engine import evaluate, evaluate_many
from kim.screening.facts import Period, PersonFacts, Status
from kim.screening.reference_data import RULE_ORDER
from kim.screening.rules import TIME_CRITERIA
from kim.screening.tests.rulecases import VERSIONS

STATUSES = list(Status)
SECTIONS = ["", "60a", "60b", "60d", "25b", "104c", "16b"]


@st.composite
def persons(draw: st.DrawFn) -> PersonFacts:
    """Persons whose last period is open-ended ("nothing else changes" then means: it goes on)."""
    day = draw(st.dates(dt.date(2005, 1, 1), dt.date(2025, 12, 31)))
    periods = []
    for _ in range(draw(st.integers(1, 4))):
        length = draw(st.integers(30, 2500))
        status = draw(st.sampled_from(STATUSES))
        section = draw(st.sampled_from(SECTIONS))
        periods.append(Period(status, day, day + dt.timedelta(days=length - 1), section))
        day += dt.timedelta(days=length + draw(st.integers(0, 200)))
    last = periods[-1]
    periods[-1] = Period(last.status, last.start, None, last.section)
    return PersonFacts(
        ref="P",
        birth_date=draw(st.dates(dt.date(1960, 1, 1), dt.date(2015, 12, 31))),
        residence_periods=tuple(periods),
        asylum_recognized=draw(st.sampled_from([True, False, None])),
        minor_child_in_household=draw(st.sampled_from([True, False, None])),
        special_integration_achievements=draw(st.sampled_from([True, False, None])),
    )


@settings(max_examples=300, deadline=None)
@given(facts=persons(), offset=st.integers(0, 400))
def test_met_from_makes_the_time_criteria_met(facts: PersonFacts, offset: int) -> None:
    """Evaluated again on ``met_from`` with the same facts, every time criterion of that rule
    is met (decision dates from 2026 on: the current versions are open-ended; no period
    starts after the decision date, since that would be a change)."""
    assert facts.residence_periods
    latest = max(dt.date(2026, 1, 1), facts.residence_periods[-1].start)
    day = latest + dt.timedelta(days=offset)
    for res in evaluate(facts, day, VERSIONS):
        assert res.met_from is None or res.met_from > day
        if res.met_from is None:
            continue
        (later,) = [r for r in evaluate(facts, res.met_from, VERSIONS) if r.rule == res.rule]
        assert later.version_valid_from == res.version_valid_from
        for criterion in later.criteria:
            if criterion.id in TIME_CRITERIA:
                assert criterion.met is True, (res.rule, criterion)


@settings(max_examples=100, deadline=None)
@given(facts=persons(), day=st.dates(dt.date(2010, 1, 1), dt.date(2030, 12, 31)))
def test_always_five_rules_in_order_and_consistent_outcomes(
    facts: PersonFacts, day: dt.date
) -> None:
    results = evaluate(facts, day, VERSIONS)
    assert [r.rule for r in results] == list(RULE_ORDER)
    for res in results:
        checkable = [c.met for c in res.criteria if c.kind == "checkable"]
        if res.outcome == "not_in_force":
            assert res.criteria == () and res.version_valid_from is None
        elif res.outcome == "likely":
            assert all(m is True for m in checkable)
        elif res.outcome == "unlikely":
            assert False in checkable
        else:
            assert False not in checkable


def test_ten_thousand_persons_are_fast() -> None:
    start = dt.date(2015, 1, 1)
    batch = [
        PersonFacts(
            ref=str(i),
            birth_date=dt.date(1990 + i % 20, 1 + i % 12, 1 + i % 28),
            residence_periods=(
                Period(Status.GESTATTUNG, start, start + dt.timedelta(days=i % 900)),
                Period(Status.DULDUNG, start + dt.timedelta(days=i % 900 + 1 + i % 120)),
            ),
            fdgo_commitment=True,
            criminal_fine_daily_rates=i % 100,
        )
        for i in range(10_000)
    ]
    # CPU time of this process, not wall time: `make test` runs the suite on all cores in
    # parallel (pytest-xdist), where another worker may hold the CPU for seconds.
    began = time.process_time()
    results = evaluate_many(batch, dt.date(2026, 3, 15), VERSIONS)
    assert len(results) == 10_000
    assert time.process_time() - began < 10


def test_no_likely_date_when_more_than_time_is_missing() -> None:
    """A skilled worker (§ 18b permit) is no Geduldeter: waiting does not make § 25b likely,
    so there is no ``met_from`` – but the explanation still says when the time would be met."""
    decision = dt.date(2026, 3, 2)
    base = PersonFacts(
        ref="W",
        birth_date=dt.date(1990, 1, 1),
        oral_german_level=None,
        fdgo_commitment=True,
        identity_deception=False,
        criminal_fine_daily_rates=0,
        minor_child_in_household=False,
    )
    worker = replace(
        base,
        residence_periods=(Period(Status.AUFENTHALTSERLAUBNIS, dt.date(2023, 1, 1), None, "18b"),),
    )
    [b] = [r for r in evaluate(worker, decision, VERSIONS) if r.rule == "aufenthg_25b"]
    assert b.outcome.value == "unlikely" and b.met_from is None
    tolerated = replace(
        base, residence_periods=(Period(Status.DULDUNG, dt.date(2023, 1, 1), None, "60a"),)
    )
    [d] = [r for r in evaluate(tolerated, decision, VERSIONS) if r.rule == "aufenthg_25b"]
    # Oral German unknown: nothing is "likely from" a date while a fact is missing either.
    assert d.met_from is None
