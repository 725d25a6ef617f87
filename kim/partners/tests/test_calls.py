"""Calls for expressions of interest through the actions: the checks on every step, one audit
event per change, the four-eyes rule, the ranking arithmetic, and what an award does (contract,
posts moved to the agency, staffing decisions) – all or nothing.

The demo call is never counted on; these tests create their own posts and calls.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from kim.audit.models import AuditEvent, EventType
from kim.audit.record import verify_chain
from kim.core import uploads
from kim.organisations.models import Organisation
from kim.partners import ranking
from kim.partners.actions import calls
from kim.partners.demo import DEMO_CALL_TITLE, minutes_pdf
from kim.partners.models import (
    Agreement,
    Award,
    Call,
    CallStatus,
    Score,
    StaffingDecision,
    Submission,
    SubmissionStatus,
)
from kim.programmes import actions as programme_actions
from kim.programmes.models import Position

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
DEADLINE = dt.datetime(2025, 3, 31, 12, 0, tzinfo=BERLIN)
PUBLISHED = dt.date(2025, 3, 1)
AFTER_DEADLINE = dt.datetime(2025, 4, 2, 9, 0, tzinfo=BERLIN)
FUNDING, TOP_UP = Decimal("57000.00"), Decimal("12000.00")


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _org(short_name: str) -> Organisation:
    return Organisation.objects.get(short_name=short_name)


def _post(title: str, vze: str = "1.00", baustein: str = "B2", home: str = "Siegen") -> Position:
    return programme_actions.create_position(
        acting_user=_user("koordination"),
        region=_org("Siegen-Wittgenstein"),
        status_from=dt.date(2025, 1, 1),
        baustein=baustein,
        title=title,
        vze=Decimal(vze),
        home=_org(home),
        employer_type="municipal",
        tasks=f"Aufgaben {title}",
    )


def _call(posts: list[Position] | None = None, **change: Any) -> Call:
    kwargs: dict[str, Any] = {
        "acting_user": _user("siegen"),
        "issuer": _org("Siegen"),
        "title": "IBV Test",
        "baustein": "B2",
        "area": "Stadt Siegen",
        "positions": posts if posts is not None else [_post("CM Test 1"), _post("CM Test 2")],
        "period_start": dt.date(2025, 7, 1),
        "period_end": dt.date(2026, 12, 31),
        "funding_per_vze": FUNDING,
        "top_up_per_vze": TOP_UP,
        "deadline": DEADLINE,
    }
    kwargs.update(change)
    return calls.create_call(**kwargs)


def _published(**change: Any) -> Call:
    call = _call(**change)
    siegen = _user("siegen")
    calls.add_criterion(call, acting_user=siegen, name="Konzept", weight=60)
    calls.add_criterion(call, acting_user=siegen, name="Personal", weight=40)
    return calls.publish_call(call, acting_user=siegen, published_on=PUBLISHED)


def _submit(call: Call, agency: str, vze: str = "2.00", day: int = 20) -> Submission:
    return calls.submit_interest(
        call,
        acting_user=_user("siegen"),
        traeger=_org(agency),
        vze_offered=Decimal(vze),
        summary=f"Konzept {agency}",
        submitted_at=dt.datetime(2025, 3, day, 10, 0, tzinfo=BERLIN),
    )


def _score(submission: Submission, user: str, concept: int, staff: int) -> None:
    criteria = list(submission.call.criteria.all())
    calls.score_submission(
        submission,
        acting_user=_user(user),
        points={criteria[0].pk: concept, criteria[1].pk: staff},
        now=AFTER_DEADLINE,
    )


def _scored_call() -> tuple[Call, Submission, Submission]:
    call = _published()
    brucke = _submit(call, "Brücke Siegerland")
    lebenswege = _submit(call, "Lebenswege", vze="1.00", day=25)
    for user in ("koordination", "siegen"):
        _score(brucke, user, 8, 7)
        _score(lebenswege, user, 6, 6)
    return call, brucke, lebenswege


def _messages(exc: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(exc.value.messages)


def _events(event_type: str) -> int:
    return AuditEvent.objects.filter(event_type=event_type).count()


# --- creating and publishing ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"positions": []}, "positions", "mindestens eine Stelle"),
        ({"baustein": "B1"}, "positions", "Baustein"),
        ({"period_end": dt.date(2025, 6, 30)}, "period_end", "endet vor"),
        ({"funding_per_vze": Decimal(0)}, "funding_per_vze", "größer als null"),
        ({"top_up_per_vze": Decimal(-1)}, "top_up_per_vze", "negativ"),
        ({"scale_max": 0}, "scale_max", "zwischen 1 und 100"),
        ({"min_evaluators": 1}, "min_evaluators", "Vier-Augen"),
    ],
)
def test_create_call_rejects_bad_input(change: dict[str, Any], field: str, message: str) -> None:
    before = Call.objects.count()
    with pytest.raises(ValidationError) as exc:
        _call(**change)
    assert field in exc.value.message_dict
    assert message in " ".join(exc.value.message_dict[field])
    assert Call.objects.count() == before


def test_posts_of_another_kreis_or_at_a_traeger_or_in_an_open_call_cannot_be_offered(
    stranger: object,  # creates Kreis Olpe and Stadt Olpe
) -> None:
    town = Organisation.objects.get(name="Stadt Olpe")
    olpe = programme_actions.create_position(
        acting_user=None,
        region=Organisation.objects.get(name="Kreis Olpe"),
        status_from=dt.date(2025, 1, 1),
        baustein="B2",
        title="CM Olpe",
        vze=Decimal(1),
        home=town,
        employer_type="municipal",
    )
    with pytest.raises(ValidationError, match="Kreis"):
        _call([olpe])
    at_traeger = Position.objects.filter(employer_type="traeger", baustein="B2").first()
    assert at_traeger is not None
    with pytest.raises(ValidationError, match="Träger"):
        _call([at_traeger])
    post = _post("CM doppelt")
    _call([post])
    with pytest.raises(ValidationError, match="IBV Test"):
        _call([post], title="Zweiter Aufruf")


def test_create_call_is_audited() -> None:
    before = _events(EventType.CALL_CREATED)
    call = _call()
    assert call.status == CallStatus.DRAFT
    assert call.region == _org("Siegen-Wittgenstein")
    assert _events(EventType.CALL_CREATED) == before + 1


def test_criteria_weights_may_not_exceed_100_and_names_are_unique() -> None:
    call = _call()
    siegen = _user("siegen")
    calls.add_criterion(call, acting_user=siegen, name="Konzept", weight=70)
    with pytest.raises(ValidationError) as exc:
        calls.add_criterion(call, acting_user=siegen, name="Personal", weight=40)
    assert "70 %" in _messages(exc) and "30 %" in _messages(exc)
    with pytest.raises(ValidationError, match="bereits"):
        calls.add_criterion(call, acting_user=siegen, name="konzept", weight=10)
    with pytest.raises(ValidationError, match="zwischen 1 und 100"):
        calls.add_criterion(call, acting_user=siegen, name="Personal", weight=0)
    assert call.criteria.count() == 1


def test_publishing_needs_100_percent_and_a_deadline_after_publication() -> None:
    call = _call()
    siegen = _user("siegen")
    calls.add_criterion(call, acting_user=siegen, name="Konzept", weight=60)
    with pytest.raises(ValidationError, match="60 %"):
        calls.publish_call(call, acting_user=siegen, published_on=PUBLISHED)
    calls.add_criterion(call, acting_user=siegen, name="Personal", weight=40)
    with pytest.raises(ValidationError) as exc:
        calls.publish_call(call, acting_user=siegen, published_on=dt.date(2025, 3, 31))
    assert "published_on" in exc.value.message_dict
    assert "31.03.2025" in _messages(exc)
    call.refresh_from_db()
    assert call.status == CallStatus.DRAFT and call.published_on is None
    before = _events(EventType.CALL_PUBLISHED)
    calls.publish_call(call, acting_user=siegen, published_on=PUBLISHED)
    assert _events(EventType.CALL_PUBLISHED) == before + 1
    with pytest.raises(ValidationError, match="bereits veröffentlicht"):
        calls.publish_call(call, acting_user=siegen, published_on=PUBLISHED)
    with pytest.raises(ValidationError, match="vor der Veröffentlichung"):
        calls.add_criterion(call, acting_user=siegen, name="Noch eins", weight=1)


# --- submissions ---------------------------------------------------------------------------


def test_a_draft_call_takes_no_submissions() -> None:
    call = _call()
    with pytest.raises(ValidationError, match="nicht offen"):
        _submit(call, "Brücke Siegerland")


def test_submissions_after_the_deadline_are_rejected() -> None:
    call = _published()
    with pytest.raises(ValidationError) as exc:
        calls.submit_interest(
            call,
            acting_user=_user("traeger"),
            traeger=_org("Brücke Siegerland"),
            vze_offered=Decimal(1),
            summary="zu spät",
            submitted_at=DEADLINE + dt.timedelta(minutes=1),
        )
    assert "submitted_at" in exc.value.message_dict
    assert "31.03.2025 12:00" in _messages(exc)
    assert not Submission.objects.filter(call=call).exists()
    # exactly at the deadline is still in time
    calls.submit_interest(
        call,
        acting_user=_user("traeger"),
        traeger=_org("Brücke Siegerland"),
        vze_offered=Decimal(1),
        summary="pünktlich",
        submitted_at=DEADLINE,
    )


def test_submission_without_a_date_counts_as_now_and_is_late_today() -> None:
    call = _published()  # deadline in 2025; today is later
    with pytest.raises(ValidationError, match="Frist"):
        calls.submit_interest(
            call,
            acting_user=_user("traeger"),
            traeger=_org("Brücke Siegerland"),
            vze_offered=Decimal(1),
            summary="heute",
        )


@pytest.mark.parametrize(
    ("agency", "vze", "day", "field"),
    [
        ("Siegen", "1.00", 20, "traeger"),  # a town is not a welfare agency
        ("Brücke Siegerland", "2.50", 20, "vze_offered"),  # more than offered
        ("Brücke Siegerland", "0", 20, "vze_offered"),
        ("Brücke Siegerland", "1.00", None, "submitted_at"),  # before publication
    ],
)
def test_bad_submissions_are_rejected(agency: str, vze: str, day: int | None, field: str) -> None:
    call = _published()
    received = (
        dt.datetime(2025, 3, day, 10, 0, tzinfo=BERLIN)
        if day
        else dt.datetime(2025, 2, 27, tzinfo=BERLIN)
    )
    with pytest.raises(ValidationError) as exc:
        calls.submit_interest(
            call,
            acting_user=_user("siegen"),
            traeger=_org(agency),
            vze_offered=Decimal(vze),
            summary="x",
            submitted_at=received,
        )
    assert field in exc.value.message_dict


def test_one_submission_per_agency_and_documents_are_stored() -> None:
    call = _published()
    pdf = uploads.check_document(
        SimpleUploadedFile("Konzept.pdf", minutes_pdf("Konzept", ["Test"]), "application/pdf")
    )
    before = _events(EventType.SUBMISSION_DOCUMENT_ATTACHED)
    submission = calls.submit_interest(
        call,
        acting_user=_user("traeger"),
        traeger=_org("Brücke Siegerland"),
        vze_offered=Decimal(2),
        summary="Konzept",
        submitted_at=dt.datetime(2025, 3, 10, tzinfo=BERLIN),
        documents=[pdf],
    )
    document = submission.documents.get()
    assert document.original_name == "Konzept.pdf" and document.size == pdf.size
    assert document.file.read() == pdf.data
    assert _events(EventType.SUBMISSION_DOCUMENT_ATTACHED) == before + 1
    with pytest.raises(ValidationError, match="bereits"):
        _submit(call, "Brücke Siegerland")


def test_withdrawal() -> None:
    call = _published()
    submission = _submit(call, "Brücke Siegerland")
    before = _events(EventType.SUBMISSION_WITHDRAWN)
    calls.withdraw_submission(submission, acting_user=_user("traeger"))
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.WITHDRAWN
    assert _events(EventType.SUBMISSION_WITHDRAWN) == before + 1
    with pytest.raises(ValidationError, match="bereits zurückgezogen"):
        calls.withdraw_submission(submission, acting_user=_user("traeger"))
    with pytest.raises(ValidationError, match="zurückgezogen"):
        _score(submission, "siegen", 5, 5)


# --- scoring -------------------------------------------------------------------------------


def test_scoring_opens_after_the_deadline() -> None:
    call = _published()
    submission = _submit(call, "Brücke Siegerland")
    criteria = list(call.criteria.all())
    with pytest.raises(ValidationError, match="Frist"):
        calls.score_submission(
            submission,
            acting_user=_user("siegen"),
            points={c.pk: 5 for c in criteria},
            now=DEADLINE,
        )
    assert not Score.objects.filter(submission=submission).exists()


def test_scores_outside_the_scale_or_missing_are_rejected_per_field() -> None:
    call = _published()
    submission = _submit(call, "Brücke Siegerland")
    concept, staff = call.criteria.all()
    with pytest.raises(ValidationError) as exc:
        calls.score_submission(
            submission,
            acting_user=_user("siegen"),
            points={concept.pk: 11},
            now=AFTER_DEADLINE,
        )
    errors = exc.value.message_dict
    assert "zwischen 0 und 10" in errors[f"points_{concept.pk}"][0]
    assert f"points_{staff.pk}" in errors
    assert not Score.objects.filter(submission=submission).exists()


def test_an_evaluator_can_revise_until_the_decision() -> None:
    call = _published()
    submission = _submit(call, "Brücke Siegerland")
    before = _events(EventType.SUBMISSION_SCORED)
    _score(submission, "siegen", 5, 5)
    _score(submission, "siegen", 7, 6)
    scores = Score.objects.filter(submission=submission)
    assert sorted(s.points for s in scores) == [6, 7]
    assert _events(EventType.SUBMISSION_SCORED) == before + 2


# --- the decision --------------------------------------------------------------------------


def test_four_eyes_rule_blocks_an_award_with_one_evaluator() -> None:
    call = _published()
    brucke = _submit(call, "Brücke Siegerland")
    lebenswege = _submit(call, "Lebenswege", vze="1.00")
    _score(brucke, "siegen", 8, 7)
    _score(brucke, "koordination", 8, 8)
    _score(lebenswege, "siegen", 6, 6)
    posts = list(call.positions.all())
    with pytest.raises(ValidationError) as exc:
        calls.decide_call(
            call,
            acting_user=_user("siegen"),
            decision="award",
            reason="Beste Punktzahl",
            decided_on=dt.date(2025, 4, 10),
            awards=dict.fromkeys(posts, brucke),
            now=AFTER_DEADLINE,
        )
    assert "Vier-Augen" in _messages(exc) and "Lebenswege" in _messages(exc)
    assert "Brücke" not in _messages(exc)
    call.refresh_from_db()
    assert call.status == CallStatus.PUBLISHED
    assert not Agreement.objects.filter(recipient=_org("Brücke Siegerland"), title__contains="IBV")


def test_no_award_before_the_deadline() -> None:
    call = _published()
    brucke = _submit(call, "Brücke Siegerland")
    with pytest.raises(ValidationError, match="nach Ablauf der Frist"):
        calls.decide_call(
            call,
            acting_user=_user("siegen"),
            decision="award",
            reason="x",
            decided_on=dt.date(2025, 3, 20),
            awards=dict.fromkeys(call.positions.all(), brucke),
            now=DEADLINE,
        )


@pytest.mark.parametrize(
    ("decision", "which", "message"),
    [
        ("award", "one", "Teilzuschlag"),  # an award covers every post
        ("partial", "all", "alle Stellen"),  # a partial award leaves some out
        ("no_award", "all", "keine Stellen"),
        ("award", "none", "Stellen, die vergeben"),
    ],
)
def test_the_awarded_posts_must_fit_the_decision(decision: str, which: str, message: str) -> None:
    call, brucke, _lebenswege = _scored_call()
    posts = list(call.positions.order_by("id"))
    chosen = {"one": posts[:1], "all": posts, "none": []}[which]
    with pytest.raises(ValidationError) as exc:
        calls.decide_call(
            call,
            acting_user=_user("siegen"),
            decision=decision,
            reason="Begründung",
            decided_on=dt.date(2025, 4, 10),
            awards=dict.fromkeys(chosen, brucke),
            now=AFTER_DEADLINE,
        )
    assert message in _messages(exc)


def test_a_decision_needs_a_reason() -> None:
    call, _brucke, _lebenswege = _scored_call()
    with pytest.raises(ValidationError) as exc:
        calls.decide_call(
            call,
            acting_user=_user("siegen"),
            decision="no_award",
            reason="  ",
            decided_on=dt.date(2025, 4, 10),
            now=AFTER_DEADLINE,
        )
    assert "decision_reason" in exc.value.message_dict


def test_an_agency_cannot_win_more_than_it_offered_and_nothing_is_half_saved() -> None:
    call, _brucke, lebenswege = _scored_call()  # Lebenswege offered 1 VZÄ, the call has 2
    agreements = Agreement.objects.count()
    with pytest.raises(ValidationError, match="1,00 VZÄ"):
        calls.decide_call(
            call,
            acting_user=_user("siegen"),
            decision="award",
            reason="Test",
            decided_on=dt.date(2025, 4, 10),
            awards=dict.fromkeys(call.positions.all(), lebenswege),
            now=AFTER_DEADLINE,
        )
    assert Agreement.objects.count() == agreements
    assert not Award.objects.filter(submission__call=call).exists()
    assert set(call.positions.values_list("employer_type", flat=True)) == {"municipal"}


def test_award_creates_the_contract_moves_the_posts_and_records_staffing_decisions() -> None:
    call, brucke, lebenswege = _scored_call()
    posts = list(call.positions.order_by("id"))
    before = {
        t: _events(t)
        for t in (
            EventType.CALL_DECIDED,
            EventType.AGREEMENT_CREATED,
            EventType.POSITION_UPDATED,
            EventType.STAFFING_DECIDED,
        )
    }
    calls.decide_call(
        call,
        acting_user=_user("siegen"),
        decision="award",
        reason="Höchste Punktzahl",
        decided_on=dt.date(2025, 4, 10),
        decided_by="Ratsbeschluss vom 10.04.2025",
        awards=dict.fromkeys(posts, brucke),
        now=AFTER_DEADLINE,
    )
    call.refresh_from_db()
    brucke.refresh_from_db()
    lebenswege.refresh_from_db()
    assert (call.status, call.decision) == (CallStatus.DECIDED, "award")
    assert brucke.status == SubmissionStatus.AWARDED
    assert lebenswege.status == SubmissionStatus.NOT_AWARDED and lebenswege.agreement is None
    agreement = brucke.agreement
    assert agreement is not None
    assert (agreement.grantor, agreement.recipient) == (_org("Siegen"), _org("Brücke Siegerland"))
    assert (agreement.period_start, agreement.period_end) == (call.period_start, call.period_end)
    assert set(agreement.positions.all()) == set(posts)
    # 2 VZÄ: July–December 2025 is half a year, 2026 a whole one
    assert [(a.year, a.amount, a.top_up) for a in agreement.amounts.all()] == [
        (2025, Decimal("57000.00"), Decimal("12000.00")),
        (2026, Decimal("114000.00"), Decimal("24000.00")),
    ]
    for post in posts:
        post.refresh_from_db()
        assert (post.employer_type, post.home) == ("traeger", _org("Brücke Siegerland"))
        assert post.unit is None
        decision = StaffingDecision.objects.filter(position=post).latest("id")
        assert decision.traeger == _org("Brücke Siegerland")
        assert decision.decided_on == dt.date(2025, 4, 10)
        assert decision.decided_by == "Ratsbeschluss vom 10.04.2025"
        assert decision.tasks == post.tasks
    assert _events(EventType.CALL_DECIDED) == before[EventType.CALL_DECIDED] + 1
    assert _events(EventType.AGREEMENT_CREATED) == before[EventType.AGREEMENT_CREATED] + 1
    assert _events(EventType.POSITION_UPDATED) == before[EventType.POSITION_UPDATED] + 2
    assert _events(EventType.STAFFING_DECIDED) == before[EventType.STAFFING_DECIDED] + 2
    assert verify_chain().ok
    with pytest.raises(ValidationError, match="entschieden"):
        calls.withdraw_submission(lebenswege, acting_user=_user("siegen"))


def test_partial_award_to_two_agencies_makes_two_contracts() -> None:
    posts = [_post("CM A"), _post("CM B"), _post("CM C", vze="0.50")]
    call = _published(posts=posts)
    brucke = _submit(call, "Brücke Siegerland", vze="1.00")
    lebenswege = _submit(call, "Lebenswege", vze="1.00")
    for user in ("koordination", "siegen"):
        _score(brucke, user, 8, 7)
        _score(lebenswege, user, 6, 6)
    calls.decide_call(
        call,
        acting_user=_user("koordination"),
        decision="partial",
        reason="Dritte Stelle bleibt bei der Stadt",
        decided_on=dt.date(2025, 4, 10),
        awards={posts[0]: brucke, posts[1]: lebenswege},
        now=AFTER_DEADLINE,
    )
    brucke.refresh_from_db()
    lebenswege.refresh_from_db()
    assert brucke.agreement is not None and lebenswege.agreement is not None
    assert brucke.agreement != lebenswege.agreement
    assert list(lebenswege.agreement.positions.all()) == [posts[1]]
    posts[2].refresh_from_db()
    assert posts[2].employer_type == "municipal"


def test_withdrawn_call_needs_no_scores_and_moves_nothing() -> None:
    call = _published()
    _submit(call, "Brücke Siegerland")
    calls.decide_call(
        call,
        acting_user=_user("siegen"),
        decision="withdrawn",
        reason="Der einzige Träger hat seine Bewerbung zurückgezogen (vgl. Coesfeld 2022).",
        decided_on=dt.date(2025, 3, 25),
        now=DEADLINE - dt.timedelta(days=6),
    )
    call.refresh_from_db()
    assert call.status == CallStatus.DECIDED
    assert set(call.positions.values_list("employer_type", flat=True)) == {"municipal"}
    assert not Award.objects.filter(submission__call=call).exists()
    with pytest.raises(ValidationError, match="nicht offen"):
        _submit(call, "Lebenswege")
    with pytest.raises(ValidationError, match="noch nicht entschieden"):
        calls.decide_call(
            call,
            acting_user=_user("siegen"),
            decision="no_award",
            reason="x",
            decided_on=dt.date(2025, 3, 26),
        )


def test_pro_rata_amounts_count_calendar_months() -> None:
    call = _call(
        period_start=dt.date(2025, 4, 15), period_end=dt.date(2027, 2, 28), top_up_per_vze=0
    )
    assert calls.pro_rata_amounts(call, Decimal("1.5")) == [
        (2025, Decimal("64125.00"), Decimal("0.00")),  # 9 months × 1.5 × 57,000 / 12
        (2026, Decimal("85500.00"), Decimal("0.00")),
        (2027, Decimal("14250.00"), Decimal("0.00")),  # 2 months
    ]


# --- ranking -------------------------------------------------------------------------------


def test_ranking_shows_the_arithmetic_and_shares_ranks_on_ties() -> None:
    criteria = [ranking.CriterionInput(1, "Konzept", 60), ranking.CriterionInput(2, "Personal", 40)]
    points = {
        ("a", 1): [7, 8],
        ("a", 2): [6, 6],
        ("b", 1): [9, 9],
        ("b", 2): [4, 4],
        ("c", 1): [7, 8],
        ("c", 2): [6, 6],
        ("d", 1): [10],
    }
    result = ranking.rank(["a", "b", "c", "d"], criteria, points, scale_max=10, min_evaluators=2)
    assert [(r.key, r.rank) for r in result] == [("b", 1), ("a", 2), ("c", 2), ("d", 4)]
    b, a = result[0], result[1]
    assert b.total == Fraction(9 * 60 + 4 * 40, 100)  # 7.0
    assert a.total == Fraction(75, 10) * Fraction(60, 100) + 6 * Fraction(40, 100)  # 6.9
    assert a.lines[0].explanation == "(7 + 8) / 2 = 7,50 × 60 % = 4,50"
    assert a.total_explanation == "4,50 + 2,40 = 6,90"
    assert a.share_percent == Decimal("69.00")
    assert a.complete and not result[3].complete  # d: one evaluator, one criterion missing
    assert result[3].lines[1].explanation == "–"


def test_shown_rounds_half_up() -> None:
    assert ranking.shown(Fraction(1, 200)) == Decimal("0.01")
    assert ranking.shown(Fraction(2, 3)) == Decimal("0.67")


# --- demo ----------------------------------------------------------------------------------


def test_demo_call_was_awarded_to_bruecke_with_four_eyes() -> None:
    call = Call.objects.get(title=DEMO_CALL_TITLE)
    assert call.decision == "award"
    assert sum(p.vze for p in call.positions.all()) == Decimal(2)
    evaluators = set(
        Score.objects.filter(submission__call=call).values_list("evaluator__username", flat=True)
    )
    assert evaluators == {"koordination", "siegen"}
    winner = call.submissions.get(status=SubmissionStatus.AWARDED)
    assert winner.traeger == _org("Brücke Siegerland")
    assert (
        winner.agreement is not None
        and winner.agreement.duties.filter(received_on__isnull=True).exists()
    )
