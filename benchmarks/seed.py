"""Seed the benchmark database: the demo world plus N fictional Kreise.

Run by ``benchmarks/run.py`` as ``python -m benchmarks.seed --kreise N`` with ``DATABASE_URL``
and ``KIM_VAR_DIR`` pointing at the benchmark's own SQLite file, never at ``var/kim.sqlite3``.

Everything is created through the action functions, exactly like ``kim seed_demo``, so every
row has its audit event and the hash chain stays valid (``kim audit verify`` is run afterwards).
The only shortcut: scale users get no password (``password=None``), because hashing ~10 passwords
per Kreis with the production hasher would take minutes and nobody logs in as them.

Fictional Kreise use AGS 05101, 05102, … (never 05970, the demo's Kreis Siegen-Wittgenstein);
their towns get 8-digit AGS ``05kkk004``, ``05kkk008``, … like the real numbering.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported lazily at run time: Django is set up in main()
    from kim.organisations.models import Organisation, OrganisationalUnit

TOWNS_PER_KREIS = 10
DEMO_KREIS_NUMBER = 970
FIRST_KREIS_NUMBER = 101
REFERENCE_DATES = (dt.date(2019, 12, 31), dt.date(2024, 12, 31))
PROGRAMME_START = dt.date(2020, 1, 1)
TOWN_ABH_END = dt.date(2024, 12, 31)
SOURCE = "Benchmark-Daten (fiktiv)"


def kreis_numbers(count: int) -> list[int]:
    """``count`` three-digit Kreis numbers from 101 upwards, skipping the demo's 970."""
    numbers = [n for n in range(FIRST_KREIS_NUMBER, 1000) if n != DEMO_KREIS_NUMBER]
    if count > len(numbers):
        raise SystemExit(f"--kreise must be at most {len(numbers)}")
    return numbers[:count]


@dataclass
class KreisWorld:
    kreis: Organisation
    towns: list[Organisation]
    authorities: dict[str, Organisation]
    traeger: list[Organisation]
    unit: OrganisationalUnit


def _seed_towns(kreis: Organisation, number: int, rng: random.Random) -> list[Organisation]:
    from kim.organisations import actions
    from kim.organisations.models import OrgKind

    towns = []
    for j in range(TOWNS_PER_KREIS):
        mtype = "Stadt" if j % 3 == 0 else "Gemeinde"
        name = f"Bench-{number:03d}-{j + 1:02d}"
        town = actions.create_organisation(
            acting_user=None,
            kind=OrgKind.KOMMUNE,
            name=f"{mtype} {name}",
            short_name=name,
            ags=f"05{number:03d}{4 * (j + 1):03d}",
            municipality_type=mtype,
            parent=kreis,
            is_demo=True,
        )
        base = rng.randint(5_000, 120_000)
        for k, day in enumerate(REFERENCE_DATES):
            value = base + k * rng.randint(-800, 800)
            actions.record_population(
                acting_user=None, kommune=town, reference_date=day, value=value, source=SOURCE
            )
        towns.append(town)
    return towns


AUTHORITIES = [
    # key, name prefix, authority type, rechtskreis
    ("abh", "Ausländerbehörde", "auslaenderbehoerde", "aufenthg"),
    ("ebb", "Einbürgerungsbehörde", "einbuergerungsbehoerde", "stag"),
    ("jugendamt", "Jugendamt", "jugendamt", "sgb_viii"),
    ("jobcenter", "Jobcenter", "jobcenter", "sgb_ii"),
]


def _seed_authorities(
    kreis: Organisation, towns: list[Organisation], label: str
) -> dict[str, Organisation]:
    """Four Kreis authorities serving every town, plus one town ABH that was merged away."""
    from kim.organisations import actions
    from kim.organisations.models import OrgKind

    found: dict[str, Organisation] = {}
    for key, prefix, atype, rechtskreis in AUTHORITIES:
        found[key] = actions.create_organisation(
            acting_user=None,
            kind=OrgKind.AUTHORITY,
            name=f"{prefix} {label}",
            short_name=f"{prefix} Kreis",
            authority_type=atype,
            rechtskreis=rechtskreis,
            parent=kreis,
            region=kreis,
        )
    town_abh = actions.create_organisation(
        acting_user=None,
        kind=OrgKind.AUTHORITY,
        name=f"Ausländerbehörde {towns[0]}",
        short_name="ABH Stadt",
        authority_type="auslaenderbehoerde",
        rechtskreis="aufenthg",
        parent=towns[0],
        region=kreis,
    )
    found["abh_town"] = town_abh
    actions.set_responsibility(
        acting_user=None,
        authority=town_abh,
        kommune=towns[0],
        valid_from=PROGRAMME_START,
        valid_to=TOWN_ABH_END,
        source=SOURCE,
    )
    for key, *_ in AUTHORITIES:
        for i, town in enumerate(towns):
            start = PROGRAMME_START
            if key == "abh" and i == 0:
                start = TOWN_ABH_END + dt.timedelta(days=1)
            actions.set_responsibility(
                acting_user=None,
                authority=found[key],
                kommune=town,
                valid_from=start,
                source=SOURCE,
            )
    return found


