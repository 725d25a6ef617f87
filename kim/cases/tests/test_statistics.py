"""Case statistics (D-082): the counts against an independent tally, who may count what, the
CLI, the API and the page.

The tally here is plain Python over the ORM rows – no ``values()`` grouping, no code of
``kim.cases.statistics.queries`` – so that both sides must agree on the definitions in
``measures.py`` and not merely share a bug.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import statistics as pystats
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from kim.audit.models import AuditEvent, EventType
from kim.cases.models import Barrier, BenefitPeriod, Case, GoalStatus, Phase, Referral
from kim.cases.statistics.measures import StatisticsError
from kim.cases.statistics.queries import CaseTable, case_table, kreis_scope, statistics_scopes
from kim.core import rls
from kim.core.rls import system_access
from kim.organisations.models import Organisation

pytestmark = pytest.mark.django_db

KREIS = "05970"
START, END = dt.date(2020, 1, 1), dt.date.today()


def _in_kreis(case: Case, kreis: Organisation) -> bool:
    return case.organisation.region_id == kreis.pk or case.organisation_id == kreis.pk


def _all_cases(kreis: Organisation) -> list[Case]:
    with system_access("test tally"):
        cases = list(
            Case.objects.select_related("organisation", "person__town").prefetch_related(
                "phase_changes", "goals", "person__benefits"
            )
        )
    return [c for c in cases if _in_kreis(c, kreis)]


def _intake(case: Case) -> dt.date | None:
    days = [c.changed_on for c in case.phase_changes.all() if c.to_phase == Phase.INTAKE]
    return min(days) if days else None


def _sphere(case: Case) -> str:
    day = _intake(case) or case.referred_on
    found = "unknown"
    for p in sorted(case.person.benefits.all(), key=lambda p: (p.valid_from, p.pk)):
        if p.valid_from <= day and (p.valid_until is None or p.valid_until >= day):
            found = p.system
    return found


def _town(case: Case) -> str:
    return case.person.town.ags if case.person.town else "unknown"


def _check(table: CaseTable, expected: Counter[tuple[str, ...]]) -> None:
    """Every cell, margin and the total equal the tally; the JSON publishes exactly the
    unsuppressed ones."""
    axes = table.axes
    for index, entry in table.table.cells.items():
        keys = tuple(a.keys[i] for a, i in zip(axes, index, strict=True))
        assert entry.value == expected.get(keys, 0), keys
    for d, line in enumerate(table.table.margins):
        for k, entry in enumerate(line):
            key = axes[d].keys[k]
            assert entry.value == sum(n for keys, n in expected.items() if keys[d] == key)
    assert table.table.total.value == sum(expected.values())
    assert set(expected) <= set(_all_keys(table)), "a counted key is missing from the axes"
    data = table.as_json()
    for item in [*data["cells"], *data["margins"], data["total"]]:
        assert (item["value"] is None) == item["suppressed"]
        assert item["value"] is None or not 0 < item["value"] < 3


def _all_keys(table: CaseTable) -> list[tuple[str, ...]]:
    keys: list[tuple[str, ...]] = [()]
    for axis in table.axes:
        keys = [(*k, v) for k in keys for v in axis.keys]
    return keys


def _table(measure: str, dims: tuple[str, ...], start: dt.date = START) -> CaseTable:
    return case_table(kreis_scope(KREIS), measure, dims, start, END, actor=None)


@pytest.fixture
def more_cases(make_case: Any, world: dict[str, Any]) -> list[Case]:
    """Cases in two towns with a benefit period, on top of the demo's."""
    kreuztal, siegen = world["Kreuztal"], world["Siegen"]
    made = []
    for i in range(5):
        case = make_case("cm-siegen", last_name=f"Zaehl{i}", town=siegen if i < 4 else kreuztal)
        made.append(case)
    with system_access("test"):
        BenefitPeriod.objects.create(
            person=made[0].person, system="sgb_ii", valid_from=dt.date(2020, 1, 1)
        )
    return made


def test_new_cases_by_town_and_legal_sphere_match_the_tally(more_cases: list[Case]) -> None:
    kreis = kreis_scope(KREIS).kreis
    cases = [c for c in _all_cases(kreis) if START <= c.referred_on <= END]
    expected = Counter((_town(c), _sphere(c)) for c in cases)

    table = _table("new_cases", ("town", "legal_sphere"))

    _check(table, expected)
    assert expected[("05970040", "sgb_ii")] == 1 or any(k[1] == "sgb_ii" for k in expected)


