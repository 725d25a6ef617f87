"""An export is allowed exactly when its list (or page) is – in every app, for every persona.

Each export URL is paired with the page whose rows it exports. For every persona the export
answers what the page answers (200, or the same 403/404), and a refused export writes no audit
event, while an allowed one writes its export event. Bulk exports that need a recent password
(audit trail, screening results, Art. 15) are checked twice: without re-authentication a
refused persona gets the refusal straight away (not a password prompt), and after
re-authentication the status is exactly the page's.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.test import Client

from kim.audit.models import AuditEvent, EventType
from kim.core import exports
from kim.core.models import Job, JobStatus

pytestmark = pytest.mark.django_db

PERSONAS = [
    "koordination",
    "siegen",
    "teamlead-siegen",
    "cm-siegen",
    "cm-kreuztal",
    "cm-traeger",
    "traeger",
    "abh",
    "rat",
    "dsb",
    "admin",
]


@dataclass(frozen=True)
class Export:
    page: str  # the list or page whose rows the export holds
    export: str
    event: str | None  # the audit event an allowed export writes (None: not audited)
    formats: tuple[str, ...]
    reauth: bool = False  # needs a recent password entry
    job: bool = False  # above LARGE_EXPORT_ROWS rows the file is written by a background job


EXPORTS = {
    "positions": Export(
        "/programm/stellen/",
        "/programm/stellen/export.{fmt}",
        EventType.EXPORT_DOWNLOADED,
        ("csv", "xlsx"),
        job=True,
    ),
    "forecast": Export(
        "/programm/{kreis}/prognose/",
        "/programm/{kreis}/prognose/export.{fmt}",
        EventType.EXPORT_DOWNLOADED,
        ("csv", "xlsx"),
        job=True,
    ),
    # Actual cost of a post (payroll, D-086): its page is the post's cost rows, which answer
    # 404 to every reader of the post without payroll rights, exactly like the export.
    "post_costs": Export(
        "/programm/stellen/{post}/ist-kosten/",
        "/programm/stellen/{post}/ist-kosten/export.{fmt}",
        EventType.EXPORT_DOWNLOADED,
        ("csv", "xlsx"),
        job=True,
    ),
    # The import template holds the employer's post codes only (no amounts): not audited.
    "payroll_template": Export(
        "/programm/ist-kosten/{employer}/",
        "/programm/ist-kosten/{employer}/vorlage.csv",
        None,
        ("csv",),
    ),
    "talks": Export(
        "/partner/gespraeche/",
        "/partner/gespraeche/export.{fmt}",
        EventType.EXPORT_DOWNLOADED,
        ("csv", "xlsx"),
        job=True,
    ),
    "deadlines": Export(
        "/partner/fristen/",
        "/partner/fristen/export.{fmt}",
        EventType.EXPORT_DOWNLOADED,
        ("csv", "xlsx"),
        job=True,
    ),
    "calls": Export(
        "/partner/interessenbekundungen/",
        "/partner/interessenbekundungen/export.{fmt}",
        EventType.EXPORT_DOWNLOADED,
        ("csv", "xlsx"),
        job=True,
    ),
    "barriers": Export(
        "/fallmanagement/barrieren/",
        "/fallmanagement/barrieren/export.{fmt}",
        EventType.EXPORT_DOWNLOADED,
        ("csv", "xlsx"),
        job=True,
    ),
    # Interpreter bookings of a month (D-093): case managers and team leads; everybody else 404.
    "interpreter_month": Export(
        "/fallmanagement/dolmetschen/",
        "/fallmanagement/dolmetschen/export.{fmt}",
        EventType.EXPORT_DOWNLOADED,
        ("csv", "xlsx"),
        job=True,
    ),
    # At most one row per value of the first dimension (≤ 41 quarters): never a job.
    "statistics": Export(
        "/fallmanagement/statistik/",
        "/fallmanagement/statistik/export.{fmt}",
        EventType.EXPORT_DOWNLOADED,
        ("csv", "xlsx"),
    ),
    # The measure by topic of the referred service (D-091): same door, same export event.
    "statistics_topics": Export(
        "/fallmanagement/statistik/?measure=referrals_by_topic&by=topic",
        "/fallmanagement/statistik/export.{fmt}?measure=referrals_by_topic&by=topic",
        EventType.EXPORT_DOWNLOADED,
        ("csv", "xlsx"),
    ),
    "topics": Export(
        "/steuerung/themen/",
        "/steuerung/themen/export.{fmt}",
        EventType.EXPORT_DOWNLOADED,
        ("csv", "xlsx"),
        job=True,
    ),
    "audit": Export("/audit/", "/audit/export.csv", EventType.AUDIT_EXPORTED, ("csv",), True),
    "screening": Export(
        "/screening/listen/{screening}/",
        "/screening/listen/{screening}/export/{fmt}/",
        EventType.SCREENING_LIST_EXPORTED,
        ("csv", "xlsx"),
        True,
    ),
    "art15": Export(
        "/fallmanagement/faelle/{case}/",
        "/fallmanagement/faelle/{case}/auskunft/{fmt}/",
        EventType.CASE_EXPORTED,
        ("json", "pdf"),
        True,
    ),
    # Council reports: downloads of the page itself, not audited (no personal data).
    "report-draft": Export(
        "/rat/berichte/{report}/", "/rat/berichte/{report}/entwurf.{fmt}", None, ("html",)
    ),
    "report-version": Export(
        "/rat/berichte/{report}/versionen/{number}/",
        "/rat/berichte/{report}/versionen/{number}.{fmt}",
        None,
        ("docx",),
    ),
    # The Sachbericht of a proof of use (D-087): downloads of the page itself, not audited
    # (aggregates only). The draft is its preparers'; the versions are every proof reader's.
    "sachbericht-draft": Export(
        "/verwendungsnachweis/{sbproof}/sachbericht/",
        "/verwendungsnachweis/{sbproof}/sachbericht/entwurf.{fmt}",
        None,
        ("docx",),
    ),
    "sachbericht-version": Export(
        "/verwendungsnachweis/{sbproof}/sachbericht/versionen/1/",
        "/verwendungsnachweis/{sbproof}/sachbericht/versionen/1.{fmt}",
        None,
        ("pdf",),
    ),
    # Steering minutes generated from the meeting's data: readers of the meeting only, each
    # download a "minutes read" event (kim/steering/tests/test_bodies_views.py checks the text).
    "steering-minutes": Export(
        "/steuerung/sitzungen/{meeting}/",
        "/steuerung/sitzungen/{meeting}/protokoll.{fmt}",
        EventType.STEERING_MINUTES_READ,
        ("docx", "pdf"),
    ),
    # Consent form and invitation letter in the clients' languages (issue 19, D-092): each
    # print is audited with its language and format. The consent form answers like its chooser
    # page (the case's own case managers); the letter like the person's page (the authority's
    # officers), after a recent password like the other screening downloads.
    "consent-form": Export(
        "/fallmanagement/faelle/{case}/einwilligungen/formular/",
        "/fallmanagement/faelle/{case}/einwilligungen/formular/?recipient={jobcenter}"
        "&purpose=Vermittlung&categories=master_data&language=ar&format={fmt}",
        EventType.CONSENT_FORM_PRINTED,
        ("html", "pdf", "docx"),
    ),
    "invitation-letter": Export(
        "/screening/listen/{screening}/personen/1/",
        "/screening/listen/{screening}/personen/1/einladung/?sprache=ar&format={fmt}",
        EventType.SCREENING_LETTER_CREATED,
        ("docx", "pdf", "html"),
        True,
    ),
    # The statement of a proof of use as shown on its page (frozen once submitted), audited.
    "proof": Export(
        "/verwendungsnachweis/{proof}/",
        "/verwendungsnachweis/{proof}/nachweis.{fmt}",
        EventType.PROOF_EXPORTED,
        ("xlsx", "docx", "pdf", "json"),
    ),
    # The service network's list (D-090): every reader of the directory, the list's filters.
    "network-services": Export(
        "/netzwerk/",
        "/netzwerk/export.{fmt}",
        EventType.EXPORT_DOWNLOADED,
        ("csv", "xlsx"),
        job=True,
    ),
    # The interpreter pool (D-093): its readers (coordination, case managers, team leads).
    "network-interpreters": Export(
        "/netzwerk/dolmetschende/",
        "/netzwerk/dolmetschende/export.{fmt}",
        EventType.EXPORT_DOWNLOADED,
        ("csv", "xlsx"),
        job=True,
    ),
    # The directory's import template holds the columns and an invented example: not audited.
    "network-import-template": Export(
        "/netzwerk/import/",
        "/netzwerk/import/vorlage.csv",
        None,
        ("csv",),
    ),
}
IDS = [f"{name}.{fmt}" for name, e in EXPORTS.items() for fmt in e.formats]
REAUTH_IDS = [i for i in IDS if EXPORTS[i.split(".")[0]].reauth]
JOB_IDS = [f"{name}.csv" for name, e in EXPORTS.items() if e.job]


def _codes() -> dict[str, object]:
    """Codes of the seeded world: the Kreis, a finished screening list, a case of cm-siegen
    (responsible; teamlead-siegen is its team lead), a report with a released version."""
    from kim.cases.models import Case
    from kim.council.models import ReportRelease
    from kim.organisations.models import Organisation
    from kim.programmes.models import Position
    from kim.proofs.models import Proof
    from kim.screening.models import ScreeningList
    from kim.steering.models import SteeringMeeting

    release = ReportRelease.objects.select_related("report").order_by("id").first()
    return {
        "sbproof": _released_sachbericht(),
        "kreis": Organisation.objects.get(ags="05970").code,
        "post": Position.objects.filter(home__name="Stadt Siegen", baustein="B2")
        .order_by("id")
        .first()
        .code,
        "employer": Organisation.objects.get(name="Stadt Siegen").code,
        "screening": ScreeningList.objects.filter(status="done").order_by("id").first().code,
        "case": Case.objects.filter(responsible__username="cm-siegen").order_by("id").first().code,
        "jobcenter": Organisation.objects.get(short_name="Jobcenter").code,
        "report": release.report.code,
        "number": release.number,
        "meeting": SteeringMeeting.objects.filter(status="held").order_by("held_on").first().code,
        # Stadt Siegen's accepted proof 2025: koordination (grantor) and siegen read it
        "proof": Proof.objects.get(agreement__recipient__short_name="Siegen", year=2025).code,
    }


def _released_sachbericht() -> str:
    """The Kreis' Land proof of this year with a released Sachbericht (the demo has none)."""
    import datetime as dt

    from django.utils import timezone

    from kim.council.document import released
    from kim.organisations.models import Organisation
    from kim.proofs.models import Proof, Sachbericht, SachberichtRelease
    from kim.proofs.sachbericht.compose import compose

    kreis = Organisation.objects.get(ags="05970")
    year = timezone.localdate().year
    proof, _created = Proof.objects.get_or_create(
        organisation=kreis,
        agreement=None,
        year=year,
        defaults={"region": kreis, "due_on": dt.date(year + 1, 6, 30)},
    )
    sachbericht, _created = Sachbericht.objects.get_or_create(proof=proof)
    if not sachbericht.releases.exists():
        SachberichtRelease.objects.create(
            sachbericht=sachbericht,
            number=1,
            snapshot=released(compose(proof, None), 1, "01.01.2000").to_dict(),
            released_at=timezone.now(),
            released_by=User.objects.get(username="koordination"),
        )
    return proof.code


