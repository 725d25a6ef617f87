"""Placeholders in texts entered as data (consent form, invitation letter; issue 19, D-092):
``{person}`` … are filled in when printing, and only the documented ones may appear."""

from __future__ import annotations

import string
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def check_placeholders(text: str, allowed: Iterable[str]) -> None:
    """``ValidationError`` (German) for an unknown ``{x}`` or a brace that opens no
    placeholder; the allowed set is named in the message."""
    permitted = tuple(allowed)
    names = ", ".join("{" + name + "}" for name in permitted) or "—"
    try:
        fields = [field for _lit, field, _spec, _conv in string.Formatter().parse(text) if field]
    except ValueError:
        raise ValidationError(
            _("A curly brace is not closed or stands alone. Allowed placeholders: %(names)s.")
            % {"names": names},
            code="braces",
        ) from None
    unknown = sorted({f for f in fields if f not in permitted})
    if unknown:
        raise ValidationError(
            _("Unknown placeholder %(found)s. Allowed placeholders: %(names)s.")
            % {"found": ", ".join("{" + f + "}" for f in unknown), "names": names},
            code="placeholder",
        )