def test_active_cases_by_organisation_and_phase_match_the_tally(more_cases: list[Case]) -> None:
    kreis = kreis_scope(KREIS).kreis
    start = END - dt.timedelta(days=120)
    expected: Counter[tuple[str, ...]] = Counter()
    for c in _all_cases(kreis):
        if c.referred_on <= END and (c.closed_on is None or c.closed_on >= start):
            changes = sorted(
                (p for p in c.phase_changes.all() if p.changed_on <= END),
                key=lambda p: (p.changed_on, p.pk),
            )
            phase = changes[-1].to_phase if changes else Phase.ACCESS
            expected[(c.organisation.code, phase)] += 1

    table = _table("active_cases", ("organisation", "phase"), start=start)

    _check(table, expected)
    assert sum(expected.values()) >= 10


def test_closed_cases_goals_and_closing_reasons_match_the_tally() -> None:
    kreis = kreis_scope(KREIS).kreis
    closed = [c for c in _all_cases(kreis) if c.closed_on and START <= c.closed_on <= END]
    assert closed, "the demo closes cases"

    _check(
        _table("closed_cases", ("closing_reason",)), Counter((c.closing_reason,) for c in closed)
    )
    _check(
        _table("closing_reasons", ("organisation", "closing_reason")),
        Counter((c.organisation.code, c.closing_reason) for c in closed),
    )
    reached = [c for c in closed if any(g.status == GoalStatus.ACHIEVED for g in c.goals.all())]
    _check(_table("goals_reached", ()), Counter({(): len(reached)}) if reached else Counter())


def test_referrals_and_barriers_match_the_tally() -> None:
    kreis = kreis_scope(KREIS).kreis
    with system_access("test tally"):
        referrals = [
            r
            for r in Referral.objects.select_related("case__organisation", "recipient")
            if _in_kreis(r.case, kreis) and START <= r.sent_on <= END
        ]
        barriers = [
            b
            for b in Barrier.objects.select_related("category")
            if b.region_id == kreis.pk and START <= b.observed_month <= END
        ]
    assert referrals and barriers

    _check(
        _table("referrals", ("recipient_type",)),
        Counter((r.recipient.authority_type or r.recipient.kind,) for r in referrals),
    )
    quarter = {1: "Q1", 2: "Q1", 3: "Q1", 4: "Q2", 5: "Q2", 6: "Q2"}
    expected = Counter(
        (b.category.key, f"{b.observed_month.year}-{quarter.get(b.observed_month.month, 'QX')}")
        for b in barriers
        if b.observed_month.month <= 6
    )
    table = _table("barriers", ("barrier_category", "quarter"))
    # Only the first half-years are tallied by hand; compare those cells.
    for index, entry in table.table.cells.items():
        keys = (table.axes[0].keys[index[0]], table.axes[1].keys[index[1]])
        if keys[1].endswith(("Q1", "Q2")):
            assert entry.value == expected.get(keys, 0)
    assert table.table.total.value == len(barriers)


def test_the_waiting_median_matches_the_tally(more_cases: list[Case]) -> None:
    kreis = kreis_scope(KREIS).kreis
    by_org: dict[str, list[int]] = {}
    for c in _all_cases(kreis):
        day = _intake(c)
        if day and START <= day <= END:
            by_org.setdefault(c.organisation.code, []).append((day - c.referred_on).days)

    table = _table("waiting_days_median", ("organisation",))

    data = {next(iter(c["keys"].values())): c for c in table.as_json()["cells"]}
    for org, days in by_org.items():
        if len(days) >= 3:
            assert data[org] == {
                "keys": {"organisation": org},
                "value": pystats.median_low(days),
                "suppressed": False,
            }
        else:
            assert data[org]["value"] is None and data[org]["suppressed"]
    everything = [d for days in by_org.values() for d in days]
    assert table.as_json()["total"]["value"] == pystats.median_low(everything)


@pytest.mark.parametrize(
    ("measure", "dims", "message"),
    [
        ("unknown", (), "Unbekannte Kennzahl"),
        ("new_cases", ("colour",), "Unbekannte Dimension"),
        ("active_cases", ("quarter",), "nicht nach"),
        ("barriers", ("town",), "nicht nach"),
        ("new_cases", ("town", "year", "organisation"), "höchstens zwei"),
        ("new_cases", ("quarter", "year"), "Quartal und Jahr"),
        ("closing_reasons", ("town",), "braucht die Dimension"),
    ],
)
def test_meaningless_requests_are_refused_in_german(
    measure: str, dims: tuple[str, ...], message: str
) -> None:
    with pytest.raises(StatisticsError, match=message):
        _table(measure, dims)


# --- who counts what ----------------------------------------------------------------------------