def _urls(export_id: str) -> tuple[Export, str, str]:
    name, fmt = export_id.split(".")
    export, codes = EXPORTS[name], _codes()
    return export, export.page.format(**codes), export.export.format(fmt=fmt, **codes)


EXPORT_EVENTS = (
    EventType.EXPORT_DOWNLOADED,
    EventType.AUDIT_EXPORTED,
    EventType.SCREENING_LIST_EXPORTED,
    EventType.CASE_EXPORTED,
    EventType.STEERING_MINUTES_READ,
    EventType.PROOF_EXPORTED,
    EventType.CONSENT_FORM_PRINTED,
    EventType.SCREENING_LETTER_CREATED,
)


def _reauthenticated(username: str) -> Client:
    """Signed in through the form and the password confirmed again (sudo mode)."""
    client = Client()
    assert client.post("/konto/login/", {"login": username, "password": "demo"}).status_code == 302
    assert client.post("/konto/reauthenticate/", {"password": "demo"}).status_code == 302
    return client


def _export_events() -> int:
    return AuditEvent.objects.filter(event_type__in=EXPORT_EVENTS).count()


def test_every_export_url_is_covered() -> None:
    """A new export URL must be added here: every route with an export-like ending is listed."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns: list, prefix: str = "") -> list[str]:  # type: ignore[type-arg]
        found = []
        for p in patterns:
            if isinstance(p, URLResolver):
                found += walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                found.append(prefix + str(p.pattern))
        return found

    routes = walk(get_resolver().url_patterns)
    exports = sorted(
        r
        for r in routes
        if "export" in r or "auskunft" in r or ".<" in r or r.endswith((".csv", ".xlsx"))
    )
    assert exports == sorted(
        [
            "audit/export.csv",
            "fallmanagement/barrieren/export.<str:fmt>",
            "fallmanagement/faelle/<str:code>/auskunft/json/",
            "fallmanagement/statistik/export.<str:fmt>",
            "netzwerk/export.<str:fmt>",
            "netzwerk/dolmetschende/export.<str:fmt>",
            "netzwerk/import/vorlage.csv",
            "fallmanagement/dolmetschen/export.<str:fmt>",
            "fallmanagement/faelle/<str:code>/auskunft/pdf/",
            "partner/fristen/export.<str:fmt>",
            "partner/gespraeche/export.<str:fmt>",
            "partner/interessenbekundungen/export.<str:fmt>",
            "programm/<str:code>/prognose/export.<str:fmt>",
            "programm/stellen/export.<str:fmt>",
            "programm/stellen/<str:code>/ist-kosten/export.<str:fmt>",
            "programm/ist-kosten/<str:code>/vorlage.csv",
            "rat/berichte/<str:code>/entwurf.<reportformat:fmt>",
            "rat/berichte/<str:code>/versionen/<int:number>.<reportformat:fmt>",
            # A long block's XLSX attachment exists only for a report with more than 25 rows
            # in that block (not the demo's): its readers and refusals are tested with such a
            # report in kim/council/tests/test_talks_summary.py (draft and released version).
            "rat/berichte/<str:code>/entwurf/anlagen/<slug:key>.xlsx",
            "rat/berichte/<str:code>/versionen/<int:number>/anlagen/<slug:key>.xlsx",
            "screening/listen/<str:code>/export/<str:fmt>/",
            "steuerung/sitzungen/<str:code>/protokoll.<minutesformat:fmt>",
            "steuerung/themen/export.<str:fmt>",
            "verwendungsnachweis/<str:code>/sachbericht/entwurf.<sachberichtformat:fmt>",
            "verwendungsnachweis/<str:code>/sachbericht/versionen/<int:number>.<sachberichtformat:fmt>",
            "verwendungsnachweis/<str:code>/nachweis.<str:fmt>",
        ]
    ), exports


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("export_id", IDS)
def test_export_answers_like_its_page(export_id: str, persona: str) -> None:
    case, page_url, export_url = _urls(export_id)
    client = _reauthenticated(persona)
    page = client.get(page_url).status_code
    assert page in (200, 403, 404), (page_url, page)
    before_all, before_exports = AuditEvent.objects.count(), _export_events()
    response = client.get(export_url)
    assert response.status_code == page, f"{persona}: page {page}, export {response.status_code}"
    if page == 200:
        if case.event is not None:
            assert AuditEvent.objects.filter(event_type=case.event).exists()
            assert _export_events() == before_exports + 1
    else:
        assert AuditEvent.objects.count() == before_all  # refused: nothing written at all


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("export_id", REAUTH_IDS)
def test_refusal_comes_before_the_password_prompt(login_as, export_id: str, persona: str) -> None:
    """Without a recent password: the page's refusal at once; a reader is asked to confirm."""
    _case, page_url, export_url = _urls(export_id)
    client = login_as(persona)  # signed in, but no recent password entry
    page = client.get(page_url).status_code
    before = AuditEvent.objects.count()
    response = client.get(export_url)
    if page == 200:
        assert response.status_code == 302 and "reauthenticate" in response["Location"]
    else:
        assert response.status_code == page, (
            f"{persona}: page {page}, export {response.status_code}"
        )
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("export_id", JOB_IDS)
def test_a_large_export_is_a_job_holding_exactly_the_immediate_export(
    login_as, monkeypatch: pytest.MonkeyPatch, export_id: str, persona: str
) -> None:
    """Above the threshold the export link offers a job (a GET writes nothing); its POST
    refuses like the page, and the job's file is byte for byte the immediate export – the same
    builder, door and query, with the owner's rights – with the same audit event."""
    _case, page_url, export_url = _urls(export_id)
    client = login_as(persona)
    page = client.get(page_url).status_code
    immediate = client.get(export_url)
    monkeypatch.setattr(exports, "LARGE_EXPORT_ROWS", -1)  # every export is large now
    events, jobs = AuditEvent.objects.count(), Job.objects.count()

    offer = client.get(export_url)
    assert offer.status_code == page
    assert (AuditEvent.objects.count(), Job.objects.count()) == (events, jobs)
    started = client.post(export_url)
    if page != 200:
        assert started.status_code == page, f"{persona}: page {page}, job {started.status_code}"
        assert (AuditEvent.objects.count(), Job.objects.count()) == (events, jobs)
        return
    assert f'<form method="post" action="{export_url}">' in offer.text
    assert started.status_code == 302
    job = Job.objects.get(owner__username=persona, kind="core.export")
    assert started["Location"] == f"/auftraege/{job.code}/"
    assert job.status == JobStatus.DONE, job.message
    assert client.get(f"/auftraege/{job.code}/datei/").content == immediate.content
    event = AuditEvent.objects.filter(event_type=EventType.EXPORT_DOWNLOADED).latest("id")
    assert event.actor_username == persona
    assert event.extra["job"] == job.code
    assert AuditEvent.objects.count() == events + 1
