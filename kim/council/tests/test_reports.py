"""The report pages: drafting a report from a motion's page, the draft page with its live
figures, editing the header and the answers, draft downloads, the four-eyes release, and the
released – frozen – versions that council members read.

The demo's report 196/2022 was drafted by ``siegen``, released once by ``koordination`` (as of
31.08.2022), and then ``siegen`` moved the draft's reference date to today – so ``siegen`` edited
it last and cannot release it, ``koordination`` can.

Pages are requested in English (``Accept-Language: en``) where a test reads their text.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import gettext, override

from kim.audit.models import AuditEvent, EventType
from kim.council import actions as council_actions
from kim.council.actions import reports
from kim.council.blocks import BLOCK_KEYS
from kim.council.demo import DEMO_MOTION_REFERENCE, DEMO_REPORT_REFERENCE
from kim.council.models import MotionStatus, Paper, Report, ReportRelease, ReportSection
from kim.council.tests import factories as f
from kim.organisations.models import Organisation
from kim.partners.actions import record_talk
from kim.programmes import actions as programmes

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
DE = {"HTTP_ACCEPT_LANGUAGE": "de"}
PERSONAS = ["koordination", "siegen", "rat", "cm-siegen", "traeger", "dsb", "admin", "stranger"]
MANAGERS = {"koordination", "siegen", "admin"}
READERS = MANAGERS | {"rat"}
FORMATS = ("docx", "pdf", "html")
CONFLICT = (
    "This report was changed by someone else in the meantime. "
    "Please reload the page and enter your changes again."
)


def _client(request: pytest.FixtureRequest, login_as: Any, persona: str) -> Client:
    if persona == "stranger":
        client: Client = request.getfixturevalue("stranger")
        return client
    client = login_as(persona)
    return client


def _demo() -> Report:
    return Report.objects.select_related("motion").get(reference=DEMO_REPORT_REFERENCE)


def _main(response: Any) -> str:
    body = response.content.decode()
    return body[body.index("<main") : body.index("</main>")]


def _new_report(**change: Any) -> Report:
    """A draft by ``siegen`` answering a new released enquiry in progress, not released."""
    motion = f.new_motion(release=True, reference=change.pop("motion_reference", "T-1/2026"))
    motion = council_actions.change_motion_status(
        motion, acting_user=None, status=MotionStatus.IN_PROGRESS, expected_status="received"
    )
    kwargs: dict[str, Any] = {
        "acting_user": f.user("siegen"),
        "reference": "R-1/2026",
        "subject": "Antwort auf die Anfrage T-1/2026",
        "date": dt.date(2026, 2, 20),
        "as_of": dt.date(2026, 2, 15),
        **change,
    }
    return reports.create_report(motion, **kwargs)


def _draft_urls(report: Report) -> list[str]:
    question = report.motion.questions.order_by("number").first()
    assert question is not None
    base = f"/rat/berichte/{report.code}/"
    return [
        base,
        f"{base}bearbeiten/",
        f"{base}fragen/{question.code}/",
        f"{base}freigeben/",
        *(f"{base}entwurf.{fmt}" for fmt in FORMATS),
    ]


def _version_urls(report: Report, number: int = 1) -> list[str]:
    base = f"/rat/berichte/{report.code}/versionen/{number}"
    return [f"{base}/", *(f"{base}.{fmt}" for fmt in FORMATS)]


def _talk(day: dt.date, topics: str = "Gespräch über die B2-Stellen (Test)") -> None:
    siegen = Organisation.objects.get(ags="05970040")
    agency = Organisation.objects.filter(kind="traeger", region=siegen.region).order_by("id")[0]
    record_talk(
        acting_user=f.user("siegen"),
        host=siegen,
        held_on=day,
        format="video",
        topics=topics,
        traeger=[agency],
        outcome="agreement",
        outcome_summary="Einigung über eine weitere Stelle (Test)",
    )


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


# --- who sees what -------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_report_matrix(request, login_as, persona: str) -> None:
    """Draft pages: the body's staff only – 404 for everyone else, council members included.
    Released versions: the body's staff and council members; 404 for everyone else."""
    report = _demo()
    client = _client(request, login_as, persona)
    draft = 200 if persona in MANAGERS else 404
    version = 200 if persona in READERS else 404
    for url in _draft_urls(report):
        assert client.get(url).status_code == draft, url
    # A POST without the shown version is no release: the form comes back (200) for those who
    # may release, 403 for the last editor (four-eyes), 404 for everyone else.
    post = {"siegen": 403}.get(persona, 200 if persona in MANAGERS else 404)
    assert client.post(f"/rat/berichte/{report.code}/freigeben/").status_code == post
    assert report.releases.count() == 1
    for url in _version_urls(report):
        assert client.get(url).status_code == version, url
    # A version that does not exist looks exactly like one that may not be seen.
    assert client.get(f"/rat/berichte/{report.code}/versionen/9/").status_code == 404


