"""The OParl 1.1 API: every object type validates against the official JSON schemas (vendored in
``oparl_schema/``), lists follow the OParl list format with pagination and filters, only
public records appear, files are served through accessUrl/downloadUrl, and the lists' query
counts do not grow with the number of rows.

The schemas declare no ``additionalProperties: false`` and use the non-standard format "url",
so the validation here is stricter than plain JSON Schema: unknown keys fail, URLs must be
absolute http(s) URLs, dates and date-times must parse (date-times with an offset), and
embedded objects (a meeting's agenda items, a paper's files and consultations) are validated
against their own schema.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import time_machine
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from jsonschema import Draft7Validator, FormatChecker
from jsonschema.exceptions import ValidationError as SchemaError

from kim.council import actions
from kim.council.demo import DEMO_MOTION_REFERENCE
from kim.council.models import Body, Paper
from kim.council.tests import factories as f

pytestmark = pytest.mark.django_db

SCHEMA_DIR = Path(__file__).parent / "oparl_schema"
ROOT = "http://testserver/oparl/v1/"
CHECKER = FormatChecker(formats=())


@CHECKER.checks("url")
def _is_url(value: object) -> bool:
    parts = urlsplit(str(value))
    return parts.scheme in ("http", "https") and bool(parts.netloc)


@CHECKER.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    dt.date.fromisoformat(str(value))
    return len(str(value)) == 10


@CHECKER.checks("date-time", raises=ValueError)
def _is_datetime(value: object) -> bool:
    return dt.datetime.fromisoformat(str(value)).tzinfo is not None


@cache
def _schema(type_name: str) -> dict[str, Any]:
    return json.loads((SCHEMA_DIR / f"{type_name}.json").read_text(encoding="utf-8"))


def validate(obj: dict[str, Any], type_name: str) -> None:
    """Validate one object and, recursively, every object it embeds."""
    schema = _schema(type_name)
    Draft7Validator(schema, format_checker=CHECKER).validate(obj)
    assert obj["type"] == f"https://schema.oparl.org/1.1/{type_name}"
    unknown = set(obj) - set(schema["properties"])
    assert not unknown, f"{type_name}: keys outside the schema: {unknown}"
    for key, prop in schema["properties"].items():
        if key not in obj:
            continue
        if prop.get("type") == "object" and "schema" in prop:
            validate(obj[key], prop["schema"].removesuffix(".json"))
        items = prop.get("items", {})
        if prop.get("type") == "array" and items.get("type") == "object":
            for item in obj[key]:
                validate(item, items["schema"].removesuffix(".json"))


def _get(client: Client, url: str, **params: Any) -> dict[str, Any]:
    response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    assert response["Access-Control-Allow-Origin"] == "*"
    return response.json()


def _list(client: Client, url: str, **params: Any) -> dict[str, Any]:
    page = _get(client, url, **params)
    assert set(page) == {"data", "pagination", "links"}
    assert set(page["pagination"]) == {
        "totalElements",
        "elementsPerPage",
        "currentPage",
        "totalPages",
    }
    return page


def _siegen_url(client: Client, kind: str) -> str:
    body = _get(client, f"{ROOT}bodies/{f.siegen().code}/")
    return body[kind]


@pytest.fixture
def public_world() -> dict[str, Any]:
    """Beside the demo motion: a released paper with a main file, an attachment and a
    consultation in a public meeting under a public agenda item, a draft with a file, a
    non-public meeting, and a non-public agenda item in the public meeting."""
    body = f.siegen()
    meeting = f.new_meeting(body, name="Öffentliche Testsitzung", end=f.at(dt.date(2026, 3, 4), 19))
    item = actions.add_agenda_item(meeting, acting_user=None, number="3", name="Sachstand KIM")
    secret_item = actions.add_agenda_item(
        meeting, acting_user=None, number="9", name="Personalangelegenheit", public=False
    )
    report = actions.create_paper(
        body,
        acting_user=None,
        reference="V-10/2026",
        date=dt.date(2026, 2, 20),
        paper_type="mitteilungsvorlage",
        name="Sachstand Kommunales Integrationsmanagement",
        department=f.org(body, "Sozialamt"),
        related=[Paper.objects.get(reference=DEMO_MOTION_REFERENCE)],
    )
    actions.add_consultation(
        report,
        acting_user=None,
        role="kenntnisnahme",
        agenda_item=item,
        organization=f.committee(body),
    )
    actions.attach_file(report, acting_user=None, checked=f.pdf("vorlage.pdf"), role="main")
    actions.attach_file(report, acting_user=None, checked=f.pdf("anlage.pdf"), role="auxiliary")
    actions.release_paper(report, acting_user=None)
    draft = f.new_motion(body)
    draft_file = actions.attach_file(draft, acting_user=None, checked=f.pdf(), role="main")
    hidden = f.new_meeting(body, name="Nichtöffentliche Sitzung", public=False)
    return {
        "meeting": meeting,
        "item": item,
        "secret_item": secret_item,
        "report": Paper.objects.get(pk=report.pk),
        "draft": draft,
        "draft_file": draft_file,
        "hidden": hidden,
    }


# --- schema validation --------------------------------------------------------------------------


def test_system_and_bodies_validate(client: Client) -> None:
    system = _get(client, ROOT)
    validate(system, "System")
    assert system["id"] == ROOT and system["oparlVersion"] == "https://schema.oparl.org/1.1/"
    bodies = _list(client, system["body"])
    for body in bodies["data"]:
        validate(body, "Body")
    siegen = next(b for b in bodies["data"] if b["ags"] == "05970040")
    assert siegen["name"] == "Stadt Siegen"
    assert _get(client, siegen["id"]) == siegen


LISTS = {
    "organization": "Organization",
    "meeting": "Meeting",
    "paper": "Paper",
    "agendaItem": "AgendaItem",
    "consultation": "Consultation",
    "file": "File",
}


@pytest.mark.parametrize(("kind", "type_name"), LISTS.items())
def test_every_object_of_every_list_validates(
    client: Client, public_world: dict[str, Any], kind: str, type_name: str
) -> None:
    page = _list(client, _siegen_url(client, kind), elementsPerPage="100")
    assert page["data"], kind
    for obj in page["data"]:
        validate(obj, type_name)
        assert _get(client, obj["id"]) == obj  # every id resolves to the same object


def test_empty_person_list(client: Client) -> None:
    page = _list(client, _siegen_url(client, "person"))
    assert page["data"] == [] and page["pagination"]["totalElements"] == 0


def test_paper_embeds_files_and_consultation(client: Client, public_world: dict[str, Any]) -> None:
    report = public_world["report"]
    paper = _get(client, f"{ROOT}papers/{report.code}/")
    validate(paper, "Paper")
    assert (paper["reference"], paper["paperType"]) == ("V-10/2026", "Mitteilungsvorlage")
    assert paper["mainFile"]["fileName"] == "vorlage.pdf"
    assert [a["fileName"] for a in paper["auxiliaryFile"]] == ["anlage.pdf"]
    [consultation] = paper["consultation"]
    assert consultation["role"] == "Kenntnisnahme" and consultation["authoritative"] is False
    assert consultation["agendaItem"] == f"{ROOT}agenda-items/{public_world['item'].code}/"
    assert consultation["meeting"] == f"{ROOT}meetings/{public_world['meeting'].code}/"
    demo = Paper.objects.get(reference=DEMO_MOTION_REFERENCE)
    assert paper["relatedPaper"] == [f"{ROOT}papers/{demo.code}/"]
    assert paper["underDirectionOf"] == [
        f"{ROOT}organizations/{f.org(f.siegen(), 'Sozialamt').code}/"
    ]


def test_the_demo_motion_is_published(client: Client) -> None:
    demo = Paper.objects.get(reference=DEMO_MOTION_REFERENCE)
    paper = _get(client, f"{ROOT}papers/{demo.code}/")
    validate(paper, "Paper")
    assert paper["paperType"] == "Antrag" and paper["date"] == "2022-08-19"
    originators = {_get(client, url)["shortName"] for url in paper["originatorOrganization"]}
    assert originators == {"CDU", "SPD"}
    [consultation] = paper["consultation"]
    meeting = _get(client, consultation["meeting"])
    assert meeting["start"] == "2022-09-07T17:00:00+02:00"
    assert consultation["role"] == "Entscheidung"
    assert paper["mainFile"]["mimeType"] == "application/pdf"


def test_meeting_embeds_public_agenda_items_only(
    client: Client, public_world: dict[str, Any]
) -> None:
    meeting = _get(client, f"{ROOT}meetings/{public_world['meeting'].code}/")
    validate(meeting, "Meeting")
    assert [i["number"] for i in meeting["agendaItem"]] == ["3"]
    assert meeting["agendaItem"][0]["consultation"].startswith(f"{ROOT}consultations/")
    assert meeting["meetingState"] == "terminiert" and meeting["cancelled"] is False


# --- only what is public ------------------------------------------------------------------------


def test_drafts_and_non_public_records_stay_hidden(
    client: Client, public_world: dict[str, Any]
) -> None:
    draft, hidden = public_world["draft"], public_world["hidden"]
    secret, draft_file = public_world["secret_item"], public_world["draft_file"]
    for url in (
        f"{ROOT}papers/{draft.code}/",
        f"{ROOT}consultations/{draft.consultations.get().code}/",
        f"{ROOT}files/{draft_file.code}/",
        f"{ROOT}files/{draft_file.code}/access",
        f"{ROOT}files/{draft_file.code}/download",
        f"{ROOT}meetings/{hidden.code}/",
        f"{ROOT}agenda-items/{secret.code}/",
    ):
        assert client.get(url).status_code == 404, url
    everything = json.dumps(
        [_list(client, _siegen_url(client, kind), elementsPerPage="100")["data"] for kind in LISTS]
    )
    for code in (draft.code, draft_file.code, hidden.code, secret.code):
        assert code not in everything
    # The same draft appears once released (shared setup, other outcome).
    actions.release_paper(draft, acting_user=None)
    assert client.get(f"{ROOT}papers/{draft.code}/").status_code == 200
    assert client.get(f"{ROOT}files/{draft_file.code}/access").status_code == 200


def test_a_consultation_in_a_non_public_meeting_does_not_link_it(
    client: Client, public_world: dict[str, Any]
) -> None:
    report = public_world["report"]
    consultation = actions.add_consultation(
        report, acting_user=None, role="vorberatung", meeting=public_world["hidden"]
    )
    data = _get(client, f"{ROOT}consultations/{consultation.code}/")
    validate(data, "Consultation")
    assert "meeting" not in data and "agendaItem" not in data


def test_a_logged_in_user_gets_the_same_public_view(login_as) -> None:
    assert login_as("rat").get(ROOT).status_code == 200
    assert login_as("siegen").get(f"{ROOT}bodies/").status_code == 200
    # A staff session without a second factor is not diverted to the MFA set-up here …
    with override_settings(KIM_REQUIRE_MFA=True):
        assert login_as("siegen").get(f"{ROOT}bodies/").status_code == 200
        # … while the staff pages are (same user, same setting).
        assert login_as("siegen").get("/rat/antraege/").status_code == 302


# --- files --------------------------------------------------------------------------------------


def test_access_url_inline_and_download_url_attachment(
    client: Client, public_world: dict[str, Any]
) -> None:
    main = public_world["report"].files.get(role="main")
    data = _get(client, f"{ROOT}files/{main.code}/")
    access = client.get(data["accessUrl"])
    assert access.status_code == 200
    assert b"".join(access.streaming_content) == f.PDF_BYTES
    assert not access.get("Content-Disposition", "").startswith("attachment")
    download = client.get(data["downloadUrl"])
    assert download["Content-Disposition"] == 'attachment; filename="vorlage.pdf"'
    assert data["size"] == len(f.PDF_BYTES) and len(data["sha512Checksum"]) == 128


# --- pagination and filters ---------------------------------------------------------------------


def _released_papers(n: int, start: dt.datetime) -> list[Paper]:
    papers = []
    for i in range(n):
        with time_machine.travel(start + dt.timedelta(days=i), tick=False):
            papers.append(f.new_motion(reference=f"P-{i}/2026", release=True))
    return papers


def test_pagination_links(client: Client) -> None:
    _released_papers(5, dt.datetime(2026, 1, 1, 9, tzinfo=dt.UTC))
    url = _siegen_url(client, "paper")
    total = Paper.objects.filter(body=f.siegen(), released=True).count()
    first = _list(client, url, elementsPerPage="2")
    pages = -(-total // 2)
    assert first["pagination"] == {
        "totalElements": total,
        "elementsPerPage": 2,
        "currentPage": 1,
        "totalPages": pages,
    }
    assert set(first["links"]) == {"first", "self", "next", "last"}
    assert first["links"]["next"] == f"{url}?elementsPerPage=2&page=2"
    seen, page = [], first
    while True:
        seen += [p["id"] for p in page["data"]]
        if "next" not in page["links"]:
            break
        page = _get(client, page["links"]["next"])
        assert page["links"]["prev"]
    assert len(seen) == len(set(seen)) == total  # stable order, nothing twice, nothing lost
    assert page["links"]["self"] == page["links"]["last"]
    assert client.get(url, {"page": str(pages + 1), "elementsPerPage": "2"}).status_code == 404


@pytest.mark.parametrize("params", [{"page": "0"}, {"page": "x"}, {"elementsPerPage": "-1"}])
def test_bad_list_parameters_are_400(client: Client, params: dict[str, str]) -> None:
    response = client.get(_siegen_url(client, "paper"), params)
    assert response.status_code == 400
    assert "error" in response.json()


def test_page_size_is_bounded(client: Client) -> None:
    page = _list(client, _siegen_url(client, "paper"), elementsPerPage="100000")
    assert page["pagination"]["elementsPerPage"] == 100


def test_modified_since_and_until(client: Client) -> None:
    old, mid, new = _released_papers(3, dt.datetime(2030, 1, 1, 9, tzinfo=dt.UTC))
    url = _siegen_url(client, "paper")
    since = _list(client, url, modified_since="2030-01-02T00:00:00+00:00")
    assert [p["reference"] for p in since["data"]] == [mid.reference, new.reference]
    # The filter stays in the page links (OParl: filters persist across pages).
    assert "modified_since=2030-01-02T00%3A00%3A00%2B00%3A00" in since["links"]["self"]
    until = _list(
        client,
        url,
        modified_since="2030-01-01T00:00:00+00:00",
        modified_until="2030-01-02T12:00:00+00:00",
    )
    assert [p["reference"] for p in until["data"]] == [old.reference, mid.reference]
    # A later change (a new file) moves the paper's modified time.
    with time_machine.travel(dt.datetime(2030, 2, 1, 9, tzinfo=dt.UTC), tick=False):
        actions.attach_file(old, acting_user=None, checked=f.pdf(), role="main")
    recent = _list(client, url, modified_since="2030-01-15T00:00:00+01:00")
    assert [p["reference"] for p in recent["data"]] == [old.reference]


def test_created_since_and_unencoded_plus(client: Client) -> None:
    _released_papers(2, dt.datetime(2031, 5, 1, 9, tzinfo=dt.UTC))
    url = _siegen_url(client, "paper")
    # "+02:00" sent unencoded arrives as " 02:00"; it is read as the offset it meant.
    response = client.get(f"{url}?created_since=2031-05-02T00:00:00+02:00")
    assert [p["reference"] for p in response.json()["data"]] == ["P-1/2026"]
    assert client.get(url, {"created_since": "2031-05-02"}).status_code == 400
    assert client.get(url, {"modified_until": "gestern"}).status_code == 400


@pytest.mark.parametrize(
    "params",
    [
        {"created_since": "0001-01-01T00:00:00+05:00"},
        {"modified_until": "9999-12-31T23:59:59-05:00"},
        {"modified_since": "1899-12-31T00:00:00+00:00"},
        {"created_until": "2031-02-30T00:00:00+00:00"},
    ],
)
def test_implausible_filter_times_are_400(client: Client, params: dict[str, str]) -> None:
    """Year 1 with an offset overflowed when converted to UTC: an anonymous HTTP 500."""
    for url in ("/oparl/v1/bodies/", _siegen_url(client, "paper")):
        response = client.get(url, params)
        assert response.status_code == 400
        assert next(iter(params)) in response.json()["error"]


def test_filters_apply_to_every_list(client: Client, public_world: dict[str, Any]) -> None:
    future = "2099-01-01T00:00:00+00:00"
    for kind in LISTS:
        page = _list(client, _siegen_url(client, kind), modified_since=future)
        assert page["data"] == [] and page["pagination"]["totalElements"] == 0, kind


# --- query counts -------------------------------------------------------------------------------


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("kind", list(LISTS))
def test_list_query_counts_do_not_grow(
    client: Client, public_world: dict[str, Any], kind: str, django_assert_max_num_queries
) -> None:
    url = _siegen_url(client, kind)
    with django_assert_max_num_queries(8):
        client.get(url)
    before = _queries(client, url)
    body = f.siegen()
    for n in range(3):
        paper = f.new_motion(body, reference=f"QC-{n}/2026", release=True)
        actions.attach_file(paper, acting_user=None, checked=f.pdf(), role="main")
        meeting = f.new_meeting(body, start=f.at(dt.date(2026, 6, n + 1)))
        item = actions.add_agenda_item(meeting, acting_user=None, number="1", name="Punkt")
        actions.add_consultation(paper, acting_user=None, role="vorberatung", agenda_item=item)
        actions.create_organization(body, acting_user=None, name=f"Beirat {n}", kind="committee")
    assert _queries(client, url) == before


def test_body_list_query_count(client: Client, django_assert_max_num_queries) -> None:
    with django_assert_max_num_queries(3):
        client.get(f"{ROOT}bodies/")
    before = _queries(client, f"{ROOT}bodies/")
    f.kreuztal_body()
    assert _queries(client, f"{ROOT}bodies/") == before
    assert Body.objects.count() == 2


@pytest.mark.parametrize(
    "broken",
    [
        {"id": "/oparl/v1/files/x/", "accessUrl": ROOT + "files/x/access"},  # relative id
        {"id": ROOT + "files/x/"},  # accessUrl is required
        {"id": ROOT + "files/x/", "accessUrl": ROOT + "a", "date": "07.09.2022"},
        {"id": ROOT + "files/x/", "accessUrl": ROOT + "a", "created": "2022-09-07T17:00:00"},
        {"id": ROOT + "files/x/", "accessUrl": ROOT + "a", "fileSize": 3},  # unknown key
    ],
)
def test_the_validation_is_strict(broken: dict[str, Any]) -> None:
    """The checks above would catch a wrong export (guards against a silent validator)."""
    obj = {"type": "https://schema.oparl.org/1.1/File", **broken}
    with pytest.raises((AssertionError, SchemaError)):
        validate(obj, "File")


def test_the_released_demo_report_is_published_with_its_pdf(client: Client) -> None:
    """The answer to the demo motion: a released Mitteilungsvorlage with the frozen PDF."""
    from kim.council.demo import DEMO_REPORT_REFERENCE

    report = Paper.objects.get(reference=DEMO_REPORT_REFERENCE)
    papers = _list(client, _siegen_url(client, "paper"))
    assert f"{ROOT}papers/{report.code}/" in {p["id"] for p in papers["data"]}
    paper = _get(client, f"{ROOT}papers/{report.code}/")
    validate(paper, "Paper")
    assert paper["paperType"] == "Mitteilungsvorlage"
    motion = Paper.objects.get(reference=DEMO_MOTION_REFERENCE)
    assert paper["relatedPaper"] == [f"{ROOT}papers/{motion.code}/"]
    [consultation] = paper["consultation"]
    assert consultation["role"] == "Kenntnisnahme"
    main = paper["mainFile"]
    assert main["mimeType"] == "application/pdf"
    pdf = client.get(main["accessUrl"])
    assert pdf.status_code == 200
    assert b"".join(pdf.streaming_content if pdf.streaming else [pdf.content]).startswith(b"%PDF")
