"""Proofs of use (D-088): who sees which page and may do what, the submit/review/release
workflow, frozen figures, consolidation into the Kreis' Land proof and the page's query count.

The demo seeds for 2025: Brücke's proof to Siegen (queried), Siegen's proof to the Kreis
(accepted) and the Kreis' Land proof (draft).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from kim.accounts.actions import create_user, grant_role
from kim.audit.models import AuditEvent, EventType
from kim.organisations.models import Organisation
from kim.partners.models import Agreement, Payment, ReportingDuty, Review
from kim.programmes.models import Position
from kim.proofs import actions
from kim.proofs.models import Proof, ProofStatus
from kim.proofs.statement import land_statement

pytestmark = pytest.mark.django_db

YEAR = 2025
ALL = [
    "koordination",
    "siegen",
    "traeger",
    "cm-siegen",
    "teamlead-siegen",
    "abh",
    "rat",
    "dsb",
    "admin",
]
USERS = ["koordination", "siegen", "traeger"]


def _user(name: str) -> User:
    return User.objects.get(username=name)


def _kreis() -> Organisation:
    return Organisation.objects.get(kind="kreis", ags="05970")


def _land() -> Proof:
    return Proof.objects.get(organisation=_kreis(), year=YEAR, agreement=None)


def _siegen_proof() -> Proof:
    return Proof.objects.get(agreement__recipient__short_name="Siegen", year=YEAR)


def _brucke_proof() -> Proof:
    return Proof.objects.get(agreement__recipient__kind="traeger", year=YEAR)


def _url(name: str, proof: Proof) -> str:
    return reverse(f"proofs:{name}", args=[proof.code])


# --- pages: who sees what ------------------------------------------------------------------


def test_the_demo_seeds_the_2025_workflow() -> None:
    assert _land().status == ProofStatus.DRAFT
    assert _siegen_proof().status == ProofStatus.ACCEPTED
    brucke = _brucke_proof()
    assert brucke.status == ProofStatus.QUERIED
    assert brucke.review_note
    assert brucke.duty is not None and brucke.duty.review == Review.QUERIES


@pytest.mark.parametrize("persona", ALL)
def test_the_list_is_for_the_coordination_and_the_preparers(
    login_as: Callable[[str], Client], persona: str
) -> None:
    response = login_as(persona).get(reverse("proofs:proof_list"))
    assert response.status_code == (200 if persona in USERS else 404)


def test_the_list_shows_the_stranger_nothing(stranger: Client) -> None:
    response = stranger.get(reverse("proofs:proof_list"))
    assert response.status_code == 200
    assert "Siegen" not in response.content.decode()


# who may open which proof: Land (draft) / Siegen's (accepted) / Brücke's (queried)
DETAIL = {
    "koordination": (200, 200, 200),
    "siegen": (404, 200, 200),
    "traeger": (404, 404, 200),
}


@pytest.mark.parametrize("persona", ALL)
def test_proof_pages_answer_404_to_everyone_else(
    login_as: Callable[[str], Client], persona: str
) -> None:
    client = login_as(persona)
    expected = DETAIL.get(persona, (404, 404, 404))
    for proof, status in zip((_land(), _siegen_proof(), _brucke_proof()), expected, strict=True):
        assert client.get(_url("proof_detail", proof)).status_code == status, proof
        for name in ("proof_edit", "proof_review"):
            got = client.get(_url(name, proof)).status_code
            assert got == 404 if status == 404 else got in (200, 403)


def test_stranger_gets_404_on_every_proof(stranger: Client) -> None:
    for proof in (_land(), _siegen_proof(), _brucke_proof()):
        for name in ("proof_detail", "proof_edit", "proof_review"):
            assert stranger.get(_url(name, proof)).status_code == 404
        for name in ("proof_submit", "proof_release", "proof_reopen"):
            assert stranger.post(_url(name, proof)).status_code == 404


def test_readers_get_403_on_forms(login_as: Callable[[str], Client]) -> None:
    coordination, siegen, traeger = (login_as(p) for p in USERS)
    # the coordination reads Brücke's proof (it consolidates), but Siegen is the grantor
    assert coordination.get(_url("proof_review", _brucke_proof())).status_code == 403
    assert coordination.get(_url("proof_edit", _brucke_proof())).status_code == 403
    assert coordination.post(_url("proof_submit", _siegen_proof())).status_code == 403
    # Siegen reviews Brücke's proof but does not prepare it
    assert siegen.get(_url("proof_edit", _brucke_proof())).status_code == 403
    assert siegen.get(_url("proof_review", _brucke_proof())).status_code == 200
    assert siegen.get(_url("proof_review", _siegen_proof())).status_code == 403
    assert siegen.post(_url("proof_release", _siegen_proof())).status_code == 403
    assert traeger.get(_url("proof_review", _brucke_proof())).status_code == 403
    assert traeger.get(_url("proof_edit", _brucke_proof())).status_code == 200
    assert coordination.get(_url("proof_edit", _land())).status_code == 200


def test_the_land_proof_page_shows_the_balance_and_siegens_accepted_figures(
    login_as: Callable[[str], Client],
) -> None:
    page = login_as("koordination").get(_url("proof_detail", _land())).content.decode()
    assert 'id="balance-text"' in page
    assert "Stadt Siegen" in page
    accepted = _siegen_proof().figures
    st = land_statement(_kreis(), YEAR)
    siegen = next(r for r in st.recipients if r.name == "Stadt Siegen")
    assert siegen.accepted == accepted
    assert siegen.proof_status == ProofStatus.ACCEPTED


def test_the_recipient_link_only_when_the_user_may_open_it(
    login_as: Callable[[str], Client],
) -> None:
    brucke, siegen = _brucke_proof(), _siegen_proof()
    page = login_as("siegen").get(_url("proof_detail", siegen)).content.decode()
    assert _url("proof_detail", brucke) in page
    # Brücke's manager opens its proof, the grantor's own proof stays closed to it
    page = login_as("traeger").get(_url("proof_detail", brucke)).content.decode()
    assert _url("proof_detail", siegen) not in page


def test_per_post_actual_cost_only_for_payroll_readers(
    login_as: Callable[[str], Client],
) -> None:
    """Siegen sees its own proof but Brücke's posts' cost is Brücke's payroll: "–"."""
    proof = _brucke_proof()
    page = login_as("siegen").get(_url("proof_detail", proof)).content.decode()
    annex = page.split('id="post-annex"')[1].split("</table>")[0]
    rows = annex.split("<tbody>")[1]
    assert "–" in rows


