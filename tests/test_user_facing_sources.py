"""Reference data shown to users cites official sources in German (decisions D-054).

The rates page, the Kreis overview ("Geltende Fördersätze") and the screening rules page show
the source, note and computation rule of every funding rate, pay table row, employer add-on
and rule version. Users read official citations there – the Förderrichtlinie with its MBl. NRW
number, the Bezirksregierung's page, the Tarifvertrag, the law on gesetze-im-internet.de – and,
for an unconfirmed figure, "nicht bestätigt – bitte prüfen". The research trail (English
remarks, the brief's section numbers, assumptions, pages of unofficial copies) stays in
``reference_data`` as ``internal_note`` and is never rendered.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.test import Client

from kim.organisations.models import Organisation
from kim.programmes import reference_data as programme_ref
from kim.programmes.models import EmployerAddOn, FundingRate, PayTableEntry
from kim.screening import reference_data as screening_ref
from kim.screening.models import RuleVersion

# Hosts of official publications: the Land's law and gazette portal, the Bezirksregierung, the
# Land's funding portal and programme site, the Federal law portal and the Bundestag.
OFFICIAL_HOSTS = frozenset(
    {
        "recht.nrw.de",
        "bra.nrw.de",
        "www.bra.nrw.de",
        "www.nordrhein-westfalen-foerdert.nrw",
        "kim.nrw",
        "www.gesetze-im-internet.de",
        "www.recht.bund.de",
        "www.bundestag.de",
        "dip.bundestag.de",
    }
)
# English research remarks that must not reach a page ("assum" covers assumes/assumption).
RESEARCH_REMARKS = re.compile(r"UNCONFIRMED|UNBESTÄTIGT|COMPUTED|\bbrief\b|assum|mirror")
URL = re.compile(r"https?://[^\s\"'<>)]+")


def _main(html: str) -> str:
    """The page's ``<main>``: what the page itself says (not the shell around it)."""
    match = re.search(r"<main\b.*?</main>", html, re.S)
    assert match, "page without <main>"
    return match.group(0)


def _unofficial_hosts(text: str) -> set[str]:
    return {host for url in URL.findall(text) if (host := urlsplit(url).hostname or "")} - set(
        OFFICIAL_HOSTS
    )


def _assert_user_facing(where: str, text: str) -> None:
    remarks = RESEARCH_REMARKS.findall(text)
    assert not remarks, f"{where}: research remarks {sorted(set(remarks))}"
    hosts = _unofficial_hosts(text)
    assert not hosts, f"{where}: links to unofficial sites {sorted(hosts)}"


# --- the pages -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_rates_page_cites_official_sources_in_german(login_as: Callable[[str], Client]) -> None:
    response = login_as("koordination").get("/programm/saetze/")
    assert response.status_code == 200
    main = _main(response.content.decode())
    _assert_user_facing("/programm/saetze/", main)
    assert "Förderrichtlinie KIM vom 25.11.2020, MBl. NRW 2020 Nr. 32" in main
    assert "Bezirksregierung Arnsberg" in main
    assert "nicht bestätigt – bitte prüfen" in main  # the badge of the unconfirmed B2/B3 rates
    assert "Wert 2026 = Wert 2025 × 1,028" in main  # the computation rule, in German


@pytest.mark.django_db
def test_kreis_overview_rates_cite_official_sources_in_german(
    login_as: Callable[[str], Client],
) -> None:
    url = f"/programm/{Organisation.objects.get(ags='05970').code}/"
    response = login_as("koordination").get(url)
    assert response.status_code == 200
    main = _main(response.content.decode())
    assert "Förderrichtlinie KIM" in main  # the "Geltende Fördersätze" table is on the page
    _assert_user_facing(url, main)


@pytest.mark.django_db
def test_screening_rules_page_links_the_law_only(login_as: Callable[[str], Client]) -> None:
    response = login_as("abh").get("/screening/regeln/")
    assert response.status_code == 200
    main = _main(response.content.decode())
    _assert_user_facing("/screening/regeln/", main)
    assert 'href="https://www.gesetze-im-internet.de/aufenthg_2004/__25b.html"' in main
    assert "nicht bestätigt – bitte prüfen" in main  # the Turbo abolition day


@pytest.mark.django_db
@pytest.mark.parametrize(
    "lookup",
    [
        {"ags": "05970"},
        {"ags": "05970040"},
        {"name": "Ausländerbehörde Kreis Siegen-Wittgenstein"},
        {"name": "Einbürgerungsbehörde Stadt Siegen"},
        {"name": "Jugendamt Stadt Siegen"},
    ],
)
def test_organisation_pages_cite_sources_in_german(
    login_as: Callable[[str], Client], lookup: dict[str, str]
) -> None:
    """Population figures and responsibility periods of the demo show their sources in German,
    an unconfirmed date says so, and no research remark or unofficial site reaches the page."""
    organisation = Organisation.objects.get(**lookup)
    url = f"/organisationen/{organisation.code}/"
    response = login_as("koordination").get(url)
    assert response.status_code == 200
    _assert_user_facing(url, _main(response.content.decode()))


