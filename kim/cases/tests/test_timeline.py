"""The legal-sphere timeline: periods, their validation, and the transition tasks they cause."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.test import RequestFactory

from kim.accounts.access import load_user_context
from kim.audit.models import AuditEvent, EventType
from kim.cases.access import get_case_for_user
from kim.cases.actions.timeline import (
    complete_task,
    create_task,
    end_residence_period,
    record_benefit_period,
    record_residence_period,
)
from kim.cases.models import CaseloadRule, ResidencePeriod, Task, TaskKind
from kim.cases.queries.timeline import timeline_context
from kim.cases.tests.conftest import organisation_of
from kim.organisations.models import Organisation, OrgKind

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def cm():
    return get_user_model().objects.get(username="cm-siegen")


def _transition_tasks(case):
    return list(Task.objects.filter(case=case, kind=TaskKind.TRANSITION).order_by("source_key"))


def test_overlapping_residence_periods_are_refused_with_their_dates(clock, cm, make_case):
    case = make_case("cm-siegen")
    record_residence_period(
        case,
        acting_user=cm,
        status="gestattung",
        valid_from=dt.date(2024, 1, 10),
        valid_until=dt.date(2025, 6, 30),
    )
    with pytest.raises(ValidationError) as exc:
        record_residence_period(
            case, acting_user=cm, status="duldung", valid_from=dt.date(2025, 6, 1)
        )
    assert "10.01.2024" in str(exc.value) and "30.06.2025" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        record_residence_period(
            case,
            acting_user=cm,
            status="duldung",
            valid_from=dt.date(2025, 8, 1),
            valid_until=dt.date(2025, 7, 1),
        )
    assert "valid_until" in exc.value.message_dict

    record_residence_period(case, acting_user=cm, status="duldung", valid_from=dt.date(2025, 7, 1))

    assert ResidencePeriod.objects.filter(person=case.person).count() == 2
    assert (
        AuditEvent.objects.filter(
            event_type=EventType.RESIDENCE_RECORDED, subject_code=case.code
        ).count()
        == 2
    )


def test_expiring_duldung_creates_a_dated_task_that_follows_the_period(clock, cm, make_case):
    case = make_case("cm-siegen")
    period = record_residence_period(
        case,
        acting_user=cm,
        status="duldung",
        section="§ 60a",
        valid_from=dt.date(2026, 10, 1),
        valid_until=dt.date(2027, 3, 31),
        file_reference="ABH-4711",
    )

    [task] = _transition_tasks(case)
    assert task.title == "Duldung läuft am 31.03.2027 ab – Verlängerung/Folgestatus klären"
    assert task.due_on == dt.date(2027, 3, 31) - dt.timedelta(days=60)  # default rule
    assert task.source_key == f"expiry:{period.pk}"
    assert AuditEvent.objects.filter(event_type=EventType.TASK_CREATED, subject_code=task.code)

    # Extended: the same task moves; then a follow-up status closes it.
    end_residence_period(period, case, acting_user=cm, valid_until=dt.date(2027, 6, 30))
    task.refresh_from_db()
    assert task.due_on == dt.date(2027, 5, 1) and "30.06.2027" in task.title
    record_residence_period(
        case,
        acting_user=cm,
        status="aufenthaltserlaubnis",
        section="§ 25b",
        valid_from=dt.date(2027, 7, 1),
    )
    task.refresh_from_db()
    assert task.done_on == dt.date(2026, 11, 24)
    assert (
        AuditEvent.objects.get(event_type=EventType.TASK_DONE, subject_code=task.code).extra[
            "reason"
        ]
        == "superseded"
    )


def test_notice_days_come_from_the_organisations_rule(clock, cm, make_case):
    case = make_case("cm-siegen")
    CaseloadRule.objects.create(
        organisation=organisation_of("cm-siegen"),
        limit=60,
        transition_notice_days=30,
        valid_from=dt.date(2026, 1, 1),
        source="Test",
    )
    record_residence_period(
        case,
        acting_user=cm,
        status="fiktion",
        valid_from=dt.date(2026, 10, 1),
        valid_until=dt.date(2027, 1, 31),
    )
    [task] = _transition_tasks(case)
    assert task.due_on == dt.date(2027, 1, 1)


def test_recognition_while_on_asylblg_asks_for_the_switch_to_sgb_ii(clock, cm, make_case):
    case = make_case("cm-siegen")
    record_benefit_period(case, acting_user=cm, system="asylblg", valid_from=dt.date(2024, 2, 1))
    record_residence_period(
        case,
        acting_user=cm,
        status="gestattung",
        valid_from=dt.date(2024, 1, 10),
        valid_until=dt.date(2026, 10, 31),
    )
    permit = record_residence_period(
        case,
        acting_user=cm,
        status="aufenthaltserlaubnis",
        section="§ 25 Abs. 2",
        valid_from=dt.date(2026, 11, 1),
        valid_until=dt.date(2029, 10, 31),
    )

    tasks = {t.source_key: t for t in _transition_tasks(case)}
    recognition = tasks[f"recognition:{permit.pk}"]
    assert recognition.title == "Wechsel AsylbLG → SGB II (Jobcenter) beantragen"
    assert recognition.due_on == dt.date(2026, 11, 15)
    # The Gestattung's task closed itself when the follow-up status was recorded.
    assert all(t.done_on for k, t in tasks.items() if k.startswith("gestattung:"))

    record_benefit_period(case, acting_user=cm, system="sgb_ii", valid_from=dt.date(2026, 12, 1))
    recognition.refresh_from_db()
    assert recognition.done_on is not None


def test_gestattung_ending_without_follow_up_status(clock, cm, make_case):
    case = make_case("cm-siegen")
    period = record_residence_period(
        case,
        acting_user=cm,
        status="gestattung",
        valid_from=dt.date(2025, 1, 1),
        valid_until=dt.date(2027, 1, 15),
    )
    [task] = _transition_tasks(case)
    assert task.source_key == f"gestattung:{period.pk}"
    assert "15.01.2027" in task.title and task.due_on == dt.date(2026, 11, 16)


def test_manual_tasks(clock, cm, make_case):
    case = make_case("cm-siegen")
    task = create_task(case, acting_user=cm, title="Termin Jobcenter", due_on=dt.date(2026, 12, 1))
    complete_task(task, case, acting_user=cm)
    assert task.done_on == dt.date(2026, 11, 24)
    with pytest.raises(ValidationError):
        complete_task(task, case, acting_user=cm)
    assert AuditEvent.objects.filter(event_type=EventType.TASK_DONE, subject_code=task.code)


def test_timeline_views_respect_the_case_permissions(clock, login_as, make_case):
    case = make_case("cm-siegen")
    base = f"/fallmanagement/faelle/{case.code}"
    authority = Organisation.objects.filter(kind=OrgKind.AUTHORITY).first()
    residence = {
        "status": "duldung",
        "section": "§ 60a",
        "valid_from": "01.10.2026",
        "valid_until": "31.03.2027",
        "authority": authority.pk if authority else "",
        "file_reference": "ABH-1",
    }
    task = {"title": "Unterlagen anfordern", "due_on": "01.12.2026"}
    for url, data in ((f"{base}/aufenthalt/neu/", residence), (f"{base}/aufgaben/neu/", task)):
        assert login_as("cm-kreuztal").post(url, data).status_code == 404
        assert login_as("teamlead-siegen").post(url, data).status_code == 403
        assert login_as("cm-siegen").get(url).status_code == 200
        response = login_as("cm-siegen").post(url, data)
        assert response.status_code == 302
        assert response["Location"] == f"/fallmanagement/faelle/{case.code}/#timeline"
    benefit = {"system": "asylblg", "valid_from": "01.01.2026"}
    assert login_as("cm-siegen").post(f"{base}/leistungen/neu/", benefit).status_code == 302

    manual = Task.objects.get(case=case, kind=TaskKind.MANUAL)
    done_url = f"{base}/aufgaben/{manual.code}/erledigt/"
    assert login_as("cm-siegen").get(done_url).status_code == 405
    assert login_as("teamlead-siegen").post(done_url).status_code == 403
    assert login_as("cm-siegen").post(done_url).status_code == 302
    manual.refresh_from_db()
    assert manual.done_on is not None
    # An overlapping period is shown as a form error, nothing saved.
    response = login_as("cm-siegen").post(f"{base}/aufenthalt/neu/", residence)
    assert response.status_code == 200
    assert ResidencePeriod.objects.filter(person=case.person).count() == 1


def test_timeline_section_shows_periods_tasks_and_badges(clock, cm, make_case):
    case = make_case("cm-siegen", first_name="Amira", last_name="Beispielfrau")
    record_residence_period(
        case,
        acting_user=cm,
        status="duldung",
        valid_from=dt.date(2026, 10, 1),
        valid_until=dt.date(2026, 12, 4),
    )
    ctx = load_user_context(cm)
    case = get_case_for_user(ctx, case.code)
    context = timeline_context(ctx, case)
    assert context["may_edit_timeline"] is True
    assert len(context["open_tasks"]) == 1 and context["open_tasks"][0].overdue

    request = RequestFactory().get("/")
    request.user = cm
    html = render_to_string("cases/_timeline.html", {"case": case, **context}, request=request)
    assert "läuft ab in 10 Tagen" in html
    assert "Duldung läuft am 04.12.2026 ab" in html
    assert f"/fallmanagement/faelle/{case.code}/aufgaben/" in html


def test_task_done_inline_with_htmx_and_without_javascript(make_case, login_as):
    """htmx replaces the task's row in place; the same form without JavaScript redirects."""
    import datetime as _dt

    from django.contrib.auth import get_user_model as _users

    from kim.audit.models import AuditEvent, EventType
    from kim.cases.actions.timeline import create_task as _create_task

    case = make_case("cm-siegen")
    user = _users().objects.get(username="cm-siegen")
    due = _dt.date.today() + _dt.timedelta(days=3)
    inline = _create_task(case, acting_user=user, title="Unterlagen anfordern", due_on=due)
    plain = _create_task(case, acting_user=user, title="Termin vereinbaren", due_on=due)
    client = login_as("cm-siegen")
    base = f"/fallmanagement/faelle/{case.code}/aufgaben/"

    response = client.post(f"{base}{inline.code}/erledigt/", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith("<tr")
    assert f'id="task-{inline.code}"' in html and "Erledigt am" in html

    again = client.post(f"{base}{inline.code}/erledigt/", HTTP_HX_REQUEST="true")
    assert "bereits erledigt" in again.content.decode()

    response = client.post(f"{base}{plain.code}/erledigt/")
    assert response.status_code == 302
    done = AuditEvent.objects.filter(event_type=EventType.TASK_DONE)
    assert set(done.values_list("subject_code", flat=True)) >= {inline.code, plain.code}
    assert login_as("cm-kreuztal").post(f"{base}{plain.code}/erledigt/").status_code == 404
