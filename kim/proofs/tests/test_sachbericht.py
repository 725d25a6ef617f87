"""The Sachbericht of a proof of use on the shared report engine (decisions D-087)."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
from collections.abc import Callable
from decimal import Decimal

import docx
import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kim.accounts.actions import create_user, grant_role
from kim.accounts.models import Role
from kim.audit.models import AuditEvent, EventType
from kim.council.document import KIND_SACHBERICHT
from kim.council.render import render
from kim.organisations.models import Organisation
from kim.partners.models import Agreement, AgreementAmount, AgreementKind
from kim.proofs.models import Proof, Sachbericht, SachberichtRelease
from kim.proofs.sachbericht import actions
from kim.proofs.sachbericht.blocks import screening_year
from kim.proofs.sachbericht.compose import DEFAULT_SECTIONS, compose, frozen, period

pytestmark = pytest.mark.django_db

TITLES = [
    "Stellen und Personal im Förderjahr",
    "Zusammenarbeit mit freien Trägern",
    "Fallmanagement",
    "Baustein 3: Ausländer- und Einbürgerungsbehörden",
    "Strukturelle Hürden und Steuerung",
    "Ausblick",
]


def _kreis() -> Organisation:
    return Organisation.objects.get(ags="05970")


def land_proof() -> Proof:
    kreis = _kreis()
    year = timezone.localdate().year
    return Proof.objects.create(
        region=kreis, organisation=kreis, year=year, due_on=dt.date(year + 1, 6, 30)
    )


def agreement_proof(status: str = "draft") -> Proof:
    kreis = _kreis()
    year = timezone.localdate().year
    # The demo's notice running this year (the 2025 notice has its proof from the demo).
    notice = Agreement.objects.get(
        grantor=kreis,
        kind=AgreementKind.NOTICE,
        period_start__lte=dt.date(year, 12, 31),
        period_end__gte=dt.date(year, 1, 1),
    )
    return Proof.objects.create(
        region=kreis,
        organisation=notice.recipient,
        agreement=notice,
        year=year,
        due_on=dt.date(year + 1, 6, 30),
        status=status,
    )


def second_coordinator() -> User:
    user = create_user(acting_user=None, username="koordination2", password="demo-demo-demo")
    grant_role(acting_user=None, user=user, organisation=_kreis(), role=Role.KIM_COORDINATION)
    return user


def user(name: str) -> User:
    return User.objects.get(username=name)


def new_agreement(title: str, amount: str) -> Agreement:
    """A pass-through agreement of the Kreis running this year: the cooperation figures move."""
    kreis = _kreis()
    recipient = Organisation.objects.get(short_name="Kreuztal")
    year = timezone.localdate().year
    agreement = Agreement.objects.create(
        region=kreis,
        grantor=kreis,
        recipient=recipient,
        kind=AgreementKind.NOTICE,
        title=title,
        signed_on=dt.date(year, 1, 2),
        period_start=dt.date(year, 1, 1),
        period_end=dt.date(year, 12, 31),
    )
    AgreementAmount.objects.create(agreement=agreement, year=year, amount=Decimal(amount))
    return agreement


def write(proof: Proof, key: str, text: str, by: str = "koordination") -> None:
    current = Sachbericht.objects.filter(proof=proof).first()
    section = next(s for s in DEFAULT_SECTIONS if s.key == key)
    actions.update_sachbericht_section(
        proof,
        key,
        acting_user=user(by),
        expected_version=current.version if current else 0,
        narrative=text,
        block_keys=section.block_keys,
    )


def _block(doc, key):  # type: ignore[no-untyped-def]
    return next(b for s in doc.sections for b in s.blocks if b.key == key)


# --- composition from live data ----------------------------------------------------------


def test_a_new_sachbericht_shows_the_default_sections_composed_for_the_funding_year() -> None:
    proof = land_proof()
    doc = compose(proof, None)
    start, end = period(proof)
    assert doc.kind == KIND_SACHBERICHT and doc.is_draft
    assert [s.question for s in doc.sections] == TITLES
    assert [[b.key for b in s.blocks] for s in doc.sections] == [
        ["staffing_year"],
        ["talks", "calls", "agreements_year"],
        ["case_figures"],
        ["screening_year"],
        ["structural_barriers", "steering_year"],
        [],
    ]
    assert (start, end) == (dt.date(proof.year, 1, 1), timezone.localdate())
    assert doc.period == f"01.01.{proof.year} – {end:%d.%m.%Y}"
    rows = {r.label: r.value for r in doc.header_rows}
    assert rows["Zuwendungsempfänger"] == "Kreis Siegen-Wittgenstein"
    assert rows["Förderjahr"] == str(proof.year)
    # Opening composes; nothing is stored until the first edit.
    assert not Sachbericht.objects.filter(proof=proof).exists()


def test_the_staffing_block_counts_vze_and_post_months_per_baustein_without_persons() -> None:
    proof = land_proof()
    block = _block(compose(proof, None), "staffing_year")
    assert block.table is not None and block.table.footer is not None
    assert block.table.columns[0] == "Baustein" and len(block.table.rows) == 3
    filled_months = int(block.table.footer[5].replace(".", ""))
    assert filled_months > 0  # the demo's posts are filled this year
    assert "VZÄ" in block.text and "Stellenmonate" in block.text


def test_figures_follow_the_data_until_release_and_the_release_stays_frozen() -> None:
    proof = land_proof()
    write(proof, "cooperation", "Die Zusammenarbeit mit den Trägern ist eng. (Test)")
    before = _block(compose(proof, proof.sachbericht), "agreements_year")
    new_agreement("Zusatzvereinbarung Kreuztal (Test)", "1234.50")
    draft = compose(proof, proof.sachbericht)
    after = _block(draft, "agreements_year")
    assert after != before and "Zusatzvereinbarung Kreuztal (Test)" in str(after.table)
    release = actions.release_sachbericht(
        proof,
        acting_user=second_coordinator(),
        expected_version=1,
        confirmed_sections=["2"],
    )
    assert release.number == 1 and release.drafted_by == user("koordination")
    new_agreement("Noch eine Vereinbarung (Test)", "99")
    kept = frozen(SachberichtRelease.objects.get(pk=release.pk))
    assert kept.version == 1 and not kept.is_draft
    assert _block(kept, "agreements_year") == after
    assert "Noch eine Vereinbarung (Test)" in str(
        _block(compose(proof, proof.sachbericht), "agreements_year").table
    )


def test_the_screening_block_publishes_no_count_below_three() -> None:
    proof = land_proof()
    start, end = period(proof)
    block = screening_year(proof.organisation, start, end)
    assert block.table is not None
    for _label, value in block.table.rows:
        assert value not in ("1", "2"), block.table.rows
    assert all(v[1] is None or v[1] == 0 or v[1] >= 3 for v in block.table.values)


# --- editing and the four-eyes release -------------------------------------------------------


def test_the_first_edit_stores_the_default_sections_and_is_audited() -> None:
    proof = land_proof()
    write(proof, "outlook", "Im nächsten Jahr … (Test)")
    sachbericht = Sachbericht.objects.get(proof=proof)
    assert sachbericht.version == 1 and sachbericht.last_edited_by == user("koordination")
    assert list(sachbericht.sections.values_list("title", flat=True)) == TITLES
    assert sachbericht.sections.get(key="outlook").narrative == "Im nächsten Jahr … (Test)"
    event = AuditEvent.objects.filter(event_type=EventType.SACHBERICHT_EDITED).latest("id")
    assert event.extra["section"] == "outlook" and event.actor_username == "koordination"


def test_an_edit_based_on_an_old_version_is_refused() -> None:
    proof = land_proof()
    write(proof, "outlook", "Erste Fassung (Test)")
    with pytest.raises(ValidationError, match="inzwischen"):
        actions.update_sachbericht_section(
            proof,
            "outlook",
            acting_user=user("koordination"),
            expected_version=0,
            narrative="Überholt",
            block_keys=[],
        )
    assert proof.sachbericht.sections.get(key="outlook").narrative == "Erste Fassung (Test)"


def test_the_last_editor_cannot_release_german_error() -> None:
    proof = land_proof()
    write(proof, "outlook", "Text (Test)")
    with pytest.raises(ValidationError) as refused:
        actions.release_sachbericht(proof, acting_user=user("koordination"), expected_version=1)
    assert "Vier-Augen-Prinzip" in str(refused.value)
    assert not SachberichtRelease.objects.exists()
    release = actions.release_sachbericht(
        proof, acting_user=second_coordinator(), expected_version=1
    )
    assert release.number == 1
    event = AuditEvent.objects.filter(event_type=EventType.SACHBERICHT_RELEASED).latest("id")
    assert event.extra["version"] == 1 and event.actor_username == "koordination2"


def test_changed_figures_must_be_confirmed_per_section() -> None:
    proof = land_proof()
    write(proof, "cooperation", "Text über Verträge (Test)")
    new_agreement("Vereinbarung nach dem Text (Test)", "500")
    second = second_coordinator()
    with pytest.raises(ValidationError) as refused:
        actions.release_sachbericht(proof, acting_user=second, expected_version=1)
    assert set(refused.value.message_dict) == {"confirm_2"}
    actions.release_sachbericht(
        proof, acting_user=second, expected_version=1, confirmed_sections=["2"]
    )
    # The confirmed text is the new basis: the next release asks nothing.
    write(proof, "outlook", "Ausblick (Test)", by="koordination2")
    actions.release_sachbericht(proof, acting_user=user("koordination"), expected_version=2)
    assert list(proof.sachbericht.releases.values_list("number", flat=True)) == [2, 1]


def test_an_agreement_proof_is_released_by_another_preparer_of_the_recipient() -> None:
    proof = agreement_proof()
    write(proof, "outlook", "Text der Stadt (Test)", by="siegen")
    siegen = proof.organisation
    other = create_user(acting_user=None, username="siegen2", password="demo-demo-demo")
    grant_role(acting_user=None, user=other, organisation=siegen, role=Role.PROGRAMME_LEAD)
    with pytest.raises(ValidationError):
        actions.release_sachbericht(proof, acting_user=user("siegen"), expected_version=1)
    assert actions.release_sachbericht(proof, acting_user=other, expected_version=1).number == 1
    doc = frozen(proof.sachbericht.releases.get())
    rows = {r.label: r.value for r in doc.header_rows}
    assert rows["Weiterleitungsvereinbarung"] == proof.agreement.title


# --- renderings --------------------------------------------------------------------------------


def test_docx_opens_and_carries_the_section_titles_as_headings() -> None:
    proof = land_proof()
    write(proof, "staffing", "Alle Stellen waren besetzt. (Test)")
    content, content_type, extension = render(compose(proof, proof.sachbericht), "docx")
    assert extension == "docx" and "wordprocessingml" in content_type
    document = docx.Document(io.BytesIO(content))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == [f"{n}. {t}" for n, t in enumerate(TITLES, 1)]
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Alle Stellen waren besetzt. (Test)" in text
    assert "Beschlussvorschlag" not in text and "Beratungsfolge" not in text


def test_pdf_text_holds_the_section_titles(tmp_path) -> None:  # type: ignore[no-untyped-def]
    proof = land_proof()
    content, _type, _ext = render(compose(proof, None), "pdf")
    path = tmp_path / "sachbericht.pdf"
    path.write_bytes(content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"],  # noqa: S607
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    for title in TITLES:
        assert title in text
    assert "ENTWURF" in text and "Sachbericht" in text


# --- pages and permissions ---------------------------------------------------------------------


def _urls(proof: Proof) -> dict[str, str]:
    base = f"/verwendungsnachweis/{proof.code}/sachbericht/"
    return {
        "detail": base,
        "edit": f"{base}abschnitte/outlook/",
        "docx": f"{base}entwurf.docx",
        "release": f"{base}freigeben/",
    }


LAND_READERS = {"koordination": 200}


@pytest.mark.parametrize(
    "persona",
    [
        "koordination",
        "siegen",
        "cm-siegen",
        "teamlead-siegen",
        "traeger",
        "abh",
        "rat",
        "dsb",
        "admin",
    ],
)
def test_the_land_sachbericht_is_the_coordination_s_only(
    login_as: Callable[[str], Client], persona: str
) -> None:
    proof = land_proof()
    write(proof, "outlook", "Text (Test)")
    actions.release_sachbericht(proof, acting_user=second_coordinator(), expected_version=1)
    client = login_as(persona)
    expected = LAND_READERS.get(persona, 404)
    for url in [
        *_urls(proof).values(),
        f"/verwendungsnachweis/{proof.code}/sachbericht/versionen/1/",
    ]:
        assert client.get(url).status_code == expected, (persona, url)


def test_a_stranger_gets_404(stranger: Client) -> None:
    proof = land_proof()
    for url in _urls(proof).values():
        assert stranger.get(url).status_code == 404


@pytest.mark.parametrize(
    ("persona", "draft", "version"),
    [
        ("siegen", 200, 200),  # the preparer
        ("koordination", 404, 200),  # the grantor reviewing the submitted proof: versions only
        ("traeger", 404, 404),
        ("rat", 404, 404),
        ("dsb", 404, 404),
    ],
)
def test_an_agreement_sachbericht_draft_is_the_preparer_s_versions_the_readers(
    login_as: Callable[[str], Client], persona: str, draft: int, version: int
) -> None:
    proof = agreement_proof(status="submitted")
    write(proof, "outlook", "Text (Test)", by="siegen")
    other = create_user(acting_user=None, username="siegen2", password="demo-demo-demo")
    grant_role(
        acting_user=None, user=other, organisation=proof.organisation, role=Role.PROGRAMME_LEAD
    )
    actions.release_sachbericht(proof, acting_user=other, expected_version=1)
    client = login_as(persona)
    base = f"/verwendungsnachweis/{proof.code}/sachbericht/"
    assert client.get(base).status_code == draft
    assert client.get(f"{base}entwurf.pdf").status_code == draft
    assert client.get(f"{base}versionen/1/").status_code == version
    assert client.get(f"{base}versionen/1.docx").status_code == version


def test_the_last_editor_s_release_post_is_403_and_the_second_person_s_releases(
    login_as: Callable[[str], Client],
) -> None:
    proof = land_proof()
    write(proof, "outlook", "Text (Test)")
    url = _urls(proof)["release"]
    page = login_as("koordination").get(url)
    assert page.status_code == 200 and "Vier-Augen-Prinzip" in page.text
    assert login_as("koordination").post(url, {"version": 1}).status_code == 403
    second_coordinator()
    response = login_as("koordination2").post(url, {"version": 1})
    assert response.status_code == 302
    assert response["Location"].endswith("/sachbericht/versionen/1/")
    version = login_as("koordination").get(response["Location"])
    assert version.status_code == 200 and "Ausblick" in version.text


def test_editing_a_section_through_the_page(login_as: Callable[[str], Client]) -> None:
    proof = land_proof()
    client = login_as("koordination")
    url = _urls(proof)["edit"]
    form = client.get(url)
    assert form.status_code == 200 and "Ausblick" in form.text
    response = client.post(url, {"version": 0, "narrative": "Geplant ist … (Test)"})
    assert response.status_code == 302
    detail = client.get(_urls(proof)["detail"])
    assert "Geplant ist … (Test)" in detail.text
    stale = client.post(url, {"version": 0, "narrative": "Überholt"})
    assert stale.status_code == 200 and "inzwischen" in stale.text


def test_the_draft_page_s_query_count_does_not_grow_with_the_data(
    login_as: Callable[[str], Client],
) -> None:
    proof = land_proof()
    write(proof, "outlook", "Text (Test)")
    client = login_as("koordination")
    url = _urls(proof)["detail"]
    client.get(url)  # warm caches (charts, sessions)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    before = count()
    for n in range(8):
        new_agreement(f"Vereinbarung {n} (Test)", "100")
    assert count() == before
    assert before <= 80, before


def test_the_demo_writes_german_texts_and_leaves_the_draft_unreleased_without_a_second_person(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from kim.accounts.demo import PERSONAS, Persona
    from kim.proofs.sachbericht import demo
    from kim.proofs.sachbericht.demo import seed_sachbericht

    proof = land_proof()
    assert seed_sachbericht(proof) is None
    sections = proof.sachbericht.sections.all()
    assert all(s.narrative.endswith("(Demo-Text)") for s in sections)
    assert not SachberichtRelease.objects.exists()
    assert seed_sachbericht(proof) is None  # idempotent: the texts are written once
    assert Sachbericht.objects.get(proof=proof).version == len(DEFAULT_SECTIONS)
    # With a second coordination persona in the cast, the demo releases version 1.
    second_coordinator()
    extra = Persona("koordination2", Role.KIM_COORDINATION, "kreis", "K", "Zwei", "Test")
    monkeypatch.setattr(demo, "PERSONAS", [*PERSONAS, extra])
    release = seed_sachbericht(proof)
    assert release is not None and release.released_by.username == "koordination2"
