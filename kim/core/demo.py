"""The demo world: Kreis Siegen-Wittgenstein, built through action functions.

Public facts (towns, AGS, population, authorities) carry their sources from the domain brief.
People and welfare agencies are fictional and marked ``is_demo``; no dealings are attributed
to real organisations. Running the seed twice changes nothing (idempotent).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from kim.accounts.actions import create_user, grant_role
from kim.accounts.models import Membership, Role
from kim.organisations import actions as org_actions
from kim.organisations.models import (
    Organisation,
    OrganisationalUnit,
    OrgKind,
    PopulationFigure,
    ResponsibilityPeriod,
)

SRC_AGS = "AGS: amtlicher Gemeindeschlüssel (DWD-Warnzellenliste, gegengeprüft)"
SRC_POP_2019 = "IT.NRW, Stand 31.12.2019 (berichtet von WP und vmb-siwi.de)"
SRC_POP_2024 = "IT.NRW, Stand 31.12.2024 (Siegener Zeitung via n-ag.de)"
SRC_MERGER = (
    "siegen.de: Ausländerbehörden von Kreis und Stadt unter einem Dach (Beschluss 2025); "
    "Starttermin UNBESTÄTIGT – Demo-Annahme 01.07.2025"
)
SRC_JUGENDAMT = "WP-Artikel 237575695: Siegen hat als einzige Stadt ein eigenes Jugendamt"
PROGRAMME_START = dt.date(2020, 1, 1)
MERGER_DATE = dt.date(2025, 7, 1)  # UNCONFIRMED in the brief; demo assumption

# name, type, AGS, population 31.12.2019, population 31.12.2024 (None: not reliably reported)
TOWNS: list[tuple[str, str, str, int, int | None]] = [
    ("Bad Berleburg", "Stadt", "05970004", 18914, None),
    ("Burbach", "Gemeinde", "05970008", 14856, 14553),
    ("Erndtebrück", "Gemeinde", "05970012", 6934, None),
    ("Freudenberg", "Stadt", "05970016", 17711, 17355),
    ("Hilchenbach", "Stadt", "05970020", 14801, 14412),
    ("Kreuztal", "Stadt", "05970024", 31122, 30905),
    ("Bad Laasphe", "Stadt", "05970028", 13504, 13148),
    ("Netphen", "Stadt", "05970032", 23081, 23080),
    ("Neunkirchen", "Gemeinde", "05970036", 13165, 12705),
    ("Siegen", "Stadt", "05970040", 102770, 102685),
    ("Wilnsdorf", "Gemeinde", "05970044", 20086, 20039),
]

DEMO_TRAEGER = [
    (
        "Brücke Siegerland – Integrationshilfe e.V. (Demo)",
        "Brücke Siegerland",
        "e.V.",
        "Der Paritätische NRW",
    ),
    (
        "Lebenswege Wittgenstein gGmbH (Demo)",
        "Lebenswege",
        "gGmbH",
        "Diakonie Rheinland-Westfalen-Lippe",
    ),
    (
        "Nachbarschaftswerk Rothaar e.V. (Demo)",
        "Nachbarschaftswerk",
        "e.V.",
        "Arbeiterwohlfahrt (AWO) NRW",
    ),
]


@dataclass(frozen=True)
class Persona:
    username: str
    role: str
    organisation: str  # key into the seeded organisation dict
    first_name: str
    last_name: str
    description: str
    unit: str = ""


PERSONAS = [
    Persona(
        "koordination",
        Role.KIM_COORDINATION,
        "kreis",
        "Karla",
        "Koordinatorin",
        "KIM-Koordination, Kreis Siegen-Wittgenstein",
        "ki",
    ),
    Persona(
        "siegen",
        Role.PROGRAMME_LEAD,
        "Siegen",
        "Sven",
        "Programmleitung",
        "Programmleitung KIM, Stadt Siegen",
    ),
    Persona(
        "cm-siegen",
        Role.CASE_MANAGER,
        "Siegen",
        "Clara",
        "Fallmanagerin",
        "Case Managerin, Stadt Siegen",
    ),
    Persona(
        "cm-kreuztal",
        Role.CASE_MANAGER,
        "Kreuztal",
        "Kemal",
        "Fallmanager",
        "Case Manager, Stadt Kreuztal",
    ),
    Persona(
        "cm-traeger",
        Role.CASE_MANAGER,
        "traeger",
        "Tanja",
        "Beraterin",
        "Case Managerin beim Demo-Träger",
    ),
    Persona(
        "traeger",
        Role.TRAEGER_MANAGER,
        "traeger",
        "Theo",
        "Geschäftsführer",
        "Leitung des Demo-Trägers",
    ),
    Persona(
        "teamlead-siegen",
        Role.TEAM_LEAD,
        "Siegen",
        "Tobias",
        "Teamleitung",
        "Teamleitung Case Management, Stadt Siegen",
    ),
    Persona(
        "abh",
        Role.B3_OFFICER,
        "abh_kreis",
        "Anna",
        "Behördenmitarbeiterin",
        "Baustein 3, Ausländerbehörde des Kreises",
    ),
    Persona(
        "rat", Role.COUNCIL_MEMBER, "Siegen", "Rita", "Ratsmitglied", "Ratsmitglied, Stadt Siegen"
    ),
    Persona("dsb", Role.DPO, "kreis", "Dieter", "Datenschutz", "Datenschutzbeauftragter, Kreis"),
    Persona("admin", Role.ADMINISTRATOR, "kreis", "Ada", "Admin", "Administration der Plattform"),
]
DEMO_PASSWORD = "demo"  # noqa: S105 – demo mode only, refused in production


def _org(lookup: dict[str, str], **fields: object) -> Organisation:
    existing = Organisation.objects.filter(**lookup).first()
    if existing is not None:
        return existing
    return org_actions.create_organisation(acting_user=None, **fields)


def _unit(org: Organisation, name: str, short_name: str) -> OrganisationalUnit:
    existing = OrganisationalUnit.objects.filter(organisation=org, name=name).first()
    return existing or org_actions.create_unit(
        org, acting_user=None, name=name, short_name=short_name
    )


def _responsibility(
    authority: Organisation, town: Organisation, start: dt.date, end: dt.date | None, source: str
) -> None:
    if not ResponsibilityPeriod.objects.filter(
        authority=authority, kommune=town, valid_from=start
    ).exists():
        org_actions.set_responsibility(
            acting_user=None,
            authority=authority,
            kommune=town,
            valid_from=start,
            valid_to=end,
            source=source,
        )


def _population(town: Organisation, day: dt.date, value: int, source: str) -> None:
    if not PopulationFigure.objects.filter(
        kommune=town, category="total", reference_date=day
    ).exists():
        org_actions.record_population(
            acting_user=None, kommune=town, reference_date=day, value=value, source=source
        )


def _authority(
    name: str, short: str, kind: str, rechtskreis: str, parent: Organisation, region: Organisation
) -> Organisation:
    return _org(
        {"name": name},
        kind=OrgKind.AUTHORITY,
        name=name,
        short_name=short,
        authority_type=kind,
        rechtskreis=rechtskreis,
        parent=parent,
        region=region,
    )


def _seed_organisations() -> dict[str, Organisation]:
    land = _org(
        {"kind": OrgKind.LAND}, kind=OrgKind.LAND, name="Land Nordrhein-Westfalen", short_name="NRW"
    )
    bra = _org(
        {"name": "Bezirksregierung Arnsberg"},
        kind=OrgKind.BEZIRKSREGIERUNG,
        name="Bezirksregierung Arnsberg",
        short_name="BRA",
        parent=land,
    )
    kreis = _org(
        {"ags": "05970"},
        kind=OrgKind.KREIS,
        name="Kreis Siegen-Wittgenstein",
        short_name="Siegen-Wittgenstein",
        ags="05970",
        parent=bra,
    )
    orgs: dict[str, Organisation] = {"land": land, "bra": bra, "kreis": kreis}
    for name, mtype, ags, pop19, pop24 in TOWNS:
        town = _org(
            {"ags": ags},
            kind=OrgKind.KOMMUNE,
            name=f"{mtype} {name}",
            short_name=name,
            ags=ags,
            municipality_type=mtype,
            parent=kreis,
        )
        orgs[name] = town
        _population(town, dt.date(2019, 12, 31), pop19, SRC_POP_2019)
        if pop24 is not None:
            _population(town, dt.date(2024, 12, 31), pop24, SRC_POP_2024)
    orgs["ki"] = kreis  # placeholder key for the unit's organisation
    siegen = orgs["Siegen"]
    others = [orgs[t[0]] for t in TOWNS if t[0] != "Siegen"]
    everyone = [orgs[t[0]] for t in TOWNS]

    abh_kreis = _authority(
        "Ausländerbehörde Kreis Siegen-Wittgenstein",
        "ABH Kreis",
        "auslaenderbehoerde",
        "aufenthg",
        kreis,
        kreis,
    )
    abh_siegen = _authority(
        "Ausländerbehörde Stadt Siegen",
        "ABH Siegen",
        "auslaenderbehoerde",
        "aufenthg",
        siegen,
        kreis,
    )
    for town in others:
        _responsibility(
            abh_kreis,
            town,
            PROGRAMME_START,
            None,
            "Kreis-ABH für die zehn kreisangehörigen Kommunen außer Siegen",
        )
    _responsibility(
        abh_siegen, siegen, PROGRAMME_START, MERGER_DATE - dt.timedelta(days=1), SRC_MERGER
    )
    _responsibility(abh_kreis, siegen, MERGER_DATE, None, SRC_MERGER)
    ebb_kreis = _authority(
        "Einbürgerungsbehörde Kreis Siegen-Wittgenstein",
        "EBB Kreis",
        "einbuergerungsbehoerde",
        "stag",
        kreis,
        kreis,
    )
    ebb_siegen = _authority(
        "Einbürgerungsbehörde Stadt Siegen",
        "EBB Siegen",
        "einbuergerungsbehoerde",
        "stag",
        siegen,
        kreis,
    )
    for town in others:
        _responsibility(ebb_kreis, town, PROGRAMME_START, None, "Kreis-EBB")
    _responsibility(
        ebb_siegen,
        siegen,
        PROGRAMME_START,
        None,
        "Rolle der Stadt nach der ABH-Zusammenlegung UNBESTÄTIGT",
    )
    ja_kreis = _authority(
        "Jugendamt Kreis Siegen-Wittgenstein",
        "Jugendamt Kreis",
        "jugendamt",
        "sgb_viii",
        kreis,
        kreis,
    )
    ja_siegen = _authority(
        "Jugendamt Stadt Siegen", "Jugendamt Siegen", "jugendamt", "sgb_viii", siegen, kreis
    )
    for town in others:
        _responsibility(ja_kreis, town, PROGRAMME_START, None, SRC_JUGENDAMT)
    _responsibility(ja_siegen, siegen, PROGRAMME_START, None, SRC_JUGENDAMT)
    jobcenter = _authority(
        "Jobcenter Siegen-Wittgenstein", "Jobcenter", "jobcenter", "sgb_ii", kreis, kreis
    )
    agentur = _authority(
        "Agentur für Arbeit Siegen",
        "Agentur für Arbeit",
        "agentur_fuer_arbeit",
        "sgb_iii",
        kreis,
        kreis,
    )
    for town in everyone:
        _responsibility(
            jobcenter, town, PROGRAMME_START, None, "Zuständig für das gesamte Kreisgebiet"
        )
        _responsibility(
            agentur, town, PROGRAMME_START, None, "Zuständig für das gesamte Kreisgebiet"
        )
    sozialamt = _authority(
        "Sozialamt Stadt Siegen", "Sozialamt Siegen", "sozialamt", "asylblg", siegen, kreis
    )
    _responsibility(
        sozialamt, siegen, PROGRAMME_START, None, "Leistungen nach AsylbLG und SGB XII für Siegen"
    )
    orgs["abh_kreis"] = abh_kreis

    umbrellas: dict[str, Organisation] = {}
    for name, short, legal_form, umbrella_name in DEMO_TRAEGER:
        umbrella = umbrellas.get(umbrella_name) or _org(
            {"name": umbrella_name}, kind=OrgKind.UMBRELLA, name=umbrella_name
        )
        umbrellas[umbrella_name] = umbrella
        agency = _org(
            {"name": name},
            kind=OrgKind.TRAEGER,
            name=name,
            short_name=short,
            legal_form=legal_form,
            umbrella=umbrella,
            region=kreis,
            is_demo=True,
        )
        orgs.setdefault("traeger", agency)
    return orgs


def _seed_personas(orgs: dict[str, Organisation]) -> None:
    user_model = get_user_model()
    ki = _unit(orgs["kreis"], "Kommunales Integrationszentrum", "KI")
    for p in PERSONAS:
        user = user_model.objects.filter(username=p.username).first()
        if user is None:
            user = create_user(
                acting_user=None,
                username=p.username,
                password=DEMO_PASSWORD,
                first_name=p.first_name,
                last_name=p.last_name,
                is_superuser=p.role == Role.ADMINISTRATOR,
                validate_password=False,
            )
        org = orgs[p.organisation]
        # The seed is system-run (no acting administrator): its grants are active at once
        # and audited as such, like ``kim grant_role`` (D-051).
        if not Membership.objects.held().filter(user=user, organisation=org, role=p.role).exists():
            grant_role(
                acting_user=None,
                user=user,
                organisation=org,
                role=p.role,
                unit=ki if p.unit == "ki" else None,
            )


@transaction.atomic
def seed_demo() -> dict[str, Organisation]:
    """Build (or complete) the demo world. Refused in production."""
    if settings.PRODUCTION:
        raise ImproperlyConfigured("The demo seed never runs with KIM_ENV=production.")
    from kim.cases.demo import seed_cases
    from kim.council.demo import seed_council
    from kim.partners.demo import seed_partners
    from kim.programmes.demo import seed_programme
    from kim.screening.demo import seed_screening

    orgs = _seed_organisations()
    _seed_personas(orgs)
    seed_programme(orgs)
    seed_partners(orgs)
    seed_council(orgs)
    seed_cases(orgs)
    seed_screening(orgs)
    return orgs
