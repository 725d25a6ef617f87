"""Optimistic locking: a save based on an outdated version is refused, and the user sees both
versions side by side so that nothing typed is lost (CONVENTIONS: no lost updates).

Usage in an action::

    current = lock_version(Person, person.pk, expected_version, fields=FIELDS, labels=LABELS)

raises ``EditConflict`` when the row's ``version`` moved on; the view catches it, adds the
error to the form (the form keeps the user's input) and renders ``includes/edit_conflict.html``
with ``conflict.rows(form.data)``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class ConflictRow:
    label: str
    yours: str
    saved: str

    @property
    def differs(self) -> bool:
        return self.yours != self.saved


class EditConflict(ValidationError):
    """The row was changed by someone else after the form was loaded."""

    def __init__(self, current: models.Model, fields: Sequence[str], labels: Mapping[str, str]):
        super().__init__(
            _(
                "Someone else saved this in the meantime. Your entries are still in the form; "
                "compare them with the saved version below and save again."
            ),
            code="conflict",
        )
        self.current = current
        self.fields = tuple(fields)
        self.labels = dict(labels)

    def saved_values(self) -> dict[str, str]:
        return {f: _display(getattr(self.current, f, "")) for f in self.fields}

    def rows(self, submitted: Mapping[str, Any]) -> list[ConflictRow]:
        """One row per field: what the user submitted and what is saved now."""
        saved = self.saved_values()
        return [
            ConflictRow(
                label=str(self.labels.get(f, f)),
                yours=_display(submitted.get(f, "")),
                saved=saved[f],
            )
            for f in self.fields
        ]


def _display(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.time):  # a meeting's start (steering): no date to format
        return value.strftime("%H:%M")
    if hasattr(value, "isoformat") and not isinstance(value, str):
        from django.utils.formats import date_format

        return str(date_format(value, "SHORT_DATE_FORMAT"))
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def lock_version[M: models.Model](
    model: type[M],
    pk: int,
    expected_version: int,
    *,
    fields: Sequence[str],
    labels: Mapping[str, str] | None = None,
) -> M:
    """The row locked for update (inside the caller's transaction), or ``EditConflict``."""
    current = model._default_manager.select_for_update().get(pk=pk)
    if current.version != expected_version:  # type: ignore[attr-defined]
        raise EditConflict(current, fields, labels or {})
    return current
