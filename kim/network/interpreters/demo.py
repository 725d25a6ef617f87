"""The demo interpreter pool of the Kreis (demo step 56): fictitious interpreters, clearly
named as demo entries, for the languages most clients of the demo speak; two of them are
employed by a fictitious interpreting service, the others freelance. Idempotent."""

from __future__ import annotations

from decimal import Decimal

from kim.network.interpreters.actions import record_interpreter
from kim.network.models import Interpreter, InterpreterKind
from kim.organisations import actions as org_actions
from kim.organisations.models import Organisation, OrgKind

SERVICE = "Sprachmittlerdienst Siegerland (Demo)"

# name, languages, employed by the service, cost per hour, office e-mail
POOL: tuple[tuple[str, list[str], bool, str, str], ...] = (
    ("Demo-Dolmetscherin Arabisch", ["ar"], True, "55.00", "arabisch@dolmetschdienst.example"),
    ("Demo-Dolmetscher Farsi und Dari", ["fa", "prs"], True, "55.00", "farsi@dolmetschdienst.example"),
    ("Demo-Dolmetscherin Ukrainisch und Russisch", ["uk", "ru"], False, "48.50", "uk-ru@demo.example"),
    ("Demo-Dolmetscher Türkisch", ["tr"], False, "45.00", "tuerkisch@demo.example"),
    ("Demo-Dolmetscherin Tigrinya", ["ti"], False, "75.00", "tigrinya@demo.example"),
    ("Demo-Dolmetscher Kurdisch und Arabisch", ["ar", "kmr", "ckb"], False, "62.00", "kurdisch@demo.example"),
)  # fmt: skip


def interpreting_service(kreis: Organisation) -> Organisation:
    """The demo interpreting service of the Kreis (an organisation of kind "authority or
    service"), created once."""
    existing = Organisation.objects.filter(name=SERVICE).first()
    if existing is not None:
        return existing
    return org_actions.create_organisation(
        acting_user=None,
        kind=OrgKind.AUTHORITY,
        name=SERVICE,
        short_name="Sprachmittlerdienst",
        region=kreis,
        is_demo=True,
    )


def seed_pool(kreis: Organisation) -> None:
    """The demo pool; nothing happens once the Kreis has any interpreter."""
    if Interpreter.objects.filter(region=kreis).exists():
        return
    service = interpreting_service(kreis)
    for name, codes, employed, rate, email in POOL:
        record_interpreter(
            kreis,
            acting_user=None,
            name=name,
            languages=codes,
            kind=InterpreterKind.ORGANISATION if employed else InterpreterKind.FREELANCE,
            organisation=service if employed else None,
            hourly_rate=Decimal(rate),
            phone="0271 000000-0",
            email=email,
        )
