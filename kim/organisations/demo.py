"""The demo world's organisations: Kreis Siegen-Wittgenstein, its towns, authorities and three
fictional welfare agencies, built through the organisation actions (``kim seed_demo``).

Public facts (towns, AGS, population, authorities) carry their sources from the domain brief.
The welfare agencies are fictional and marked ``is_demo``; no dealings are attributed to real
organisations. Seeding twice changes nothing (idempotent). ``demo_organisations()`` finds the
seeded rows again by their keys for the other apps' demo steps.
"""

from __future__ import annotations

import datetime as dt

from kim.organisations import actions as org_actions
from kim.organisations.models import (
    Organisation,
    OrganisationalUnit,
    OrgKind,
    PopulationFigure,
    ResponsibilityPeriod,
)

# Research trail (never shown): AGS cross-checked with the DWD warning-cell list; 2019
# figures as reported by WP and vmb-siwi.de, 2024 by the Siegener Zeitung (n-ag.de); the ABH
# merger from siegen.de (start date UNCONFIRMED); the Jugendamt from WP article 237575695.
SRC_AGS = "Amtlicher Gemeindeschlüssel (Gemeindeverzeichnis der Statistischen Ämter)"
SRC_POP_2019 = "IT.NRW, Bevölkerungsstand 31.12.2019"
SRC_POP_2024 = "IT.NRW, Bevölkerungsstand 31.12.2024 (nicht bestätigt – bitte prüfen)"
SRC_MERGER = (
    "Stadt Siegen: Zusammenführung der Ausländerbehörden von Kreis und Stadt (Beschluss 2025); "
    "Starttermin nicht bestätigt – bitte prüfen (Demo: 01.07.2025)"
)
SRC_JUGENDAMT = "Stadt Siegen: eigenes Jugendamt als einzige Stadt des Kreises"
PROGRAMME_START = dt.date(2020, 1, 1)
MERGER_DATE = dt.date(2025, 7, 1)  # UNCONFIRMED in the brief; demo assumption
KREIS_AGS = "05970"
BRA = "Bezirksregierung Arnsberg"
ABH_KREIS = "Ausländerbehörde Kreis Siegen-Wittgenstein"

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


def _org(lookup: dict[str, str], **fields: object) -> Organisation:
    existing = Organisation.objects.filter(**lookup).first()
    if existing is not None:
        return existing
    return org_actions.create_organisation(acting_user=None, **fields)


def unit(org: Organisation, name: str, short_name: str) -> OrganisationalUnit:
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


def seed_organisations() -> dict[str, Organisation]:
    """Create what is missing; returns the organisations by key (see ``demo_organisations``)."""
    land = _org(
        {"kind": OrgKind.LAND}, kind=OrgKind.LAND, name="Land Nordrhein-Westfalen", short_name="NRW"
    )
    bra = _org(
        {"name": BRA},
        kind=OrgKind.BEZIRKSREGIERUNG,
        name=BRA,
        short_name="BRA",
        parent=land,
    )
    kreis = _org(
        {"ags": KREIS_AGS},
        kind=OrgKind.KREIS,
        name="Kreis Siegen-Wittgenstein",
        short_name="Siegen-Wittgenstein",
        ags=KREIS_AGS,
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
        ABH_KREIS,
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
        "Rolle der Stadt nach der Zusammenführung der Ausländerbehörden nicht bestätigt – bitte prüfen",
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


def demo_organisations() -> dict[str, Organisation]:
    """The seeded organisations by the keys ``seed_organisations`` returns them under (``land``,
    ``bra``, ``kreis``, ``ki``, each town's short name, ``abh_kreis``, ``traeger``); reads only.
    """
    kreis = Organisation.objects.get(ags=KREIS_AGS)
    orgs: dict[str, Organisation] = {
        "land": Organisation.objects.get(kind=OrgKind.LAND),
        "bra": Organisation.objects.get(name=BRA),
        "kreis": kreis,
        "ki": kreis,
    }
    by_ags = {o.ags: o for o in Organisation.objects.filter(ags__in=[t[2] for t in TOWNS])}
    for name, _mtype, ags, *_population in TOWNS:
        orgs[name] = by_ags[ags]
    orgs["abh_kreis"] = Organisation.objects.get(name=ABH_KREIS)
    orgs["traeger"] = Organisation.objects.get(name=DEMO_TRAEGER[0][0])
    return orgs
