"""Every change of the interpreter pool (``Interpreter``): recorded and changed by the KIM
coordination of the Kreis, each change with its audit event in the same transaction.

Who may call them is checked by the caller (``kim.network.access.can_maintain_pool`` and
``can_edit_interpreter``); the actions check the data.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kim.audit.models import EventType
from kim.audit.record import record
from kim.core import languages
from kim.core.locking import lock_version
from kim.core.models import Actor
from kim.network.models import Interpreter, InterpreterKind
from kim.organisations.models import Organisation, OrgKind

FIELDS = ("name", "languages", "kind", "organisation", "hourly_rate", "phone", "email", "active")
LABELS = {
    "name": gettext_lazy("Name"),
    "languages": gettext_lazy("Languages"),
    "kind": gettext_lazy("Kind"),
    "organisation": gettext_lazy("Organisation"),
    "hourly_rate": gettext_lazy("Cost per hour (€)"),
    "phone": gettext_lazy("Office phone"),
    "email": gettext_lazy("Office e-mail"),
    "active": gettext_lazy("Available for bookings"),
}
# Organisations that cannot employ interpreters of a Kreis' pool.
NOT_EMPLOYERS = (OrgKind.LAND, OrgKind.BEZIRKSREGIERUNG, OrgKind.KREISFREIE_STADT)


def employer_choices(region: Organisation) -> QuerySet[Organisation]:
    """Organisations of the Kreis that may employ an interpreter of its pool."""
    return (
        Organisation.objects.filter(Q(pk=region.pk) | Q(region_id=region.pk))
        .exclude(kind__in=NOT_EMPLOYERS)
        .order_by("name")
    )


def clean_languages(codes: Iterable[str]) -> list[str]:
    """Known catalogue codes, German excluded, in catalogue order, at least one."""
    chosen = {c for c in codes if c}
    if not chosen:
        raise ValidationError({"languages": _("Choose at least one language.")})
    unknown = sorted(c for c in chosen if languages.get(c) is None or c == "de")
    if unknown:
        raise ValidationError({"languages": _("Unknown language: %s.") % ", ".join(unknown)})
    return [c for c in languages.codes() if c in chosen]


def _clean(region: Organisation, data: dict[str, Any]) -> dict[str, Any]:
    name = str(data.get("name") or "").strip()
    if not name:
        raise ValidationError({"name": _("Enter the name.")})
    kind = data.get("kind")
    if kind not in InterpreterKind.values:
        raise ValidationError({"kind": _("Choose the kind.")})
    organisation = data.get("organisation")
    if kind == InterpreterKind.ORGANISATION:
        if organisation is None:
            raise ValidationError(
                {"organisation": _("Choose the organisation that employs the interpreter.")}
            )
        if not employer_choices(region).filter(pk=organisation.pk).exists():
            raise ValidationError({"organisation": _("Choose an organisation of the Kreis.")})
    else:
        organisation = None
    rate = data.get("hourly_rate")
    if rate is None or Decimal(rate) < 0:
        raise ValidationError({"hourly_rate": _("Enter the cost per hour (0 or more).")})
    return {
        "name": name,
        "languages": clean_languages(data.get("languages") or []),
        "kind": kind,
        "organisation": organisation,
        "hourly_rate": Decimal(rate).quantize(Decimal("0.01")),
        "phone": str(data.get("phone") or "").strip(),
        "email": str(data.get("email") or "").strip(),
    }


@transaction.atomic
def record_interpreter(region: Organisation, *, acting_user: Actor, **data: Any) -> Interpreter:
    """Add an interpreter to the pool of ``region`` (available for bookings)."""
    values = _clean(region, data)
    interpreter = Interpreter.objects.create(region=region, active=True, **values)
    record(
        EventType.INTERPRETER_RECORDED,
        actor=acting_user,
        subject=interpreter,
        organisation=region,
        extra={"kind": interpreter.kind, "languages": interpreter.languages},
    )
    return interpreter


@transaction.atomic
def update_interpreter(
    interpreter: Interpreter, *, acting_user: Actor, expected_version: int, **data: Any
) -> Interpreter:
    """Change an interpreter's entry; ``EditConflict`` when someone saved in the meantime.
    ``active`` (optional) takes the interpreter off the pool for new bookings or back."""
    current = lock_version(
        Interpreter,
        interpreter.pk,
        expected_version,
        fields=FIELDS,
        labels={k: str(v) for k, v in LABELS.items()},
    )
    values = _clean(current.region, data)
    if "active" in data:
        values["active"] = bool(data["active"])
    changed = sorted(k for k, v in values.items() if getattr(current, k) != v)
    for key, value in values.items():
        setattr(current, key, value)
    current.version += 1
    current.save()
    record(
        EventType.INTERPRETER_UPDATED,
        actor=acting_user,
        subject=current,
        organisation=current.region,
        extra={"fields": changed, "active": current.active},
    )
    return current


def set_interpreter_active(
    interpreter: Interpreter, *, acting_user: Actor, expected_version: int, active: bool
) -> Interpreter:
    """Deactivate (no new bookings; existing ones stay) or reactivate an interpreter."""
    data = {f: getattr(interpreter, f) for f in FIELDS if f != "active"}
    return update_interpreter(
        interpreter,
        acting_user=acting_user,
        expected_version=expected_version,
        active=active,
        **data,
    )
