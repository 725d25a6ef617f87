"""Small helpers shared by the apps' ``api.py``: query parameters checked by a serializer, the
documented shape of the 400 answer when they are wrong, and a date parameter with the same
plausible range as the forms (``kim.core.forms``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from kim.core.forms import DEFAULT_BOUNDS, DateBounds


class PlausibleDateField(serializers.DateField):
    """An ISO date parameter between 01.01.1900 and 31.12. ten years ahead (see
    ``kim.core.forms``): a year 0001 or 9999 is a 400 with the German message, not a 500."""

    bounds: DateBounds = DEFAULT_BOUNDS

    def to_internal_value(self, value: Any) -> Any:
        day = super().to_internal_value(value)
        try:
            self.bounds.check(day)
        except DjangoValidationError as exc:
            raise ValidationError(exc.messages, code="implausible") from exc
        return day


def error_serializer(name: str, params: type[serializers.Serializer]) -> type:
    """``{"detail": first message, <parameter>: [messages], ...}`` for a parameter serializer."""
    attrs: dict[str, Any] = {"detail": serializers.CharField()}
    for field in [*params().fields, "non_field_errors"]:
        attrs[field] = serializers.ListField(child=serializers.CharField(), required=False)
    return type(name, (serializers.Serializer,), attrs)


def _messages(errors: Any) -> list[str]:
    """DRF error structures (lists, dicts per list item) flattened to plain strings."""
    if isinstance(errors, Mapping):
        return [m for value in errors.values() for m in _messages(value)]
    if isinstance(errors, list):
        return [m for value in errors for m in _messages(value)]
    return [str(errors)]


def validated(params: type[serializers.Serializer], data: Any) -> dict[str, Any]:
    """The checked parameters, or a 400 whose ``detail`` names the first wrong parameter."""
    checked = params(data=data)
    if checked.is_valid():
        return dict(checked.validated_data)
    by_field = {field: _messages(errors) for field, errors in checked.errors.items()}
    field, messages = next(iter(by_field.items()))
    detail = messages[0] if field == "non_field_errors" else f"{field}: {messages[0]}"
    raise ValidationError({"detail": detail, **by_field})
