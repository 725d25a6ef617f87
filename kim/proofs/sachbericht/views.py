"""The Sachbericht of a proof of use (decisions D-087): the draft page (composed from live
data on every load, with each section's text and figures), editing a section, draft
downloads, the four-eyes release, and the released – frozen – versions with their downloads.

Who sees what (``kim.proofs.access``): the proof's preparers see and edit the draft; a second
person releases it (``can_release_sachbericht``; the last editor is refused by the action and
gets 403). Everyone who reads the proof (the grantor reviewing it, the coordination
consolidating) reads the released versions; the draft is 404 for them. Everyone else: 404.
Pages and downloads are not audited (no personal data: aggregates only); edits and releases
are, by the actions.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kim.accounts.access import user_context
from kim.core.files import bytes_response
from kim.core.forms import add_action_errors
from kim.council.document import ReportDocument
from kim.council.render import file_name
from kim.council.render import render as render_document
from kim.council.render.html import render_html
from kim.council.render.text import download_suffix, file_prefix

from ..access import (
    can_prepare,
    can_release_sachbericht,
    get_sachbericht_for_preparing,
    get_sachbericht_release_for_user,
    sachbericht_versions,
)
from . import actions
from .blocks import label_for
from .compose import DEFAULT_SECTIONS, changed_sections, compose, frozen, period, sections_of
from .forms import ReleaseForm, SectionForm

FORMATS = ("pdf", "docx")


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _download(doc: ReportDocument, fmt: str) -> HttpResponse:
    content, content_type, extension = render_document(doc, fmt)
    name = file_name(doc.reference, download_suffix(doc), extension, file_prefix(doc))
    return bytes_response(content, filename=name, content_type=content_type)


@login_required
@require_GET
def sachbericht_detail(request: HttpRequest, code: str) -> HttpResponse:
    ctx = user_context(request)
    proof, sachbericht = get_sachbericht_for_preparing(ctx, code)
    rows = sections_of(sachbericht)
    document = compose(proof, sachbericht)
    changed = {s.number for s in changed_sections(rows, document)}
    if rows:
        sections = [
            {
                "key": r.key,
                "number": r.number,
                "title": r.title,
                "narrative": r.narrative,
                "labels": [label_for(k) for k in r.block_keys],
                "changed": str(r.number) in changed,
            }
            for r in rows
        ]
    else:
        sections = [
            {
                "key": s.key,
                "number": n,
                "title": str(s.title),
                "narrative": "",
                "labels": [label_for(k) for k in s.block_keys],
                "changed": False,
            }
            for n, s in enumerate(DEFAULT_SECTIONS, 1)
        ]
    start, end = period(proof)
    context: dict[str, Any] = {
        "proof": proof,
        "sachbericht": sachbericht,
        "sections": sections,
        "any_changed": bool(changed),
        "versions": list(sachbericht_versions(sachbericht)),
        "may_release": sachbericht is not None
        and can_release_sachbericht(ctx, proof)
        and actions.can_release(sachbericht, request.user.pk),
        "document": render_html(document, standalone=False, changed=changed),
        "formats": FORMATS,
        "start": start,
        "end": end,
    }
    return render(request, "proofs/sachbericht/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def section_edit(request: HttpRequest, code: str, key: str) -> HttpResponse:
    ctx = user_context(request)
    proof, sachbericht = get_sachbericht_for_preparing(ctx, code)
    row = sachbericht.sections.filter(key=key).first() if sachbericht else None
    default = next((s for s in DEFAULT_SECTIONS if s.key == key), None)
    if row is None and (sachbericht is not None or default is None):
        raise Http404("No such section")
    number = row.number if row else [s.key for s in DEFAULT_SECTIONS].index(key) + 1
    title = row.title if row else str(default.title) if default else key
    form = SectionForm(
        request.POST or None,
        initial={
            "version": sachbericht.version if sachbericht else 0,
            "narrative": row.narrative if row else "",
            "block_keys": row.block_keys if row else list(default.block_keys if default else ()),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            actions.update_sachbericht_section(
                proof,
                key,
                acting_user=_user(request),
                expected_version=data.pop("version"),
                **data,
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The section has been saved."))
            url = reverse("sachbericht:detail", kwargs={"code": proof.code})
            return redirect(f"{url}#report-q-{number}")
    return render(
        request,
        "proofs/sachbericht/section_form.html",
        {"proof": proof, "number": number, "title": title, "form": form},
    )


@login_required
@require_GET
def draft_download(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    proof, sachbericht = get_sachbericht_for_preparing(user_context(request), code)
    return _download(compose(proof, sachbericht), fmt)


@login_required
@require_http_methods(["GET", "POST"])
def release(request: HttpRequest, code: str) -> HttpResponse:
    """A confirmation page; the POST releases exactly the version that was shown. Whoever
    edited last sees the four-eyes rule instead of the button; their POST is refused (403)."""
    ctx = user_context(request)
    proof, sachbericht = get_sachbericht_for_preparing(ctx, code)
    may_release = (
        sachbericht is not None
        and can_release_sachbericht(ctx, proof)
        and actions.can_release(sachbericht, request.user.pk)
    )
    rows = sections_of(sachbericht)
    changed = (
        changed_sections(rows, compose(proof, sachbericht)) if may_release and sachbericht else []
    )
    form = ReleaseForm(
        request.POST or None,
        initial={"version": sachbericht.version if sachbericht else 0},
        changed=changed,
    )
    status = 200
    if request.method == "POST" and not may_release:
        status = 403
    elif request.method == "POST" and form.is_valid():
        try:
            released = actions.release_sachbericht(
                proof,
                acting_user=_user(request),
                expected_version=form.cleaned_data["version"],
                confirmed_sections=form.confirmed_sections(),
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(
                request,
                _("Version %(n)s of the Sachbericht has been released.") % {"n": released.number},
            )
            return redirect("sachbericht:release_detail", code=proof.code, number=released.number)
    latest = sachbericht_versions(sachbericht).values_list("number", flat=True).first()
    context = {
        "proof": proof,
        "sachbericht": sachbericht,
        "form": form,
        "may_release": may_release,
        "next_number": (latest or 0) + 1,
        "refused": status == 403,
    }
    return render(request, "proofs/sachbericht/release.html", context, status=status)


@login_required
@require_GET
def release_detail(request: HttpRequest, code: str, number: int) -> HttpResponse:
    ctx = user_context(request)
    found = get_sachbericht_release_for_user(ctx, code, number)
    proof = found.sachbericht.proof
    context = {
        "proof": proof,
        "release": found,
        "document": render_html(frozen(found), standalone=False),
        "versions": list(sachbericht_versions(found.sachbericht)),
        "may_prepare": can_prepare(ctx, proof),
        "formats": FORMATS,
    }
    return render(request, "proofs/sachbericht/version.html", context)


@login_required
@require_GET
def release_download(request: HttpRequest, code: str, number: int, fmt: str) -> HttpResponse:
    found = get_sachbericht_release_for_user(user_context(request), code, number)
    return _download(frozen(found), fmt)