def _seed_traeger(kreis: Organisation, number: int) -> list[Organisation]:
    from kim.organisations import actions
    from kim.organisations.models import Organisation, OrgKind

    umbrellas = list(Organisation.objects.filter(kind=OrgKind.UMBRELLA).order_by("name"))
    agencies = []
    for j in range(3):
        agencies.append(
            actions.create_organisation(
                acting_user=None,
                kind=OrgKind.TRAEGER,
                name=f"Bench-Träger {number:03d}-{j + 1} e.V. (Demo)",
                short_name=f"Träger {number:03d}-{j + 1}",
                legal_form="e.V.",
                umbrella=umbrellas[j % len(umbrellas)] if umbrellas else None,
                region=kreis,
                is_demo=True,
            )
        )
    return agencies


def _seed_users(world: KreisWorld, number: int) -> None:
    """Ten users per Kreis, spread over the roles the demo personas have."""
    from kim.accounts.actions import create_user, grant_role
    from kim.accounts.models import Role

    town, other = world.towns[0], world.towns[1]
    plan: list[tuple[str, Organisation, OrganisationalUnit | None]] = [
        (Role.KIM_COORDINATION, world.kreis, world.unit),
        (Role.PROGRAMME_LEAD, town, None),
        (Role.TEAM_LEAD, town, None),
        (Role.CASE_MANAGER, town, None),
        (Role.CASE_MANAGER, other, None),
        (Role.CASE_MANAGER, world.traeger[0], None),
        (Role.TRAEGER_MANAGER, world.traeger[0], None),
        (Role.B3_OFFICER, world.authorities["abh"], None),
        (Role.COUNCIL_MEMBER, town, None),
        (Role.DPO, world.kreis, None),
    ]
    for n, (role, org, unit) in enumerate(plan, start=1):
        user = create_user(
            acting_user=None,
            username=f"bench-{number:03d}-{n:02d}",
            password=None,  # no hashing: see the module docstring
            first_name="Bench",
            last_name=f"User {number:03d}-{n:02d}",
            validate_password=False,
        )
        grant_role(acting_user=None, user=user, organisation=org, role=role, unit=unit)


def seed_kreis(number: int, bra: Organisation) -> None:
    """One fictional Kreis with towns, figures, authorities, Träger, a unit and users."""
    from django.db import transaction

    from kim.organisations import actions
    from kim.organisations.models import OrgKind

    rng = random.Random(number)  # deterministic figures per Kreis
    label = f"Kreis Bench-{number:03d}"
    with transaction.atomic():
        kreis = actions.create_organisation(
            acting_user=None,
            kind=OrgKind.KREIS,
            name=f"{label} (Demo)",
            short_name=f"Bench-{number:03d}",
            ags=f"05{number:03d}",
            parent=bra,
            is_demo=True,
        )
        towns = _seed_towns(kreis, number, rng)
        world = KreisWorld(
            kreis=kreis,
            towns=towns,
            authorities=_seed_authorities(kreis, towns, label),
            traeger=_seed_traeger(kreis, number),
            unit=actions.create_unit(
                kreis, acting_user=None, name="Kommunales Integrationszentrum", short_name="KI"
            ),
        )
        _seed_users(world, number)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kreise", type=int, default=50)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kim.settings")
    import django

    django.setup()
    from kim.core.demo import seed_demo

    started = time.perf_counter()
    orgs = seed_demo()
    numbers = kreis_numbers(args.kreise)
    for i, number in enumerate(numbers, start=1):
        seed_kreis(number, orgs["bra"])
        if i % 10 == 0 or i == len(numbers):
            print(f"  seeded {i}/{len(numbers)} Kreise ({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
