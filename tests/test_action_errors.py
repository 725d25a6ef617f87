"""An action's refusal is shown on the form – never a 500 because the form lacks its field.

Actions raise ``ValidationError`` keyed by their own argument names (``status``, ``valid_from``,
``positions`` …), which are not always fields of the form that called them; Django's
``form.add_error(None, exc)`` then raises ``ValueError`` (found as a 500 when a holder was put
on a *planned* post). Views hand such errors to ``kim.core.forms.add_action_errors``.
"""

from __future__ import annotations

import re
from pathlib import Path

from django import forms
from django.core.exceptions import ValidationError

from kim.core.forms import add_action_errors

KIM = Path(__file__).resolve().parent.parent / "kim"


class _DateForm(forms.Form):
    start = forms.DateField()


def _bound() -> _DateForm:
    form = _DateForm({"start": "2026-12-01"})
    assert form.is_valid()
    return form


def test_errors_of_known_fields_sit_next_to_them() -> None:
    form = _bound()
    add_action_errors(form, ValidationError({"start": "too early"}))
    assert form.errors == {"start": ["too early"]}


def test_errors_of_unknown_fields_go_above_the_form() -> None:
    form = _bound()
    add_action_errors(form, ValidationError({"status": "planned", "start": "too early"}))
    assert form.non_field_errors() == ["planned"]
    assert form.errors["start"] == ["too early"]


def test_plain_errors_go_above_the_form() -> None:
    form = _bound()
    add_action_errors(form, ValidationError("changed by someone else"))
    assert form.non_field_errors() == ["changed by someone else"]


def test_views_never_hand_action_errors_to_add_error_directly() -> None:
    """The rule for every app: ``add_error(None, exc)`` with an action's error is a latent 500."""
    pattern = re.compile(r"\.add_error\(\s*None\s*,\s*(exc|error|err|e)\s*\)")
    offenders = [
        f"{path.relative_to(KIM.parent)}:{number}"
        for path in sorted(KIM.rglob("*.py"))
        if path.name != "forms.py" or path.parent.name != "core"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if pattern.search(line)
    ]
    assert offenders == [], "use kim.core.forms.add_action_errors: " + ", ".join(offenders)
