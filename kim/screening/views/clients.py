"""Screening a case manager's own client (``/screening/klienten/<case code>/``).

Access: strangers get 404, who sees the case without working on it (the team lead) gets 403
(``kim.screening.clients.get_client_for_screening``). Without an active screening consent
the page explains what is missing (status 403) and links to recording a consent. The facts
are POSTed and the results rendered in the response, never stored; every run is audited
(``SCREENING_CASE_RUN``), and showing the page with the case file's timeline is a case read.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from kim.accounts.access import user_context
from kim.cases.access import can_edit_case
from kim.cases.actions.lifecycle import record_case_read
from kim.core.forms import add_action_errors
from kim.screening.actions.clients import screen_client
from kim.screening.clients import (
    CaseFacts,
    ClientGate,
    case_facts,
    get_client_for_screening,
    with_additions,
)
from kim.screening.forms.clients import ScreeningFactsForm


def _refusal(request: HttpRequest, gate: ClientGate) -> HttpResponse:
    context = {
        "case": gate.case,
        "may_record_consent": can_edit_case(user_context(request), gate.case),
    }
    return render(request, "screening/client_no_consent.html", context, status=403)


def _run(request: HttpRequest, gate: ClientGate, form: ScreeningFactsForm, file: CaseFacts) -> Any:
    """The results, or None when the action refused (the error then sits on the form)."""
    day = form.cleaned_data["decision_date"]
    additions = form.additions()
    facts = with_additions(file.facts, additions)
    try:
        return screen_client(
            gate.case,
            acting_user=request.user,
            facts=facts,
            decision_date=day,
            given=tuple(additions),
        )
    except ValidationError as exc:
        add_action_errors(form, exc)
        return None


@login_required
@require_http_methods(["GET", "POST"])
def client_screening(request: HttpRequest, code: str) -> HttpResponse:
    today = timezone.localdate()
    gate = get_client_for_screening(user_context(request), code, today)
    if not gate.allowed:
        return _refusal(request, gate)
    if request.method == "GET":  # the page shows the case file's timeline: a read
        record_case_read(gate.case, acting_user=request.user)
    form = ScreeningFactsForm(request.POST or None, initial={"decision_date": today})
    valid = request.method == "POST" and form.is_valid()
    day = form.cleaned_data["decision_date"] if valid else today
    file = case_facts(gate.case, day)
    results = _run(request, gate, form, file) if valid else None
    context = {
        "case": gate.case,
        "consent": gate.consent,
        "file": file,
        "form": form,
        "results": results,
        "decision_date": day,
    }
    return render(request, "screening/client_screening.html", context)


urlpatterns: list[URLPattern] = [
    path("klienten/<str:code>/", client_screening, name="client_screening"),
]