@pytest.mark.parametrize("persona", PERSONAS)
def test_report_list_matrix(request, login_as, persona: str) -> None:
    unreleased = _new_report()
    client = _client(request, login_as, persona)
    response = client.get("/rat/berichte/")
    if persona in {"cm-siegen", "traeger", "dsb"}:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    listed = {report.code for report, _managed in response.context["rows"]}
    demo = _demo()
    if persona in MANAGERS:
        assert listed >= {demo.code, unreleased.code}
        assert f"/rat/berichte/{unreleased.code}/" in _main(response)  # drafts, marked
    elif persona == "rat":
        assert demo.code in listed and unreleased.code not in listed
        main = _main(response)
        assert f"/rat/berichte/{demo.code}/versionen/1/" in main
        assert f'href="/rat/berichte/{demo.code}/"' not in main
    else:  # the coordinator of another Kreis
        assert listed == set()


@pytest.mark.parametrize("persona", PERSONAS)
def test_unreleased_report_is_staff_only(request, login_as, persona: str) -> None:
    report = _new_report()
    client = _client(request, login_as, persona)
    for url in _draft_urls(report)[:2]:
        assert client.get(url).status_code == (200 if persona in MANAGERS else 404)
    assert client.get(f"/rat/berichte/{report.code}/versionen/1/").status_code == 404


@pytest.mark.parametrize("persona", PERSONAS)
def test_drafting_a_report_needs_a_manager(request, login_as, persona: str) -> None:
    motion = f.new_motion(release=True)
    client = _client(request, login_as, persona)
    expected = 200 if persona in MANAGERS else 403 if persona == "rat" else 404
    assert client.get(f"/rat/antraege/{motion.code}/bericht/neu/").status_code == expected
    if persona not in MANAGERS:
        client.post(f"/rat/antraege/{motion.code}/bericht/neu/", _create_post(motion))
        assert not Report.objects.filter(motion=motion).exists()


def test_unknown_report_and_format_are_404(login_as) -> None:
    client = login_as("siegen")
    report = _demo()
    assert client.get("/rat/berichte/doesnotexist/").status_code == 404
    assert client.get(f"/rat/berichte/{report.code}/entwurf.odt").status_code == 404
    assert client.get(f"/rat/berichte/{report.code}/versionen/1.exe").status_code == 404
    question = f.new_motion(release=True).questions.first()
    assert question is not None  # a question of another motion
    assert client.get(f"/rat/berichte/{report.code}/fragen/{question.code}/").status_code == 404


# --- the motion's page ---------------------------------------------------------------------------


def test_motion_page_offers_the_draft_or_links_the_report(login_as) -> None:
    motion = f.new_motion(release=True)
    client = login_as("siegen")
    main = _main(client.get(f"/rat/antraege/{motion.code}/", **EN))
    assert f'href="/rat/antraege/{motion.code}/bericht/neu/"' in main
    demo = _demo()
    main = _main(client.get(f"/rat/antraege/{demo.motion.code}/", **EN))
    assert f'href="/rat/berichte/{demo.code}/"' in main
    assert "/bericht/neu/" not in main


