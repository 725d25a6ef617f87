"""The staffing decision per position: municipal staff or a welfare agency, why, which tasks."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kim.accounts.access import user_context
from kim.core.forms import add_action_errors
from kim.partners import actions
from kim.partners.access import traeger_for_position
from kim.partners.forms import StaffingDecisionForm
from kim.programmes.access import get_position_for_editing


@login_required
@require_http_methods(["GET", "POST"])
def staffing_decision(request: HttpRequest, position_code: str) -> HttpResponse:
    position = get_position_for_editing(user_context(request), position_code)
    form = StaffingDecisionForm(
        request.POST or None,
        agencies=traeger_for_position(position),
        initial={"decided_on": timezone.localdate(), "employer_type": position.employer_type},
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_staffing_decision(
                position, acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The staffing decision has been recorded."))
            return redirect("programmes:position_detail", code=position.code)
    return render(
        request,
        "partners/staffing_form.html",
        {
            "position": position,
            "form": form,
            "decisions": position.staffing_decisions.select_related("traeger"),
        },
    )
