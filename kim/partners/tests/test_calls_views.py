"""Pages of the calls for expressions of interest, per persona: who may see and do what, what a
welfare agency's manager must never see (competitors, scores, the ranking), bad input next to
the field, the whole procedure through the forms, exports and query counts.

Calls are made here through ``kim.partners.actions.calls``; the demo's call is never counted
on. The clock is fixed with ``time_machine``: the test calls are published on 01.03.2027 with a
deadline of 31.03.2027, 12:00.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from kim.audit.models import AuditEvent, EventType
from kim.core import uploads
from kim.organisations.actions import create_organisation
from kim.organisations.models import Organisation
from kim.partners.actions import calls
from kim.partners.models import (
    Agreement,
    Call,
    CallStatus,
    Criterion,
    Score,
    StaffingDecision,
    Submission,
    SubmissionDocument,
    SubmissionStatus,
)
from kim.programmes.models import Position

pytestmark = pytest.mark.django_db

PERSONAS = [
    "koordination",
    "siegen",
    "teamlead-siegen",
    "traeger",
    "cm-traeger",
    "cm-siegen",
    "rat",
    "dsb",
    "admin",
    "fremd",  # the ``stranger``: KIM coordinator in another Kreis
]
BRUECKE = "Brücke Siegerland – Integrationshilfe e.V. (Demo)"
LEBENSWEGE = "Lebenswege Wittgenstein gGmbH (Demo)"
TZ = ZoneInfo("Europe/Berlin")
PUBLISHED_ON = dt.date(2027, 3, 1)
DEADLINE = dt.datetime(2027, 3, 31, 12, 0, tzinfo=TZ)
BEFORE = dt.datetime(2027, 3, 15, 10, 0, tzinfo=TZ)
AFTER = dt.datetime(2027, 4, 7, 10, 0, tzinfo=TZ)
PDF_BYTES = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _org(**lookup: str) -> Organisation:
    return Organisation.objects.get(**lookup)


def _siegen() -> Organisation:
    return _org(ags="05970040")


def _kreis() -> Organisation:
    return _org(ags="05970")


def _free_posts(**lookup: Any) -> list[Position]:
    """Municipal B2 posts not offered in an open call (the demo's call is decided)."""
    return list(
        Position.objects.filter(baustein="B2", employer_type="municipal", **lookup)
        .exclude(calls__status__in=[CallStatus.DRAFT, CallStatus.PUBLISHED])
        .select_related("home")
        .order_by("id")
    )


def _siegen_posts() -> list[Position]:
    posts = _free_posts(home__ags="05970040")
    assert len(posts) >= 3, "the demo gives Stadt Siegen three municipal B2 posts"
    return posts


def _call(
    *,
    by: str = "siegen",
    posts: list[Position] | None = None,
    publish: bool = True,
    title: str = "Testaufruf B2 Siegen",
) -> Call:
    user = _user(by)
    call = calls.create_call(
        acting_user=user,
        issuer=_siegen() if by == "siegen" else _kreis(),
        title=title,
        baustein="B2",
        area="Stadt Siegen",
        positions=posts if posts is not None else _siegen_posts()[:2],
        period_start=dt.date(2027, 7, 1),
        period_end=dt.date(2028, 12, 31),
        funding_per_vze=Decimal("57000.00"),
        top_up_per_vze=Decimal("12000.00"),
        deadline=DEADLINE,
    )
    calls.add_criterion(call, acting_user=user, name="Fachliches Konzept", weight=60)
    calls.add_criterion(call, acting_user=user, name="Personalgewinnung", weight=40)
    if publish:
        calls.publish_call(call, acting_user=user, published_on=PUBLISHED_ON)
    call.refresh_from_db()
    return call


def _pdf(name: str = "konzept.pdf") -> uploads.CheckedFile:
    return uploads.check_document(SimpleUploadedFile(name, PDF_BYTES))


def _submit(call: Call, agency: Organisation | str, vze: str = "1.00") -> Submission:
    traeger = agency if isinstance(agency, Organisation) else _org(name=agency)
    return calls.submit_interest(
        call,
        acting_user=_user("koordination"),
        traeger=traeger,
        vze_offered=Decimal(vze),
        summary=f"Testkonzept von {traeger.name}",
        submitted_at=BEFORE,
        documents=[_pdf()],
    )


def _score(submission: Submission, by: str, points: list[int]) -> None:
    criteria = list(submission.call.criteria.all())
    calls.score_submission(
        submission,
        acting_user=_user(by),
        points={c.pk: p for c, p in zip(criteria, points, strict=True)},
        now=AFTER,
    )


@pytest.fixture
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def after_deadline() -> Iterator[None]:
    with time_machine.travel(AFTER, tick=False):
        yield


@pytest.fixture
def procedure(media: Path) -> dict[str, Any]:
    """A draft by the Kreis offering a Siegen post (Siegen reads, cannot manage), and Siegen's
    published call with Brücke's submission (the ``traeger`` persona's own) and a competitor's,
    both scored by two people."""
    posts = _siegen_posts()
    draft = _call(by="koordination", posts=[posts[2]], publish=False, title="Testentwurf Kreis")
    published = _call(posts=posts[:2])
    own = _submit(published, BRUECKE, "2.00")
    rival = _submit(published, LEBENSWEGE, "1.00")
    for by, own_points, rival_points in (
        ("koordination", [8, 7], [6, 5]),
        ("siegen", [9, 8], [7, 4]),
    ):
        _score(own, by, own_points)
        _score(rival, by, rival_points)
    return {
        "draft": draft,
        "published": published,
        "own": own,
        "rival": rival,
        "own_doc": own.documents.get(),
        "rival_doc": rival.documents.get(),
    }


def _client(request: pytest.FixtureRequest, login_as: Callable[[str], Client], who: str) -> Client:
    if who == "fremd":
        return request.getfixturevalue("stranger")
    return login_as(who)


# --- permission matrix: persona × page -------------------------------------------------------

MANAGERS = {"koordination", "admin"}  # manage every call of the Kreis
SIEGEN_MANAGERS = MANAGERS | {"siegen"}  # Siegen issued the published call

# page → {persona: status}; everyone not named gets 404
MATRIX: dict[str, dict[str, int]] = {
    "draft detail": {**dict.fromkeys(MANAGERS, 200), "siegen": 200},
    "draft criteria": {**dict.fromkeys(MANAGERS, 200), "siegen": 403},
    "draft publish": {**dict.fromkeys(MANAGERS, 200), "siegen": 403},
    "detail": {**dict.fromkeys(SIEGEN_MANAGERS, 200), "traeger": 200},
    "submit": {**dict.fromkeys(SIEGEN_MANAGERS, 200), "traeger": 200},
    "decide": {**dict.fromkeys(SIEGEN_MANAGERS, 200), "traeger": 403},
    "criteria": {**dict.fromkeys(SIEGEN_MANAGERS, 200), "traeger": 403},
    "own submission": {**dict.fromkeys(SIEGEN_MANAGERS, 200), "traeger": 200},
    "own document": {**dict.fromkeys(SIEGEN_MANAGERS, 200), "traeger": 200},
    "own document add": {**dict.fromkeys(SIEGEN_MANAGERS, 200), "traeger": 200},
    "own withdraw": {**dict.fromkeys(SIEGEN_MANAGERS, 200), "traeger": 200},
    "own score": {**dict.fromkeys(SIEGEN_MANAGERS, 200), "traeger": 403},
    "rival submission": dict.fromkeys(SIEGEN_MANAGERS, 200),
    "rival document": dict.fromkeys(SIEGEN_MANAGERS, 200),
    "rival document add": dict.fromkeys(SIEGEN_MANAGERS, 200),
    "rival withdraw": dict.fromkeys(SIEGEN_MANAGERS, 200),
    "rival score": dict.fromkeys(SIEGEN_MANAGERS, 200),
}


def _urls(p: dict[str, Any]) -> dict[str, str]:
    draft, call = p["draft"].code, p["published"].code
    own, rival = p["own"].code, p["rival"].code
    return {
        "draft detail": f"/partner/interessenbekundungen/{draft}/",
        "draft criteria": f"/partner/interessenbekundungen/{draft}/kriterien/neu/",
        "draft publish": f"/partner/interessenbekundungen/{draft}/veroeffentlichen/",
        "detail": f"/partner/interessenbekundungen/{call}/",
        "submit": f"/partner/interessenbekundungen/{call}/bewerbungen/neu/",
        "decide": f"/partner/interessenbekundungen/{call}/entscheidung/",
        "criteria": f"/partner/interessenbekundungen/{call}/kriterien/neu/",
        "own submission": f"/partner/bewerbungen/{own}/",
        "own document": f"/partner/bewerbungsdokumente/{p['own_doc'].code}/",
        "own document add": f"/partner/bewerbungen/{own}/dokumente/neu/",
        "own withdraw": f"/partner/bewerbungen/{own}/zurueckziehen/",
        "own score": f"/partner/bewerbungen/{own}/bewerten/",
        "rival submission": f"/partner/bewerbungen/{rival}/",
        "rival document": f"/partner/bewerbungsdokumente/{p['rival_doc'].code}/",
        "rival document add": f"/partner/bewerbungen/{rival}/dokumente/neu/",
        "rival withdraw": f"/partner/bewerbungen/{rival}/zurueckziehen/",
        "rival score": f"/partner/bewerbungen/{rival}/bewerten/",
    }


@pytest.mark.parametrize("persona", PERSONAS)
def test_call_pages_matrix(
    request: pytest.FixtureRequest,
    login_as,
    procedure: dict[str, Any],
    after_deadline: None,
    persona: str,
) -> None:
    client = _client(request, login_as, persona)
    for page, url in _urls(procedure).items():
        expected = MATRIX[page].get(persona, 404)
        assert client.get(url).status_code == expected, (page, url)


LIST_ALLOWED = {"koordination", "siegen", "traeger", "admin", "fremd"}
CREATE_ALLOWED = {"koordination", "siegen", "admin", "fremd"}  # fremd: for the own Kreis


@pytest.mark.parametrize("persona", PERSONAS)
def test_list_and_create_matrix(
    request: pytest.FixtureRequest, login_as, procedure: dict[str, Any], persona: str
) -> None:
    client = _client(request, login_as, persona)
    response = client.get("/partner/interessenbekundungen/")
    assert response.status_code == (200 if persona in LIST_ALLOWED else 403)
    if response.status_code == 200:
        listed = set(response.context["calls"])
        for which in ("draft", "published"):
            visible = MATRIX[f"{which} detail" if which == "draft" else "detail"].get(persona)
            assert (procedure[which] in listed) == (visible == 200), which
        body = response.content.decode()
        assert ('href="/partner/interessenbekundungen/neu/"' in body) == (persona in CREATE_ALLOWED)
    status = 200 if persona in CREATE_ALLOWED else 403
    assert client.get("/partner/interessenbekundungen/neu/").status_code == status
    assert client.get("/partner/interessenbekundungen/export.csv").status_code == (
        200 if persona in LIST_ALLOWED else 403
    )


def test_stranger_sees_nothing_of_the_kreis(stranger: Client, procedure: dict[str, Any]) -> None:
    response = stranger.get("/partner/interessenbekundungen/")
    assert procedure["published"] not in response.context["calls"]
    # Refused like a missing row: the same page as for a code that does not exist.
    code = procedure["published"].code
    missing = stranger.get("/partner/interessenbekundungen/aaaaaaaaaaaaaaaa/")
    found = stranger.get(f"/partner/interessenbekundungen/{code}/")
    assert found.status_code == missing.status_code == 404
    main = [r.content.decode().split("<main", 1)[1].split("</main>")[0] for r in (found, missing)]
    assert main[0] == main[1]


# --- what a welfare agency's manager must never see -------------------------------------------


def test_traeger_manager_cannot_reach_a_competitor(
    login_as, procedure: dict[str, Any], after_deadline: None
) -> None:
    rival, document = procedure["rival"], procedure["rival_doc"]
    client = login_as("traeger")
    assert client.get(f"/partner/bewerbungen/{rival.code}/").status_code == 404
    assert client.get(f"/partner/bewerbungsdokumente/{document.code}/").status_code == 404
    assert client.get(f"/partner/bewerbungen/{rival.code}/bewerten/").status_code == 404
    assert client.post(f"/partner/bewerbungen/{rival.code}/zurueckziehen/").status_code == 404
    rival.refresh_from_db()
    assert rival.status == SubmissionStatus.SUBMITTED
    assert not AuditEvent.objects.filter(
        event_type=EventType.SUBMISSION_DOCUMENT_READ, subject_code=rival.code
    ).exists()


def _traeger_sees_only_the_own(body: str, procedure: dict[str, Any]) -> None:
    assert "Lebenswege" not in body and procedure["rival"].code not in body
    assert 'id="ranking"' not in body and 'id="four-eyes"' not in body
    assert " × " not in body and "Testkonzept" not in body  # no arithmetic, no concepts listed
    assert body.count('id="submission-') == 1 and procedure["own"].code in body


def test_call_page_for_a_traeger_manager_shows_only_the_own_submission(
    login_as, procedure: dict[str, Any], after_deadline: None
) -> None:
    url = f"/partner/interessenbekundungen/{procedure['published'].code}/"
    manager = login_as("siegen").get(url).content.decode()
    assert "Lebenswege" in manager and 'id="ranking"' in manager  # the same page has them
    assert "(8 + 9) / 2 = 8,50 × 60 % = 5,10" in manager
    response = login_as("traeger").get(url)
    assert response.context["page"].ranking is None
    _traeger_sees_only_the_own(response.content.decode(), procedure)
    # Not after the decision either: its reason compares the agencies, so managers only.
    calls.decide_call(
        procedure["published"],
        acting_user=_user("siegen"),
        decision="award",
        reason="Brücke vor Lebenswege: höhere Punktzahl im Konzept.",
        decided_on=dt.date(2027, 4, 7),
        awards={p: procedure["own"] for p in procedure["published"].positions.all()},
        now=AFTER,
    )
    body = login_as("traeger").get(url).content.decode()
    _traeger_sees_only_the_own(body, procedure)
    assert 'id="resulting-agreements"' in body and "höhere Punktzahl" not in body
    assert "höhere Punktzahl" in login_as("siegen").get(url).content.decode()


def test_call_list_and_export_hide_the_number_of_submissions_from_agencies(
    login_as, procedure: dict[str, Any]
) -> None:
    code = procedure["published"].code
    body = login_as("traeger").get("/partner/interessenbekundungen/").content.decode()
    row = body[body.index(f'id="call-{code}"') :]
    row = row[: row.index("</tr>")]
    assert ">2<" not in row.replace(" ", "").replace("\n", "")
    csv = login_as("traeger").get("/partner/interessenbekundungen/export.csv").content
    line = next(x for x in csv.decode("utf-8-sig").splitlines() if x.startswith(code))
    assert line.split(";")[13] == ""
    csv = login_as("siegen").get("/partner/interessenbekundungen/export.csv").content
    line = next(x for x in csv.decode("utf-8-sig").splitlines() if x.startswith(code))
    assert line.split(";")[13] == "2"


# --- bad input next to the field ---------------------------------------------------------------


def _create_data(**change: Any) -> dict[str, Any]:
    posts = _siegen_posts()[:2]
    data = {
        "issuer": _siegen().pk,
        "title": "Formularaufruf B2",
        "description": "Zwei Stellen im Fallmanagement.",
        "baustein": "B2",
        "area": "Stadt Siegen",
        "positions": [p.pk for p in posts],
        "period_start": "01.07.2027",
        "period_end": "31.12.2028",
        "funding_per_vze": "57.000,00",
        "top_up_per_vze": "12000",
        "deadline": "2027-03-31T12:00",
        "scale_max": "10",
        "min_evaluators": "2",
    }
    data.update(change)
    return data


@pytest.mark.parametrize(
    "field, change",
    [
        ("period_end", {"period_end": "30.06.2027"}),  # refused by the action
        ("funding_per_vze", {"funding_per_vze": "0"}),
        ("funding_per_vze", {"funding_per_vze": "viel"}),
        ("deadline", {"deadline": "31.02.2027"}),
        ("positions", {"positions": []}),
        ("positions", {"baustein": "B3"}),  # the posts belong to B2
        ("min_evaluators", {"min_evaluators": "1"}),  # four-eyes rule
    ],
)
def test_create_call_shows_errors_next_to_the_field(
    login_as, field: str, change: dict[str, Any]
) -> None:
    before = Call.objects.count()
    response = login_as("siegen").post(
        "/partner/interessenbekundungen/neu/", _create_data(**change)
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="id_{field}_error"' in body
    assert 'aria-invalid="true"' in body or 'kern-fieldset--error"' in body
    assert Call.objects.count() == before


def test_form_offers_only_the_users_posts(login_as) -> None:
    form = login_as("siegen").get("/partner/interessenbekundungen/neu/").context["form"]
    homes = {p.home_id for p in form.fields["positions"].queryset}
    assert homes == {_siegen().pk}
    assert [o.pk for o in form.fields["issuer"].queryset] == [_siegen().pk]
    assert form["issuer"].value() == _siegen().pk  # the only choice is preselected


def test_publication_after_the_deadline_is_refused(login_as) -> None:
    call = _call(publish=False)
    url = f"/partner/interessenbekundungen/{call.code}/veroeffentlichen/"
    response = login_as("siegen").post(url, {"published_on": "31.03.2027"})
    assert response.status_code == 200
    assert 'id="id_published_on_error"' in response.content.decode()
    call.refresh_from_db()
    assert (call.status, call.published_on) == (CallStatus.DRAFT, None)


def test_criteria_must_not_exceed_100_percent(login_as) -> None:
    call = _call(publish=False)
    call.criteria.all().delete()
    url = f"/partner/interessenbekundungen/{call.code}/kriterien/neu/"
    client = login_as("siegen")
    assert client.post(url, {"name": "Konzept", "weight": "70"}).status_code == 302
    response = client.post(url, {"name": "Personal", "weight": "40"})
    assert response.status_code == 200 and 'id="id_weight_error"' in response.content.decode()
    assert "30" in str(response.context["form"].errors["weight"])  # what is left
    assert [c.name for c in Criterion.objects.filter(call=call)] == ["Konzept"]
    response = client.post(url, {"name": "konzept", "weight": "10"})
    assert 'id="id_name_error"' in response.content.decode()


def test_scores_outside_the_scale(
    login_as, procedure: dict[str, Any], after_deadline: None
) -> None:
    submission = procedure["own"]
    first, second = submission.call.criteria.all()
    url = f"/partner/bewerbungen/{submission.code}/bewerten/"
    client = login_as("admin")  # has not scored yet
    before = Score.objects.count()
    response = client.post(url, {f"points_{first.pk}": "11", f"points_{second.pk}": "-1"})
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="id_points_{first.pk}_error"' in body
    assert f'id="id_points_{second.pk}_error"' in body
    assert "10" in str(response.context["form"].errors[f"points_{first.pk}"])
    response = client.post(url, {f"points_{first.pk}": "5"})  # one missing
    assert f'id="id_points_{second.pk}_error"' in response.content.decode()
    assert Score.objects.count() == before
    response = client.post(
        url,
        {f"points_{first.pk}": "5", f"points_{second.pk}": "10", f"comment_{first.pk}": "gut"},
    )
    assert response.status_code == 302
    assert Score.objects.count() == before + 2


def test_scores_are_prefilled_with_the_own_earlier_points(
    login_as, procedure: dict[str, Any], after_deadline: None
) -> None:
    submission = procedure["own"]
    first, second = submission.call.criteria.all()
    form = (
        login_as("siegen").get(f"/partner/bewerbungen/{submission.code}/bewerten/").context["form"]
    )
    assert (form[f"points_{first.pk}"].value(), form[f"points_{second.pk}"].value()) == (9, 8)


def test_scoring_waits_for_the_deadline(login_as, procedure: dict[str, Any]) -> None:
    url = f"/partner/bewerbungen/{procedure['own'].code}/bewerten/"
    first = procedure["published"].criteria.first()
    with time_machine.travel(BEFORE, tick=False):
        client = login_as("admin")
        response = client.get(url)
        assert response.status_code == 200
        body = response.content.decode()
        assert 'id="step-notice"' in body and "31.03.2027 12:00" in body
        assert f'name="points_{first.pk}"' not in body
        assert client.post(url, {f"points_{first.pk}": "5"}).status_code == 200
    assert not Score.objects.filter(evaluator__username="admin").exists()


def _submission_data(**change: Any) -> dict[str, Any]:
    data = {
        "traeger": _org(name=BRUECKE).pk,
        "vze_offered": "1,5",
        "summary": "Formularkonzept: zwei Fachkräfte.",
    }
    data.update(change)
    return data


def test_traeger_submits_with_the_own_agency_preselected(login_as, media: Path) -> None:
    call = _call()
    url = f"/partner/interessenbekundungen/{call.code}/bewerbungen/neu/"
    with time_machine.travel(BEFORE, tick=False):
        client = login_as("traeger")
        form = client.get(url).context["form"]
        assert "submitted_at" not in form.fields  # received now, not back-dated
        assert [o.name for o in form.fields["traeger"].queryset] == [BRUECKE]
        assert form["traeger"].value() == _org(name=BRUECKE).pk
        data = _submission_data(
            traeger=_org(name=LEBENSWEGE).pk,  # not theirs: not a choice
            submitted_at="2027-03-02T08:00",  # ignored: not a field for them
        )
        response = client.post(url, data)
        assert 'id="id_traeger_error"' in response.content.decode()
        response = client.post(url, {**_submission_data(), "submitted_at": "2027-03-02T08:00"})
    submission = Submission.objects.get(call=call)
    assert response.status_code == 302
    assert response["Location"] == f"/partner/bewerbungen/{submission.code}/"
    assert (submission.traeger.name, submission.vze_offered) == (BRUECKE, Decimal("1.50"))
    assert submission.submitted_at == BEFORE
    assert AuditEvent.objects.filter(
        event_type=EventType.SUBMISSION_RECEIVED, subject_code=submission.code
    ).exists()


def test_submissions_after_the_deadline_are_refused(login_as, media: Path) -> None:
    call = _call()
    url = f"/partner/interessenbekundungen/{call.code}/bewerbungen/neu/"
    with time_machine.travel(AFTER, tick=False):
        client = login_as("traeger")
        body = client.get(url).content.decode()
        assert 'id="step-notice"' in body and "<textarea" not in body
        response = client.post(url, _submission_data())
        assert response.status_code == 200 and 'id="step-notice"' in response.content.decode()
        # Coordination records a paper submission: the time of receipt decides.
        client = login_as("koordination")
        late = _submission_data(submitted_at="2027-03-31T12:01")
        response = client.post(url, late)
        assert 'id="id_submitted_at_error"' in response.content.decode()
        assert not Submission.objects.filter(call=call).exists()
        future = _submission_data(submitted_at="2027-04-08T09:00")
        response = client.post(url, future)
        assert 'id="id_submitted_at_error"' in response.content.decode()
        in_time = _submission_data(submitted_at="2027-03-31T11:59")
        assert client.post(url, in_time).status_code == 302
    received = Submission.objects.get(call=call).submitted_at
    assert received == dt.datetime(2027, 3, 31, 11, 59, tzinfo=TZ)


BAD_UPLOADS = {
    "type": ("konzept.txt", b"Nur Text"),
    "content": ("konzept.pdf", b"MZ\x90\x00 renamed executable"),
    "size": ("gross.pdf", b"%PDF-1.4\n" + b"0" * uploads.MAX_BYTES),
}


@pytest.mark.parametrize("code", list(BAD_UPLOADS))
def test_bad_documents_are_refused_and_nothing_is_half_saved(
    login_as, media: Path, code: str
) -> None:
    call = _call()
    name, content = BAD_UPLOADS[code]
    with time_machine.travel(BEFORE, tick=False):
        response = login_as("traeger").post(
            f"/partner/interessenbekundungen/{call.code}/bewerbungen/neu/",
            {**_submission_data(), "document": SimpleUploadedFile(name, content)},
        )
    assert response.status_code == 200
    assert 'id="id_document_error"' in response.content.decode()
    assert [e.code for e in response.context["form"].errors.as_data()["document"]] == [code]
    assert not Submission.objects.filter(call=call).exists()
    assert [p for p in media.rglob("*") if p.is_file()] == []


def test_document_added_later_and_downloaded_with_an_audit_event(
    login_as, procedure: dict[str, Any]
) -> None:
    submission = procedure["own"]
    url = f"/partner/bewerbungen/{submission.code}/dokumente/neu/"
    client = login_as("traeger")
    response = client.post(url, {"file": SimpleUploadedFile("gross.pdf", b"%PDF-" + b"0" * 11**7)})
    assert response.status_code == 200 and 'id="id_file_error"' in response.content.decode()
    response = client.post(url, {"file": SimpleUploadedFile("Nachtrag.pdf", PDF_BYTES)})
    assert response.status_code == 302
    document = SubmissionDocument.objects.get(submission=submission, original_name="Nachtrag.pdf")
    response = client.get(f"/partner/bewerbungsdokumente/{document.code}/")
    assert response["Content-Disposition"] == 'attachment; filename="Nachtrag.pdf"'
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == PDF_BYTES
    event = AuditEvent.objects.get(event_type=EventType.SUBMISSION_DOCUMENT_READ)
    assert (event.actor_username, event.subject_code) == ("traeger", submission.code)
    assert event.extra == {"document": document.code}


def test_withdraw_asks_first_then_withdraws(login_as, procedure: dict[str, Any]) -> None:
    submission = procedure["own"]
    url = f"/partner/bewerbungen/{submission.code}/zurueckziehen/"
    client = login_as("traeger")
    body = client.get(url).content.decode()
    assert '<form method="post"' in body
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.SUBMITTED
    assert client.post(url).status_code == 302
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.WITHDRAWN
    assert 'id="step-notice"' in client.get(url).content.decode()  # already withdrawn


# --- the whole procedure through the forms -----------------------------------------------------


def test_call_from_creation_to_award(login_as, media: Path) -> None:
    posts = _siegen_posts()[:2]
    with time_machine.travel(dt.datetime(2027, 2, 20, 9, 0, tzinfo=TZ), tick=False):
        lead = login_as("siegen")
        response = lead.post("/partner/interessenbekundungen/neu/", _create_data())
        call = Call.objects.get(title="Formularaufruf B2")
        base = f"/partner/interessenbekundungen/{call.code}"
        assert response["Location"] == f"{base}/"
        assert (call.funding_per_vze, call.top_up_per_vze) == (Decimal(57000), Decimal(12000))
        assert call.deadline == DEADLINE and set(call.positions.all()) == set(posts)
        for name, weight in (("Fachliches Konzept", "60"), ("Personalgewinnung", "40")):
            assert (
                lead.post(f"{base}/kriterien/neu/", {"name": name, "weight": weight}).status_code
                == 302
            )
        body = lead.get(f"{base}/").content.decode()
        assert 'id="weights"' in body and "<strong>100</strong>" in body
        assert "2,00" in body[body.index('id="total-vze"') :]
        response = lead.post(f"{base}/veroeffentlichen/", {"published_on": "01.03.2027"})
        assert response.status_code == 302
    with time_machine.travel(BEFORE, tick=False):
        response = login_as("traeger").post(
            f"{base}/bewerbungen/neu/",
            {
                **_submission_data(vze_offered="2.00"),
                "document": SimpleUploadedFile("Konzept Brücke.pdf", PDF_BYTES),
            },
        )
        assert response.status_code == 302
        response = login_as("koordination").post(
            f"{base}/bewerbungen/neu/",
            _submission_data(
                traeger=_org(name=LEBENSWEGE).pk,
                vze_offered="1",
                submitted_at="2027-03-14T16:30",
            ),
        )
        assert response.status_code == 302
    own = Submission.objects.get(call=call, traeger__name=BRUECKE)
    rival = Submission.objects.get(call=call, traeger__name=LEBENSWEGE)
    assert own.documents.count() == 1
    first, second = call.criteria.all()
    with time_machine.travel(AFTER, tick=False):
        for who, own_points, rival_points in (
            ("koordination", (8, 7), (6, 5)),
            ("siegen", (9, 8), (7, 4)),
        ):
            client = login_as(who)
            for submission, (a, b) in ((own, own_points), (rival, rival_points)):
                response = client.post(
                    f"/partner/bewerbungen/{submission.code}/bewerten/",
                    {f"points_{first.pk}": a, f"points_{second.pk}": b},
                )
                assert response.status_code == 302, (who, submission)
            if who == "koordination":  # one evaluator is not enough
                decision = {
                    "decision": "award",
                    "decision_reason": "Höchste Punktzahl und zwei Stellen angeboten.",
                    "decided_on": "07.04.2027",
                    "decided_by": "Ratsbeschluss (Test)",
                    **{f"award_{p.code}": own.code for p in posts},
                }
                response = login_as("siegen").post(f"{base}/entscheidung/", decision)
                body = response.content.decode()
                assert response.status_code == 200 and "kern-alert--danger" in body
                assert 'id="four-eyes"' in body and "Lebenswege" in body
                call.refresh_from_db()
                assert call.status == CallStatus.PUBLISHED
        lead = login_as("siegen")
        body = lead.get(f"{base}/").content.decode()
        assert "(8 + 9) / 2 = 8,50 × 60 % = 5,10" in body
        assert "5,10 + 3,00 = 8,10" in body and "81,00 %" in body
        assert body.index(f'id="rank-{own.code}"') < body.index(f'id="rank-{rival.code}"')
        assert "kern-alert--success" in body[body.index('id="four-eyes"') - 60 :]
        # A partial award of both posts is refused next to the posts; then the award.
        response = lead.post(f"{base}/entscheidung/", {**decision, "decision": "partial"})
        assert "kern-alert--danger" in response.content.decode()
        response = lead.post(f"{base}/entscheidung/", decision)
        assert response.status_code == 302
    call.refresh_from_db()
    own.refresh_from_db()
    rival.refresh_from_db()
    assert (call.status, call.decision, call.decided_on) == (
        CallStatus.DECIDED,
        "award",
        dt.date(2027, 4, 7),
    )
    assert (own.status, rival.status) == (SubmissionStatus.AWARDED, SubmissionStatus.NOT_AWARDED)
    agreement = own.agreement
    assert isinstance(agreement, Agreement)
    assert (agreement.grantor, agreement.recipient.name) == (_siegen(), BRUECKE)
    assert set(agreement.positions.all()) == set(posts)
    assert [(a.year, a.amount, a.top_up) for a in agreement.amounts.order_by("year")] == [
        (2027, Decimal("57000.00"), Decimal("12000.00")),  # 2 VZÄ × 6 months
        (2028, Decimal("114000.00"), Decimal("24000.00")),
    ]
    for post in posts:
        post.refresh_from_db()
        assert (post.employer_type, post.home.name) == ("traeger", BRUECKE)
        assert StaffingDecision.objects.filter(position=post, traeger=own.traeger).exists()
    assert AuditEvent.objects.filter(
        event_type=EventType.CALL_DECIDED, subject_code=call.code
    ).exists()
    body = login_as("traeger").get(f"{base}/").content.decode()
    assert f'href="/partner/vereinbarungen/{agreement.code}/"' in body
    assert "Lebenswege" not in body
    brucke = own.traeger
    timeline = login_as("traeger").get(f"/partner/traeger/{brucke.code}/").context["timeline"]
    assert own in timeline.submissions


# --- the Träger page ------------------------------------------------------------------------


def test_traeger_page_lists_the_calls_with_decision_and_agreement(
    login_as, procedure: dict[str, Any]
) -> None:
    own = procedure["own"]
    brucke, lebenswege = own.traeger, procedure["rival"].traeger
    calls.decide_call(
        procedure["published"],
        acting_user=_user("siegen"),
        decision="award",
        reason="Test",
        decided_on=dt.date(2027, 4, 7),
        awards={p: own for p in procedure["published"].positions.all()},
        now=AFTER,
    )
    own.refresh_from_db()
    for persona in ("koordination", "siegen", "traeger"):
        response = login_as(persona).get(f"/partner/traeger/{brucke.code}/")
        assert own in response.context["timeline"].submissions, persona
        body = response.content.decode()
        section = body[body.index('id="h-calls"') : body.index('id="h-agreements"')]
        assert procedure["published"].title in section
        assert f'href="/partner/vereinbarungen/{own.agreement.code}/"' in section
    # The town's team lead reads the agency's page, but no calls.
    response = login_as("teamlead-siegen").get(f"/partner/traeger/{brucke.code}/")
    assert response.context["timeline"].submissions == []
    # Coordination sees the competitor's page with its submission; the agency cannot open it.
    response = login_as("koordination").get(f"/partner/traeger/{lebenswege.code}/")
    assert procedure["rival"] in response.context["timeline"].submissions


# --- exports ------------------------------------------------------------------------------------


def test_call_export_follows_the_filters(login_as, procedure: dict[str, Any]) -> None:
    client = login_as("koordination")
    response = client.get("/partner/interessenbekundungen/export.xlsx", {"status": "published"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith(
        'attachment; filename="interessenbekundungen-'
    )
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    codes = [row[0] for row in rows[1:]]
    assert procedure["published"].code in codes and procedure["draft"].code not in codes
    row = rows[1 + codes.index(procedure["published"].code)]
    assert row[7] == dt.datetime(2027, 3, 31, 12, 0)  # local time, as a date and time
    assert (row[10], row[11], row[13]) == (2.0, 57000.0, 2)
    csv = client.get("/partner/interessenbekundungen/export.csv", {"q": "Testentwurf"})
    text = csv.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Code;") and procedure["draft"].code in text
    assert procedure["published"].code not in text
    assert (
        AuditEvent.objects.filter(
            event_type=EventType.EXPORT_DOWNLOADED, subject_type="partners.calls"
        ).count()
        == 2
    )
    assert client.get("/partner/interessenbekundungen/export.pdf").status_code == 404


def test_call_list_filters_with_htmx(login_as, procedure: dict[str, Any]) -> None:
    client = login_as("koordination")
    response = client.get(
        "/partner/interessenbekundungen/",
        {"status": "draft", "year": "2027"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert "<html" not in body
    assert f'id="call-{procedure["draft"].code}"' in body
    assert f'id="call-{procedure["published"].code}"' not in body
    response = client.get("/partner/interessenbekundungen/", {"year": "2030"})
    assert response.context["calls"] == []
    assert 'id="call-empty"' in response.content.decode()


def test_empty_list_invites_to_start_a_call(stranger: Client) -> None:
    body = stranger.get("/partner/interessenbekundungen/").content.decode()
    assert 'id="call-empty"' in body and "kern-alert--info" in body
    assert 'href="/partner/interessenbekundungen/neu/"' in body


@pytest.mark.parametrize("persona", ["koordination", "teamlead-siegen"])
def test_talk_log_links_the_calls_for_those_who_may_use_them(login_as, persona: str) -> None:
    body = login_as(persona).get("/partner/gespraeche/").content.decode()
    assert ('href="/partner/interessenbekundungen/"' in body) == (persona == "koordination")
    if persona == "koordination":
        body = login_as(persona).get("/partner/vereinbarungen/").content.decode()
        assert 'href="/partner/interessenbekundungen/"' in body


# --- query counts -----------------------------------------------------------------------------


def _agencies(count: int) -> list[Organisation]:
    kreis = _kreis()
    return [
        create_organisation(
            acting_user=None, kind="traeger", name=f"Testträger {n} (Demo)", region=kreis
        )
        for n in range(count)
    ]


def _busy_call(agencies: list[Organisation]) -> Call:
    call = _call()
    for agency in agencies:
        submission = _submit(call, agency, "1.00")
        _score(submission, "koordination", [5, 6])
        _score(submission, "siegen", [7, 8])
    return call


def test_call_list_query_count(login_as, media: Path, django_assert_max_num_queries) -> None:
    agencies = _agencies(2)
    for post in _free_posts(region=_kreis())[3:7]:
        call = _call(by="koordination", posts=[post], title=f"Testaufruf {post.title}")
        for agency in agencies:
            _submit(call, agency, str(post.vze))
    client = login_as("koordination")
    with django_assert_max_num_queries(7):
        response = client.get("/partner/interessenbekundungen/")
    assert len(response.context["calls"]) >= 4
    with django_assert_max_num_queries(11):  # plus the audit event of the export
        client.get("/partner/interessenbekundungen/export.xlsx")


@pytest.mark.parametrize("count", [2, 8])
def test_call_detail_query_count(
    login_as, media: Path, after_deadline: None, django_assert_max_num_queries, count: int
) -> None:
    call = _busy_call(_agencies(count))
    client, agency = login_as("koordination"), login_as("traeger")
    with django_assert_max_num_queries(11):
        response = client.get(f"/partner/interessenbekundungen/{call.code}/")
    body = response.content.decode()
    assert body.count('id="rank-') == count and body.count('id="submission-') == count
    with django_assert_max_num_queries(8):
        agency.get(f"/partner/interessenbekundungen/{call.code}/")
    with django_assert_max_num_queries(10):
        response = client.get(f"/partner/interessenbekundungen/{call.code}/entscheidung/")
    assert len(response.context["form"].award_fields) == 2
    submission = call.submissions.first()
    with django_assert_max_num_queries(9):
        client.get(f"/partner/bewerbungen/{submission.code}/")
    with django_assert_max_num_queries(8):
        client.get(f"/partner/bewerbungen/{submission.code}/bewerten/")
