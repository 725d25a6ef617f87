"""The shared form fields: plausible dates (with the German message next to the field),
multiple model choices that cannot overflow, and the rule that every form of the project uses
them."""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine
from django import forms
from django.contrib.auth.models import Group
from django.utils import translation
from rest_framework import serializers

import kim
from kim.core import api as core_api
from kim.core.forms import (
    ModelMultipleChoiceField,
    PlausibleDateField,
    PlausibleDateTimeField,
    plausible_formfield,
)

TODAY = dt.datetime(2026, 12, 6, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _german_on_a_fixed_day() -> Iterator[None]:
    with time_machine.travel(TODAY, tick=False), translation.override("de"):
        yield


class Dated(forms.Form):
    day = PlausibleDateField()
    born = PlausibleDateField(past_only=True, required=False)
    at = PlausibleDateTimeField(required=False)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"day": "01.01.0001"}, "day"),
        ({"day": "31.12.9999"}, "day"),
        ({"day": "0001-01-01"}, "day"),
        ({"day": "31.12.1899"}, "day"),
        ({"day": "01.01.2037"}, "day"),
        ({"day": "06.12.2026", "at": "01.01.0001 00:00"}, "at"),
        ({"day": "06.12.2026", "at": "31.12.9999 23:59"}, "at"),
        ({"day": "06.12.2026", "at": "9999-12-31T23:59"}, "at"),
    ],
)
def test_implausible_dates_get_a_german_message_next_to_the_field(
    data: dict[str, str], field: str
) -> None:
    form = Dated(data)
    assert not form.is_valid()
    assert form.errors[field] == ["Bitte ein Datum zwischen 01.01.1900 und 31.12.2036 angeben."]
    assert form.has_error(field, code="implausible")


def test_birth_dates_may_not_lie_in_the_future() -> None:
    form = Dated({"day": "06.12.2026", "born": "07.12.2026"})
    assert form.errors["born"] == ["Bitte ein Datum zwischen 01.01.1900 und 06.12.2026 angeben."]
    assert Dated({"day": "06.12.2026", "born": "06.12.2026"}).is_valid()


def test_the_bounds_themselves_are_accepted() -> None:
    form = Dated({"day": "01.01.1900", "at": "31.12.2036 23:59"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == dt.date(1900, 1, 1)
    assert form.cleaned_data["at"].date() == dt.date(2036, 12, 31)
    assert Dated({"day": "31.12.2036", "at": "2036-12-31T10:00"}).is_valid()


def test_the_upper_bound_moves_with_the_calendar() -> None:
    with time_machine.travel(dt.datetime(2030, 1, 2, tzinfo=dt.UTC), tick=False):
        assert Dated({"day": "31.12.2040"}).is_valid()
        assert not Dated({"day": "01.01.2041"}).is_valid()


def test_other_errors_keep_django_s_message() -> None:
    form = Dated({"day": "31.02.2026", "at": "gestern"})
    assert form.has_error("day", code="invalid") and form.has_error("at", code="invalid")


class Groups(forms.Form):
    groups = ModelMultipleChoiceField(queryset=Group.objects.all())


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["99999999999999999999", "-99999999999999999999"])
def test_a_key_beyond_the_integer_range_is_an_invalid_choice_not_an_overflow(key: str) -> None:
    group = Group.objects.create(name="Fuzz")
    form = Groups({"groups": [str(group.pk), key]})
    assert not form.is_valid()
    assert form.has_error("groups", code="invalid_pk_value")
    assert Groups({"groups": [str(group.pk)]}).is_valid()


def test_model_forms_get_the_shared_fields() -> None:
    from kim.programmes.models import Grant

    field = plausible_formfield(Grant._meta.get_field("notice_date"))
    assert isinstance(field, PlausibleDateField)


# --------------------------------------------------------------------------------------------
# The rule: no form or API parameter of the project takes a date without the bounds
# --------------------------------------------------------------------------------------------


def _project_modules(suffixes: tuple[str, ...]) -> None:
    for info in pkgutil.walk_packages(kim.__path__, "kim."):
        if ".tests" in info.name or ".migrations" in info.name:
            continue
        if any(part in suffixes for part in info.name.split(".")):
            importlib.import_module(info.name)


def _subclasses[T](cls: type[T]) -> Iterator[type[T]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_form_of_the_project_uses_the_shared_fields() -> None:
    _project_modules(("forms", "views", "api"))
    stray = []
    checked = 0
    for form_class in set(_subclasses(forms.BaseForm)):
        if not form_class.__module__.startswith("kim.") or ".tests" in form_class.__module__:
            continue
        checked += 1
        for name, field in getattr(form_class, "base_fields", {}).items():
            where = f"{form_class.__module__}.{form_class.__name__}.{name}"
            if isinstance(field, forms.DateField) and not isinstance(field, PlausibleDateField):
                stray.append(where)
            if isinstance(field, forms.DateTimeField) and not isinstance(
                field, PlausibleDateTimeField
            ):
                stray.append(where)
            if isinstance(field, forms.ModelMultipleChoiceField) and not isinstance(
                field, ModelMultipleChoiceField
            ):
                stray.append(where)
    assert checked > 60
    assert not stray, "use kim.core.forms fields (or Meta.formfield_callback): " + str(stray)


def test_every_api_date_parameter_is_plausible() -> None:
    _project_modules(("api",))
    stray = []
    for serializer_class in set(_subclasses(serializers.Serializer)):
        module = serializer_class.__module__
        if not module.startswith("kim.") or ".tests" in module:
            continue
        if issubclass(serializer_class, serializers.ModelSerializer):
            continue  # answers, not parameters
        for name, field in serializer_class().fields.items():
            if field.read_only or not isinstance(field, serializers.DateField):
                continue
            if not isinstance(field, core_api.PlausibleDateField):
                stray.append(f"{module}.{serializer_class.__name__}.{name}")
    assert not stray, "use kim.core.api.PlausibleDateField: " + str(stray)


def test_no_module_builds_django_s_own_date_fields() -> None:
    """Fields added in a form's ``__init__`` are not in ``base_fields``: the source tells."""
    root = Path(kim.__file__).parent
    pattern = re.compile(
        r"forms\.(DateField|DateTimeField|SplitDateTimeField|ModelMultipleChoiceField)\b"
        r"|serializers\.(DateField|DateTimeField)\("
    )
    stray = [
        f"{path.relative_to(root)}:{number}"
        for path in root.rglob("*.py")
        if "tests" not in path.parts
        and "migrations" not in path.parts
        and path != root / "core" / "forms.py"
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if pattern.search(line)
    ]
    assert not stray, "use kim.core.forms / kim.core.api fields: " + str(stray)
