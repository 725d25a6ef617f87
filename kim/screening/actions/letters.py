"""The invitation letter's texts per Kreis and language (issue 19, D-092), entered by the
Kreis' KIM coordination for its Ausländerbehörde: certified translations, never machine
translation. A new text ends the Kreis' previous text of the language the day before it
starts; a correction edits in place under optimistic locking. One ``LETTER_TEXT_SAVED`` event
each (field names only, never the text).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from kim.audit.models import EventType
from kim.audit.record import record
from kim.core import languages
from kim.core.locking import lock_version
from kim.core.models import Actor
from kim.core.placeholders import check_placeholders
from kim.organisations.models import Organisation
from kim.screening.letters import DOCUMENT_KEYS, PLACEHOLDERS
from kim.screening.models import LetterText, Rule

TEXT_FIELDS = (
    "title",
    "file_number_label",
    "salutation",
    "intro",
    "promising_intro",
    "fallback_promising",
    "possibly_from",
    "documents_intro",
    "disclaimer",
    "contact_label",
    "closing",
    "binding_note",
    "certified_by",
    "source",
    "is_demo",
    "terms",
    "valid_to",
)
TERM_KEYS = (*Rule.values, *DOCUMENT_KEYS)


def _labels() -> dict[str, str]:
    return {f: str(getattr(LetterText._meta.get_field(f), "verbose_name", f)) for f in TEXT_FIELDS}


def check_letter_values(language: str, values: dict[str, Any]) -> None:
    """German errors per field: language, placeholders, required parts of a translation."""
    errors: dict[str, Any] = {}
    if languages.get(language) is None:
        errors["language"] = _("Choose a language of the list.")
    for name in TEXT_FIELDS:
        value = values.get(name)
        if isinstance(value, str) and name not in ("source", "certified_by"):
            try:
                check_placeholders(value, PLACEHOLDERS.get(name, ()))
            except ValidationError as exc:
                errors[name] = exc
    if language != "de":
        for name in ("certified_by", "binding_note"):
            if not str(values.get(name) or "").strip():
                errors[name] = _("Required for a translation.")
    unknown = set(values.get("terms") or {}) - set(TERM_KEYS)
    if unknown:
        errors["terms"] = _("Unknown terms: %(keys)s.") % {"keys": ", ".join(sorted(unknown))}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_letter_text(
    *,
    acting_user: Actor,
    region: Organisation,
    language: str,
    valid_from: dt.date,
    text: LetterText | None = None,
    expected_version: int | None = None,
    **values: Any,
) -> LetterText:
    """Create the Kreis' new version for ``language`` (``text`` None) or correct ``text``."""
    unknown = set(values) - set(TEXT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown fields: {sorted(unknown)}")
    check_letter_values(language, values)
    if text is None:
        if LetterText.objects.filter(
            region=region, language=language, valid_from__gte=valid_from
        ).exists():
            raise ValidationError(
                {"valid_from": _("A text of this language starts on or after this date already.")}
            )
        LetterText.objects.filter(region=region, language=language).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from)
        ).update(valid_to=valid_from - dt.timedelta(days=1))
        saved = LetterText.objects.create(
            region=region, language=language, valid_from=valid_from, **{**values, "valid_to": None}
        )
        new = True
    else:
        saved = lock_version(
            LetterText,
            text.pk,
            expected_version if expected_version is not None else text.version,
            fields=[f for f in TEXT_FIELDS if f != "terms"],
            labels=_labels(),
        )
        if saved.region_id != region.pk:
            raise ValidationError(_("This text belongs to another Kreis."))
        valid_to = values.get("valid_to")
        if valid_to is not None and valid_to < saved.valid_from:
            raise ValidationError({"valid_to": _("The end lies before the start.")})
        for name, value in values.items():
            setattr(saved, name, value)
        saved.version += 1
        saved.save()
        new = False
    record(
        EventType.LETTER_TEXT_SAVED,
        actor=acting_user,
        subject=saved,
        organisation=region,
        extra={
            "language": language,
            "valid_from": saved.valid_from.isoformat(),
            "new_version": new,
            "fields": sorted(values),
        },
    )
    return saved