def _ctx(username: str) -> Any:
    from django.contrib.auth import get_user_model

    from kim.accounts.access import load_user_context

    return load_user_context(get_user_model().objects.get(username=username))


def test_scopes_per_persona(stranger: Any) -> None:
    koordination = statistics_scopes(_ctx("koordination"))
    siegen = statistics_scopes(_ctx("siegen"))
    lead = statistics_scopes(_ctx("teamlead-siegen"))

    assert [(s.kreis.ags, s.organisations) for s in koordination] == [(KREIS, None)]
    assert [s.kreis.ags for s in siegen] == [KREIS]
    assert [o.name for o in siegen[0].organisations or ()] == ["Stadt Siegen"]
    assert [o.name for o in lead[0].organisations or ()] == ["Stadt Siegen"]
    for persona in ("cm-siegen", "cm-kreuztal", "rat", "traeger", "abh", "dsb"):
        assert statistics_scopes(_ctx(persona)) == [], persona


def test_a_programme_lead_counts_only_its_own_organisation(more_cases: list[Case]) -> None:
    scope = statistics_scopes(_ctx("siegen"))[0]
    own = {o.pk for o in scope.organisations or ()}
    kreis = scope.kreis
    expected = Counter(
        (_town(c),)
        for c in _all_cases(kreis)
        if c.organisation_id in own and START <= c.referred_on <= END
    )

    table = case_table(scope, "new_cases", ("town",), START, END, actor=None)

    _check(table, expected)
    assert table.table.total.value < _table("new_cases", ()).table.total.value


def test_counting_is_recorded_as_system_access() -> None:
    if not rls.enabled():
        pytest.skip("row-level security (and its audit of system access) is PostgreSQL only")
    before = AuditEvent.objects.filter(event_type=EventType.RLS_BYPASSED).count()

    _table("new_cases", ("town",))

    event = AuditEvent.objects.filter(event_type=EventType.RLS_BYPASSED).latest("id")
    assert AuditEvent.objects.filter(event_type=EventType.RLS_BYPASSED).count() == before + 1
    assert event.extra == {"reason": "case statistics"}


# --- CLI ----------------------------------------------------------------------------------------


def _cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("stats", "cases", *args, stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


PERIOD = ("--kreis", KREIS, "--from", "2020-01-01", "--to", END.isoformat())


def test_the_cli_prints_the_documented_json(more_cases: list[Case]) -> None:
    code, out, err = _cli(*PERIOD, "--measure", "new_cases", "--by", "town,organisation")

    assert code == 0 and err == ""
    data = json.loads(out)
    assert list(data) == [
        "kreis", "from", "to", "measure", "dimensions", "cells", "margins", "total"
    ]  # fmt: skip
    assert data["kreis"] == KREIS and data["from"] == "2020-01-01"
    assert data["dimensions"] == ["town", "organisation"]
    for item in data["cells"]:
        assert set(item) == {"keys", "value", "suppressed"}
        assert set(item["keys"]) == {"town", "organisation"}
    assert {tuple(m["keys"]) for m in data["margins"]} == {("town",), ("organisation",)}
    assert set(data["total"]) == {"value", "suppressed"}
    assert data == _table("new_cases", ("town", "organisation")).as_json()


def test_the_cli_writes_csv() -> None:
    code, out, _err = _cli(*PERIOD, "--measure", "closed_cases", "--format", "csv")

    lines = out.splitlines()
    assert code == 0
    assert lines[0] == "kind,value,suppressed"
    assert lines[-1].startswith("total,")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--kreis", "99999", "--from", "2026-01-01", "--to", "2026-02-01"), "Unbekannter Kreis"),
        (("--kreis", KREIS, "--from", "2026-13-01", "--to", "2026-02-01"), "kein Datum"),
        (("--kreis", KREIS, "--from", "2026-03-01", "--to", "2026-02-01"), "nach seinem Ende"),
        (("--kreis", KREIS, "--from", "0001-01-01", "--to", "9999-12-31"), "höchstens 10"),
    ],
)
def test_the_cli_refuses_bad_input_with_exit_2(args: tuple[str, ...], message: str) -> None:
    code, out, err = _cli(*args, "--measure", "new_cases")

    assert code == 2 and out == ""
    assert message in err


def test_the_cli_refuses_bad_measures_and_formats() -> None:
    for extra, message in (
        (("--measure", "nope"), "Unbekannte Kennzahl"),
        (("--measure", "new_cases", "--by", "phase"), "nicht nach"),
        (("--measure", "new_cases", "--format", "xml"), "Unbekanntes Format"),
    ):
        code, out, err = _cli(*PERIOD, *extra)
        assert code == 2 and out == "" and message in err


