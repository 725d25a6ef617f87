"""Case-management benchmarks: work list, case list and name search at 200,000 cases.

Target from the issue (case management): "With 10,000 cases per organisation and 200,000 in
total: a case manager's case list and work list p95 ≤ 100 ms and ≤ 10 queries regardless of page
size; name search through the keyed hashes ≤ 100 ms; the cost of field encryption per page
measured and reported."

1. **Database** ``var/bench/cases/``: the demo world plus 2 fictional Kreise from
   ``benchmarks/seed.py`` (through the actions), for enough towns and welfare agencies.
2. **Case rows** on top (``seed_cases``, in a Django child): 20 organisations × 10,000 cases =
   200,000 cases – Stadt Siegen (every case with the demo's ``cm-siegen`` as responsible case
   manager: the worst case for the work list), Stadt Kreuztal (``cm-kreuztal``), the demo
   Träger (``cm-traeger``) and 17 towns and Träger of the fictional Kreise, each with one
   benchmark case manager (``bench-cm-NN``, made through the account actions, no password).
   Every case has its person (encrypted names, birth date, address and, for half, a phone
   number; fictional names from ``FIRST_NAMES`` × ``LAST_NAMES`` with a fixed random generator,
   so that a search hits several persons), the person's keyed name tokens (``PersonToken``) and
   birth-date token, one ``PhaseChange``, a task on three of ten open cases (some overdue) and
   a residence period for half of the persons (some ending within 60 days). Phases spread over
   all phases (15 % closed); next reviews spread around today (some overdue).
   These rows are made with ``bulk_create``, **not** through the actions: opening 200,000
   cases one by one (person, tokens, case, phase change and two audit events each, every audit
   event reading the chain's last hash) would take hours, and only the shape of the rows matters
   to the pages measured. So these rows have no audit events (the hash chain stays valid:
   nothing is appended to it). ``bulk_create`` still encrypts: ``EncryptedTextField`` encrypts
   in ``get_db_prep_value``, so the seed pays for 200,000 × 4–5 Fernet encryptions and its
   time is printed. Dates are relative to the day of seeding.
3. **Keys**: the benchmark's field and search keys are the key files of its ``KIM_VAR_DIR``,
   handed to every process as ``KIM_FIELD_KEYS_FILE``/``KIM_SEARCH_KEY_FILE`` – read once at
   start-up like production's environment keys. (Without them, demo mode reads the key file on
   every encryption and decryption; the encryption measurement shows what that costs.)
4. **Serve** with gunicorn and measure, for ``cm-siegen`` (10,000 cases), the work list, the
   case list (first page, page 100, filtered to monitoring) and the name search (full name,
   a phonetic spelling variant, a last name alone); for ``teamlead-siegen`` the case list.
   The URLs come from ``reverse`` in a child (``plan``), so a page that is not there yet is
   reported as missing instead of failing the run.
5. **Encryption cost** in a Django child (``crypto``): one case-list page worth of persons
   (50, three encrypted fields each) loaded through the ORM (decrypting) versus the same
   ciphertext columns through raw SQL (not decrypting), and single-field encrypt/decrypt times.
6. In a Django child: the rows in the database and what each persona's pages cover.

Standalone: ``.venv/bin/python benchmarks/cases.py [--reuse-db]``; ``make bench`` runs it after
the council benchmark through ``run.py`` (``--skip-cases`` leaves it out).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import datetime as dt
import functools
import json
import os
import random
import secrets
import statistics
import sys
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the ``benchmarks`` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.run import (
    DEMO_PASSWORD,
    RESULTS_DIR,
    ROOT,
    TARGET_WORKER_RSS_MB,
    VENV_BIN,
    Client,
    PageResult,
    child_env,
    database_kind,
    free_port,
    measure_page,
    prepare_database,
    print_database,
    print_table,
    queries_text,
    run_child,
    start_gunicorn,
    stop_gunicorn,
    wait_until_ready,
)

KREISE = 2  # fictional Kreise besides the demo's: towns and Träger for 17 more organisations
ORGANISATIONS = 20
CASES_PER_ORGANISATION = 10_000
TOTAL_CASES = ORGANISATIONS * CASES_PER_ORGANISATION
DEMO_CASE_MANAGERS = ["cm-siegen", "cm-kreuztal", "cm-traeger"]
# Bump when seed_cases changes what it creates: --reuse-db then seeds everything again.
CASES_SEED_VERSION = 1
URL_NAMES = {
    "work list": "cases:worklist",
    "case list": "cases:case_list",
    "search": "cases:person_search",
}
PAGE_SIZE = 50  # the case list's page size (H1 brief: "paged by 50")
LATER_PAGE = 100
PERSONAS = ["cm-siegen", "teamlead-siegen"]
SLOW_MS = 250.0
SEED_TIMEOUT = 3600
CHILD_TIMEOUT = 900
CRYPTO_RUNS = 200

# Targets from the issue.
TARGET_P95_MS = 100.0
TARGET_QUERIES = 10

# Closed 15 %, the rest over the six active phases (more cases in linking and monitoring).
PHASE_WEIGHTS = {
    "access": 10,
    "intake": 8,
    "assessment": 12,
    "planning": 12,
    "linking": 25,
    "monitoring": 18,
    "closed": 15,
}


def _words(text: str) -> list[str]:
    """A name list written as whitespace-separated words (a readable block, not a list)."""
    return text.split()


FIRST_NAMES = _words("""
Anna Maria Lena Sophie Laura Julia Lea Emma Mia Hannah Sarah Lisa Katharina Johanna Clara Marie
Paula Greta Ida Frieda Lukas Leon Paul Jonas Felix Max Elias Noah Ben Finn Tim Jan Niklas David
Moritz Simon Tobias Florian Stefan Andreas Michael Thomas Ayşe Fatma Emine Hatice Zeynep Elif
Merve Büşra Esra Hülya Mehmet Mustafa Ahmet Ali Hüseyin Hasan İbrahim Murat Emre Yusuf Ömer
Burak Serkan Cem Kemal Fatima Aisha Mariam Noor Layla Rania Huda Amal Samira Yasmin Leila Salma
Dalia Rana Hiba Mohammed Ahmad Khaled Omar Youssef Mahmoud Karim Tarek Samir Bilal Hamza Rami
Nabil Walid Ziad Hassan Jamal Malik Adnan Shirin Parisa Zahra Maryam Farida Nargis Soraya Roya
Arash Reza Farid Navid Hamid Javad Massoud Wahid Jawad Sami Nasir Olena Oksana Iryna Natalia
Svitlana Tetiana Yulia Kateryna Anastasia Viktoria Olha Mykola Oleksandr Andriy Dmytro Serhiy
Volodymyr Yuriy Bohdan Taras Ivan Piotr Agnieszka Katarzyna Magdalena Tomasz Krzysztof Marek
Selam Meron Hiwet Senait Yonas Tesfay Dawit Filmon Abdi Hodan Amina Fadumo Kofi Ama Chinedu
Ngozi Samuel Grace Emmanuel Blessing Arben Dritan Besnik Drita Mirela Dragan Milica Jelena
Nikola Goran Ana Pedro Lucia Carmen Jorge Ricardo Gabriela Elena Ioana Andrei Mihai Cristina
Florin Vasile Daniela Georgios Eleni Dimitrios Sofia Rohan Priya Anjali Arjun Ravi Wei Ming
""")

LAST_NAMES = _words("""
Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer Koch Bauer
Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hartmann Lange Werner Schmitz
Krause Lehmann Schulze Köhler Herrmann König Walter Huber Kaiser Fuchs Peters Lang Scholz Möller
Weiß Jung Hahn Schubert Vogel Friedrich Keller Günther Frank Berger Winkler Roth Beck Lorenz
Baumann Franke Albrecht Schuster Ludwig Böhm Winter Kraus Schumacher Krämer Vogt Stein Jäger Otto
Sommer Groß Seidel Heinrich Brandt Haas Schreiber Graf Schulte Dietrich Ziegler Kuhn Pohl Engel
Horn Busch Bergmann Voigt Sauer Arnold Pfeiffer Yılmaz Kaya Demir Şahin Çelik Yıldız Yıldırım
Öztürk Aydın Özdemir Arslan Doğan Kılıç Aslan Çetin Kara Koç Kurt Özkan Şimşek Polat Korkmaz
Karaca Erdem Güneş Aksoy Tekin Bulut Kaplan Al-Ahmad Haddad Khalil Nasser Hussein Mansour Saleh
Abdullah Darwish Haidar Aziz Karimi Rahimi Hashemi Mohammadi Ahmadi Hosseini Rezaei Sultani
Noori Sadat Popal Wardak Stanekzai Barakzai Qasemi Al-Khatib Al-Hamwi Al-Masri Al-Halabi Shami
Sabbagh Kassem Jaber Othman Suleiman Hamdan Ismail Taha Bakr Issa Musa Awad Zaki Xelil Ehmed
Hemo Sino Mirza Berwari Barzani Dosky Kovalenko Bondarenko Tkachenko Shevchenko Kravchenko Boyko
Melnyk Oliynyk Koval Shevchuk Polishchuk Lysenko Marchenko Rudenko Savchenko Petrenko Moroz
Pavlenko Ponomarenko Kovalchuk Hrytsenko Vasylenko Karpenko Klymenko Levchenko Ivanenko Tkachuk
Zinchenko Nowak Kowalski Wiśniewski Wójcik Kowalczyk Kamiński Lewandowski Zieliński Szymański
Woźniak Dąbrowski Kozłowski Jankowski Mazur Popescu Ionescu Popa Stan Dumitru Stoica Gashi
Krasniqi Berisha Morina Hoxha Shala Petrović Jovanović Nikolić Marković Đorđević Ilić Hodžić
Begić Tesfamariam Haile Gebremedhin Tekle Berhane Kidane Ghebreyesus Woldemichael Mohamed
Warsame Farah Okafor Mensah Owusu Adeyemi Diallo Traoré Camara Bah Keita Touré Ndiaye Kumar
Singh Sharma Patel Wang Zhang Chen Nguyen Tran Pham García Fernández Rodríguez Silva Santos
Costa Pereira Oliveira Papadopoulos Georgiou Ivanov Petrov Smirnov Sokolova Amiri Jafari Sharifi
Nazari Hakimi Habibi Safi Durrani Yusufzai Omari Sayed Hamidi Wali Ghani Kareem Mustafa Abbas
Saeed Rashid Hamad Qasim Badr Nour Sabri Fayad Atallah Khoury Haddadin Tawil Bitar Sarkis
""")

# Last names with a spelling that sounds alike (same Kölner Phonetik code) but is not in the list:
# the phonetic search looks for ``<first name> <variant>``.
PHONETIC_VARIANTS = {
    "Schneider": "Schnaider",
    "Hoffmann": "Hofman",
    "Kowalski": "Kovalski",
    "Zimmermann": "Zimermann",
}
LANGUAGES = [["ar", "de"], ["tr"], ["uk", "ru"], ["fa"], ["ti"], ["ku", "ar"], ["de"], ["ro"]]
NATIONALITIES = [["SY"], ["TR"], ["UA"], ["AF"], ["ER"], ["IQ"], ["RO"], ["XK"], ["DE"]]
RESIDENCE = [  # status, section, time-limited
    ("gestattung", "§ 55 AsylG", True),
    ("duldung", "§ 60a", True),
    ("aufenthaltserlaubnis", "§ 25 Abs. 2", True),
    ("aufenthaltserlaubnis", "§ 24", True),
    ("niederlassungserlaubnis", "§ 26 Abs. 3", False),
    ("fiktion", "§ 81 Abs. 4", True),
]
TASK_TITLES = {
    "review": "Überprüfung des Integrationsplans (Bench)",
    "transition": "Folgestatus klären (Bench)",
    "goal": "Ziel fällig: Sprachkurs anmelden (Bench)",
    "manual": "Unterlagen für das Jobcenter nachreichen (Bench)",
}


# --- in the Django child: the case rows -------------------------------------------------------


def _case_manager(organisation: Any, serial: int) -> Any:
    """The benchmark case manager ``bench-cm-NN`` of ``organisation`` (made once)."""
    from django.contrib.auth.models import User

    from kim.accounts.actions import create_user, grant_role
    from kim.accounts.models import Membership, Role

    username = f"bench-cm-{serial:02d}"
    user = User.objects.filter(username=username).first() or create_user(
        acting_user=None,
        username=username,
        password=None,  # nobody logs in as them; hashing is slow (see benchmarks/seed.py)
        first_name="Bench",
        last_name=f"Fallmanager {serial:02d}",
        validate_password=False,
    )
    if not Membership.objects.filter(
        user=user, organisation=organisation, role=Role.CASE_MANAGER, revoked_at__isnull=True
    ).exists():
        grant_role(acting_user=None, user=user, organisation=organisation, role=Role.CASE_MANAGER)
    return user


def case_organisations() -> list[tuple[Any, Any]]:
    """The 20 organisations with their responsible case manager: Siegen, Kreuztal and the demo
    Träger (the personas), then towns and Träger of the fictional Kreise 101 and 102."""
    from kim.accounts.models import Membership, Role
    from kim.organisations.models import Organisation, OrgKind

    pairs = []
    for username in DEMO_CASE_MANAGERS:
        membership = Membership.objects.select_related("organisation", "user").get(
            user__username=username, role=Role.CASE_MANAGER, revoked_at__isnull=True
        )
        pairs.append((membership.organisation, membership.user))
    others: list[Any] = []
    for ags, towns in (("05101", 7), ("05102", 4)):
        kreis = Organisation.objects.get(kind=OrgKind.KREIS, ags=ags)
        others += Organisation.objects.filter(kind=OrgKind.KOMMUNE, parent=kreis).order_by("ags")[
            :towns
        ]
        others += Organisation.objects.filter(kind=OrgKind.TRAEGER, region=kreis).order_by("name")
    if len(pairs) + len(others) != ORGANISATIONS:
        raise SystemExit(
            f"expected {ORGANISATIONS} organisations, found {len(pairs) + len(others)}"
        )
    pairs += [(org, _case_manager(org, n)) for n, org in enumerate(others, start=1)]
    return pairs


@functools.cache
def _name_tokens(first: str, last: str) -> tuple[str, ...]:
    """``search_tokens`` of a full name, as ``store_tokens`` computes them (cached per pair)."""
    from kim.core.crypto import search_tokens

    return tuple(sorted(search_tokens(f"{first} {last}")))


def _pick_phase(rng: random.Random) -> str:
    return rng.choices(list(PHASE_WEIGHTS), weights=list(PHASE_WEIGHTS.values()))[0]


def _case(person: Any, referred: dt.date, user: Any, rng: random.Random, today: dt.date) -> Any:
    """An unsaved case of ``person`` in a random phase with the dates that phase implies."""
    from kim.cases.models import Case, ClosingReason, Indication, ReferralSource

    phase = _pick_phase(rng)
    case = Case(
        person=person,
        organisation_id=person.organisation_id,
        responsible=user,
        phase=phase,
        referral_source=rng.choice(ReferralSource.values),
        referred_on=referred,
        on_waiting_list=phase == "access" and rng.random() < 0.5,
        triage_score=rng.randrange(6),
    )
    if phase not in ("access", "intake"):
        case.indication = Indication.INDICATED
        case.indicated_on = min(today, referred + dt.timedelta(days=14))
    if phase in ("linking", "monitoring", "closed"):
        case.plan_agreed_on = min(today, referred + dt.timedelta(days=45))
    if phase == "closed":
        case.closed_on = min(today, referred + dt.timedelta(days=rng.randrange(60, 600)))
        case.closing_reason = rng.choice(ClosingReason.values)
    elif phase != "access":
        case.next_review_on = today + dt.timedelta(days=rng.randrange(-30, 120))
    return case


def _persons(
    org: Any, count: int, rng: random.Random, today: dt.date, towns: list[Any]
) -> list[tuple[Any, dt.date]]:
    """``count`` unsaved persons of ``org`` with numbers ``XX-YYYY-NNNN`` not yet taken, each
    with the day their case was referred (the number's year)."""
    from kim.cases.actions.persons import _number_prefix
    from kim.cases.models import Person
    from kim.core.crypto import birth_date_token

    prefix = _number_prefix(org)
    taken = set(Person.objects.filter(organisation=org).values_list("number", flat=True))
    serials: dict[int, int] = {}
    persons = []
    for n in range(count):
        referred = today - dt.timedelta(days=rng.randrange(1, 4 * 365))
        serial = serials.get(referred.year, 0) + 1
        while f"{prefix}-{referred.year}-{serial:04d}" in taken:
            serial += 1
        serials[referred.year] = serial
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(55 * 365))
        town = towns[n % len(towns)] if towns else None
        person = Person(
            organisation=org,
            number=f"{prefix}-{referred.year}-{serial:04d}",
            first_name=rng.choice(FIRST_NAMES),
            last_name=rng.choice(LAST_NAMES),
            birth_date=birth,
            birth_date_token=birth_date_token(birth),
            sex=rng.choice(["f", "m", "d", ""]),
            languages=rng.choice(LANGUAGES),
            nationalities=rng.choice(NATIONALITIES),
            interpreter_needed=rng.random() < 0.3,
            town=town,
            address=f"Bench-Weg {n % 300 + 1}, {town.name if town else org.name}",
            phone=f"0271 {rng.randrange(100000, 999999)}" if n % 2 == 0 else None,
        )
        persons.append((person, referred))
    return persons


