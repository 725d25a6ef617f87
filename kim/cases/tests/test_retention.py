"""Retention as code: the plan per target under a controlled clock, dry run versus real run,
legal hold, anonymised rows without plaintext, idempotence; erasure on request; legal hold."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from kim.audit.models import AuditEvent, EventType
from kim.cases.actions.dataprotection import erase_person, set_legal_hold
from kim.cases.documents import store_document
from kim.cases.models import (
    Activity,
    AssessmentEntry,
    Barrier,
    BarrierCategory,
    Case,
    CaseDocument,
    Consent,
    Disclosure,
    Goal,
    GoalStatus,
    LifeArea,
    Measure,
    Person,
    PersonToken,
    Phase,
    PhaseChange,
    Referral,
    ResidencePeriod,
    RetentionTarget,
    Task,
)
from kim.cases.retention import add_months, plan_retention, run_retention
from kim.core import rls
from kim.core.uploads import CheckedFile
from kim.organisations.models import Organisation
from tests.support import events_besides_system_access, system_access_events
from tests.support import reauthenticated as _reauthenticated

pytestmark = pytest.mark.django_db

CLOSED_ON = dt.date(2021, 6, 30)
RUN_DAY = dt.date(2024, 7, 1)  # 36 months after CLOSED_ON, and a day


def _recipient() -> Organisation:
    return Organisation.objects.get(name="Jobcenter Siegen-Wittgenstein")


def _pdf(name: str = "bescheid.pdf") -> CheckedFile:
    data = b"%PDF-1.4 test document\n%%EOF"
    return CheckedFile(name, "application/pdf", len(data), hashlib.sha256(data).hexdigest(), data)


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))


def fill_case(case: Case, *, started: dt.date) -> dict[str, Any]:
    """Give a case one of everything: activities (one confidential), a document with its file,
    assessment, goal with measure, referral, task, two consents (one with a disclosure), a
    residence period and a barrier. Test setup only; the actions are tested elsewhere."""
    area = LifeArea.objects.order_by("position").first()
    assert area is not None
    user = case.responsible
    rows: dict[str, Any] = {
        "activity": Activity.objects.create(
            case=case, kind="contact", occurred_at=_at(started), text="Gespräch über Wohnung"
        ),
        "note": Activity.objects.create(
            case=case,
            kind="note",
            occurred_at=_at(started),
            text="Vertraulicher Vermerk",
            confidential=True,
        ),
        "assessment": AssessmentEntry.objects.create(
            case=case,
            life_area=area,
            need="high",
            needs_text="Braucht Wohnung",
            assessed_on=started,
        ),
        "goal": Goal.objects.create(
            case=case,
            life_area=area,
            description="Eigene Wohnung finden",
            due_on=started + dt.timedelta(days=90),
            status=GoalStatus.ACHIEVED,
        ),
        "task": Task.objects.create(
            case=case, kind="manual", title="Termin Jobcenter", due_on=started
        ),
        "residence": ResidencePeriod.objects.create(
            person=case.person, status="duldung", valid_from=started, file_reference="AZ-4711"
        ),
        "barrier": Barrier.objects.create(
            case=case,
            region=case.organisation.parent or case.organisation,
            category=BarrierCategory.objects.first(),
            description="Lange Wartezeiten",
            observed_month=started.replace(day=1),
        ),
    }
    rows["measure"] = Measure.objects.create(goal=rows["goal"], description="Wohnungsamt")
    recipient = _recipient()
    rows["referral"] = Referral.objects.create(
        case=case,
        recipient=recipient,
        purpose="Arbeitsvermittlung",
        categories=["master_data"],
        sent_on=started,
        status_changed_on=started,
        note="Vermerk zur Vermittlung",
    )
    rows["consent_used"] = Consent.objects.create(
        person=case.person,
        recipient=recipient,
        purpose="Vermittlung",
        categories=["master_data"],
        given_on=started,
        revoked_at=_at(started + dt.timedelta(days=60)),
    )
    rows["consent_unused"] = Consent.objects.create(
        person=case.person,
        recipient=recipient,
        purpose="Austausch",
        categories=["benefits"],
        given_on=started,
        valid_until=started + dt.timedelta(days=30),
    )
    rows["disclosure"] = Disclosure.objects.create(
        case=case,
        consent=rows["consent_used"],
        recipient=recipient,
        kind="referral",
        categories=["master_data"],
        legal_basis="Art. 6 Abs. 1 lit. a DSGVO",
        disclosed_at=_at(started + dt.timedelta(days=10)),
        referral=rows["referral"],
    )
    document = CaseDocument(case=case, doc_type="notice")
    store_document(document, _pdf(), uploaded_by=user)
    rows["document"] = document
    return rows


def close(case: Case, day: dt.date) -> None:
    Case.objects.filter(pk=case.pk).update(phase=Phase.CLOSED, closed_on=day)
    PhaseChange.objects.create(
        case=case,
        from_phase=case.phase,
        to_phase=Phase.CLOSED,
        changed_on=day,
        changed_by=case.responsible,
    )
    case.refresh_from_db()


@pytest.fixture
def world_of_cases(make_case: Any) -> dict[str, Any]:
    """A closed case due for every rule, the same under a legal hold, an old waiting-list entry,
    and an open case with an old revoked consent (which must stay)."""
    started = dt.date(2021, 1, 10)
    closed = make_case(first_name="Anonyma", last_name="Retentia", referred_on=started)
    rows = fill_case(closed, started=started)
    close(closed, CLOSED_ON)
    held = make_case(first_name="Hilde", last_name="Haltefall", referred_on=started)
    held_rows = fill_case(held, started=started)
    close(held, CLOSED_ON)
    Case.objects.filter(pk=held.pk).update(legal_hold=True, legal_hold_reason="VG Arnsberg 1 K 1")
    waiting = make_case(first_name="Wanda", last_name="Warteliste", referred_on=dt.date(2023, 5, 2))
    Case.objects.filter(pk=waiting.pk).update(on_waiting_list=True)
    still_open = make_case(first_name="Otto", last_name="Offen", referred_on=started)
    old_consent = Consent.objects.create(
        person=still_open.person,
        recipient=_recipient(),
        purpose="Austausch",
        categories=["benefits"],
        given_on=started,
        revoked_at=_at(started),
    )
    return {
        "closed": closed,
        "rows": rows,
        "held": held,
        "held_rows": held_rows,
        "waiting": waiting,
        "open": still_open,
        "open_consent": old_consent,
    }


def _run(*args: str) -> list[str]:
    out = io.StringIO()
    call_command("retention", "run", *args, stdout=out)
    return out.getvalue().splitlines()


def _snapshot() -> tuple[int, ...]:
    return (
        events_besides_system_access(),
        Person.objects.filter(anonymised_at__isnull=False).count(),
        Case.objects.count(),
        Activity.objects.count(),
        CaseDocument.objects.count(),
        Consent.objects.count(),
        Disclosure.objects.count(),
        Task.objects.count(),
    )


def test_add_months_keeps_the_end_of_month() -> None:
    assert add_months(dt.date(2021, 1, 31), 1) == dt.date(2021, 2, 28)
    assert add_months(dt.date(2024, 7, 1), -36) == dt.date(2021, 7, 1)
    assert add_months(dt.date(2021, 6, 30), 36) == dt.date(2024, 6, 30)


@pytest.mark.sqlite_too
def test_plan_names_every_target_and_respects_the_legal_hold(world_of_cases: Any) -> None:
    w = world_of_cases
    rows = w["rows"]
    plan = {(i.target, i.code): i for i in plan_retention(RUN_DAY)}
    expected = {
        (RetentionTarget.ACTIVITIES, rows["activity"].code),
        (RetentionTarget.ACTIVITIES, rows["note"].code),
        (RetentionTarget.DOCUMENTS, rows["document"].code),
        (RetentionTarget.CONSENTS, rows["consent_unused"].code),
        (RetentionTarget.CASE_FILE, w["closed"].code),
        (RetentionTarget.WAITING_LIST, w["waiting"].code),
    }
    assert expected <= set(plan)
    assert plan[(RetentionTarget.CASE_FILE, w["closed"].code)].clock_started == CLOSED_ON
    assert plan[(RetentionTarget.WAITING_LIST, w["waiting"].code)].action == "delete"
    codes = {code for _target, code in plan}
    # Legal hold: nothing of the held case; the consent a disclosure rests on waits for the
    # case file; the open case's old consent stays.
    held_codes = {w["held"].code, *(r.code for r in w["held_rows"].values() if hasattr(r, "code"))}
    assert not codes & held_codes
    assert rows["consent_used"].code not in codes
    assert w["open_consent"].code not in codes
    assert w["open"].code not in codes
    # No names in the plan.
    lines = "\n".join(i.line() for i in plan.values())
    assert "Anonyma" not in lines and "Retentia" not in lines
    # A day earlier the case file is not yet due (clock 30.06.2021 + 36 months = 30.06.2024).
    earlier = {(i.target, i.code) for i in plan_retention(dt.date(2024, 6, 29))}
    assert (RetentionTarget.CASE_FILE, w["closed"].code) not in earlier
    assert (RetentionTarget.ACTIVITIES, rows["activity"].code) in earlier


def test_dry_run_prints_the_real_plan_and_writes_nothing(
    world_of_cases: Any, django_capture_on_commit_callbacks: Any
) -> None:
    w = world_of_cases
    before = _snapshot()
    plans = system_access_events("retention plan")
    dry = _run("--dry-run", "--date", RUN_DAY.isoformat())
    assert _snapshot() == before
    # On PostgreSQL the plan read every organisation's rows, and says so in the trail.
    assert system_access_events("retention plan") == plans + rls.enabled()
    assert "dry run, nothing changed" in dry[-1]
    document = w["rows"]["document"]
    storage, name = document.file.storage, document.file.name
    assert storage.exists(name)

    with django_capture_on_commit_callbacks(execute=True):
        real = _run("--date", RUN_DAY.isoformat())
    assert real[:-1] == dry[:-1]
    assert any(w["closed"].code in line for line in real)
    assert not storage.exists(name)
    run_events = AuditEvent.objects.filter(event_type=EventType.RETENTION_RUN)
    assert run_events.count() == 1
    counts = run_events.get().extra["counts"]
    assert counts["case_file:anonymise"] >= 1 and counts["waiting_list:delete"] >= 1
    assert counts["activities:delete"] >= 2 and counts["consents:delete"] >= 1

    # Idempotent: the second run finds nothing to do.
    again = _run("--date", RUN_DAY.isoformat())
    assert len(again) == 1 and "0 items" in again[0]


@pytest.mark.sqlite_too
def test_real_run_anonymises_without_plaintext_and_keeps_the_skeleton(
    world_of_cases: Any,
) -> None:
    w = world_of_cases
    case, rows = w["closed"], w["rows"]
    person = case.person
    with time_machine.travel(dt.datetime(2024, 7, 1, 3, 0, tzinfo=dt.UTC), tick=False):
        result = run_retention(timezone.localdate(), dry_run=False)
    assert result.applied == len(result.items)

    with connection.cursor() as cur:
        cur.execute(
            "select first_name, last_name, birth_date, address, phone, email, notes, "
            "special_categories from cases_person where id = %s",
            [person.pk],
        )
        assert cur.fetchone() == (None,) * 8
        cur.execute("select birth_date_token from cases_person where id = %s", [person.pk])
        assert cur.fetchone() == ("",)
        cur.execute(
            "select indication_reason, closing_note from cases_case where id = %s", [case.pk]
        )
        assert cur.fetchone() == (None, None)
        cur.execute("select needs_text from cases_assessmententry where case_id = %s", [case.pk])
        assert cur.fetchone() == (None,)
        cur.execute("select note from cases_referral where case_id = %s", [case.pk])
        assert cur.fetchone() == (None,)
        cur.execute(
            "select file_reference from cases_residenceperiod where person_id = %s", [person.pk]
        )
        assert cur.fetchone() == (None,)
    assert not PersonToken.objects.filter(person=person).exists()
    person.refresh_from_db()
    case.refresh_from_db()
    assert person.anonymised_at is not None and case.anonymised_at is not None
    assert person.display_name == "(anonymisiert)" or person.display_name == "(anonymised)"
    assert person.number  # the pseudonymous number stays
    # Gone: activities, documents, consents, disclosures, tasks.
    for model in (Activity, CaseDocument, Disclosure, Task):
        assert not model.objects.filter(case=case).exists(), model
    assert not Consent.objects.filter(person=person).exists()
    # Kept: the skeleton for statistics.
    goal = Goal.objects.get(pk=rows["goal"].pk)
    assert goal.description == "" and goal.status == GoalStatus.ACHIEVED
    assert Measure.objects.get(pk=rows["measure"].pk).description == ""
    assert AssessmentEntry.objects.get(pk=rows["assessment"].pk).need == "high"
    assert case.phase == Phase.CLOSED and case.closed_on == CLOSED_ON
    assert Barrier.objects.get(pk=rows["barrier"].pk).case_id == case.pk
    assert PhaseChange.objects.filter(case=case).exists()
    # The held case is untouched, the waiting-list entry and its person are gone.
    held = w["held"]
    assert Activity.objects.filter(case=held).count() == 2
    assert Person.objects.get(pk=held.person_id).first_name == "Hilde"
    assert not Case.objects.filter(pk=w["waiting"].pk).exists()
    assert not Person.objects.filter(pk=w["waiting"].person_id).exists()
    assert Consent.objects.filter(pk=w["open_consent"].pk).exists()
    # Audit: one event per item with code, target and rule; no names.
    anonymised = AuditEvent.objects.get(
        event_type=EventType.RETENTION_ANONYMISED, subject_code=case.code
    )
    assert anonymised.extra["target"] == "case_file" and anonymised.extra["months"] == 36
    deleted = AuditEvent.objects.filter(
        event_type=EventType.RETENTION_DELETED, subject_code=rows["activity"].code
    )
    assert deleted.count() == 1
    assert "Anonyma" not in str(list(AuditEvent.objects.values_list("extra", flat=True)))


def test_consent_rule_waits_while_a_case_is_open(make_case: Any) -> None:
    case = make_case(first_name="Clara", last_name="Consenta", referred_on=dt.date(2021, 1, 4))
    consent = Consent.objects.create(
        person=case.person,
        recipient=_recipient(),
        purpose="Austausch",
        categories=["benefits"],
        given_on=dt.date(2021, 1, 4),
        valid_until=dt.date(2021, 2, 1),
    )

    def planned() -> set[str]:
        return {i.code for i in plan_retention(RUN_DAY) if i.target == RetentionTarget.CONSENTS}

    assert consent.code not in planned()
    close(case, dt.date(2024, 6, 1))
    assert consent.code in planned()  # expired 01.02.2021 + 36 months ≤ 01.07.2024
    Person.objects.filter(pk=case.person_id).update(legal_hold=True)
    assert consent.code not in planned()


# --- erasure on request ------------------------------------------------------------------


@pytest.mark.sqlite_too
def test_erasure_is_refused_while_open_held_or_disclosed_then_deletes_everything(
    make_case: Any, django_capture_on_commit_callbacks: Any
) -> None:
    started = dt.date(2025, 1, 10)
    case = make_case(first_name="Erika", last_name="Loeschung", referred_on=started)
    rows = fill_case(case, started=started)
    user = User.objects.get(username="cm-siegen")
    person_code, number = case.person.code, case.person.number

    def attempt() -> str:
        try:
            erase_person(case, acting_user=user, reason="withdrawn")
        except ValidationError as exc:
            return " ".join(exc.messages)
        return ""

    with time_machine.travel(dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC), tick=False):
        assert "close it first" in attempt() or "abschließen" in attempt()
        close(case, dt.date(2025, 6, 30))
        set_legal_hold(case, acting_user=user, on=True, reason="LG Siegen 3 O 12/25")
        assert "Löschsperre" in attempt()
        set_legal_hold(case, acting_user=user, on=False)
        # Disclosed on 20.01.2025: provable until 20.01.2028 (consent rule, 36 months).
        message = attempt()
        assert "20.01.2028" in message
    assert Person.objects.filter(code=person_code).exists()

    storage, name = rows["document"].file.storage, rows["document"].file.name
    with (
        time_machine.travel(dt.datetime(2028, 1, 21, 9, 0, tzinfo=dt.UTC), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert attempt() == ""
    assert not Person.objects.filter(code=person_code).exists()
    assert not Case.objects.filter(code=case.code).exists()
    assert not storage.exists(name)
    for model in (Activity, Consent, Disclosure, Goal, Referral, ResidencePeriod):
        assert not model.objects.filter(pk=rows[_key(model)].pk).exists(), model
    barrier = Barrier.objects.get(pk=rows["barrier"].pk)
    assert barrier.case_id is None
    event = AuditEvent.objects.get(event_type=EventType.PERSON_ERASED, subject_code=person_code)
    assert event.extra["number"] == number and event.extra["ground"] == "withdrawn"
    assert event.extra["counts"] == {
        "cases": 1,
        "activities": 2,
        "documents": 1,
        "consents": 2,
        "disclosures": 1,
    }
    assert "Erika" not in str(event.extra)


def _key(model: type) -> str:
    return {
        Activity: "activity",
        Consent: "consent_used",
        Disclosure: "disclosure",
        Goal: "goal",
        Referral: "referral",
        ResidencePeriod: "residence",
    }[model]


def test_erase_page_needs_the_number_and_reauthentication(make_case: Any, login_as: Any) -> None:
    case = make_case(first_name="Petra", last_name="Seite", referred_on=dt.date(2025, 1, 10))
    close(case, dt.date(2025, 2, 1))
    url = f"/fallmanagement/faelle/{case.code}/loeschen/"
    response = login_as("cm-siegen").get(url)
    assert response.status_code == 302 and "reauthenticate" in response["Location"]
    assert _reauthenticated("cm-kreuztal").get(url).status_code == 404
    client = _reauthenticated("cm-siegen")
    page = client.get(url)
    assert page.status_code == 200 and case.person.number in page.content.decode()
    wrong = client.post(url, {"reason": "withdrawn", "number": "SI-0000-0000"})
    assert wrong.status_code == 200 and Person.objects.filter(pk=case.person_id).exists()
    done = client.post(url, {"reason": "withdrawn", "number": case.person.number})
    assert done.status_code == 302 and done["Location"] == "/fallmanagement/"
    assert not Person.objects.filter(pk=case.person_id).exists()


# --- legal hold ---------------------------------------------------------------------------


def test_only_the_team_lead_sets_a_legal_hold(make_case: Any, login_as: Any) -> None:
    case = make_case(first_name="Lea", last_name="Sperre")
    url = f"/fallmanagement/faelle/{case.code}/sperre/"
    data = {"on": "1", "reason": "VG Arnsberg 7 K 99/26"}
    assert login_as("cm-siegen").post(url, data).status_code == 403
    assert login_as("cm-kreuztal").post(url, data).status_code == 404
    lead = login_as("teamlead-siegen")
    assert lead.post(url, {"on": "1", "reason": ""}).status_code == 200  # reason required
    assert not Case.objects.get(pk=case.pk).legal_hold
    response = lead.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == f"/fallmanagement/faelle/{case.code}/"
    case.refresh_from_db()
    assert case.legal_hold and case.legal_hold_reason == "VG Arnsberg 7 K 99/26"
    event = AuditEvent.objects.get(event_type=EventType.LEGAL_HOLD_SET, subject_code=case.code)
    assert event.extra == {"on": True} and event.actor_username == "teamlead-siegen"
    assert lead.post(url, {"on": "0", "reason": ""}).status_code == 302
    assert not Case.objects.get(pk=case.pk).legal_hold


# --- the box on the case page ---------------------------------------------------------------


def test_case_page_shows_links_hold_and_retention_outlook(make_case: Any, login_as: Any) -> None:
    case = make_case(first_name="Bea", last_name="Box", referred_on=dt.date(2025, 1, 10))
    url = f"/fallmanagement/faelle/{case.code}/"
    page = login_as("cm-siegen").get(url).content.decode()
    assert f"/fallmanagement/faelle/{case.code}/auskunft/pdf/" in page
    assert f"/fallmanagement/faelle/{case.code}/loeschen/" in page
    assert f"/fallmanagement/faelle/{case.code}/sperre/" not in page  # team lead only
    assert "Die Aufbewahrungsfrist beginnt mit dem Abschluss des Falls." in page
    close(case, dt.date(2025, 6, 30))
    page = login_as("teamlead-siegen").get(url).content.decode()
    assert "wird am 30.06.2028 anonymisiert" in page
    assert f"/fallmanagement/faelle/{case.code}/sperre/" in page
    Case.objects.filter(pk=case.pk).update(legal_hold=True, legal_hold_reason="LG Siegen 1 O 1")
    page = login_as("teamlead-siegen").get(url).content.decode()
    assert "durch die Löschsperre ausgesetzt" in page and "LG Siegen 1 O 1" in page
