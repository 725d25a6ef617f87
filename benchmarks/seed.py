"""Seed the benchmark database: the demo world plus N fictional Kreise.

Run by ``benchmarks/run.py`` as ``python -m benchmarks.seed --kreise N`` with ``DATABASE_URL``
and ``KIM_VAR_DIR`` pointing at the benchmark's own SQLite file, never at ``var/kim.sqlite3``.

Everything is created through the action functions, exactly like ``kim seed_demo``, so every
row has its audit event and the hash chain stays valid (``kim audit verify`` is run afterwards).
The only shortcut: scale users get no password (``password=None``), because hashing ~10 passwords
per Kreis with the production hasher would take minutes and nobody logs in as them.

Every fictional Kreis also gets ``POSITIONS_PER_KREIS`` (30) KIM posts with status history,
holders, qualifications and funding periods (``_seed_positions``), so that at 50 Kreise the
programme holds 1,500 posts state-wide (plus the demo Kreis's own) – the scale of the programme
benchmarks in ``benchmarks/programmes.py``. The demo Kreis Siegen-Wittgenstein (23 posts from
``kim.programmes.demo``) is topped up to 30 as well (``top_up_demo_kreis``). No bulk creation:
every post goes through ``kim.programmes.actions`` like a user's edit would.

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
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported lazily at run time: Django is set up in main()
    from kim.organisations.models import Organisation, OrganisationalUnit
    from kim.programmes.models import Incumbency, Position

TOWNS_PER_KREIS = 10
POSITIONS_PER_KREIS = 30  # 5 in Baustein 1, 22 in Baustein 2, 3 in Baustein 3
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


def _fill(
    position: Position, pseudonym: str, start: dt.date, *, qualified: bool | None = None
) -> Incumbency:
    """A new staff member on the post from ``start`` (status becomes filled); for case
    management (``qualified`` not None) a qualification in training, certified if ``qualified``."""
    from kim.programmes import actions

    staff = actions.create_staff_member(
        acting_user=None, employer=position.home, pseudonym=pseudonym
    )
    incumbency = actions.assign_incumbent(position, acting_user=None, staff=staff, start=start)
    if qualified is not None:
        actions.record_qualification(
            staff, acting_user=None, state="in_training", on=start, provider="Bench (fiktiv)"
        )
        if qualified:
            actions.record_qualification(
                staff,
                acting_user=None,
                state="certified",
                on=start + dt.timedelta(days=300),
                provider="Bench (fiktiv)",
            )
    return incumbency


def _seed_positions(world: KreisWorld, rng: random.Random) -> None:
    """``POSITIONS_PER_KREIS`` posts through the programme actions, shaped like the demo's:

    - B1: 4 coordination posts (E 11) at the Kreis's KI, three filled, one advertised, and a
      0.5 Verwaltungsassistenz;
    - B2: 22 case-management posts over the towns (two with Träger), E 9c / S 12, approved in
      2022, mostly filled with KIM funding, every 7th advertised, every 9th vacant since the
      holder left on 30.06.2026, one still planned;
    - B3: one post each at the Kreis ABH and EBB, and one at the town ABH that was
      discontinued with the 2025 merger.
    """
    from kim.programmes import actions

    kreis, towns, ki = world.kreis, world.towns, world.unit

    def post(status: str, status_from: dt.date, **fields: Any) -> Position:
        return actions.create_position(
            acting_user=None, region=kreis, status=status, status_from=status_from, **fields
        )

    for n in range(1, 5):
        start = dt.date(2021 + n % 3, 1 + 3 * (n % 4), 1)
        coordination = post(
            "approved",
            start,
            baustein="B1",
            title=f"Koordination KIM {n}",
            vze=Decimal(1),
            home=kreis,
            unit=ki,
            employer_type="municipal",
            pay_group="E 11",
            entry_step=1 + n % 3,
            step_since=start,
            tasks="Strategische Steuerung, Lenkungsgruppe, Schnittstellenmanagement",
        )
        if n == 4:
            actions.change_position_status(
                coordination, acting_user=None, status="advertised", valid_from=dt.date(2026, 9, 1)
            )
        else:
            _fill(coordination, f"CO-{n:02d}", start)
    assistant = post(
        "approved",
        dt.date(2021, 1, 1),
        baustein="B1",
        title="Verwaltungsassistenz KIM",
        vze=Decimal("0.5"),
        home=kreis,
        unit=ki,
        employer_type="municipal",
        rate_kind="va_half",
        pay_group="E 9b",
        tasks="Verwaltung, Haushalt, Verwendungsnachweise",
    )
    _fill(assistant, "VA-01", dt.date(2021, 3, 1))

    for i in range(22):
        at_traeger = i >= 20
        home = world.traeger[i - 20] if at_traeger else towns[i % len(towns)]
        fields: dict[str, Any] = {
            "baustein": "B2",
            "title": f"Case Management {i + 1:02d}",
            "vze": Decimal("0.5") if i % 5 == 4 else Decimal(1),
            "home": home,
            "employer_type": "traeger" if at_traeger else "municipal",
            "pay_group": "S 12" if i % 2 else "E 9c",
            "entry_step": 1 + i % 3,
            "step_since": dt.date(2023, 1, 1),
            "tasks": "Rechtskreisübergreifendes Case Management; Lotsenfunktion",
        }
        if i == 21:
            post("planned", dt.date(2026, 1, 1), **fields)
            continue
        position = post("approved", dt.date(2022, 6, 1), **fields)
        if i % 7 == 6:
            actions.change_position_status(
                position, acting_user=None, status="advertised", valid_from=dt.date(2026, 10, 1)
            )
            continue
        start = dt.date(2023, 1 + rng.randrange(6), 1)
        incumbency = _fill(position, f"CM-{i + 1:02d}", start, qualified=i % 4 != 3)
        actions.set_funding_period(position, acting_user=None, source="kim", valid_from=start)
        if i % 9 == 8:
            actions.end_incumbency(incumbency, acting_user=None, end=dt.date(2026, 6, 30))

    b3 = [
        ("abh", "Bleiberecht und Einbürgerung (B3)", "E 9c", None),
        ("ebb", "Einbürgerung (B3)", "E 9b", None),
        ("abh_town", "Bleiberecht (B3), Stadt", "E 9b", TOWN_ABH_END),
    ]
    for n, (key, title, group, until) in enumerate(b3, start=1):
        position = post(
            "approved",
            dt.date(2020, 7, 1),
            baustein="B3",
            title=title,
            vze=Decimal(1),
            home=world.authorities[key],
            employer_type="municipal",
            pay_group=group,
            entry_step=2,
            step_since=dt.date(2020, 10, 1),
            tasks="Aufenthaltsrechtliche Beratung, Einbürgerungsberatung",
        )
        incumbency = _fill(position, f"B3-{n:02d}", dt.date(2020, 10, 1))
        if until is not None:
            actions.end_incumbency(incumbency, acting_user=None, end=until)
            actions.change_position_status(
                position,
                acting_user=None,
                status="discontinued",
                valid_from=until + dt.timedelta(days=1),
                note="ABH-Zusammenlegung (Bench)",
            )


def top_up_demo_kreis(kreis: Organisation) -> int:
    """Bring the demo Kreis (23 posts from ``kim.programmes.demo``) up to
    ``POSITIONS_PER_KREIS`` with filled B2 posts at its towns, so that the page the benchmark
    measures – the ``koordination`` persona's overview – shows a Kreis of the same size as the
    others. Idempotent; returns the number of posts created."""
    from django.db import transaction

    from kim.organisations.models import Organisation, OrgKind
    from kim.programmes import actions
    from kim.programmes.models import Position

    missing = POSITIONS_PER_KREIS - Position.objects.filter(region=kreis).count()
    towns = list(Organisation.objects.filter(region=kreis, kind=OrgKind.KOMMUNE).order_by("ags"))
    with transaction.atomic():
        for n in range(max(0, missing)):
            position = actions.create_position(
                acting_user=None,
                region=kreis,
                status="approved",
                status_from=dt.date(2024, 1, 1),
                baustein="B2",
                title=f"Case Management Bench {n + 1:02d}",
                vze=Decimal(1),
                home=towns[n % len(towns)],
                employer_type="municipal",
                pay_group="S 12" if n % 2 else "E 9c",
                entry_step=1 + n % 3,
                step_since=dt.date(2024, 3, 1),
                tasks="Case Management (Bench, fiktiv)",
            )
            _fill(position, f"BM-{n + 1:02d}", dt.date(2024, 3, 1), qualified=n % 2 == 0)
            actions.set_funding_period(
                position, acting_user=None, source="kim", valid_from=dt.date(2024, 3, 1)
            )
    return max(0, missing)


def seed_kreis(number: int, bra: Organisation) -> None:
    """One fictional Kreis with towns, figures, authorities, Träger, a unit, users and posts."""
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
        _seed_positions(world, rng)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kreise", type=int, default=50)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kim.settings")
    import django

    django.setup()
    from kim.home.demo import seed_demo

    started = time.perf_counter()
    orgs = seed_demo()
    top_up_demo_kreis(orgs["kreis"])
    numbers = kreis_numbers(args.kreise)
    for i, number in enumerate(numbers, start=1):
        seed_kreis(number, orgs["bra"])
        if i % 10 == 0 or i == len(numbers):
            print(f"  seeded {i}/{len(numbers)} Kreise ({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
