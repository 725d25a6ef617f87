"""Form fields every app uses instead of Django's own where input can break the code behind
it, and ``add_action_errors`` to show an action's refusal on its form.

**Dates.** Django accepts any date Python can hold, 01.01.0001 to 31.12.9999. The code behind
a form cannot: a contact on 01.01.0001 00:00 overflows when it is converted to UTC, a
decision date of 31.12.9999 overflows when a deadline is added to it, a reference date in
9999 makes the forecast ask for the pay table of year 10000. Such dates are typing mistakes,
never facts of this platform, so every date field accepts only *plausible* dates:

- from 01.01.1900 (nobody the platform serves was born earlier, no rule or post is older);
- until 31.12. of the year ten years ahead (deadlines, plans, contract ends and reviews lie at
  most a few years ahead; the margin keeps every "date + a few years" inside the calendar);
- birth dates (``past_only=True``) until today.

The bounds are computed on the day of the request, so the upper bound moves with time. The
same bounds check dates read from uploads (``DEFAULT_BOUNDS``) and the API's query
parameters (``kim.core.api.PlausibleDateField``); OParl's list filters, used by machines with
far-future sentinels, allow a century ahead (``FILTER_BOUNDS``).

**Multiple model choices.** Django checks each submitted key of a
``ModelMultipleChoiceField`` with an ``exact`` lookup, which knows the database's integer
range, but then loads the rows with an ``__in`` lookup, which does not: a key beyond 64 bits
raises ``OverflowError`` on SQLite. ``ModelMultipleChoiceField`` here refuses such keys
first, with Django's own "not a valid value" message.

``ModelForm``s get both through ``Meta.formfield_callback = plausible_formfield``. A rule in
``kim/core/tests/test_forms.py`` checks every form class of the project for stray Django
date fields.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import connections, models
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

EARLIEST = dt.date(1900, 1, 1)
YEARS_AHEAD = 10


@dataclass(frozen=True)
class DateBounds:
    """The plausible range of one kind of date, computed on the day it is checked."""

    earliest: dt.date = EARLIEST
    years_ahead: int | None = YEARS_AHEAD  # None: not after today

    def latest(self, today: dt.date | None = None) -> dt.date:
        today = today or timezone.localdate()
        if self.years_ahead is None:
            return today
        return dt.date(today.year + self.years_ahead, 12, 31)

    def contains(self, day: dt.date) -> bool:
        return self.earliest <= day <= self.latest()

    def message(self) -> str:
        return str(
            _("Please enter a date between %(earliest)s and %(latest)s.")
            % {
                "earliest": self.earliest.strftime("%d.%m.%Y"),
                "latest": self.latest().strftime("%d.%m.%Y"),
            }
        )

    def check(self, day: dt.date) -> None:
        """``ValidationError`` (code ``implausible``) for a date outside the bounds."""
        if not self.contains(day):
            raise ValidationError(self.message(), code="implausible")


DEFAULT_BOUNDS = DateBounds()
PAST_BOUNDS = DateBounds(years_ahead=None)
# Machine clients (OParl) filter "until" with far-future sentinels such as 2099-01-01; a
# century ahead still keeps every conversion inside the calendar.
FILTER_BOUNDS = DateBounds(years_ahead=100)


def _bounds(past_only: bool) -> DateBounds:
    return PAST_BOUNDS if past_only else DEFAULT_BOUNDS


class PlausibleDateField(forms.DateField):
    """A ``DateField`` for 01.01.1900 … 31.12. ten years ahead (``past_only``: … today)."""

    def __init__(self, *, past_only: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.bounds = _bounds(past_only)

    def validate(self, value: Any) -> None:
        super().validate(value)
        if isinstance(value, dt.date):
            self.bounds.check(value)


class PlausibleDateTimeField(forms.DateTimeField):
    """A ``DateTimeField`` whose day lies in the plausible range.

    The day is checked on the typed, naive value, before Django attaches the time zone:
    converting 01.01.0001 00:00 (Berlin) to UTC is itself what overflows.
    """

    def __init__(self, *, past_only: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.bounds = _bounds(past_only)

    def to_python(self, value: Any) -> dt.datetime | None:
        if isinstance(value, str):
            typed = self._typed(value.strip())
            if typed is not None:
                self.bounds.check(typed.date())
        elif isinstance(value, dt.date):
            self.bounds.check(value if not isinstance(value, dt.datetime) else value.date())
        return super().to_python(value)

    def _typed(self, text: str) -> dt.datetime | None:
        """The value as typed (ISO or one of the input formats), or None if it is no date."""
        try:
            parsed = parse_datetime(text)
        except ValueError:
            return None
        if parsed is not None:
            return parsed
        for fmt in self.input_formats or ():
            try:
                return dt.datetime.strptime(text, fmt)
            except (ValueError, TypeError):
                continue
        return None


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's field, but a key outside the database's integer range is simply not a valid
    value (Django's ``__in`` lookup would overflow on it)."""

    def _check_values(self, value: Any) -> Any:
        queryset = self.queryset
        assert queryset is not None  # set by every form before it is bound
        key = self.to_field_name or "pk"
        model = queryset.model
        field = model._meta.pk if key == "pk" else model._meta.get_field(key)
        if isinstance(field, models.IntegerField | models.AutoField):
            ops = connections[queryset.db].ops
            low, high = ops.integer_field_range(field.get_internal_type())
            for pk in value:  # clean() has made sure it is a list or tuple
                number = _as_int(pk)
                if number is not None and not _within(number, low, high):
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": pk},
                    )
        return super()._check_values(value)  # type: ignore[misc]


def _as_int(value: object) -> int | None:
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def _within(number: int, low: int | None, high: int | None) -> bool:
    return (low is None or number >= low) and (high is None or number <= high)


def plausible_formfield(db_field: models.Field[Any, Any], **kwargs: Any) -> forms.Field | None:
    """``Meta.formfield_callback`` for ModelForms: plausible dates, overflow-safe choices."""
    if isinstance(db_field, models.DateTimeField):
        kwargs.setdefault("form_class", PlausibleDateTimeField)
    elif isinstance(db_field, models.DateField):
        kwargs.setdefault("form_class", PlausibleDateField)
    elif isinstance(db_field, models.ManyToManyField):
        kwargs.setdefault("form_class", ModelMultipleChoiceField)
    return db_field.formfield(**kwargs)


def add_action_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show an action's refusal on the form: next to the field it names, or above the form
    when the form has no such field (an action's arguments are not always the form's fields,
    e.g. the post's ``status`` behind the holder form's start date).

    ``form.add_error(None, exc)`` would raise ``ValueError`` (a 500) for such a field, so views
    hand every ``ValidationError`` of an action to this function instead. A refusal of the file
    storage (``kim.core.files.FILE_FIELD``) goes next to the form's file field.
    """
    from kim.core.files import FILE_FIELD

    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    file_fields = [n for n, f in form.fields.items() if isinstance(f, forms.FileField)]
    for field, errors in exc.error_dict.items():
        if field == FILE_FIELD and file_fields:
            field = file_fields[0]
        form.add_error(field if field in form.fields else None, errors)