def test_motion_page_links_only_released_versions_for_council_members(login_as) -> None:
    demo = _demo()
    client = login_as("rat")
    response = client.get(f"/rat/antraege/{demo.motion.code}/", **EN)
    main = _main(response)
    assert f'href="/rat/berichte/{demo.code}/versionen/1/"' in main
    assert f'href="/rat/berichte/{demo.code}/"' not in main
    assert "/bericht/neu/" not in main
    unreleased = _new_report()
    main = _main(client.get(f"/rat/antraege/{unreleased.motion.code}/", **EN))
    assert unreleased.code not in main
    assert "No report has been released yet." in main


# --- drafting and editing ------------------------------------------------------------------------


def _create_post(motion: Paper, **change: Any) -> dict[str, Any]:
    today = timezone.localdate()
    data: dict[str, Any] = {
        "reference": "R-9/2026",
        "paper_type": "mitteilungsvorlage",
        "subject": f"Antwort auf den Antrag {motion.reference}: {motion.name}",
        "date": today.isoformat(),
        "as_of": today.isoformat(),
        "department": f.org(motion.body, "Sozialamt").pk,
        "proposal": "Der Ausschuss nimmt den Bericht zur Kenntnis.",
        "introduction": "Die Verwaltung beantwortet die Fragen wie folgt.",
    }
    data.update(change)
    return data


def test_draft_a_report_from_the_motion(login_as) -> None:
    motion = f.new_motion(release=True)
    client = login_as("siegen")
    form = client.get(f"/rat/antraege/{motion.code}/bericht/neu/").context["form"]
    assert form.initial["subject"] == f"Antwort auf den Antrag T-1/2026: {motion.name}"
    assert form.initial["date"] == form.initial["as_of"] == timezone.localdate()
    assert form.initial["department"] == motion.under_direction_of
    assert form.initial["proposal"] == "Der Ausschuss nimmt den Bericht zur Kenntnis."
    response = client.post(f"/rat/antraege/{motion.code}/bericht/neu/", _create_post(motion))
    report = Report.objects.get(motion=motion)
    assert response.status_code == 302
    assert response["Location"] == f"/rat/berichte/{report.code}/"
    assert (report.reference, report.last_edited_by) == ("R-9/2026", f.user("siegen"))
    assert ReportSection.objects.filter(report=report).count() == 2
    assert AuditEvent.objects.filter(
        event_type=EventType.REPORT_CREATED, subject_code=report.code
    ).exists()
    # A second visit to the form leads to the report instead of a second draft.
    again = client.get(f"/rat/antraege/{motion.code}/bericht/neu/")
    assert again["Location"] == f"/rat/berichte/{report.code}/"


