"""Form helpers shared by every app's views."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


def add_action_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show an action's refusal on the form: next to the field it names, or above the form
    when the form has no such field (an action's arguments are not always the form's fields,
    e.g. the post's ``status`` behind the holder form's start date).

    ``form.add_error(None, exc)`` would raise ``ValueError`` (a 500) for such a field, so views
    hand every ``ValidationError`` of an action to this function instead.
    """
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)