def test_the_proof_page_query_count_is_flat(
    login_as: Callable[[str], Client], django_assert_max_num_queries: Callable[..., object]
) -> None:
    client = login_as("koordination")
    land = _land()
    client.get(_url("proof_detail", land))
    with django_assert_max_num_queries(45):  # type: ignore[operator]
        client.get(_url("proof_detail", land))
    kreis = _kreis()
    template = Position.objects.filter(region=kreis, baustein="B2").first()
    assert template is not None
    for _n in range(15):
        template.pk = None
        template.code = ""
        from kim.core.models import new_code

        template.code = new_code()
        template.save()
    with django_assert_max_num_queries(45):  # type: ignore[operator]
        client.get(_url("proof_detail", land))


def test_the_list_query_count(
    login_as: Callable[[str], Client], django_assert_max_num_queries: Callable[..., object]
) -> None:
    client = login_as("koordination")
    with django_assert_max_num_queries(20):  # type: ignore[operator]
        assert client.get(reverse("proofs:proof_list")).status_code == 200


# --- workflow -----------------------------------------------------------------------------


def _fresh_agreement_proof() -> Proof:
    """Brücke's queried proof, back to draft by its manager."""
    proof = _brucke_proof()
    return actions.reopen_proof(proof, acting_user=_user("traeger"))


def test_resubmission_after_a_query_refreezes_the_figures() -> None:
    proof = _fresh_agreement_proof()
    assert proof.status == ProofStatus.DRAFT
    actions.update_proof(
        proof,
        acting_user=_user("traeger"),
        version=proof.version,
        third_party_funds=Decimal("1000"),
        third_party_note="Stiftung (Test)",
        place="Siegen",
    )
    proof = actions.submit_proof(_brucke_proof(), acting_user=_user("traeger"))
    assert proof.status == ProofStatus.SUBMITTED
    assert proof.figures["income"]["third_party"] == "1000.00"
    assert (
        AuditEvent.objects.filter(
            event_type=EventType.PROOF_SUBMITTED, subject_code=proof.code
        ).count()
        == 2
    )


def test_figures_frozen_on_submit() -> None:
    proof = _fresh_agreement_proof()
    proof = actions.submit_proof(proof, acting_user=_user("traeger"))
    frozen = dict(proof.figures)
    assert proof.agreement is not None
    # more money paid afterwards: the live statement changes, the submitted figures do not
    Payment.objects.filter(agreement=proof.agreement, due_on__year=YEAR).update(
        amount=Decimal("1.00")
    )
    proof.refresh_from_db()
    assert proof.figures == frozen