def test_the_real_command_exits_2(tmp_path: Path) -> None:
    """Through the ``kim`` entry point: a bad date is refused before any database access."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}"}
    done = subprocess.run(
        [sys.executable, "-m", "kim", "stats", "cases", "--kreis", KREIS, "--from", "gestern",
         "--to", "2026-01-01", "--measure", "new_cases"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )  # fmt: skip
    assert done.returncode == 2 and done.stdout == ""
    assert "--from" in done.stderr and "JJJJ" not in done.stdout


# --- API ----------------------------------------------------------------------------------------

API = "/api/v1/statistics/cases/"


def test_the_api_answers_like_the_cli(login_as: Any) -> None:
    params = {"kreis": KREIS, "from": "2020-01-01", "to": END.isoformat(), "measure": "new_cases"}

    response = login_as("koordination").get(API, {**params, "by": "organisation"})

    assert response.status_code == 200
    assert response.json() == _table("new_cases", ("organisation",)).as_json()


def test_the_api_refuses_like_the_page(login_as: Any, stranger: Any) -> None:
    params = {"kreis": KREIS, "from": "2020-01-01", "to": END.isoformat(), "measure": "new_cases"}

    assert stranger.get(API, params).status_code == 404  # another Kreis' coordination
    assert login_as("cm-siegen").get(API, params).status_code == 403
    assert login_as("rat").get(API, params).status_code == 403
    assert login_as("siegen").get(API, params).status_code == 200
    bad = login_as("koordination").get(API, {**params, "by": "phase"})
    assert bad.status_code == 400 and "nicht nach" in bad.json()["detail"]
    swapped = login_as("koordination").get(API, {**params, "from": "2030-01-01"})
    assert swapped.status_code == 400 and "nach seinem Ende" in swapped.json()["detail"]


def test_the_api_takes_a_token(settings: Any) -> None:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from kim.accounts.actions import issue_api_token

    settings.KIM_REQUIRE_MFA = False
    user = get_user_model().objects.get(username="koordination")
    auth = {"HTTP_AUTHORIZATION": f"Token {issue_api_token(acting_user=None, user=user)}"}
    params = {"kreis": KREIS, "from": "2026-01-01", "to": "2026-06-30", "measure": "referrals"}

    assert Client().get(API, params).status_code == 401
    response = Client().get(API, params, **auth)
    assert response.status_code == 200 and response.json()["measure"] == "referrals"


# --- page ---------------------------------------------------------------------------------------

PAGE = "/fallmanagement/statistik/"


def test_the_page_shows_table_chart_and_exports(
    login_as: Any, more_cases: list[Case], django_assert_max_num_queries: Any
) -> None:
    client = login_as("koordination")
    params = {"measure": "new_cases", "by": "town", "start": "2020-01-01", "end": END}

    with django_assert_max_num_queries(25):
        response = client.get(PAGE, params)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="case-stats"' in html and "<svg" in html and 'id="caseload-bands"' in html
    assert "Zaehl" not in html
    csv = client.get("/fallmanagement/statistik/export.csv", params)
    assert csv.status_code == 200
    text = csv.content.decode("utf-8-sig")
    table = _table("new_cases", ("town",))
    for axis_label, entry in zip(table.axes[0].labels, table.table.margins[0], strict=True):
        assert f"{axis_label};{entry}" in text  # exactly what the page shows


def test_the_page_refuses_a_bad_combination_next_to_the_field(login_as: Any) -> None:
    response = login_as("koordination").get(PAGE, {"measure": "barriers", "by": "town"})

    assert response.status_code == 200
    assert "nicht nach" in response.content.decode()
    assert 'id="case-stats"' not in response.content.decode()
    too_long = login_as("koordination").get(PAGE, {"start": "2010-01-01", "end": "2026-01-01"})
    assert too_long.status_code == 200 and "höchstens 10" in too_long.content.decode()
    # A year like 0001 is refused by the shared plausible date field, next to the field.
    implausible = login_as("koordination").get(PAGE, {"start": "0001-01-01", "end": "2026-01-01"})
    assert implausible.status_code == 200 and 'id="id_start_error"' in implausible.content.decode()


def test_the_page_answers_404_for_a_kreis_not_yours(login_as: Any, stranger: Any) -> None:
    params = {"kreis": KREIS, "measure": "new_cases"}

    assert stranger.get(PAGE, params).status_code == 404  # Olpe's coordination
    assert stranger.get("/fallmanagement/statistik/export.csv", params).status_code == 404
    assert login_as("siegen").get(PAGE, {**params, "kreis": "05966"}).status_code == 404
    assert login_as("siegen").get(PAGE, params).status_code == 200
