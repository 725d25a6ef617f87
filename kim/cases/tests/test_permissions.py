"""The permission matrix of case management: every persona × case state × action.

Actions: view (case page), edit (person form), disclose (referral form), export (Art. 15 JSON),
close (closing form), API detail, document download. Expected answers: 200 allowed, 403 visible
but not allowed, 404 for everyone who must not learn that the case exists. Every client has
signed in through the form and confirmed the password (re-authentication), so export and
disclosure answer on their merits, not with a re-authentication redirect.

The same table is checked against the predicates of ``kim.cases.access`` (no HTTP), so the
templates' buttons and the views cannot drift apart.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from kim.accounts.access import load_user_context
from kim.accounts.actions import create_user, grant_role
from kim.accounts.models import Role
from kim.cases import access
from kim.cases.actions.activities import attach_document
from kim.cases.actions.lifecycle import assign_case
from kim.cases.documents import store_document
from kim.cases.models import Case, CaseDocument, Phase
from kim.core.uploads import check_document

pytestmark = pytest.mark.django_db

PERSONAS = (
    "cm-siegen",
    "vertretung",
    "teamlead-siegen",
    "cm-kreuztal",
    "cm-traeger",
    "traeger",
    "koordination",
    "siegen",
    "abh",
    "rat",
    "dsb",
    "admin",
)
ACTIONS = ("view", "edit", "disclose", "export", "close", "api", "document")
WORKERS = {"cm-siegen", "vertretung"}

# persona → action → status, for an open case and a closed one.
OPEN = {
    **{p: dict.fromkeys(ACTIONS, 200) for p in WORKERS},
    "teamlead-siegen": {
        "view": 200,
        "edit": 403,
        "disclose": 403,
        "export": 200,
        "close": 403,
        "api": 200,
        "document": 200,
    },
}
CLOSED = {
    p: {**OPEN[p], "edit": 403, "disclose": 403, "close": 403}
    for p in ("cm-siegen", "vertretung", "teamlead-siegen")
}


def expected(persona: str, state: str, action: str) -> int:
    table = OPEN if state == "open" else CLOSED
    return table.get(persona, dict.fromkeys(ACTIONS, 404))[action]


def _pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("bescheid.pdf", b"%PDF-1.4\n% Demo\n", content_type="application/pdf")


@pytest.fixture
def cases() -> dict[str, tuple[Case, str]]:
    """The demo's Siegen case in monitoring and its closed one, each with a document; a second
    Siegen case manager ("vertretung") as deputy on both."""
    users = get_user_model().objects
    cm = users.get(username="cm-siegen")
    deputy = create_user(
        acting_user=None, username="vertretung", password="demo", validate_password=False
    )
    siegen = Case.objects.filter(organisation__short_name="Siegen").first()
    assert siegen is not None
    grant_role(
        acting_user=None, user=deputy, organisation=siegen.organisation, role=Role.CASE_MANAGER
    )
    result = {}
    for state, phase in (("open", Phase.MONITORING), ("closed", Phase.CLOSED)):
        case = Case.objects.filter(
            organisation=siegen.organisation, phase=phase, responsible=cm
        ).first()
        assert case is not None, phase
        if state == "open":
            document = attach_document(
                case, acting_user=cm, upload=check_document(_pdf()), doc_type="notice"
            )
        else:  # a closed case takes no new documents: one kept from before the closing
            document = CaseDocument(case=case, doc_type="notice")
            store_document(document, check_document(_pdf()), uploaded_by=cm)
        if state == "open":
            assign_case(case, acting_user=cm, responsible=cm, deputies=[deputy])
        else:  # a closed case takes no new assignment: as if named before the closing
            case.deputies.add(deputy)
        result[state] = (case, document.code)
    return result


def _client(username: str) -> Client:
    client = Client()
    response = client.post("/konto/login/", {"login": username, "password": "demo"})
    assert response.status_code == 302, username
    assert client.post("/konto/reauthenticate/", {"password": "demo"}).status_code == 302
    client.get("/")  # shows (and so consumes) the "signed in" message
    return client


def _url(action: str, case: Case, document: str) -> str:
    base = f"/fallmanagement/faelle/{case.code}/"
    return {
        "view": base,
        "edit": base + "person/",
        "disclose": base + "vermittlungen/neu/",
        "export": base + "auskunft/json/",
        "close": base + "abschluss/",
        "api": f"/api/v1/cases/{case.code}/",
        "document": base + f"dokumente/{document}/",
    }[action]


def test_matrix_over_http(cases: dict[str, tuple[Case, str]]) -> None:
    failures = []
    for persona in PERSONAS:
        client = _client(persona)
        for state, (case, document) in cases.items():
            for action in ACTIONS:
                status = client.get(_url(action, case, document)).status_code
                want = expected(persona, state, action)
                if status != want:
                    failures.append(f"{persona} {state} {action}: {status} (want {want})")
    assert failures == []


def _normalised(body: bytes) -> str:
    """The page without its per-request tokens (CSP nonce, CSRF token) and the idle timer's
    seconds left, which tick down between the two requests on a busy machine."""
    return re.sub(r'(nonce|value|data-remaining)="[^"]*"', "", body.decode())


def test_a_stranger_gets_the_same_404_as_for_a_missing_case(
    cases: dict[str, tuple[Case, str]],
) -> None:
    case, document = cases["open"]
    client = _client("cm-kreuztal")
    for action in ACTIONS:
        hidden = client.get(_url(action, case, document))
        missing = client.get(_url(action, Case(code="a" * 16), "b" * 16))
        assert hidden.status_code == missing.status_code == 404, action
        assert _normalised(hidden.content) == _normalised(missing.content), action
    listing = client.get("/api/v1/cases/").json()
    assert case.code not in str(listing)
    assert case.code not in client.get("/fallmanagement/faelle/").content.decode()


PREDICATES = {
    "view": access.can_view_case,
    "edit": access.can_edit_case,
    "disclose": access.can_disclose,
    "export": access.can_export_case,
    "close": access.can_close_case,
}


@pytest.mark.parametrize("state", ["open", "closed"])
def test_matrix_of_the_predicates(cases: dict[str, tuple[Case, str]], state: str) -> None:
    """The predicates give the same answers as the pages (200 ⇔ allowed)."""
    code = cases[state][0].code
    for persona in PERSONAS:
        ctx = load_user_context(get_user_model().objects.get(username=persona))
        try:
            case = access.get_case_for_user(ctx, code)
        except Exception:  # Http404: nobody of these may know the case
            assert expected(persona, state, "view") == 404, persona
            continue
        for action, predicate in PREDICATES.items():
            allowed = predicate(ctx, case)
            assert allowed == (expected(persona, state, action) == 200), (persona, action)


def test_confidential_notes_only_for_the_responsible_case_manager(
    cases: dict[str, tuple[Case, str]],
) -> None:
    from django.utils import timezone

    from kim.cases.actions.activities import record_activity

    case, _document = cases["open"]
    cm = get_user_model().objects.get(username="cm-siegen")
    record_activity(
        case,
        acting_user=cm,
        kind="note",
        occurred_at=timezone.now(),
        text="Vertraulich: Gesundheitliche Belastung (fiktiv)",
        confidential=True,
    )
    seen: dict[str, Any] = {}
    for persona in ("cm-siegen", "vertretung", "teamlead-siegen"):
        body = _client(persona).get(f"/fallmanagement/faelle/{case.code}/").content.decode()
        seen[persona] = "Gesundheitliche Belastung" in body
    assert seen == {"cm-siegen": True, "vertretung": False, "teamlead-siegen": False}


def test_stored_document_is_not_plaintext(cases: dict[str, tuple[Case, str]]) -> None:
    _case, code = cases["open"]
    stored = CaseDocument.objects.get(code=code)
    with stored.file.open("rb") as handle:
        raw = handle.read()
    assert raw and b"%PDF" not in raw and b"Demo" not in raw