def _extras(
    cases: list[Any], rng: random.Random, today: dt.date
) -> tuple[list[Any], list[Any], list[Any]]:
    """Per case one phase change; tasks on 3 of 10 open cases; residence for half the persons."""
    from kim.cases.models import PhaseChange, ResidencePeriod, Task

    changes, tasks, residence = [], [], []
    for n, case in enumerate(cases):
        changes.append(
            PhaseChange(
                case=case,
                from_phase="",
                to_phase=case.phase,
                changed_on=case.closed_on or case.referred_on,
                changed_by=case.responsible,
            )
        )
        if case.phase != "closed" and n % 10 in (0, 3, 7):
            kind = list(TASK_TITLES)[n % 4]
            due = today + dt.timedelta(days=rng.randrange(-30, 60))
            done = due < today and rng.random() < 0.3
            tasks.append(
                Task(
                    case=case,
                    kind=kind,
                    title=TASK_TITLES[kind],
                    due_on=due,
                    done_on=due if done else None,
                    created_by=case.responsible,
                )
            )
        if n % 2 == 0:
            status, section, limited = RESIDENCE[n % len(RESIDENCE)]
            start = today - dt.timedelta(days=rng.randrange(100, 1500))
            until = today + dt.timedelta(days=rng.randrange(-30, 720)) if limited else None
            residence.append(
                ResidencePeriod(
                    person_id=case.person_id,
                    status=status,
                    section=section,
                    valid_from=start,
                    valid_until=until,
                )
            )
    return changes, tasks, residence


