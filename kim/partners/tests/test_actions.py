"""Actions of the cooperation: what they refuse, what they store, and the one audit event each."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from kim.audit.models import AuditEvent, EventType
from kim.audit.record import verify_chain
from kim.core import uploads
from kim.organisations.actions import create_organisation
from kim.organisations.models import Organisation
from kim.partners import actions, demo
from kim.partners.models import (
    FollowUp,
    Outcome,
    StaffingDecision,
    Talk,
    TalkDocument,
    TraegerContact,
    TraegerService,
)
from kim.programmes.actions import create_position
from kim.programmes.models import Position
from tests.support import events_besides_system_access

pytestmark = pytest.mark.django_db

MAY_2022 = dt.date(2022, 5, 12)


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _org(short_name: str) -> Organisation:
    return Organisation.objects.get(short_name=short_name)


def _olpe_traeger() -> Organisation:
    """A welfare agency of Kreis Olpe (needs the ``stranger`` fixture, which creates Olpe)."""
    olpe = Organisation.objects.get(ags="05966")
    return create_organisation(
        acting_user=None, kind="traeger", name="Sauerland-Hilfe e.V. (Test)", region=olpe
    )


def _talk_kwargs(**change: Any) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "acting_user": _user("siegen"),
        "host": _org("Siegen"),
        "held_on": MAY_2022,
        "format": "in_person",
        "topics": "Trägerschaft von B2-Stellen",
        "traeger": [_org("Brücke Siegerland"), _org("Nachbarschaftswerk")],
        "baustein": "B2",
    }
    kwargs.update(change)
    return kwargs


def _talk(**change: Any) -> Talk:
    return actions.record_talk(**_talk_kwargs(**change))


def _siegen_posts() -> list[Position]:
    return list(
        Position.objects.filter(
            baustein="B2", home__short_name__in=["Siegen", "Brücke Siegerland"]
        ).order_by("id")
    )


# --- record_talk ------------------------------------------------------------------------------


def test_record_talk_stores_host_agencies_and_region() -> None:
    talk = _talk(positions=_siegen_posts()[:2])
    assert talk.region == _org("Siegen-Wittgenstein") and talk.host == _org("Siegen")
    roles = {(p.organisation.short_name, p.role) for p in talk.participants.all()}
    assert roles == {
        ("Siegen", "host"),
        ("Brücke Siegerland", "traeger"),
        ("Nachbarschaftswerk", "traeger"),
    }
    assert talk.positions.count() == 2
    assert talk.outcome == Outcome.OPEN and talk.version == 1
    assert talk.created_by == _user("siegen")


def test_system_jobs_record_talks_outcomes_and_decisions_without_a_user() -> None:
    """Seed and imports act as ``None``: the actions must not demand a recording user."""
    talk = _talk(acting_user=None)
    assert talk.created_by is None
    talk = actions.record_outcome(
        talk, acting_user=None, expected_version=1, outcome="declined", outcome_summary="Nein."
    )
    assert talk.version == 2
    decision = actions.record_staffing_decision(
        _siegen_posts()[-1],
        acting_user=None,
        decided_on=dt.date(2024, 1, 1),
        employer_type="municipal",
        rationale="Bestätigt.",
    )
    assert decision.recorded_by is None
    events = AuditEvent.objects.order_by("-id")[:3]
    assert all(e.actor_id is None and e.actor_username == "" for e in events)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda: {"traeger": []}, "traeger"),
        (lambda: {"traeger": [_org("Kreuztal")]}, "traeger"),  # a town is no welfare agency
        (lambda: {"traeger": [_org("Brücke Siegerland"), _org("Kreuztal")]}, "traeger"),
        (lambda: {"traeger": [_olpe_traeger()]}, "traeger"),  # agency of another Kreis
        (lambda: {"host": Organisation.objects.get(kind="land")}, "host"),
        (lambda: {"outcome": "won"}, "outcome"),
    ],
)
def test_record_talk_refuses_and_stores_nothing(
    stranger: Client, change: Callable[[], dict[str, Any]], field: str
) -> None:
    wrong = change()
    talks, events = Talk.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        _talk(**wrong)
    assert field in excinfo.value.message_dict
    assert (Talk.objects.count(), AuditEvent.objects.count()) == (talks, events)
    _talk()  # the same call without the wrong part succeeds
    assert Talk.objects.count() == talks + 1


def test_record_talk_refuses_positions_of_another_kreis(stranger: Client) -> None:
    olpe = Organisation.objects.get(ags="05966")
    foreign = create_position(
        acting_user=None,
        region=olpe,
        status_from=dt.date(2022, 1, 1),
        baustein="B2",
        title="Case Management Olpe",
        vze=Decimal(1),
        home=olpe,
        employer_type="municipal",
    )
    own = _siegen_posts()[0]
    with pytest.raises(ValidationError) as excinfo:
        _talk(positions=[own, foreign])
    assert "positions" in excinfo.value.message_dict
    assert _talk(positions=[own]).positions.get() == own


# --- one audit event per action ---------------------------------------------------------------


def _pdf_upload(name: str = "Protokoll.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, demo.minutes_pdf("Protokoll", ["Test"]))


def _do_record_talk() -> object:
    return _talk()


def _do_record_outcome() -> object:
    talk = _talk()
    return actions.record_outcome(
        talk,
        acting_user=None,
        expected_version=talk.version,
        outcome=Outcome.AGREEMENT,
        outcome_summary="Einigung.",
    )


def _do_attach_minutes() -> object:
    checked = uploads.check_document(_pdf_upload())
    return actions.attach_minutes(_talk(), acting_user=_user("siegen"), checked=checked)


def _do_minutes_download() -> object:
    document = TalkDocument.objects.first()
    assert document is not None  # the demo's minutes
    return actions.record_minutes_download(document, acting_user=_user("traeger"))


def _do_add_follow_up() -> object:
    return actions.add_follow_up(
        _talk(), acting_user=None, title="Protokoll", owner=_user("siegen"), due=MAY_2022
    )


def _do_complete_follow_up() -> object:
    task = FollowUp.objects.filter(done_at__isnull=True).first()
    assert task is not None
    return actions.complete_follow_up(task, acting_user=_user("siegen"))


def _do_add_service() -> object:
    return actions.add_service(
        _org("Lebenswege"), acting_user=None, kind="jmd", towns=[_org("Bad Laasphe")]
    )


def _do_add_contact() -> object:
    return actions.add_contact(
        _org("Lebenswege"),
        acting_user=None,
        role="Jugendmigrationsdienst",
        office_email="jmd@lebenswege-wittgenstein.example",
    )


def _do_staffing_decision() -> object:
    return actions.record_staffing_decision(
        _siegen_posts()[-1],
        acting_user=None,
        decided_on=dt.date(2024, 1, 1),
        employer_type="municipal",
        rationale="Bestätigt.",
    )


@pytest.mark.parametrize(
    ("do", "event_type", "subject_type"),
    [
        (_do_record_talk, EventType.TALK_RECORDED, "partners.talk"),
        (_do_record_outcome, EventType.TALK_OUTCOME_RECORDED, "partners.talk"),
        (_do_attach_minutes, EventType.TALK_MINUTES_ATTACHED, "partners.talk"),
        (_do_minutes_download, EventType.TALK_MINUTES_READ, "partners.talk"),
        (_do_add_follow_up, EventType.FOLLOW_UP_ADDED, "partners.followup"),
        (_do_complete_follow_up, EventType.FOLLOW_UP_DONE, "partners.followup"),
        (_do_add_service, EventType.TRAEGER_SERVICE_ADDED, "partners.traegerservice"),
        (_do_add_contact, EventType.TRAEGER_CONTACT_ADDED, "partners.traegercontact"),
        (_do_staffing_decision, EventType.STAFFING_DECIDED, "programmes.position"),
    ],
)
def test_every_action_writes_exactly_one_event(
    do: Callable[[], object], event_type: str, subject_type: str
) -> None:
    # Actions that need a talk create one first (one TALK_RECORDED event of its own).
    needs_talk = do in (_do_record_outcome, _do_attach_minutes, _do_add_follow_up)
    before = AuditEvent.objects.count()
    do()
    events = list(AuditEvent.objects.order_by("id")[before:])
    assert len(events) == 1 + needs_talk
    event = events[-1]
    assert (event.event_type, event.subject_type) == (event_type, subject_type)
    assert event.subject_code
    assert verify_chain().ok


def test_minutes_are_stored_with_their_checksum() -> None:
    checked = uploads.check_document(_pdf_upload("Protokoll 12.05.2022.pdf"))
    document = actions.attach_minutes(_talk(), acting_user=_user("siegen"), checked=checked)
    assert document.original_name == "Protokoll 12.05.2022.pdf"
    assert document.content_type == uploads.PDF and document.size == checked.size
    with document.file.open("rb") as stored:
        assert stored.read() == checked.data
    event = AuditEvent.objects.order_by("-id").first()
    assert event is not None and event.extra == {"document": document.code, "size": checked.size}


def test_completing_a_task_twice_records_it_once() -> None:
    task = actions.add_follow_up(
        _talk(), acting_user=None, title="Protokoll", owner=_user("siegen"), due=MAY_2022
    )
    with time_machine.travel(dt.datetime(2022, 5, 20, 9, 30, tzinfo=dt.UTC), tick=False):
        actions.complete_follow_up(task, acting_user=_user("siegen"))
    before = AuditEvent.objects.count()
    actions.complete_follow_up(task, acting_user=_user("siegen"))
    task.refresh_from_db()
    assert task.done_at == dt.datetime(2022, 5, 20, 9, 30, tzinfo=dt.UTC)
    assert AuditEvent.objects.count() == before


# --- optimistic locking and dates -------------------------------------------------------------


@pytest.mark.sqlite_too
def test_record_outcome_refuses_a_stale_version() -> None:
    talk = _talk()
    first = actions.record_outcome(
        talk,
        acting_user=_user("siegen"),
        expected_version=1,
        outcome=Outcome.POSTPONED,
        outcome_summary="Vertagt.",
    )
    assert first.version == 2
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError, match="zwischenzeitlich von jemand anderem geändert"):
        actions.record_outcome(
            talk,
            acting_user=_user("koordination"),
            expected_version=1,  # loaded before the first change
            outcome=Outcome.AGREEMENT,
            outcome_summary="Einigung.",
        )
    talk.refresh_from_db()
    assert (talk.outcome, talk.version, AuditEvent.objects.count()) == ("postponed", 2, before)
    second = actions.record_outcome(
        talk,
        acting_user=_user("koordination"),
        expected_version=2,
        outcome=Outcome.AGREEMENT,
        outcome_summary="Einigung.",
    )
    assert (second.outcome, second.version) == ("agreement", 3)


def test_follow_up_cannot_be_due_before_the_talk() -> None:
    talk = _talk()
    kwargs = {"acting_user": None, "title": "Vermerk", "owner": _user("siegen")}
    with pytest.raises(ValidationError) as excinfo:
        actions.add_follow_up(talk, due=MAY_2022 - dt.timedelta(days=1), **kwargs)
    assert "due" in excinfo.value.message_dict
    assert not talk.follow_ups.exists()
    assert actions.add_follow_up(talk, due=MAY_2022, **kwargs).due == MAY_2022


# --- staffing decisions -----------------------------------------------------------------------


def _decide(position: Position, **change: Any) -> StaffingDecision:
    kwargs: dict[str, Any] = {
        "acting_user": _user("koordination"),
        "decided_on": dt.date(2024, 6, 1),
        "employer_type": "traeger",
        "traeger": _org("Lebenswege"),
        "rationale": "Trägerwechsel",
        "decided_by": "Ratsbeschluss (Test)",
    }
    kwargs.update(change)
    return actions.record_staffing_decision(position, **kwargs)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda: {"traeger": None}, "traeger"),  # filled by a Träger: name it
        (lambda: {"employer_type": "municipal"}, "traeger"),  # municipal: no Träger
        (lambda: {"traeger": _olpe_traeger()}, "traeger"),  # Träger of another Kreis
        (lambda: {"decided_on": dt.date(2022, 12, 13)}, "decided_on"),  # before the demo's
        (lambda: {"employer_type": "nobody"}, "employer_type"),
        (lambda: {"rationale": ""}, "rationale"),
    ],
)
def test_staffing_decision_rules(
    stranger: Client, change: Callable[[], dict[str, Any]], field: str
) -> None:
    position = _siegen_posts()[0]
    decisions = position.staffing_decisions.count()
    assert decisions == 1  # the demo's council resolution of 14.12.2022
    wrong = change()
    with pytest.raises(ValidationError) as excinfo:
        _decide(position, **wrong)
    assert field in excinfo.value.message_dict
    assert position.staffing_decisions.count() == decisions
    decision = _decide(position)
    assert decision.traeger == _org("Lebenswege") and decision.recorded_by == _user("koordination")


def test_staffing_decision_on_the_same_day_as_the_last_is_allowed() -> None:
    position = _siegen_posts()[-1]
    last = position.staffing_decisions.get()
    decision = _decide(
        position, decided_on=last.decided_on, employer_type="municipal", traeger=None
    )
    assert list(position.staffing_decisions.all()) == [last, decision]


# --- uploads ----------------------------------------------------------------------------------


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


DOCX_BYTES = _zip(
    {
        "[Content_Types].xml": b"<Types/>",
        "word/document.xml": b"<w:document><w:body><w:p/></w:body></w:document>",
    }
)
ODT_BYTES = _zip({"mimetype": uploads.ODT.encode(), "content.xml": b"<office:document-content/>"})
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("Protokoll.pdf", demo.minutes_pdf("Protokoll", ["Zeile"]), uploads.PDF),
        ("Protokoll.PDF", b"%PDF-1.7\n", uploads.PDF),
        ("Protokoll.docx", DOCX_BYTES, uploads.DOCX),
        ("Protokoll.odt", ODT_BYTES, uploads.ODT),
    ],
)
def test_check_document_accepts(name: str, data: bytes, content_type: str) -> None:
    checked = uploads.check_document(SimpleUploadedFile(name, data))
    assert checked.content_type == content_type
    assert checked.size == len(data) and checked.data == data
    assert len(checked.sha256) == 64 and checked.name == name


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("Protokoll.pdf", EXE_BYTES, "content"),  # an executable renamed to .pdf
        ("Protokoll.docx", demo.minutes_pdf("Protokoll", []), "content"),  # a PDF named .docx
        ("Protokoll.odt", DOCX_BYTES, "content"),
        ("Protokoll.docx", _zip({"readme.txt": b"hi"}), "content"),  # a ZIP, but no document
        ("Protokoll.docx", b"PK\x03\x04 broken", "content"),
        ("Protokoll.exe", EXE_BYTES, "type"),
        ("Protokoll", b"%PDF-1.4", "type"),
        ("Protokoll.pdf", b"", "empty"),
    ],
)
def test_check_document_refuses(name: str, data: bytes, code: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        uploads.check_document(SimpleUploadedFile(name, data))
    assert excinfo.value.code == code


def test_check_document_refuses_more_than_ten_megabytes() -> None:
    limit = b"%PDF-1.4\n" + b"0" * (uploads.MAX_BYTES - 9)
    assert uploads.check_document(SimpleUploadedFile("gross.pdf", limit)).size == uploads.MAX_BYTES
    with pytest.raises(ValidationError) as excinfo:
        uploads.check_document(SimpleUploadedFile("zu-gross.pdf", limit + b"0"))
    assert excinfo.value.code == "size"


# --- the demo world ---------------------------------------------------------------------------


def test_demo_talks_of_siegen_in_2022() -> None:
    talks = list(Talk.objects.filter(host__short_name="Siegen").order_by("held_on"))
    assert [t.held_on for t in talks] == [
        dt.date(2022, 5, 12),
        dt.date(2022, 6, 23),
        dt.date(2022, 9, 14),
        dt.date(2022, 11, 10),
    ]
    assert [t.outcome for t in talks] == ["open", "postponed", "declined", "agreement"]
    for talk in talks:
        agencies = [p.organisation for p in talk.participants.filter(role="traeger")]
        assert 2 <= len(agencies) <= 3
        assert all(a.is_demo and "(Demo)" in a.name for a in agencies)
        assert talk.outcome_summary and talk.baustein == "B2"
    minutes = talks[-1].documents.get()
    with minutes.file.open("rb") as stored:
        assert stored.read().startswith(b"%PDF-1.4")


def test_demo_services_contacts_and_staffing() -> None:
    kinds = set(TraegerService.objects.values_list("kind", flat=True))
    assert kinds >= {"mbe", "refugee", "kim_cm"}
    emails = list(TraegerContact.objects.values_list("office_email", flat=True))
    assert emails and all(e.endswith(".example") for e in emails)
    assert "migration@bruecke-siegerland.example" in emails
    decisions = StaffingDecision.objects.filter(position__in=_siegen_posts())
    by_type = sorted(
        (d.employer_type, d.traeger.short_name if d.traeger else "") for d in decisions
    )
    assert by_type == [
        ("municipal", ""),
        ("municipal", ""),
        ("municipal", ""),
        ("traeger", "Brücke Siegerland"),
        ("traeger", "Brücke Siegerland"),
    ]
    assert {d.decided_by for d in decisions} == {"Ratsbeschluss (Demo)"}
    for decision in decisions.filter(employer_type="traeger"):
        assert decision.position.home == decision.traeger  # the posts hosted there


def test_demo_tasks_of_siegen_stay_alive() -> None:
    today = timezone.localdate()
    tasks = list(FollowUp.objects.filter(owner__username="siegen"))
    done = [t for t in tasks if t.done_at is not None]
    open_ = sorted(t.due for t in tasks if t.done_at is None)
    assert len(done) == 1 and len(open_) == 2
    assert open_[0] < today < open_[1] <= today + dt.timedelta(days=7)


def test_demo_tasks_are_dated_relative_to_the_seeding_day() -> None:
    talk = _talk()
    with time_machine.travel(dt.datetime(2027, 3, 1, 8, 0, tzinfo=dt.UTC), tick=False):
        demo._follow_ups(talk, _user("siegen"))
    dues = {t.due: t.done_at is not None for t in talk.follow_ups.all()}
    assert dues == {
        MAY_2022 + dt.timedelta(days=14): True,
        dt.date(2027, 2, 19): False,
        dt.date(2027, 3, 8): False,
    }


def test_seeding_again_changes_nothing() -> None:
    from kim.home.demo import seed_demo

    models = (Talk, TalkDocument, FollowUp, TraegerService, TraegerContact, StaffingDecision)

    def counts() -> list[int]:
        return [m.objects.count() for m in models] + [events_besides_system_access()]

    before = counts()
    seed_demo()
    assert counts() == before
    assert verify_chain().ok