def test_review_accept_and_query_needs_a_reason(login_as: Callable[[str], Client]) -> None:
    proof = actions.submit_proof(_fresh_agreement_proof(), acting_user=_user("traeger"))
    client = login_as("siegen")
    response = client.post(_url("proof_review", proof), {"result": "queried", "note": ""})
    assert response.status_code == 200
    assert "Begründung" in response.context["form"].errors["note"][0]
    assert _brucke_proof().status == ProofStatus.SUBMITTED
    response = client.post(_url("proof_review", proof), {"result": "accepted"})
    assert response.status_code == 302
    proof = _brucke_proof()
    assert proof.status == ProofStatus.ACCEPTED
    duty = ReportingDuty.objects.get(pk=proof.duty_id)
    assert duty.review == Review.ACCEPTED
    assert duty.received_on is not None


def test_reclaim_above_paid_is_refused(login_as: Callable[[str], Client]) -> None:
    proof = actions.submit_proof(_fresh_agreement_proof(), acting_user=_user("traeger"))
    with pytest.raises(ValidationError) as refused:
        actions.review_proof(
            proof,
            acting_user=_user("siegen"),
            result=ProofStatus.RECLAIM,
            reclaim_amount=Decimal("99999999"),
        )
    assert "reclaim_amount" in refused.value.error_dict
    assert _brucke_proof().status == ProofStatus.SUBMITTED
    response = login_as("siegen").post(
        _url("proof_review", proof), {"result": "reclaim", "reclaim_amount": "99999999"}
    )
    assert response.status_code == 200
    proof = actions.review_proof(
        proof, acting_user=_user("siegen"), result=ProofStatus.RECLAIM, reclaim_amount=Decimal(100)
    )
    assert proof.status == ProofStatus.RECLAIM and proof.reclaim_amount == Decimal(100)


def test_land_release_needs_a_second_person(login_as: Callable[[str], Client]) -> None:
    land = _land()
    response = login_as("koordination").post(_url("proof_release", land))
    assert response.status_code == 302
    assert _land().status == ProofStatus.DRAFT  # refused: koordination started it
    second = create_user(acting_user=None, username="koordination2", password=None)
    grant_role(acting_user=None, user=second, organisation=_kreis(), role="kim_coordination")
    response = login_as("koordination2").post(_url("proof_release", land))
    assert response.status_code == 302
    land = _land()
    assert land.status == ProofStatus.RELEASED
    assert land.figures["year"] == YEAR
    # the one who last changed it may not release: koordination2 edits a fresh one
    assert AuditEvent.objects.filter(
        event_type=EventType.PROOF_RELEASED, subject_code=land.code
    ).exists()


def test_four_eyes_follows_the_last_editor() -> None:
    second = create_user(acting_user=None, username="koordination2", password=None)
    grant_role(acting_user=None, user=second, organisation=_kreis(), role="kim_coordination")
    land = _land()
    actions.update_proof(
        land,
        acting_user=second,
        version=land.version,
        third_party_funds=Decimal(0),
        third_party_note="",
        place="Siegen",
    )
    with pytest.raises(ValidationError):
        actions.release_land_proof(_land(), acting_user=second)
    assert actions.release_land_proof(_land(), acting_user=_user("koordination")).status == (
        ProofStatus.RELEASED
    )


def test_edit_conflict_keeps_the_input(login_as: Callable[[str], Client]) -> None:
    land = _land()
    client = login_as("koordination")
    data = {"version": land.version, "third_party_funds": "5", "third_party_note": "A", "place": ""}
    assert client.post(_url("proof_edit", land), data).status_code == 302
    response = client.post(_url("proof_edit", land), {**data, "third_party_note": "B"})
    assert response.status_code == 200
    assert 'id="edit-conflict"' in response.content.decode()
    assert _land().third_party_note == "A"


def test_third_party_funds_need_a_source(login_as: Callable[[str], Client]) -> None:
    land = _land()
    response = login_as("koordination").post(
        _url("proof_edit", land),
        {"version": land.version, "third_party_funds": "5", "third_party_note": "", "place": ""},
    )
    assert response.status_code == 200
    assert _land().third_party_funds == 0


def test_start_agreement_proof_from_the_list(login_as: Callable[[str], Client]) -> None:
    """Siegen's notice 2026 (partners demo): Siegen begins the proof; due date from its VN
    duty when there is one, else the default rule."""
    notice = Agreement.objects.filter(
        recipient__short_name="Siegen", period_start__year=2026
    ).first()
    assert notice is not None
    client = login_as("siegen")
    page = client.get(reverse("proofs:proof_list")).content.decode()
    assert reverse("proofs:agreement_start", args=[notice.code]) in page
    response = client.post(reverse("proofs:agreement_start", args=[notice.code]), {"year": "2026"})
    assert response.status_code == 302
    proof = Proof.objects.get(agreement=notice, year=2026)
    assert proof.due_on == actions.default_due_on(notice, 2026)
    assert proof.due_on == dt.date(2027, 3, 31)
    # others may not start it
    assert (
        login_as("traeger")
        .post(reverse("proofs:agreement_start", args=[notice.code]), {"year": "2026"})
        .status_code
        == 404
    )