def _timed(timings: dict[str, float], key: str, work: Callable[[], object]) -> None:
    started = time.perf_counter()
    work()
    timings[key] = timings.get(key, 0.0) + time.perf_counter() - started


def _seed_organisation(
    org: Any, user: Any, count: int, rng: random.Random, today: dt.date, timings: dict[str, float]
) -> None:
    from django.db import transaction

    from kim.cases.models import Case, Person, PersonToken, PhaseChange, ResidencePeriod, Task
    from kim.organisations.models import Organisation, OrgKind

    if org.kind == OrgKind.KOMMUNE:
        towns = [org]
    else:
        towns = list(Organisation.objects.filter(kind=OrgKind.KOMMUNE, parent_id=org.region_id))
    with transaction.atomic():
        pairs: list[tuple[Any, dt.date]] = []
        _timed(
            timings,
            "build persons",
            lambda: pairs.extend(_persons(org, count, rng, today, towns)),
        )
        persons = [person for person, _referred in pairs]
        # bulk_create encrypts (get_db_prep_value): this is the expensive step.
        _timed(
            timings,
            "persons (encrypting)",
            lambda: Person.objects.bulk_create(persons, batch_size=1000),
        )
        tokens = [
            PersonToken(person=p, organisation_id_copy=org.pk, token=token)
            for p in persons
            for token in _name_tokens(p.first_name, p.last_name)
        ]
        _timed(
            timings, "name tokens", lambda: PersonToken.objects.bulk_create(tokens, batch_size=2000)
        )
        cases = [_case(p, referred, user, rng, today) for p, referred in pairs]
        _timed(timings, "cases", lambda: Case.objects.bulk_create(cases, batch_size=1000))
        changes, tasks, residence = _extras(cases, rng, today)
        _timed(
            timings,
            "phase changes",
            lambda: PhaseChange.objects.bulk_create(changes, batch_size=2000),
        )
        _timed(timings, "tasks", lambda: Task.objects.bulk_create(tasks, batch_size=2000))
        _timed(
            timings,
            "residence",
            lambda: ResidencePeriod.objects.bulk_create(residence, batch_size=2000),
        )