def test_draft_form_errors_sit_next_to_the_fields(login_as) -> None:
    motion = f.new_motion(release=True)
    client = login_as("siegen")
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = client.post(
        f"/rat/antraege/{motion.code}/bericht/neu/",
        _create_post(motion, as_of=tomorrow.isoformat(), reference=DEMO_MOTION_REFERENCE),
        **EN,
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["as_of"] == ["The reference date cannot lie in the future."]
    assert not Report.objects.filter(motion=motion).exists()
    # The action's refusal (a reference number already taken) lands on its field too.
    response = client.post(
        f"/rat/antraege/{motion.code}/bericht/neu/",
        _create_post(motion, reference=DEMO_MOTION_REFERENCE),
        **EN,
    )
    assert "already used" in response.context["form"].errors["reference"][0]
    assert 'id="id_reference_error"' in _main(response)
    assert not Report.objects.filter(motion=motion).exists()


def _edit_post(report: Report, **change: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "version": report.version,
        "reference": report.reference,
        "paper_type": report.paper_type,
        "subject": report.subject,
        "date": report.date.isoformat(),
        "as_of": report.as_of.isoformat(),
        "department": report.department_id or "",
        "proposal": report.proposal,
        "introduction": report.introduction,
    }
    data.update(change)
    return data


def test_edit_the_header(login_as) -> None:
    report = _new_report()
    client = login_as("koordination")
    url = f"/rat/berichte/{report.code}/bearbeiten/"
    assert client.get(url).context["form"].initial["version"] == report.version
    response = client.post(url, _edit_post(report, subject="Neuer Betreff", as_of="2026-01-31"))
    assert response.status_code == 302
    changed = Report.objects.get(pk=report.pk)
    assert (changed.subject, changed.as_of) == ("Neuer Betreff", dt.date(2026, 1, 31))
    assert (changed.version, changed.last_edited_by) == (report.version + 1, f.user("koordination"))
    page = _main(client.get(f"/rat/berichte/{report.code}/", **EN))
    assert "Neuer Betreff" in page and "31.01.2026" in page


def test_edit_header_rejects_a_reference_date_after_the_paper(login_as) -> None:
    report = _new_report()
    client = login_as("siegen")
    response = client.post(
        f"/rat/berichte/{report.code}/bearbeiten/",
        _edit_post(report, as_of="2026-02-21"),
        **EN,
    )
    assert response.context["form"].errors["as_of"] == [
        "The reference date lies after the date of the paper."
    ]
    assert Report.objects.get(pk=report.pk).version == report.version


def test_edit_an_answer(login_as) -> None:
    report = _new_report()
    question = report.motion.questions.order_by("number")[1]
    client = login_as("siegen")
    url = f"/rat/berichte/{report.code}/fragen/{question.code}/"
    page = _main(client.get(url, **EN))
    assert question.text in page
    assert page.count('name="block_keys"') == len(BLOCK_KEYS)  # every registered answer block
    response = client.post(
        url,
        {
            "version": report.version,
            "narrative": "Die Stellen werden zum 01.04. besetzt.",
            "block_keys": ["talks", "positions_per_baustein"],
        },
    )
    assert response["Location"] == f"/rat/berichte/{report.code}/#report-q-2"
    section = ReportSection.objects.get(report=report, question=question)
    assert section.narrative == "Die Stellen werden zum 01.04. besetzt."
    assert section.block_keys == ["positions_per_baustein", "talks"]
    draft = _main(client.get(f"/rat/berichte/{report.code}/", **EN))
    assert "Die Stellen werden zum 01.04. besetzt." in draft


@pytest.mark.sqlite_too
def test_a_stale_version_is_refused_with_the_german_message(login_as) -> None:
    report = _new_report()
    question = report.motion.questions.order_by("number")[0]
    client = login_as("siegen")
    stale = report.version
    # Someone else saves in between.
    reports.update_report(
        report, acting_user=f.user("koordination"), expected_version=stale, subject="Zwischendurch"
    )
    with override("de"):
        expected = gettext(CONFLICT)
    header = client.post(
        f"/rat/berichte/{report.code}/bearbeiten/",
        _edit_post(report, version=stale, subject="Meine Änderung"),
        **DE,
    )
    answer = client.post(
        f"/rat/berichte/{report.code}/fragen/{question.code}/",
        {"version": stale, "narrative": "Meine Antwort", "block_keys": []},
        **DE,
    )
    for response in (header, answer):
        assert response.status_code == 200
        assert expected in _main(response)
    report.refresh_from_db()
    assert (report.subject, report.version) == ("Zwischendurch", stale + 1)
    assert not ReportSection.objects.filter(report=report, narrative="Meine Antwort").exists()


# --- the draft page and its downloads ------------------------------------------------------------


def test_draft_page_shows_status_live_draft_and_versions(login_as) -> None:
    report = _demo()
    response = login_as("koordination").get(f"/rat/berichte/{report.code}/", **EN)
    main = _main(response)
    today = timezone.localdate()
    assert 'class="kim-report"' in main  # the composed draft
    assert "Figures as of" in main and "computed now" in main
    assert "08/31/2022" in main  # version 1's reference date (English short date format)
    assert "Sven Programmleitung" in main  # who edited last
    assert f'href="/rat/berichte/{report.code}/versionen/1/"' in main
    assert f'href="/rat/berichte/{report.code}/entwurf.docx"' in main
    assert f'href="/rat/berichte/{report.code}/freigeben/"' in main
    assert f"Figures as of {today:%m/%d/%Y}, computed now" in " ".join(main.split())
    for question in report.motion.questions.all():
        assert f'href="/rat/berichte/{report.code}/fragen/{question.code}/"' in main


@pytest.mark.parametrize("fmt", FORMATS)
def test_draft_download(login_as, fmt: str) -> None:
    report = _demo()
    response = login_as("siegen").get(f"/rat/berichte/{report.code}/entwurf.{fmt}")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="Vorlage-196-2022-Entwurf.{fmt}"'
    )
    assert response["Cache-Control"] == "private, no-store"
    content_type = {
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "pdf": "application/pdf",
        "html": "text/html; charset=utf-8",
    }[fmt]
    assert response["Content-Type"] == content_type
    if fmt == "html":
        assert "kim-report__draft" in response.content.decode()  # the draft marker


