"""The consent form's texts per Kreis and language, entered by the Kreis' KIM coordination
(issue 19, D-092): certified translations, never machine translation.

A new text is a new dated version: it ends the Kreis' previous text of the language the day
before it starts. A correction of a text edits it in place under optimistic locking. Both write
one ``FORM_TEXT_SAVED`` event (field names only, never the text).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kim.audit.models import EventType
from kim.audit.record import record
from kim.cases.models import ConsentFormText
from kim.core import languages
from kim.core.locking import lock_version
from kim.core.models import Actor
from kim.organisations.models import Organisation

TEXT_FIELDS = (
    "title",
    "body",
    "place_date_label",
    "signature_label",
    "binding_note",
    "certified_by",
    "source",
    "is_demo",
    "valid_to",
)
TEXT_LABELS = {
    "title": gettext_lazy("title"),
    "body": gettext_lazy("text"),
    "place_date_label": gettext_lazy("label “place, date”"),
    "signature_label": gettext_lazy("label “signature”"),
    "binding_note": gettext_lazy("note that the German text is binding"),
    "certified_by": gettext_lazy("translation certified by"),
    "source": gettext_lazy("source"),
    "is_demo": gettext_lazy("demo text"),
    "valid_to": gettext_lazy("valid to"),
}


def _check(language: str, values: dict[str, Any]) -> None:
    """What the form checks too (the action is also called by the demo and by scripts)."""
    errors: dict[str, str] = {}
    if languages.get(language) is None:
        errors["language"] = _("Choose a language of the list.")
    if language != "de":
        for field in ("certified_by", "binding_note", "place_date_label", "signature_label"):
            if not str(values.get(field) or "").strip():
                errors[field] = _("Required for a translation.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_form_text(
    *,
    acting_user: Actor,
    region: Organisation,
    language: str,
    valid_from: dt.date,
    text: ConsentFormText | None = None,
    expected_version: int | None = None,
    **values: Any,
) -> ConsentFormText:
    """Create the Kreis' new version of the text for ``language`` (``text`` None), or correct
    ``text`` in place (optimistic locking on ``version``)."""
    _check(language, values)
    unknown = set(values) - set(TEXT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown fields: {sorted(unknown)}")
    if text is None:
        text, ended = _new_version(region, language, valid_from, values), True
    else:
        current = lock_version(
            ConsentFormText,
            text.pk,
            expected_version if expected_version is not None else text.version,
            fields=TEXT_FIELDS,
            labels={k: str(v) for k, v in TEXT_LABELS.items()},
        )
        if current.region_id != region.pk:
            raise ValidationError(_("This text belongs to another Kreis."))
        valid_to = values.get("valid_to")
        if valid_to is not None and valid_to < current.valid_from:
            raise ValidationError({"valid_to": _("The end lies before the start.")})
        for field, value in values.items():
            setattr(current, field, value)
        current.version += 1
        current.save()
        text, ended = current, False
    record(
        EventType.FORM_TEXT_SAVED,
        actor=acting_user,
        subject=text,
        organisation=region,
        extra={
            "language": language,
            "valid_from": text.valid_from.isoformat(),
            "new_version": ended,
            "fields": sorted(values),
        },
    )
    return text


def _new_version(
    region: Organisation, language: str, valid_from: dt.date, values: dict[str, Any]
) -> ConsentFormText:
    later = ConsentFormText.objects.filter(
        region=region, language=language, valid_from__gte=valid_from
    )
    if later.exists():
        raise ValidationError(
            {"valid_from": _("A text of this language starts on or after this date already.")}
        )
    ConsentFormText.objects.filter(region=region, language=language).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from)
    ).update(valid_to=valid_from - dt.timedelta(days=1))
    values = {**values, "valid_to": None}
    return ConsentFormText.objects.create(
        region=region, language=language, valid_from=valid_from, **values
    )
