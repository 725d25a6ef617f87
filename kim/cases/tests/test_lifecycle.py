"""The case lifecycle as a story: the happy path through every phase, every refused transition
with its German message, short counselling, closing with goal attainment, the plan's
optimistic locking, triage and assignment."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils import translation

from kim.accounts.actions import create_user, grant_role
from kim.audit.models import AuditEvent, EventType
from kim.cases.actions import lifecycle as lc
from kim.cases.actions import plan
from kim.cases.models import (
    Case,
    ClosingReason,
    Goal,
    GoalStatus,
    Indication,
    LifeArea,
    Phase,
    PhaseChange,
    TargetGroupCriterion,
)
from kim.cases.queries.casefile import partner_organisations
from kim.cases.tests.conftest import organisation_of
from kim.core.locking import EditConflict

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 2)
REFERRED = TODAY - dt.timedelta(days=60)
ORDER = [p.value for p in Phase]


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0), tick=False):
        yield


def user(name: str) -> User:
    return User.objects.get(username=name)


def area(key: str = "sprache") -> LifeArea:
    return LifeArea.objects.get(key=key)


def regular_service(case: Case) -> Any:
    return partner_organisations(case).exclude(pk=case.organisation_id).first()


def advance(case: Case, to: str, *, goals: int = 1, actor: User | None = None) -> Case:
    """Walk ``case`` (in access) through the actions up to phase ``to``."""
    actor = actor or case.responsible
    steps: list[Callable[[], object]] = [
        lambda: lc.start_intake(case, acting_user=actor, day=REFERRED + dt.timedelta(days=1)),
        lambda: lc.decide_indication(
            case,
            acting_user=actor,
            indication=Indication.INDICATED,
            reason="",
            decided_on=REFERRED + dt.timedelta(days=2),
        ),
        lambda: _assess_and_finish(case, actor),
        lambda: _plan_and_agree(case, actor, goals),
        lambda: lc.start_monitoring(
            case, acting_user=actor, next_review_on=TODAY + dt.timedelta(days=30)
        ),
        lambda: lc.close_case(
            case,
            acting_user=actor,
            reason=ClosingReason.GOALS_MET,
            closed_on=TODAY,
            attainment=dict.fromkeys(Goal.objects.filter(case=case), GoalStatus.ACHIEVED),
        ),
    ]
    for step in steps[: ORDER.index(to)]:
        step()
    assert case.phase == to
    return case


def _assess_and_finish(case: Case, actor: User) -> None:
    lc.record_assessment(
        case,
        acting_user=actor,
        entries={area(): ("high", "kaum Deutsch", "motiviert"), area("wohnen"): ("none", "", "")},
        assessed_on=REFERRED + dt.timedelta(days=5),
    )
    lc.finish_assessment(case, acting_user=actor, day=REFERRED + dt.timedelta(days=6))


def _plan_and_agree(case: Case, actor: User, goals: int) -> None:
    for n in range(goals):
        plan.add_goal(
            case,
            acting_user=actor,
            life_area=area(),
            description=f"Sprachkurs B1 abschließen ({n})",
            due_on=TODAY + dt.timedelta(days=180),
        )
    if goals:
        plan.agree_plan(
            case,
            acting_user=actor,
            agreed_on=REFERRED + dt.timedelta(days=10),
            expected_plan_version=case.plan_version,
        )


def events(case: Case, event_type: str) -> int:
    return AuditEvent.objects.filter(event_type=event_type, subject_code=case.code).count()


# --- the happy path ---------------------------------------------------------------------------


def test_happy_path_through_every_phase(make_case: Callable[..., Case]) -> None:
    case = make_case("cm-siegen", referred_on=REFERRED)
    advance(case, Phase.MONITORING, goals=2)
    goals = list(Goal.objects.filter(case=case))
    measure = plan.add_measure  # measures only in planning: revise, add, agree again
    plan.revise_plan(case, acting_user=case.responsible)
    assert case.plan_agreed_on is None and case.phase == Phase.PLANNING
    measure(goals[0], acting_user=case.responsible, description="Anmeldung VHS")
    case.refresh_from_db()  # the measure changed the plan through the goal's own case row
    plan.agree_plan(
        case, acting_user=case.responsible, agreed_on=TODAY, expected_plan_version=case.plan_version
    )
    lc.start_monitoring(
        case, acting_user=case.responsible, next_review_on=TODAY + dt.timedelta(days=30)
    )
    lc.record_review(
        case,
        acting_user=case.responsible,
        reviewed_on=TODAY,
        next_review_on=TODAY + dt.timedelta(days=90),
        goal_statuses={goals[0]: GoalStatus.IN_PROGRESS},
    )
    lc.close_case(
        case,
        acting_user=case.responsible,
        reason=ClosingReason.GOALS_MET,
        closed_on=TODAY,
        attainment={goals[0]: GoalStatus.ACHIEVED, goals[1]: GoalStatus.PARTLY},
        note="Gut integriert.",
    )

    case.refresh_from_db()
    assert case.phase == Phase.CLOSED and case.closed_on == TODAY
    assert case.closing_reason == ClosingReason.GOALS_MET and case.next_review_on is None
    history = list(PhaseChange.objects.filter(case=case).values_list("from_phase", "to_phase"))
    assert history == [
        ("", "access"),
        ("access", "intake"),
        ("intake", "assessment"),
        ("assessment", "planning"),
        ("planning", "linking"),
        ("linking", "monitoring"),
        ("monitoring", "planning"),
        ("planning", "linking"),
        ("linking", "monitoring"),
        ("monitoring", "closed"),
    ]
    assert case.plan_version == 5  # two goals, revision, measure → four changes
    assert [g.status for g in Goal.objects.filter(case=case)] == ["achieved", "partly"]
    assert events(case, EventType.CASE_PHASE_CHANGED) == 9
    assert events(case, EventType.CASE_ASSESSED) == 1
    assert events(case, EventType.PLAN_AGREED) == 2
    assert events(case, EventType.PLAN_CHANGED) == 4
    assert events(case, EventType.REVIEW_RECORDED) == 1
    assert events(case, EventType.CASE_CLOSED) == 1
    goal_events = AuditEvent.objects.filter(event_type=EventType.GOAL_STATUS_CHANGED)
    assert goal_events.filter(subject_code=goals[0].code).count() == 2
    closed = AuditEvent.objects.get(event_type=EventType.CASE_CLOSED, subject_code=case.code)
    assert "Gut integriert" not in str(closed.extra)


# --- every refused transition -----------------------------------------------------------------


def _unsaved_goal(case: Case) -> Goal:
    return Goal(case=case, life_area=area(), description="x", due_on=TODAY)


ACTIONS: dict[str, tuple[tuple[str, ...], str, Callable[[Case, User], object]]] = {
    "start_intake": (
        ("access",),
        "Eine Fallaufnahme",
        lambda c, u: lc.start_intake(c, acting_user=u),
    ),
    "triage": (
        ("access",),
        "Eine Triage",
        lambda c, u: lc.triage_case(c, acting_user=u, criteria=[], on_waiting_list=True),
    ),
    "indication": (
        ("intake",),
        "Eine Indikationsentscheidung",
        lambda c, u: lc.decide_indication(
            c, acting_user=u, indication=Indication.INDICATED, reason="", decided_on=TODAY
        ),
    ),
    "assessment": (
        ("assessment",),
        "Das Assessment",
        lambda c, u: lc.record_assessment(
            c, acting_user=u, entries={area(): ("high", "", "")}, assessed_on=TODAY
        ),
    ),
    "finish_assessment": (
        ("assessment",),
        "Der Abschluss des Assessments",
        lambda c, u: lc.finish_assessment(c, acting_user=u),
    ),
    "add_goal": (
        ("planning",),
        "Eine Änderung des Integrationsplans",
        lambda c, u: plan.add_goal(
            c, acting_user=u, life_area=area(), description="Ziel", due_on=TODAY
        ),
    ),
    "update_goal": (
        ("planning",),
        "Eine Änderung des Integrationsplans",
        lambda c, u: plan.update_goal(
            _unsaved_goal(c),
            acting_user=u,
            expected_plan_version=c.plan_version,
            life_area=area(),
            description="Ziel",
            due_on=TODAY,
        ),
    ),
    "add_measure": (
        ("planning",),
        "Eine Änderung des Integrationsplans",
        lambda c, u: plan.add_measure(_unsaved_goal(c), acting_user=u, description="M"),
    ),
    "agree_plan": (
        ("planning",),
        "Die Vereinbarung des Integrationsplans",
        lambda c, u: plan.agree_plan(
            c, acting_user=u, agreed_on=TODAY, expected_plan_version=c.plan_version
        ),
    ),
    "start_monitoring": (
        ("linking",),
        "Der Beginn des Monitorings",
        lambda c, u: lc.start_monitoring(
            c, acting_user=u, next_review_on=TODAY + dt.timedelta(days=9)
        ),
    ),
    "review": (
        ("monitoring",),
        "Eine Überprüfung",
        lambda c, u: lc.record_review(
            c, acting_user=u, reviewed_on=TODAY, next_review_on=TODAY + dt.timedelta(days=9)
        ),
    ),
    "revise_plan": (
        ("monitoring",),
        "Eine Überarbeitung des Integrationsplans",
        lambda c, u: plan.revise_plan(c, acting_user=u),
    ),
    "resume_linking": (
        ("monitoring",),
        "Die Rückkehr zur Umsetzung",
        lambda c, u: lc.resume_linking(c, acting_user=u),
    ),
    "close": (
        ("assessment", "planning", "linking", "monitoring"),
        "Ein Fallabschluss",
        lambda c, u: lc.close_case(
            c, acting_user=u, reason=ClosingReason.DROPPED_OUT, closed_on=TODAY, attainment={}
        ),
    ),
}
GERMAN_PHASE = {
    "access": "Zugang",
    "intake": "Klärung",
    "assessment": "Assessment",
    "planning": "Integrationsplanung",
    "linking": "Umsetzung",
    "monitoring": "Monitoring",
    "closed": "Abschluss",
}
INVALID = [
    (phase, name)
    for phase in ORDER
    for name, (allowed, _step, _run) in ACTIONS.items()
    if phase not in allowed
]


@pytest.mark.parametrize(("phase", "name"), INVALID)
def test_invalid_transition_is_refused_naming_the_phase(
    make_case: Callable[..., Case], phase: str, name: str
) -> None:
    case = advance(make_case("cm-siegen", referred_on=REFERRED), phase)
    before = (PhaseChange.objects.filter(case=case).count(), case.plan_version)
    allowed, step, run = ACTIONS[name]
    with translation.override("de"), pytest.raises(ValidationError) as excinfo:
        run(case, case.responsible)
    message = excinfo.value.messages[0]
    assert message.startswith(step), message
    names = ", ".join(GERMAN_PHASE[p] for p in allowed)
    plural = "den Phasen" if len(allowed) > 1 else "der Phase"
    assert f"nur in {plural} {names} möglich" in message
    assert message.endswith(f"der Fall ist in der Phase {GERMAN_PHASE[phase]}.")
    case.refresh_from_db()
    assert case.phase == phase
    assert (PhaseChange.objects.filter(case=case).count(), case.plan_version) == before


def test_the_example_message_reads_as_specified(make_case: Callable[..., Case]) -> None:
    case = advance(make_case("cm-siegen", referred_on=REFERRED), Phase.MONITORING)
    with translation.override("de"), pytest.raises(ValidationError) as excinfo:
        lc.start_intake(case, acting_user=case.responsible)
    assert excinfo.value.messages == [
        "Eine Fallaufnahme ist nur in der Phase Zugang möglich; "
        "der Fall ist in der Phase Monitoring."
    ]


# --- intake: short counselling, not indicated --------------------------------------------------


def test_short_counselling_closes_the_case_with_the_regular_service(
    make_case: Callable[..., Case],
) -> None:
    case = advance(make_case("cm-siegen", referred_on=REFERRED), Phase.INTAKE)
    service = regular_service(case)
    params: dict[str, Any] = {
        "acting_user": case.responsible,
        "indication": Indication.SHORT_COUNSELLING,
        "reason": "Nur Antragshilfe",
        "decided_on": TODAY,
    }
    with pytest.raises(ValidationError) as excinfo:
        lc.decide_indication(case, **params)
    assert "handed_to" in excinfo.value.message_dict
    assert case.phase == Phase.INTAKE

    lc.decide_indication(case, handed_to=service, **params)
    case.refresh_from_db()
    assert case.phase == Phase.CLOSED
    assert case.closing_reason == ClosingReason.SHORT_COUNSELLING
    assert case.handed_to == service and case.closed_on == TODAY
    assert case.indication == Indication.SHORT_COUNSELLING
    assert events(case, EventType.CASE_CLOSED) == 1


def test_not_indicated_needs_a_reason_and_closes(make_case: Callable[..., Case]) -> None:
    case = advance(make_case("cm-siegen", referred_on=REFERRED), Phase.INTAKE)
    params: dict[str, Any] = {
        "acting_user": case.responsible,
        "indication": Indication.NOT_INDICATED,
        "decided_on": TODAY,
    }
    with pytest.raises(ValidationError) as excinfo:
        lc.decide_indication(case, reason=" ", **params)
    assert "reason" in excinfo.value.message_dict

    lc.decide_indication(case, reason="Kein komplexer Bedarf", **params)
    case.refresh_from_db()
    assert case.phase == Phase.CLOSED
    assert case.closing_reason == ClosingReason.NOT_INDICATED and case.handed_to is None


def test_indication_date_must_not_lie_before_the_referral(make_case: Callable[..., Case]) -> None:
    case = advance(make_case("cm-siegen", referred_on=REFERRED), Phase.INTAKE)
    with pytest.raises(ValidationError) as excinfo:
        lc.decide_indication(
            case,
            acting_user=case.responsible,
            indication=Indication.INDICATED,
            reason="",
            decided_on=REFERRED - dt.timedelta(days=1),
        )
    assert "decided_on" in excinfo.value.message_dict


# --- assessment and plan rules ----------------------------------------------------------------


def test_assessment_needs_one_need_and_valid_life_areas(make_case: Callable[..., Case]) -> None:
    case = advance(make_case("cm-siegen", referred_on=REFERRED), Phase.ASSESSMENT)
    actor = case.responsible
    with pytest.raises(ValidationError):
        lc.record_assessment(
            case, acting_user=actor, entries={area(): ("none", "", "")}, assessed_on=TODAY
        )
    with pytest.raises(ValidationError):
        lc.finish_assessment(case, acting_user=actor)
    old = LifeArea.objects.create(
        key="alt", name="Alt", valid_from=dt.date(2020, 1, 1), valid_to=dt.date(2021, 1, 1)
    )
    with pytest.raises(ValidationError):
        lc.record_assessment(
            case, acting_user=actor, entries={old: ("high", "", "")}, assessed_on=TODAY
        )
    lc.record_assessment(
        case, acting_user=actor, entries={area(): ("medium", "", "")}, assessed_on=TODAY
    )
    lc.finish_assessment(case, acting_user=actor)
    assert case.phase == Phase.PLANNING


def test_plan_is_agreed_only_with_goals_due_after_the_agreement(
    make_case: Callable[..., Case],
) -> None:
    case = advance(make_case("cm-siegen", referred_on=REFERRED), Phase.PLANNING)
    actor = case.responsible
    with pytest.raises(ValidationError):
        plan.agree_plan(
            case, acting_user=actor, agreed_on=TODAY, expected_plan_version=case.plan_version
        )
    plan.add_goal(case, acting_user=actor, life_area=area(), description="Ziel", due_on=TODAY)
    with pytest.raises(ValidationError) as excinfo:
        plan.agree_plan(
            case, acting_user=actor, agreed_on=TODAY, expected_plan_version=case.plan_version
        )
    assert "agreed_on" in excinfo.value.message_dict
    plan.agree_plan(
        case,
        acting_user=actor,
        agreed_on=TODAY - dt.timedelta(days=1),
        expected_plan_version=case.plan_version,
    )
    assert case.phase == Phase.LINKING and case.plan_agreed_on == TODAY - dt.timedelta(days=1)
    assert events(case, EventType.PLAN_AGREED) == 1


@pytest.mark.sqlite_too
def test_plan_edit_on_an_outdated_version_is_a_conflict(make_case: Callable[..., Case]) -> None:
    case = advance(make_case("cm-siegen", referred_on=REFERRED), Phase.PLANNING)
    actor = case.responsible
    goal = plan.add_goal(
        case, acting_user=actor, life_area=area(), description="Sprachkurs", due_on=TODAY
    )
    loaded = case.plan_version
    plan.update_goal(  # someone else saves first
        goal,
        acting_user=actor,
        expected_plan_version=loaded,
        life_area=area(),
        description="Sprachkurs B1",
        due_on=TODAY,
    )
    mine = {
        "life_area": area("arbeit"),
        "description": "Praktikum",
        "due_on": TODAY,
        "responsible_organisation": None,
    }
    with pytest.raises(EditConflict) as excinfo:
        plan.update_goal(goal, acting_user=actor, expected_plan_version=loaded, **mine)
    rows = {r.label: (r.yours, r.saved) for r in excinfo.value.rows(mine)}
    assert rows["Ziel"] == ("Praktikum", "Sprachkurs B1")
    assert rows["Lebensbereich"] == (str(area("arbeit")), str(area()))
    goal.refresh_from_db()
    assert goal.description == "Sprachkurs B1"
    with pytest.raises(EditConflict):
        plan.agree_plan(case, acting_user=actor, agreed_on=TODAY, expected_plan_version=loaded)


def test_revising_the_plan_needs_a_new_agreement(make_case: Callable[..., Case]) -> None:
    case = advance(make_case("cm-siegen", referred_on=REFERRED), Phase.MONITORING)
    version = case.plan_version
    plan.revise_plan(case, acting_user=case.responsible)
    case.refresh_from_db()
    assert case.phase == Phase.PLANNING and case.plan_agreed_on is None
    assert case.plan_version == version + 1


# --- closing ------------------------------------------------------------------------------------


def test_closing_requires_a_final_status_for_every_goal(make_case: Callable[..., Case]) -> None:
    case = advance(make_case("cm-siegen", referred_on=REFERRED), Phase.MONITORING, goals=2)
    first, second = Goal.objects.filter(case=case)
    params: dict[str, Any] = {
        "acting_user": case.responsible,
        "reason": ClosingReason.MOVED_AWAY,
        "closed_on": TODAY,
    }
    with pytest.raises(ValidationError):
        lc.close_case(case, attainment={first: GoalStatus.ACHIEVED}, **params)
    with pytest.raises(ValidationError):
        lc.close_case(
            case, attainment={first: GoalStatus.ACHIEVED, second: GoalStatus.OPEN}, **params
        )
    case.refresh_from_db()
    assert case.phase == Phase.MONITORING
    assert Goal.objects.get(pk=first.pk).status == GoalStatus.OPEN

    lc.close_case(
        case, attainment={first: GoalStatus.ACHIEVED, second: GoalStatus.DROPPED}, **params
    )
    assert case.phase == Phase.CLOSED
    assert events(case, EventType.CASE_CLOSED) == 1


def test_handing_over_needs_the_new_organisation(make_case: Callable[..., Case]) -> None:
    case = advance(make_case("cm-siegen", referred_on=REFERRED), Phase.LINKING)
    attainment = dict.fromkeys(Goal.objects.filter(case=case), GoalStatus.PARTLY)
    params: dict[str, Any] = {
        "acting_user": case.responsible,
        "reason": ClosingReason.HANDED_OVER,
        "closed_on": TODAY,
        "attainment": attainment,
    }
    with pytest.raises(ValidationError) as excinfo:
        lc.close_case(case, **params)
    assert "handed_to" in excinfo.value.message_dict
    with pytest.raises(ValidationError):
        lc.close_case(
            case,
            handed_to=regular_service(case),
            **{**params, "closed_on": REFERRED - dt.timedelta(days=1)},
        )
    lc.close_case(case, handed_to=regular_service(case), **params)
    assert case.phase == Phase.CLOSED and case.handed_to is not None


# --- triage, referral data, assignment -------------------------------------------------------


def test_triage_scores_the_valid_criteria_of_the_kreis(make_case: Callable[..., Case]) -> None:
    case = make_case("cm-siegen", referred_on=REFERRED)
    region_id = case.organisation.region_id_or_self
    valid = list(TargetGroupCriterion.objects.filter(region_id=region_id)[:2])
    expired = TargetGroupCriterion.objects.create(
        region_id=region_id,
        text="alt",
        weight=5,
        valid_from=dt.date(2020, 1, 1),
        valid_to=dt.date(2021, 1, 1),
        source="test",
    )
    with pytest.raises(ValidationError):
        lc.triage_case(
            case, acting_user=case.responsible, criteria=[*valid, expired], on_waiting_list=True
        )
    lc.triage_case(case, acting_user=case.responsible, criteria=valid, on_waiting_list=True)
    case.refresh_from_db()
    assert case.triage_score == sum(c.weight for c in valid) > 0
    assert case.on_waiting_list
    event = AuditEvent.objects.get(event_type=EventType.CASE_TRIAGED, subject_code=case.code)
    assert event.extra["score"] == case.triage_score
    lc.start_intake(case, acting_user=case.responsible)
    assert not case.on_waiting_list


@pytest.mark.sqlite_too
def test_referral_data_use_optimistic_locking(make_case: Callable[..., Case]) -> None:
    case = make_case("cm-siegen", referred_on=REFERRED)
    loaded = case.version
    lc.update_referral(
        case,
        acting_user=case.responsible,
        expected_version=loaded,
        referral_source="school",
        referred_on=REFERRED,
    )
    with pytest.raises(EditConflict):
        lc.update_referral(
            case,
            acting_user=case.responsible,
            expected_version=loaded,
            referral_source="self",
            referred_on=REFERRED,
        )
    case.refresh_from_db()
    assert case.referral_source == "school"
    assert events(case, EventType.CASE_UPDATED) == 1


def second_case_manager(username: str = "cm-siegen-2") -> User:
    """Another case manager of Stadt Siegen (to be named deputy)."""
    other = create_user(acting_user=None, username=username, password=None, last_name="Vertretung")
    grant_role(
        acting_user=None,
        user=other,
        organisation=organisation_of("cm-siegen"),
        role="case_manager",
    )
    return other


def test_assignment_takes_case_managers_of_the_organisation_only(
    make_case: Callable[..., Case],
) -> None:
    case = make_case("cm-siegen", referred_on=REFERRED)
    deputy = second_case_manager()
    with pytest.raises(ValidationError) as excinfo:
        lc.assign_case(
            case,
            acting_user=case.responsible,
            responsible=case.responsible,
            deputies=[user("cm-kreuztal")],
        )
    assert "deputies" in excinfo.value.message_dict
    lc.assign_case(
        case, acting_user=case.responsible, responsible=case.responsible, deputies=[deputy]
    )
    assert list(case.deputies.all()) == [deputy]
    event = AuditEvent.objects.get(event_type=EventType.CASE_ASSIGNED, subject_code=case.code)
    assert event.extra == {"responsible_changed": False, "deputies": 1, "users_changed": 1}
