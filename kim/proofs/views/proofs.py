"""Proof pages: the list, starting a proof, the proof with its statement, the preparer's data,
submission, the grantor's review and the release of the Land proof."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kim.accounts.access import UserContext, user_context
from kim.core.forms import add_action_errors
from kim.core.locking import EditConflict
from kim.partners.access import agreements_for_user

from .. import actions, queries
from .. import render as printed
from ..access import (
    can_prepare,
    can_release,
    can_review,
    can_use_proofs,
    get_agreement_to_prove,
    get_proof_for_user,
    get_region_for_land_proof,
    latest_sachbericht_number,
    payroll_visible_posts,
    proofs_for_user,
)
from ..forms import ProofEditForm, ProofFilterForm, ReviewForm
from ..models import Proof, ProofStatus
from ..statement import MISSING, NoGrant
from .sheet import build_sheet, shown_statement


def _detail(proof: Proof) -> HttpResponse:
    return redirect("proofs:proof_detail", code=proof.code)


def _year(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("year", ""))
    except ValueError:
        raise PermissionDenied from None


@login_required
def proof_list(request: HttpRequest) -> HttpResponse:
    ctx = user_context(request)
    if not can_use_proofs(ctx):
        # Council members, the DPO, case managers: nothing of the proofs exists for them (D-088).
        raise Http404("No proofs")
    years, organisations = queries.filter_choices(ctx)
    form = ProofFilterForm(request.GET or None, years=years, organisations=organisations)
    filters: dict[str, Any] = {}
    if form.is_valid():
        filters = {k: v for k, v in form.cleaned_data.items() if v}
    today = timezone.localdate()
    context = {
        "form": form,
        "filtered": bool(filters),
        "proofs": list(queries.proof_list(ctx, **filters)),
        "land_entries": queries.land_entries(ctx),
        "agreement_entries": queries.agreement_entries(ctx, today),
        "today": today,
    }
    return render(request, "proofs/proof_list.html", context)


@login_required
@require_POST
def land_start(request: HttpRequest, code: str) -> HttpResponse:
    ctx = user_context(request)
    kreis = get_region_for_land_proof(ctx, code)
    try:
        proof = actions.start_land_proof(kreis, _year(request), acting_user=request.user)
    except NoGrant:
        messages.error(request, _("The Kreis has no KIM grant for this year."))
        return redirect("proofs:proof_list")
    return _detail(proof)


@login_required
@require_POST
def agreement_start(request: HttpRequest, code: str) -> HttpResponse:
    ctx = user_context(request)
    agreement = get_agreement_to_prove(ctx, code)
    try:
        proof = actions.start_agreement_proof(agreement, _year(request), acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("proofs:proof_list")
    return _detail(proof)


def _recipient_links(ctx: UserContext, codes: list[str]) -> frozenset[str]:
    codes = [c for c in codes if c]
    if not codes:
        return frozenset()
    return frozenset(proofs_for_user(ctx).filter(code__in=codes).values_list("code", flat=True))


@login_required
def proof_detail(request: HttpRequest, code: str) -> HttpResponse:
    ctx = user_context(request)
    proof = get_proof_for_user(ctx, code)
    st = shown_statement(proof)
    payroll = payroll_visible_posts(ctx, [p.code for p in st.posts])
    linked = _recipient_links(ctx, [r.proof_code for r in st.recipients])
    agreement_readable = (
        proof.agreement_id is not None
        and agreements_for_user(ctx).filter(pk=proof.agreement_id).exists()
    )
    context = {
        "proof": proof,
        "st": st,
        "sheet": build_sheet(proof, st, payroll),
        "recipients": [(r, r.proof_code in linked) for r in st.recipients],
        "missing": [r for r in st.recipients if r.accepted is None],
        "MISSING": MISSING,
        "may_prepare": can_prepare(ctx, proof),
        "may_review": can_review(ctx, proof) and proof.status == ProofStatus.SUBMITTED,
        "may_release": can_release(ctx, proof) and proof.status == ProofStatus.DRAFT,
        "editable": proof.status == ProofStatus.DRAFT,
        "agreement_readable": agreement_readable,
        "sachbericht_url": _sachbericht_url(ctx, proof),
    }
    return render(request, "proofs/proof_detail.html", context)


def _sachbericht_url(ctx: UserContext, proof: Proof) -> str | None:
    """The preparers' draft of the Sachbericht, else its newest released version, else none:
    never a link the reader cannot follow (D-087)."""
    if can_prepare(ctx, proof):
        return reverse("sachbericht:detail", args=[proof.code])
    number = latest_sachbericht_number(proof)
    if number is None:
        return None
    return reverse("sachbericht:release_detail", args=[proof.code, number])


def _for_preparer(request: HttpRequest, code: str) -> Proof:
    ctx = user_context(request)
    proof = get_proof_for_user(ctx, code)
    if not can_prepare(ctx, proof):
        raise PermissionDenied
    return proof


@login_required
@require_http_methods(["GET", "POST"])
def proof_edit(request: HttpRequest, code: str) -> HttpResponse:
    proof = _for_preparer(request, code)
    initial = {
        "version": proof.version,
        "third_party_funds": proof.third_party_funds,
        "third_party_note": proof.third_party_note,
        "place": proof.place,
    }
    form = ProofEditForm(request.POST or None, initial=initial)
    conflict_rows = None
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_proof(proof, acting_user=request.user, **form.cleaned_data)
        except EditConflict as exc:
            conflict_rows = exc.rows(form.cleaned_data)
            data = request.POST.copy()
            data["version"] = str(exc.current.version)  # type: ignore[attr-defined]
            form = ProofEditForm(data)
            form.is_valid()
            add_action_errors(form, exc)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The proof has been saved."))
            return _detail(proof)
    context = {"form": form, "proof": proof, "conflict_rows": conflict_rows}
    return render(request, "proofs/proof_edit.html", context)


def _act(request: HttpRequest, proof: Proof, action: Any, done: str) -> HttpResponse:
    try:
        action(proof, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return _detail(proof)


@login_required
@require_POST
def proof_submit(request: HttpRequest, code: str) -> HttpResponse:
    proof = _for_preparer(request, code)
    return _act(request, proof, actions.submit_proof, _("The proof has been submitted."))


@login_required
@require_POST
def proof_reopen(request: HttpRequest, code: str) -> HttpResponse:
    proof = _for_preparer(request, code)
    return _act(request, proof, actions.reopen_proof, _("The proof is a draft again."))


@login_required
@require_POST
def proof_release(request: HttpRequest, code: str) -> HttpResponse:
    ctx = user_context(request)
    proof = get_proof_for_user(ctx, code)
    if not can_release(ctx, proof):
        raise PermissionDenied
    return _act(request, proof, actions.release_land_proof, _("The proof has been released."))


@login_required
@require_http_methods(["GET", "POST"])
def proof_review(request: HttpRequest, code: str) -> HttpResponse:
    ctx = user_context(request)
    proof = get_proof_for_user(ctx, code)
    if not can_review(ctx, proof):
        raise PermissionDenied
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.review_proof(proof, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The review has been recorded."))
            return _detail(proof)
    context = {
        "form": form,
        "proof": proof,
        "title": _("Review the proof of %(org)s") % {"org": proof.organisation.name},
        "cancel_url": reverse("proofs:proof_detail", args=[proof.code]),
    }
    return render(request, "proofs/proof_review.html", context)


FORMATS = ("xlsx", "docx", "pdf", "json")


@login_required
def proof_download(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    """The statement as shown on the page (frozen once submitted or released) as a file; the
    per-post actual cost only when the user may see the payroll of every post's employer."""
    ctx = user_context(request)
    proof = get_proof_for_user(ctx, code)
    if fmt not in FORMATS:
        raise Http404("No such format")
    st = shown_statement(proof)
    codes = [p.code for p in st.posts]
    post_costs = set(codes) <= payroll_visible_posts(ctx, codes)
    options = (
        {}
        if fmt == "json"
        else {
            "status": str(proof.get_status_display()),
            "place": proof.place,
            "post_costs": post_costs,
        }
    )
    content = printed.render(st, fmt, **options)
    actions.record_proof_export(proof, acting_user=request.user, fmt=fmt, post_costs=post_costs)
    response = HttpResponse(content, content_type=printed.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{printed.file_name(st, fmt)}"'
    return response