def test_reading_a_draft_is_not_audited(login_as) -> None:
    report = _demo()
    client = login_as("siegen")
    before = AuditEvent.objects.count()
    client.get(f"/rat/berichte/{report.code}/")
    client.get(f"/rat/berichte/{report.code}/entwurf.html")
    client.get(f"/rat/berichte/{report.code}/versionen/1/")
    assert AuditEvent.objects.count() == before


# --- four-eyes release -----------------------------------------------------------------------------


def test_four_eyes_release_through_the_pages(login_as) -> None:
    report = _new_report()
    question = report.motion.questions.order_by("number")[0]
    siegen, koordination = login_as("siegen"), login_as("koordination")
    siegen.post(
        f"/rat/berichte/{report.code}/fragen/{question.code}/",
        {"version": report.version, "narrative": "Antwort", "block_keys": ["talks"]},
    )
    report.refresh_from_db()
    release_url = f"/rat/berichte/{report.code}/freigeben/"
    data = {"version": report.version}

    # siegen edited last: no button on the draft page or the release page, the POST refused.
    release_button = re.compile(rf'<a class="kern-btn[^"]*"\s+href="{release_url}"')
    draft = _main(siegen.get(f"/rat/berichte/{report.code}/", **EN))
    assert not release_button.search(draft)
    assert 'id="four-eyes-hint"' in draft
    page = siegen.get(release_url, **EN)
    main = _main(page)
    assert 'id="four-eyes"' in main and "Sven Programmleitung" in main
    assert 'type="submit"' not in main
    refused = siegen.post(release_url, data, **EN)
    assert refused.status_code == 403
    assert 'id="four-eyes"' in _main(refused)
    assert not ReportRelease.objects.filter(report=report).exists()

    # koordination may: the button is there, and the same POST releases version 1.
    assert release_button.search(_main(koordination.get(f"/rat/berichte/{report.code}/")))
    assert 'type="submit"' in _main(koordination.get(release_url, **EN))
    response = koordination.post(release_url, data)
    release = ReportRelease.objects.get(report=report)
    assert response.status_code == 302
    assert response["Location"] == f"/rat/berichte/{report.code}/versionen/1/"
    assert (release.number, release.released_by, release.drafted_by) == (
        1,
        f.user("koordination"),
        f.user("siegen"),
    )
    assert release.paper.released
    assert Paper.objects.get(pk=report.motion_id).status == MotionStatus.ANSWERED
    assert AuditEvent.objects.filter(
        event_type=EventType.REPORT_RELEASED, subject_code=report.code
    ).exists()
    # Now council members read it.
    assert login_as("rat").get(f"/rat/berichte/{report.code}/versionen/1/").status_code == 200


def test_release_of_a_changed_draft_is_refused(login_as) -> None:
    report = _demo()
    client = login_as("koordination")
    shown = report.version
    reports.update_report(
        report,
        acting_user=f.user("admin"),
        expected_version=shown,
        introduction="Geändert, während die Bestätigung offen war.",
    )
    # The demo's answers need their confirmations (changed figures); the version is stale.
    confirmed = {f"confirm_{n}": "on" for n in (1, 2, 3)}
    response = client.post(
        f"/rat/berichte/{report.code}/freigeben/", {"version": shown, **confirmed}, **EN
    )
    assert response.status_code == 200
    assert CONFLICT in _main(response)
    assert report.releases.count() == 1