def _analyze() -> None:
    """What a production database's autovacuum would keep current."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def seed_cases() -> dict[str, Any]:
    """Top every one of the 20 organisations up to 10,000 cases (bulk, one transaction per
    organisation); returns the row counts and where the time went."""
    from django.utils import timezone

    from kim.cases.actions.reference import load_case_reference_data
    from kim.cases.models import Case

    load_case_reference_data(acting_user=None)
    today = timezone.localdate()
    rng = random.Random(200_000)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    for n, (org, user) in enumerate(case_organisations(), start=1):
        missing = max(0, CASES_PER_ORGANISATION - Case.objects.filter(organisation=org).count())
        if missing:
            _seed_organisation(org, user, missing, rng, today, timings)
        print(
            f"  {n:2d}/{ORGANISATIONS} {org.name}: +{missing:,} cases for {user.username} "
            f"({time.perf_counter() - started:.0f} s)",
            flush=True,
        )
    _timed(timings, "ANALYZE", _analyze)
    return {"rows": row_counts(), "timings_s": {k: round(v, 1) for k, v in timings.items()}}


def row_counts() -> dict[str, int]:
    from kim.cases.models import Case, Person, PersonToken, PhaseChange, ResidencePeriod, Task

    return {
        "persons": Person.objects.count(),
        "person_tokens": PersonToken.objects.count(),
        "cases": Case.objects.count(),
        "closed_cases": Case.objects.filter(phase="closed").count(),
        "phase_changes": PhaseChange.objects.count(),
        "tasks": Task.objects.count(),
        "residence_periods": ResidencePeriod.objects.count(),
    }


# --- in the Django child: URLs and search queries ---------------------------------------------


def _siegen() -> Any:
    from kim.accounts.models import Membership, Role

    return Membership.objects.get(
        user__username="cm-siegen", role=Role.CASE_MANAGER, revoked_at__isnull=True
    ).organisation


def _expected_hits(organisation_id: int, query: str) -> int:
    """Persons of the organisation matching every query token exactly or phonetically."""
    from kim.cases.models import PersonToken
    from kim.core.crypto import name_token, phonetic_token
    from kim.core.phonetics import cologne_phonetic, name_tokens

    found: set[int] | None = None
    for token in name_tokens(query):
        keyed = [name_token(token)]
        if cologne_phonetic(token):
            keyed.append(phonetic_token(cologne_phonetic(token)))
        ids = set(
            PersonToken.objects.filter(
                organisation_id_copy=organisation_id, token__in=keyed
            ).values_list("person_id", flat=True)
        )
        found = ids if found is None else found & ids
    return len(found or ())


def plan() -> dict[str, Any]:
    """The pages' URLs (None where a view does not exist yet) and three search queries that
    exist in Siegen: a full name, the same with a last name spelt differently but sounding
    alike (Kölner Phonetik), and a last name alone."""
    from django.urls import NoReverseMatch, reverse

    from kim.cases.models import Person
    from kim.core.phonetics import cologne_phonetic, name_tokens

    urls: dict[str, str | None] = {}
    for key, name in URL_NAMES.items():
        try:
            urls[key] = reverse(name)
        except NoReverseMatch:
            urls[key] = None
    siegen = _siegen()
    rows = Person.objects.filter(organisation=siegen).order_by("pk").only("first_name", "last_name")
    person = next(p for p in rows[:2000] if p.last_name in PHONETIC_VARIANTS)
    first, last = person.first_name or "", person.last_name or ""
    variant = PHONETIC_VARIANTS[last]
    if cologne_phonetic(variant) != cologne_phonetic(last) or name_tokens(variant) == name_tokens(
        last
    ):
        raise SystemExit(f"{variant!r} is no phonetic variant of {last!r}")
    queries = {
        "search name": f"{first} {last}",
        "search phonetic": f"{first} {variant}",
        "search last name": last,
    }
    hits = {key: _expected_hits(siegen.pk, q) for key, q in queries.items()}
    return {"urls": urls, "queries": queries, "expected_hits": hits}


# --- in the Django child: what encryption costs -----------------------------------------------


def _median_ms(work: Callable[[], object], runs: int) -> float:
    work()  # warm-up (query compilation, caches)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def crypto_cost(runs: int = CRYPTO_RUNS) -> dict[str, Any]:
    """One case-list page (50 persons of Siegen, page ``LATER_PAGE``): (a) ORM load decrypting
    first name, last name and birth date; (b) raw SQL fetching the same ciphertext columns;
    (c) ORM load of the same rows without encrypted fields. Then single-field times."""
    from django.db import connection
    from django.test.utils import override_settings

    from kim.cases.models import Person
    from kim.core.crypto import decrypt_text, encrypt_text

    siegen = _siegen()
    offset = (LATER_PAGE - 1) * PAGE_SIZE
    fields = ("first_name", "last_name", "birth_date")
    page = Person.objects.filter(organisation=siegen).order_by("pk")[offset : offset + PAGE_SIZE]
    meta = Person._meta
    columns = ", ".join(fields)  # plain fields: column name = field name
    sql = (
        f"SELECT id, {columns} FROM {meta.db_table} WHERE organisation_id = %s "
        "ORDER BY id LIMIT %s OFFSET %s"
    )

    def raw() -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(sql, [siegen.pk, PAGE_SIZE, offset])
            return cursor.fetchall()

    tokens = [value for row in raw() for value in row[1:] if value is not None]
    orm_ms = _median_ms(lambda: list(page.only(*fields)), runs)
    raw_ms = _median_ms(raw, runs)
    plain_ms = _median_ms(lambda: list(page.only("number", "sex")), runs)
    decrypt_ms = _median_ms(lambda: [decrypt_text(t) for t in tokens], runs)
    encrypt_ms = _median_ms(lambda: [encrypt_text("Mustermann") for _ in tokens], runs)
    with override_settings(KIM_FIELD_KEYS=[]):  # demo mode without *_FILE: key file per call
        file_ms = _median_ms(lambda: [decrypt_text(t) for t in tokens], max(20, runs // 5))
    return {
        "rows": PAGE_SIZE,
        "fields": len(tokens),
        "orm_decrypting_ms": round(orm_ms, 3),
        "raw_sql_ms": round(raw_ms, 3),
        "orm_plain_fields_ms": round(plain_ms, 3),
        "decryption_per_page_ms": round(orm_ms - raw_ms, 3),
        "decryption_per_field_us": round((orm_ms - raw_ms) / len(tokens) * 1000, 1),
        "decrypt_only_per_field_us": round(decrypt_ms / len(tokens) * 1000, 1),
        "encrypt_per_field_us": round(encrypt_ms / len(tokens) * 1000, 1),
        "decrypt_per_field_key_file_us": round(file_ms / len(tokens) * 1000, 1),
        "decrypts_per_request": decrypts_per_request(pages_for(plan())),
    }


def decrypts_per_request(pages: dict[str, dict[str, str]]) -> dict[str, int | None]:
    """How many encrypted values each measured page decrypts: every page requested once
    in process (Django's test client) while ``decrypt_text`` is counted."""
    from django.contrib.auth.models import User
    from django.test import Client
    from django.test.utils import override_settings

    from kim.core import crypto

    real = crypto.decrypt_text
    calls = [0]

    def counting(token: str) -> str:
        calls[0] += 1
        return real(token)

    counts: dict[str, int | None] = {}
    crypto.decrypt_text = counting  # from_db_value looks the function up in the module
    try:
        with override_settings(ALLOWED_HOSTS=["*"]):
            for persona, paths in pages.items():
                client = Client()
                client.force_login(User.objects.get(username=persona))
                for page, path in paths.items():
                    calls[0] = 0
                    status = client.get(path).status_code
                    counts[f"{persona} {page}"] = calls[0] if status == 200 else None
    finally:
        crypto.decrypt_text = real
    return counts


# --- in the Django child: what the pages cover ------------------------------------------------


def describe(personas: list[str]) -> dict[str, Any]:
    from django.contrib.auth.models import User
    from django.utils import timezone

    from kim.accounts.access import load_user_context
    from kim.cases.access import cases_for_user
    from kim.cases.models import ACTIVE_PHASES, ResidencePeriod, Task

    today = timezone.localdate()
    seen: dict[str, Any] = {}
    for persona in personas:
        user = User.objects.get(username=persona)
        cases = cases_for_user(load_user_context(user))
        active = cases.filter(phase__in=ACTIVE_PHASES)
        mine = active.filter(responsible=user)
        seen[persona] = {
            "visible cases": cases.count(),
            "active cases": active.count(),
            "responsible for (active)": mine.count(),
            "monitoring": active.filter(phase="monitoring").count(),
            "overdue reviews": mine.filter(next_review_on__lt=today).count(),
            "open tasks overdue": Task.objects.filter(
                case__in=mine, done_on__isnull=True, due_on__lt=today
            ).count(),
            "residence ending ≤ 60 days": ResidencePeriod.objects.filter(
                person__cases__in=mine,
                valid_until__gte=today,
                valid_until__lte=today + dt.timedelta(days=60),
            ).count(),
        }
    return {"today": today.isoformat(), "rows": row_counts(), "personas": seen}


def in_child(task: str, out: Path, personas: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kim.settings")
    import django

    django.setup()
    from django.db import connection

    from kim.core import rls

    result: dict[str, Any]
    if task in ("rls-off", "rls-on"):
        # Before/after for the cost of row-level security (PostgreSQL only), as the tables'
        # owner – the login role, not the system role.
        with connection.schema_editor() as editor:
            if task == "rls-off":
                rls.uninstall(editor, rls.PROTECTED_TABLES)
            else:
                rls.install(editor, rls.PROTECTED_TABLES, functions=True)
        result = {"row_level_security": task == "rls-on"}
    else:
        # The harness seeds and counts every organisation's cases: system work.
        with rls.system_access(f"benchmark cases {task}"):
            result = _child_task(task, personas)
    out.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")


def _child_task(task: str, personas: list[str]) -> dict[str, Any]:
    result: dict[str, Any]
    if task == "seed":
        started = time.perf_counter()
        result = {**seed_cases(), "seconds": time.perf_counter() - started}
    elif task == "plan":
        result = plan()
    elif task == "crypto":
        result = crypto_cost()
    else:
        result = describe(personas)
    return result


# --- in the harness ---------------------------------------------------------------------------


def _child(var_dir: Path, task: str, personas: list[str], timeout: float) -> dict[str, Any]:
    out = var_dir / f"cases-{task}.json"
    out.unlink(missing_ok=True)
    args = [str(VENV_BIN / "python"), "-m", "benchmarks.cases", "--child", task, str(out)]
    for persona in personas:
        args += ["--persona", persona]
    run_child(args, child_env(var_dir), timeout)
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return result


@contextlib.contextmanager
def key_files(var_dir: Path) -> Iterator[None]:
    """Hand the var dir's key files to every child as ``*_FILE`` settings (read once at start,
    like production's environment keys); create a missing one the way demo mode would."""
    names = {"KIM_FIELD_KEYS": "dev-field-keys", "KIM_SEARCH_KEY": "dev-search-key"}
    saved = {k: os.environ.get(k) for n in names for k in (n, f"{n}_FILE")}
    for name, file_name in names.items():
        path = var_dir / file_name
        if not path.exists():
            key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(key + "\n")
        os.environ.pop(name, None)
        os.environ[f"{name}_FILE"] = str(path)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def prepare(reuse: bool) -> tuple[Path, dict[str, Any] | None]:
    """The 2-Kreise database with 200,000 cases; reused if complete and current. Call inside
    ``key_files`` – but only after ``prepare_database``, which may wipe the var dir."""
    var_dir = ROOT / "var" / "bench" / "cases"
    marker = var_dir / "cases.json"
    version = (
        json.loads(marker.read_text(encoding="utf-8")).get("version") if marker.exists() else None
    )
    if reuse and version == CASES_SEED_VERSION:
        if prepare_database(var_dir, KREISE, reuse=True) is None:
            print(f"Reusing the case rows in {var_dir}")
            return var_dir, None
    else:
        # Rows of an older case seed cannot be taken out again: then seed all afresh.
        prepare_database(var_dir, KREISE, reuse=reuse and version is None)
    print(f"Seeding {TOTAL_CASES:,} cases in {ORGANISATIONS} organisations (bulk)")
    with key_files(var_dir):
        seeded = _child(var_dir, "seed", [], SEED_TIMEOUT)
    marker.write_text(json.dumps({"version": CASES_SEED_VERSION, **seeded}), encoding="utf-8")
    print(f"  {seeded['rows']} in {seeded['seconds']:.1f} s; {seeded['timings_s']}")
    return var_dir, seeded


def pages_for(planned: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Page name → path per persona; pages whose view is missing are left out."""
    urls = planned["urls"]
    cm: dict[str, str] = {}
    lead: dict[str, str] = {}
    if urls["work list"]:
        cm["work list"] = urls["work list"]
    if urls["case list"]:
        base = urls["case list"]
        cm["case list"] = base
        cm[f"case list page {LATER_PAGE}"] = f"{base}?page={LATER_PAGE}"
        cm["case list monitoring"] = f"{base}?phase=monitoring"
        lead["case list"] = base
        lead[f"case list page {LATER_PAGE}"] = f"{base}?page={LATER_PAGE}"
    if urls["search"]:
        for key, query in planned["queries"].items():
            cm[key] = f"{urls['search']}?{urllib.parse.urlencode({'q': query})}"
    return {"cm-siegen": cm, "teamlead-siegen": lead}


def _probe(client: Client, path: str, persona: str) -> tuple[float, bytes]:
    """Median wall time of three requests (is this a slow page?) and the last body."""
    times = []
    body = b""
    for _ in range(3):
        started = time.perf_counter()
        status, _headers, body = client.request(path)
        times.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise RuntimeError(f"{path} answered {status} for {persona}")
    return sorted(times)[1], body


def _per_page_supported(client: Client, base: str) -> bool:
    """Whether the case list honours ``?per_page=``: does it change the number of rows?"""
    counts = {client.request(f"{base}{q}")[2].count(b"<tr") for q in ("", "?per_page=10")}
    return len(counts) > 1


def measure(
    var_dir: Path,
    pages: dict[str, dict[str, str]],
    *,
    requests: int,
    slow_requests: int,
    warmup: int,
    workers: int,
) -> tuple[list[PageResult], dict[str, Any]]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    print(f"Serving with gunicorn on {base}")
    server = start_gunicorn(var_dir, port, workers)
    results: list[PageResult] = []
    notes: dict[str, Any] = {}
    try:
        wait_until_ready(server, base)
        for persona, paths in pages.items():
            client = Client(base)
            client.login(persona, DEMO_PASSWORD)
            if persona == "cm-siegen" and "case list" in paths:
                per_page = _per_page_supported(client, paths["case list"])
                notes["per_page supported"] = per_page
                if per_page:
                    paths = {
                        **paths,
                        "case list per_page=200": paths["case list"] + "?per_page=200",
                    }
            for page, path in paths.items():
                probe, body = _probe(client, path, persona)
                if b"stub" in body[:200]:
                    notes.setdefault("stub pages", []).append(path)
                slow = probe > SLOW_MS
                count = slow_requests if slow else requests
                rounds = min(warmup, 2) if slow else warmup
                note = f" (probe median {probe:.0f} ms: slow)" if slow else ""
                print(f"  {persona}: {path}  ({rounds} warm-up + {count} timed){note}")
                results.append(measure_page(client, persona, page, path, rounds, count, server.pid))
    finally:
        stop_gunicorn(server)
    return results, notes


# The pages whose cost under row-level security is measured (issue 15 § 6): with the policies,
# then in the same run without them, then the policies back.
RLS_PAGES = ("work list", "case list", f"case list page {LATER_PAGE}", "search name")


def row_security_cost(
    var_dir: Path,
    with_rls: list[PageResult],
    pages: dict[str, dict[str, str]],
    *,
    requests: int,
    warmup: int,
    workers: int,
) -> list[dict[str, Any]]:
    """p50/p95 of cm-siegen's work list, case list and search without the policies, next to
    the figures just measured with them (PostgreSQL; an empty list on SQLite)."""
    if database_kind() != "postgresql":
        return []
    subset = {"cm-siegen": {k: v for k, v in pages.get("cm-siegen", {}).items() if k in RLS_PAGES}}
    print("\nRow-level security: the same pages without the policies")
    _child(var_dir, "rls-off", [], CHILD_TIMEOUT)
    try:
        without, _notes = measure(
            var_dir,
            subset,
            requests=requests,
            slow_requests=requests,
            warmup=warmup,
            workers=workers,
        )
    finally:
        _child(var_dir, "rls-on", [], CHILD_TIMEOUT)
    before = {r.page: r for r in without}
    rows = []
    for r in with_rls:
        if r.persona == "cm-siegen" and r.page in before:
            b = before[r.page]
            rows.append(
                {
                    "page": r.page,
                    "p50_ms_without": b.median_ms,
                    "p95_ms_without": b.p95_ms,
                    "p50_ms_with": r.median_ms,
                    "p95_ms_with": r.p95_ms,
                }
            )
    return rows


def print_row_security(rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    print("\nCost of row-level security (cm-siegen, 10,000 cases; same run):")
    print(
        f"  {'page':<22} {'p50 without':>12} {'p50 with':>10} {'p95 without':>12} {'p95 with':>10}"
    )
    for row in rows:
        print(
            f"  {row['page']:<22} {row['p50_ms_without']:>10.1f}ms {row['p50_ms_with']:>8.1f}ms "
            f"{row['p95_ms_without']:>10.1f}ms {row['p95_ms_with']:>8.1f}ms"
        )


def check_targets(results: list[PageResult], planned: dict[str, Any]) -> list[dict[str, object]]:
    checks: list[dict[str, object]] = []
    for key, url in planned["urls"].items():
        if url is None:
            checks.append({"target": f"{key} exists", "value": "no URL", "ok": False})
    for r in results:
        checks.append(
            {
                "target": f"{r.persona} {r.page} p95 ≤ {TARGET_P95_MS:.0f} ms",
                "value": round(r.p95_ms, 1),
                "ok": r.p95_ms <= TARGET_P95_MS,
            }
        )
        checks.append(
            {
                "target": f"{r.persona} {r.page} ≤ {TARGET_QUERIES} queries",
                "value": queries_text(r),
                "ok": r.queries_max <= TARGET_QUERIES,
            }
        )
    rss = max((r.worker_peak_rss_mb for r in results), default=0.0)
    checks.append(
        {
            "target": f"worker peak RSS ≤ {TARGET_WORKER_RSS_MB:.0f} MB (foundation issue)",
            "value": round(rss, 1),
            "ok": rss <= TARGET_WORKER_RSS_MB,
        }
    )
    scale = f"{ORGANISATIONS} organisations × {CASES_PER_ORGANISATION:,} = {TOTAL_CASES:,} cases"
    print(f"\nCase-management targets (issue: {scale})")
    for c in checks:
        print(f"  {'PASS' if c['ok'] else 'FAIL'}  {c['target']}  (measured {c['value']})")
    return checks


def encryption_share(crypto: dict[str, Any], results: list[PageResult]) -> dict[str, Any]:
    """Per measured page: the values it decrypts, their cost at ``decrypt_text``'s time per
    field, and that cost as a share of the page's median; plus the 50-row estimate (ORM − raw
    SQL) as a share of each case-list page's median."""
    per_field_ms = crypto["decrypt_only_per_field_us"] / 1000
    pages: dict[str, Any] = {}
    for r in results:
        key = f"{r.persona} {r.page}"
        count = crypto["decrypts_per_request"].get(key)
        if count is None or r.median_ms <= 0:
            continue
        pages[key] = {
            "decrypted values": count,
            "ms": round(count * per_field_ms, 2),
            "share_of_median_pct": round(count * per_field_ms / r.median_ms * 100, 1),
        }
        if r.page.startswith("case list"):
            share = crypto["decryption_per_page_ms"] / r.median_ms * 100
            pages[key]["orm_minus_raw_share_pct"] = round(share, 1)
    return pages


def report(described: dict[str, Any], planned: dict[str, Any], crypto: dict[str, Any]) -> None:
    print(f"\nRows ({described['today']}): {described['rows']}")
    for persona, seen in described["personas"].items():
        print(f"  {persona}: {seen}")
    print(
        f"Search queries: {planned['queries']}; expected hits in Siegen {planned['expected_hits']}"
    )
    print(
        f"\nEncryption per case-list page ({crypto['rows']} persons, {crypto['fields']} encrypted "
        f"fields; medians of {CRYPTO_RUNS} runs):\n"
        f"  ORM load, decrypting        {crypto['orm_decrypting_ms']:.2f} ms\n"
        f"  raw SQL, same ciphertexts   {crypto['raw_sql_ms']:.2f} ms\n"
        f"  ORM load, plain fields only {crypto['orm_plain_fields_ms']:.2f} ms\n"
        f"  decryption (ORM − raw)      {crypto['decryption_per_page_ms']:.2f} ms per page = "
        f"{crypto['decryption_per_field_us']:.1f} µs per field\n"
        f"  decrypt_text alone          {crypto['decrypt_only_per_field_us']:.1f} µs per field "
        f"(with the key file read per call, demo mode without *_FILE: "
        f"{crypto['decrypt_per_field_key_file_us']:.1f} µs)\n"
        f"  encrypt_text                {crypto['encrypt_per_field_us']:.1f} µs per field"
    )
    print("  per measured page (decrypted values × decrypt_text time, share of the median):")
    for page, cost in crypto.get("per_page", {}).items():
        extra = (
            f"; ORM − raw estimate {cost['orm_minus_raw_share_pct']:.1f} %"
            if "orm_minus_raw_share_pct" in cost
            else ""
        )
        print(
            f"    {page}: {cost['decrypted values']} values, {cost['ms']:.2f} ms = "
            f"{cost['share_of_median_pct']:.1f} %{extra}"
        )


def run_all(
    *,
    requests: int,
    slow_requests: int,
    warmup: int,
    workers: int,
    reuse: bool,
) -> tuple[dict[str, Any], list[PageResult], list[dict[str, object]]]:
    """Prepare, measure, describe, report – for ``run.py`` and standalone."""
    print_database()
    var_dir, seeded = prepare(reuse)
    load_before = os.getloadavg()
    with key_files(var_dir):
        planned = _child(var_dir, "plan", [], CHILD_TIMEOUT)
        results, notes = measure(
            var_dir,
            pages_for(planned),
            requests=requests,
            slow_requests=slow_requests,
            warmup=warmup,
            workers=workers,
        )
        rls_cost = row_security_cost(
            var_dir, results, pages_for(planned), requests=requests, warmup=warmup, workers=workers
        )
        crypto = _child(var_dir, "crypto", [], CHILD_TIMEOUT)
        described = _child(var_dir, "describe", PERSONAS, CHILD_TIMEOUT)
    crypto["per_page"] = encryption_share(crypto, results)
    print(
        f"\n{TOTAL_CASES:,} cases; {requests} sequential requests per page after {warmup} warm-up "
        f"({slow_requests} after {min(warmup, 2)} for pages slower than {SLOW_MS:.0f} ms); "
        f"{workers} gunicorn workers, {os.cpu_count()} CPUs.\n"
        f"Load average (1 min) before/after: {load_before[0]:.2f} / {os.getloadavg()[0]:.2f} "
        "– other processes on the machine widen the p95."
    )
    if not notes.get("per_page supported", False):
        print(f"The case list has a fixed page size ({PAGE_SIZE}; no ?per_page=).")
    for path in notes.get("stub pages", []):
        print(f"  note: {path} still answers with a stub")
    print_table(results)
    print_row_security(rls_cost)
    report(described, planned, crypto)
    checks = check_targets(results, planned)
    summary = {
        "seed": seeded,
        "plan": planned,
        "notes": notes,
        "described": described,
        "encryption": crypto,
        "row_level_security": rls_cost,
        "loadavg_1min_before": round(load_before[0], 2),
        "loadavg_1min_after": round(os.getloadavg()[0], 2),
    }
    return summary, results, checks


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Benchmark work list, case list and search.")
    parser.add_argument("--child", nargs=2, metavar=("TASK", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page")
    parser.add_argument(
        "--slow-requests",
        type=int,
        default=20,
        help=f"timed requests for pages whose probe takes > {SLOW_MS:.0f} ms (default 20)",
    )
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests first")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--persona", action="append", help=argparse.SUPPRESS)
    parser.add_argument("--reuse-db", action="store_true", help="reuse a seeded database")
    parser.add_argument("--strict", action="store_true", help="exit 1 if a target fails")
    args = parser.parse_args(argv)
    if min(args.requests, args.slow_requests) < 1 or args.warmup < 0:
        parser.error("--requests and --slow-requests must be ≥ 1, --warmup ≥ 0")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        in_child(args.child[0], Path(args.child[1]), args.persona or PERSONAS)
        return 0
    summary, results, checks = run_all(
        requests=args.requests,
        slow_requests=args.slow_requests,
        warmup=args.warmup,
        workers=args.workers,
        reuse=args.reuse_db,
    )
    payload = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "config": {k: v for k, v in vars(args).items() if k not in ("child", "persona")},
        **summary,
        "pages": [asdict(r) for r in results],
        "targets": checks,
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    text = json.dumps(payload, indent=2, ensure_ascii=False)
    path = RESULTS_DIR / f"cases-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(text, encoding="utf-8")
    (RESULTS_DIR / "cases-latest.json").write_text(text, encoding="utf-8")
    print(f"\nResults written to {path.relative_to(ROOT)}")
    return 1 if args.strict and not all(c["ok"] for c in checks) else 0


if __name__ == "__main__":
    sys.exit(main())