# --- the data behind them ----------------------------------------------------------------------


def _programme_texts() -> Iterator[tuple[str, str]]:
    for row in programme_ref.PAY_TABLE:
        yield f"pay {row.group} {row.valid_from}", f"{row.source} {row.rule}"
    for rule in programme_ref.STEP_RULES:
        yield f"step {rule.scale} {rule.step}", rule.source
    for special in programme_ref.SPECIAL_PAYMENT_RATES:
        yield f"special {special.group_from} {special.valid_from}", special.source
    for addon in programme_ref.EMPLOYER_ADD_ONS:
        labels = " ".join(label for label, _value in addon.breakdown)
        yield f"add-on {addon.valid_from}", f"{addon.source} {labels}"
    for fact in programme_ref.FUNDING_RATES:
        yield f"rate {fact.baustein} {fact.kind} {fact.valid_from}", f"{fact.source} {fact.note}"


def test_programme_reference_data_separates_citations_from_research_notes() -> None:
    for where, text in _programme_texts():
        _assert_user_facing(where, text)
    # The research trail is kept for developers, with the pages the brief read.
    for fact in programme_ref.FUNDING_RATES:
        assert "http" in fact.internal_note, fact
    unconfirmed = [f for f in programme_ref.FUNDING_RATES if not f.confirmed]
    assert unconfirmed and all("nicht bestätigt – bitte prüfen" in f.note for f in unconfirmed)


def test_screening_reference_data_separates_citations_from_research_notes() -> None:
    for version in screening_ref.VERSIONS:
        where = f"{version['rule']} {version['valid_from']}"
        _assert_user_facing(where, f"{version['source']} {version['norm']} {version['note']}")
        assert "http" in version["internal_note"], where


@pytest.mark.django_db
def test_loaded_rows_hold_no_research_notes() -> None:
    """What the seed loaded (and the pages read) is the user-facing text only."""
    for rate in FundingRate.objects.all():
        _assert_user_facing(str(rate), f"{rate.source} {rate.note}")
    for entry in PayTableEntry.objects.all():
        _assert_user_facing(str(entry), f"{entry.source} {entry.rule}")
    for addon in EmployerAddOn.objects.all():
        _assert_user_facing(str(addon), f"{addon.source} {addon.breakdown}")
    for version in RuleVersion.objects.all():
        _assert_user_facing(str(version), f"{version.source} {version.note}")


# --- the data migrations ---------------------------------------------------------------------


@pytest.mark.django_db
def test_migration_rewrites_shipped_texts_and_keeps_local_corrections() -> None:
    migration = importlib.import_module("kim.programmes.migrations.0003_user_facing_sources")
    shipped = {
        "source": "Kreis Coesfeld SV-10-0898: https://www.kreis-coesfeld.de/sessionnet/sessionnetbi/"
        "vo0050.php?__kvonr=5924 (KIM brief §1.5); BRA page: https://bra.nrw.de/integration-"
        "migration/kompetenzzentrum-fuer-integration/foerderung-kommunen/kommunales-"
        "integrationsmanagement-kim (KIM brief §1.5)",
        "note": "Coesfeld states 57,000 € per VZ for all modules (2023). The current amount (2025 "
        "call, applied for with B1) is not visible: UNCONFIRMED, probably 57,000 €.",
    }
    b2 = FundingRate.objects.filter(baustein="B2", kind="per_vze", valid_to__isnull=True)
    b3 = FundingRate.objects.filter(baustein="B3", kind="per_vze", valid_to__isnull=True)
    b2.update(**shipped)  # as a database migrated before this change holds it
    b3.update(source="Erlass vom 01.02.2026 (lokal korrigiert)")

    migration.forwards(apps, None)

    rate = b2.get()
    assert rate.source.startswith("Bezirksregierung Arnsberg") and "http" not in rate.source
    assert rate.note.endswith("nicht bestätigt – bitte prüfen.")
    assert b3.get().source == "Erlass vom 01.02.2026 (lokal korrigiert)"
    migration.backwards(apps, None)
    assert b2.values("source", "note").get() == shipped


@pytest.mark.django_db
def test_screening_migration_rewrites_shipped_sources() -> None:
    migration = importlib.import_module("kim.screening.migrations.0002_user_facing_sources")
    rows = RuleVersion.objects.filter(rule="aufenthg_25b")
    old = (
        "https://www.asyl.net/themen/ (Aufenthaltserlaubnis bei nachhaltiger Integration) ; "
        "https://nds-fluerat.org/leitfaden/15-aufenthaltserlaubnis-nachhaltige-integration/ ; "
        "https://asyl.net/rsdb/M26754"
    )
    rows.update(source=old)
    migration.forwards(apps, None)
    assert {r.source for r in rows} == {screening_ref.SRC_25B}