# --- released versions are frozen ----------------------------------------------------------------


def test_released_version_does_not_change_when_the_data_does(login_as) -> None:
    report = _demo()
    client = login_as("rat")
    staff = login_as("siegen")
    version_html = _main(client.get(f"/rat/berichte/{report.code}/versionen/1/"))
    version_docx = client.get(f"/rat/berichte/{report.code}/versionen/1.docx").content
    draft_html = staff.get(f"/rat/berichte/{report.code}/entwurf.html").content

    _talk(timezone.localdate() - dt.timedelta(days=1), topics="Neues Gespräch (Test)")

    assert staff.get(f"/rat/berichte/{report.code}/entwurf.html").content != draft_html
    assert "Einigung über eine weitere Stelle (Test)" in _main(
        staff.get(f"/rat/berichte/{report.code}/")
    )
    assert _main(client.get(f"/rat/berichte/{report.code}/versionen/1/")) == version_html
    assert client.get(f"/rat/berichte/{report.code}/versionen/1.docx").content == version_docx


def test_released_version_page(login_as) -> None:
    report = _demo()
    response = login_as("rat").get(f"/rat/berichte/{report.code}/versionen/1/", **EN)
    main = _main(response)
    assert 'class="kim-report"' in main
    assert "31.08.2022" in main  # the frozen reference date
    assert "kim-report__draft" not in main
    assert f'href="/rat/berichte/{report.code}/versionen/1.pdf"' in main
    assert f'href="/rat/berichte/{report.code}/"' not in main  # no way to the draft
    assert "Karla Koordinatorin" not in main  # staff names are not shown to council members
    download = login_as("rat").get(f"/rat/berichte/{report.code}/versionen/1.pdf")
    assert (
        download["Content-Disposition"] == 'attachment; filename="Vorlage-196-2022-Version-1.pdf"'
    )
    assert download.content.startswith(b"%PDF")
    docx = login_as("rat").get(f"/rat/berichte/{report.code}/versionen/1.docx")
    assert docx.content.startswith(b"PK")  # a zip container


# --- query counts --------------------------------------------------------------------------------


def _more_data() -> None:
    for n in range(6):
        _talk(dt.date(2022, 8, 1) + dt.timedelta(days=n), topics=f"Zusatzgespräch {n}")
    lead = User.objects.get(username="koordination")
    kreis = Organisation.objects.get(ags="05970")
    siegen = Organisation.objects.get(ags="05970040")
    for n in range(4):
        programmes.create_position(
            acting_user=lead,
            region=kreis,
            status_from=dt.date(2022, 1, 1),
            baustein="B2",
            title=f"Zusatzstelle {n}",
            vze=Decimal("0.50"),
            home=siegen,
            employer_type="municipal",
            tasks="Fallmanagement",
        )


def test_report_page_query_count_does_not_grow(login_as, django_assert_max_num_queries) -> None:
    report = _demo()
    client = login_as("siegen")
    url = f"/rat/berichte/{report.code}/"
    # 25: one of them asks whether the reader belongs to a steering body (menu, D-083).
    with django_assert_max_num_queries(25):
        assert client.get(url).status_code == 200
    before = _queries(client, url)
    _more_data()
    assert _queries(client, url) == before


def test_version_page_query_count(login_as, django_assert_max_num_queries) -> None:
    report = _demo()
    client = login_as("rat")
    url = f"/rat/berichte/{report.code}/versionen/1/"
    with django_assert_max_num_queries(6):
        assert client.get(url).status_code == 200
    before = _queries(client, url)
    _more_data()
    assert _queries(client, url) == before


def test_report_list_query_count_does_not_grow(login_as, django_assert_max_num_queries) -> None:
    client = login_as("koordination")
    with django_assert_max_num_queries(7):
        assert client.get("/rat/berichte/").status_code == 200
    before = _queries(client, "/rat/berichte/")
    _new_report()
    _new_report(motion_reference="T-2/2026", reference="R-2/2026")
    assert _queries(client, "/rat/berichte/") == before
