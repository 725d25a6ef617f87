"""Contacts, appointments, notes and documents of a case file."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kim.accounts.access import user_context
from kim.cases.access import can_read_confidential, get_case_document_for_user
from kim.cases.actions import activities as actions
from kim.cases.documents import document_response
from kim.cases.forms.activities import ActivityForm, DocumentForm
from kim.cases.views.casefile import editable_case
from kim.cases.views.lifecycle import GET_POST, step_page


@login_required
@GET_POST
def activity_add(request: HttpRequest, code: str) -> HttpResponse:
    case = editable_case(request, code)
    form = ActivityForm(
        request.POST or None,
        may_write_confidential=can_read_confidential(user_context(request), case),
    )

    def run(data: dict[str, Any]) -> object:
        return actions.record_activity(case, acting_user=request.user, **data)

    return step_page(
        request,
        case,
        form,
        run,
        title=_("Record a contact, appointment or note"),
        done=_("The entry has been recorded."),
    )


@login_required
@GET_POST
def document_add(request: HttpRequest, code: str) -> HttpResponse:
    case = editable_case(request, code)
    form = DocumentForm(request.POST or None, request.FILES or None)

    def run(data: dict[str, Any]) -> object:
        return actions.attach_document(
            case, acting_user=request.user, upload=data["file"], doc_type=data["doc_type"]
        )

    return step_page(
        request,
        case,
        form,
        run,
        title=_("Attach a document"),
        done=_("The document has been stored."),
        template="cases/document_form.html",
    )


@login_required
@require_GET
def document_download(request: HttpRequest, code: str, document: str) -> HttpResponse:
    """Documents leave the server only here: after the access check, as an audited download."""
    stored = get_case_document_for_user(user_context(request), code, document)
    response = document_response(stored)
    actions.record_document_download(stored, acting_user=request.user)
    return response


urlpatterns: list[URLPattern] = [
    path("faelle/<str:code>/aktivitaeten/neu/", activity_add, name="activity_add"),
    path("faelle/<str:code>/dokumente/neu/", document_add, name="document_add"),
    path(
        "faelle/<str:code>/dokumente/<str:document>/", document_download, name="document_download"
    ),
]