def test_start_land_proof_creates_once(login_as: Callable[[str], Client]) -> None:
    kreis = _kreis()
    client = login_as("koordination")
    url = reverse("proofs:land_start", args=[kreis.code])
    page = client.get(reverse("proofs:proof_list")).content.decode()
    assert url in page and 'name="year" value="2026"' in page
    assert client.post(url, {"year": "2026"}).status_code == 302
    assert client.post(url, {"year": "2026"}).status_code == 302
    proofs = Proof.objects.filter(organisation=kreis, year=2026, agreement=None)
    assert proofs.count() == 1
    assert login_as("siegen").post(url, {"year": "2026"}).status_code == 404


def test_the_coordination_accepts_siegens_resubmitted_proof() -> None:
    """The Kreis' Land proof lists Siegen's accepted figures, and a query shows as such."""
    siegen = _siegen_proof()
    st = land_statement(_kreis(), YEAR)
    line = next(r for r in st.recipients if r.agreement_code == siegen.agreement.code)  # type: ignore[union-attr]
    assert line.accepted is not None
    assert line.accepted["organisation"] == "Stadt Siegen"


# --- deadlines ----------------------------------------------------------------------------


def test_the_land_proof_deadline_is_on_the_deadlines_page(
    login_as: Callable[[str], Client],
) -> None:
    page = login_as("koordination").get(reverse("partners:deadlines")).content.decode()
    overdue = page.split('id="h-overdue"')[1].split("</section>")[0]
    assert "Verwendungsnachweis an das Land 2025" in overdue
    assert reverse("proofs:proof_list") in overdue
    page = login_as("siegen").get(reverse("partners:deadlines")).content.decode()
    assert "Verwendungsnachweis an das Land" not in page


def test_an_agreement_proof_deadline_shows_via_its_duty_until_submitted(
    login_as: Callable[[str], Client],
) -> None:
    """Brücke's proof for 2026 links the contract's VN duty (partners demo, due in 75 days);
    Siegen sees the duty on its deadlines page until Brücke submits."""
    contract = Agreement.objects.get(recipient__kind="traeger", grantor__short_name="Siegen")
    proof = actions.start_agreement_proof(contract, 2026, acting_user=_user("traeger"))
    assert proof.duty is not None and proof.due_on == proof.duty.due_on

    def listed() -> bool:
        result = login_as("siegen").get(reverse("partners:deadlines")).context["deadlines"]
        return any(
            i.agreement_code == contract.code and i.due_on == proof.due_on
            for _k, _l, items in result.groups
            for i in items
        )

    assert listed()
    actions.submit_proof(proof, acting_user=_user("traeger"))
    assert not listed()


def test_the_start_card_lists_the_overdue_land_proof_and_reviews(
    login_as: Callable[[str], Client],
) -> None:
    page = login_as("koordination").get("/").content.decode()
    assert reverse("proofs:proof_detail", args=[_land().code]) in page
    proof = actions.submit_proof(_fresh_agreement_proof(), acting_user=_user("traeger"))
    page = login_as("siegen").get("/").content.decode()
    assert reverse("proofs:proof_detail", args=[proof.code]) in page


# --- downloads ----------------------------------------------------------------------------


def test_downloads_follow_the_page_and_leave_out_foreign_payroll(
    login_as: Callable[[str], Client],
) -> None:
    brucke = _brucke_proof()
    response = login_as("siegen").get(_url("proof_detail", brucke).rstrip("/") + "/nachweis.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    event = AuditEvent.objects.filter(
        event_type=EventType.PROOF_EXPORTED, subject_code=brucke.code
    ).latest("id")
    assert event.extra["post_costs"] is False  # Brücke's payroll is not Siegen's
    response = login_as("traeger").get(reverse("proofs:proof_download", args=[brucke.code, "json"]))
    assert response.status_code == 200
    assert b'"year": 2025' in response.content
    assert (
        login_as("traeger")
        .get(reverse("proofs:proof_download", args=[_land().code, "pdf"]))
        .status_code
        == 404
    )
    assert (
        login_as("siegen")
        .get(reverse("proofs:proof_download", args=[brucke.code, "exe"]))
        .status_code
        == 404
    )
