"""Baustein-3 screening in real Chromium: the "Done when" of issue 7.

``abh`` opens Screening from the main navigation and uploads a small CSV list in the
documented format (docs/screening-import.md) of five fictional persons: one likely for § 25b
now, one for whom only time is missing, one with too little data, a young person for § 25a
and one for naturalisation. htmx follows the progress; the results show badges, the filters
"likely now" and "likely soon" narrow them, one person's page shows every rule with every
criterion, the norm and the rule version; the XLSX export (after the password again) and the
DOCX invitation letter download. The same persons as the CLI's JSON document give the same
results through ``kim screening check`` as the app stored (that upload runs without htmx; a
list nobody has started yet is screened with the "Prüfung starten" button). Screening runs as
a background job, which the tests' immediate backend runs at once. ``cm-siegen`` screens a demo client with a screening
consent from the case page; ``cm-kreuztal`` gets 404. The rules page lists every rule version
and marks those in force today.

Every visited page is checked with axe (0 violations) and saved as a screenshot in
test-results/. German texts are taken from the project's catalogue (``german``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone, translation
from playwright.sync_api import Locator, Page, expect

from kim.cases.models import Case, ConsentScope
from kim.screening.actions.lists import upload_list
from kim.screening.models import RuleVersion, ScreeningEntry, ScreeningList
from kim.screening.periods import add_years

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CheckPage = Callable[[str], None]
LogIn = Callable[[str], None]

TITLE = "E2E: Duldungen Stand heute (fiktiv)"
# The engine's fixed order, which is also the order of the badge columns in the results.
RULES = ("aufenthg_25a", "aufenthg_25b", "aufenthg_104c", "stag_10", "stag_10_3")

# Complete facts of a well-integrated adult; each person below changes what its case needs.
INTEGRATED: dict[str, Any] = {
    "german_level": "B1",
    "oral_german_level": "B1",
    "knowledge_test": "leben_in_deutschland",
    "fdgo_commitment": True,
    "livelihood": "mostly_secured",
    "receives_sgb2_or_sgb12": False,
    "minor_child_in_household": False,
    "school_age_children_attend_school": True,
    "criminal_fine_daily_rates": 0,
    "identity_clarified": True,
    "identity_deception": False,
}

# The upload's columns (German names from docs/screening-import.md) → the CLI's fields.
COLUMNS = (
    ("Aktenzeichen", "ref"),
    ("Name", "label"),
    ("Geburtsdatum", "birth_date"),
    ("Antragsdatum", "application_date"),
    ("Deutsch", "german_level"),
    ("Deutsch mündlich", "oral_german_level"),
    ("Test", "knowledge_test"),
    ("FDGO", "fdgo_commitment"),
    ("Lebensunterhalt", "livelihood"),
    ("SGB II/XII", "receives_sgb2_or_sgb12"),
    ("In Ausbildung", "in_education"),
    ("Schuljahre", "school_years_de"),
    ("Minderjähriges Kind", "minor_child_in_household"),
    ("Kinder besuchen Schule", "school_age_children_attend_school"),
    ("Tagessätze", "criminal_fine_daily_rates"),
    ("Identität geklärt", "identity_clarified"),
    ("Identitätstäuschung", "identity_deception"),
    ("Vollzeit Monate", "full_time_months_last_24"),
    ("Gastarbeiter", "former_guest_or_contract_worker"),
)
PERIOD_COLUMNS = (
    ("Status", "status"),
    ("Rechtsgrundlage", "section"),
    ("von", "from"),
    ("bis", "to"),
)
MAX_PERIODS = 2
# How an authority's case system writes the CLI's values.
GERMAN_VALUES = {
    "leben_in_deutschland": "LiD",
    "einbuergerungstest": "Einbürgerungstest",
    "secured": "gesichert",
    "mostly_secured": "überwiegend gesichert",
    "duldung": "Duldung",
    "aufenthaltserlaubnis": "AE",
    "niederlassungserlaubnis": "NE",
}


def german(message: str) -> str:
    """The German text of one of our messages, from the project's catalogue."""
    with translation.override("de"):
        return translation.gettext(message)


def outcome(message: str) -> str:
    """The German badge text of a screening outcome ("likely", "from %s" …)."""
    with translation.override("de"):
        return translation.pgettext("screening outcome", message)


def _de(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def _plus_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _ago(today: dt.date, years: int, days: int = 0) -> dt.date:
    """``years`` calendar years before today, then ``days`` more back (negative: forward)."""
    return _plus_years(today, -years) - dt.timedelta(days=days)


def _period(status: str, start: dt.date, end: dt.date | None, section: str) -> dict[str, Any]:
    """A residence period; an open one has no ``to`` (as the upload stores it)."""
    period = {"status": status, "section": section, "from": start.isoformat()}
    return period | ({"to": end.isoformat()} if end else {})


def screening_persons(today: dt.date) -> list[dict[str, Any]]:
    """Five fictional persons in the CLI's PERSON shape (plus ``label``), dates relative to
    the decision date so that every case stays what it shows."""
    return [
        {
            "ref": "AZ-E2E-001",
            "label": "Testperson A – § 25b jetzt",
            **INTEGRATED,
            "birth_date": _ago(today, 38).isoformat(),
            "residence_periods": [_period("duldung", _ago(today, 7), None, "60a")],
        },
        {
            # Six years of Duldung are complete in 60 days; everything else is met.
            "ref": "AZ-E2E-002",
            "label": "Testperson B – § 25b bald",
            **INTEGRATED,
            "birth_date": _ago(today, 31).isoformat(),
            "residence_periods": [_period("duldung", _ago(today, 6, -60), None, "60a")],
        },
        {
            "ref": "AZ-E2E-003",
            "label": "Testperson C – Angaben fehlen",
            "birth_date": _ago(today, 45).isoformat(),
            "residence_periods": [_period("duldung", _ago(today, 9), None, "60a")],
        },
        {
            "ref": "AZ-E2E-004",
            "label": "Testperson D – § 25a, 20 Jahre",
            **INTEGRATED,
            "birth_date": _ago(today, 20).isoformat(),
            "application_date": today.isoformat(),
            "school_years_de": 4,
            "in_education": True,
            "residence_periods": [_period("duldung", _ago(today, 4), None, "60a")],
        },
        {
            "ref": "AZ-E2E-005",
            "label": "Testperson E – Einbürgerung",
            **INTEGRATED,
            "knowledge_test": "einbuergerungstest",
            "livelihood": "secured",
            "full_time_months_last_24": 24,
            "former_guest_or_contract_worker": False,
            "birth_date": _ago(today, 35).isoformat(),
            "residence_periods": [
                _period("aufenthaltserlaubnis", _ago(today, 6), _ago(today, 3, 1), "18b"),
                _period("niederlassungserlaubnis", _ago(today, 3), None, "18c"),
            ],
        },
    ]


def _cell(value: Any) -> str:
    """One value as an authority's export writes it: German dates, ja/nein, German words."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return _de(dt.date.fromisoformat(value))
    if isinstance(value, str) and re.fullmatch(r"\d+[a-z]?", value):
        return f"§ {value}"  # a legal basis, written with § as case systems do
    return GERMAN_VALUES.get(str(value), str(value))


def screening_csv(persons: list[dict[str, Any]]) -> str:
    """The persons as a CSV list in the documented format: ";", a header row, one row per
    person, numbered period column groups; an empty cell means "not known"."""
    header = [name for name, _field in COLUMNS]
    for n in range(1, MAX_PERIODS + 1):
        header += [f"{name} {n}" for name, _field in PERIOD_COLUMNS]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for person in persons:
        row = [_cell(person.get(field)) for _name, field in COLUMNS]
        periods = person.get("residence_periods", [])
        for n in range(MAX_PERIODS):
            period = periods[n] if n < len(periods) else {}
            row += [_cell(period.get(field)) for _name, field in PERIOD_COLUMNS]
        writer.writerow(row)
    return out.getvalue()


def _upload(page: Page, server: str, tmp_path: Path, today: dt.date, check_page: CheckPage) -> str:
    """From the list index through the upload form; returns the list's code."""
    path = tmp_path / "duldungen-e2e.csv"
    path.write_text(screening_csv(screening_persons(today)), encoding="utf-8")
    page.locator('main a[href="/screening/listen/hochladen/"]').click()
    expect(page).to_have_url(f"{server}/screening/listen/hochladen/")
    page.locator("#id_title").fill(TITLE)
    page.locator("#id_decision_date").fill(_de(today))
    page.locator("#id_upload").set_input_files(path)
    check_page("screening-02-upload")
    page.locator("main form.kim-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/screening/listen/[a-z2-7]{16}/$"))
    return page.url.rstrip("/").rsplit("/", 1)[-1]


def _open_screening(page: Page, server: str, log_in: LogIn, check_page: CheckPage) -> None:
    log_in("abh")
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    nav.locator('a[href="/screening/listen/"]').click()
    expect(page).to_have_url(f"{server}/screening/listen/")
    check_page("screening-01-lists")


def _ids(rows: Locator) -> list[str]:
    """The ids of the rows (call after their count has been awaited)."""
    return list(rows.evaluate_all("rows => rows.map(r => r.id)"))


def _results(entry: ScreeningEntry) -> list[dict[str, Any]]:
    """What the app stored for one person: the CLI's shape plus norm and summary sentence."""
    assert entry.results is not None
    return list(json.loads(entry.results))


def _in_force(today: dt.date) -> dict[str, RuleVersion]:
    """The rule versions in force today, by rule."""
    return {
        v.rule: v
        for v in RuleVersion.objects.order_by("valid_from")
        if v.valid_from <= today and (v.valid_to is None or today <= v.valid_to)
    }


def _expect_badges(page: Page, row: int, texts: list[str]) -> None:
    expect(page.locator(f"#entry-{row} td .kern-badge")).to_have_text(texts)


def test_abh_uploads_a_list_and_sees_who_is_likely_now_and_soon(
    page: Page, server: str, log_in: LogIn, check_page: CheckPage, tmp_path: Path
) -> None:
    today = timezone.localdate()
    soon = add_years(_ago(today, 6, -60), 6)  # B: six years of Duldung complete
    d_25b = add_years(_ago(today, 4), 6)  # D: likely for § 25a now, § 25b in two years

    _open_screening(page, server, log_in, check_page)
    code = _upload(page, server, tmp_path, today, check_page)
    list_url = f"{server}/screening/listen/{code}/"

    # The upload started the screening job (run at once by the tests' immediate backend;
    # with kim worker, htmx polls the progress and loads the results when it is done).
    entries = page.locator("#entries tbody tr")
    expect(entries).to_have_count(5)
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    counts = page.locator("#rank-counts li")
    expect(counts).to_have_text([re.compile(rf": {n}$") for n in (3, 1, 1, 0)])
    likely, unlikely, unclear = outcome("likely"), outcome("unlikely"), outcome("unclear")
    gone = outcome("not in force")  # § 104c and the former "Turbo" naturalisation
    later_25b = outcome("from %s") % _de(soon)
    # Sorted by outcome, then by the earliest date a further rule becomes likely: likely now
    # (D, with § 25b from a date, before A and E), likely later (B), unclear (C).
    assert _ids(entries) == [f"entry-{row}" for row in (4, 1, 5, 2, 3)]
    _expect_badges(page, 1, [unlikely, likely, gone, unlikely, gone])
    _expect_badges(page, 2, [unlikely, later_25b, gone, unlikely, gone])
    _expect_badges(page, 3, [unlikely, unclear, gone, unlikely, gone])
    _expect_badges(page, 4, [likely, outcome("from %s") % _de(d_25b), gone, unlikely, gone])
    _expect_badges(page, 5, [unlikely, unlikely, gone, likely, gone])
    expect(page.locator("#entry-3")).to_contain_text("Testperson C – Angaben fehlen")
    # B only waits for time (the badge gives the date): no data is missing. C lacks data.
    expect(page.locator("#entry-2 td").last).to_have_text("–")
    expect(page.locator("#entry-3 td").last).to_contain_text("§ 25b:")
    expect(page.locator("#entry-3 td").last).to_contain_text("?")
    check_page("screening-03-results")

    # The XLSX export of the whole list: the password again, then the download.
    page.locator(f'#entry-table a[href^="/screening/listen/{code}/export/xlsx/"]').click()
    expect(page).to_have_url(re.compile(r"/konto/reauthenticate/"))
    check_page("screening-04-reauthenticate")
    page.locator("#id_password").fill("demo")
    with page.expect_download() as download_info:
        page.locator("main form button[type=submit]").click()
    download = download_info.value
    assert download.suggested_filename == f"screening-{code}.xlsx"
    xlsx = tmp_path / download.suggested_filename
    download.save_as(xlsx)
    sheet = openpyxl.load_workbook(xlsx, read_only=True).worksheets[0]
    cells = list(sheet.iter_rows(values_only=True))
    assert len(cells) == 1 + 5
    refs = {value for row in cells for value in row if isinstance(value, str)}
    assert {f"AZ-E2E-00{n}" for n in range(1, 6)} <= refs

    # Filters: "likely now", then "likely soon" (htmx swaps the table and pushes the URL).
    page.goto(list_url)
    page.locator("#id_show").select_option("now")
    expect(page).to_have_url(re.compile(r"show=now"))
    expect(entries).to_have_count(3)
    assert _ids(entries) == ["entry-4", "entry-1", "entry-5"]
    check_page("screening-05-filter-now")
    page.locator("#id_show").select_option("soon")
    expect(page).to_have_url(re.compile(r"show=soon"))
    expect(entries).to_have_count(1)
    expect(page.locator("#entry-2")).to_contain_text("Testperson B – § 25b bald")
    _expect_badges(page, 2, [unlikely, later_25b, gone, unlikely, gone])
    check_page("screening-06-filter-soon")

    # One person: every rule with every criterion, norm and version, the "indicative" note.
    page.locator(f'#entry-2 a[href="/screening/listen/{code}/personen/2/"]').click()
    expect(page).to_have_url(f"{list_url}personen/2/")
    main = page.locator("main")
    expect(main.locator(".kern-alert--info")).to_have_text(
        german("The result is an indication – the decision is made by the authority.")
    )
    expect(main.locator("section")).to_have_count(len(RULES))
    stored = ScreeningEntry.objects.get(screening_list__code=code, row=2)
    results = {r["rule"]: r for r in _results(stored)}
    for rule in RULES:
        result = results[rule]
        section = main.locator(f"section[aria-labelledby=rule-{rule}]")
        assert result["explanation"].startswith(result["norm"].split(" (")[0])
        expect(section).to_contain_text(result["explanation"])
        if result["version_valid_from"]:
            valid_from = _de(dt.date.fromisoformat(result["version_valid_from"]))
            expect(section).to_contain_text(f"{result['norm']}, Fassung gültig ab {valid_from}")
        else:
            expect(section).to_contain_text(f"die Regelung gilt am {_de(today)} nicht mehr")
        rows = section.locator("tbody tr")
        expect(rows).to_have_count(len(result["criteria"]))
        for row, criterion in zip(rows.all(), result["criteria"], strict=True):
            assert criterion["explanation"].startswith("§ ")  # each criterion names its norm
            expect(row.locator("td").last).to_have_text(criterion["explanation"])
    rule_25b = main.locator("section[aria-labelledby=rule-aufenthg_25b]")
    expect(rule_25b.locator("h2 .kern-badge")).to_have_text(later_25b)
    expect(rule_25b).to_contain_text(f"voraussichtlich erfüllt ab {_de(soon)}")
    expect(rule_25b).to_contain_text(f"wahrscheinlich ab {_de(soon)}, wenn sich sonst nichts")
    expect(rule_25b).to_contain_text("Unverbindliche Einschätzung; die Behörde entscheidet.")
    check_page("screening-07-entry")

    # The invitation letter (German only, the default): the password was entered a moment
    # ago, so it downloads at once.
    letter_form = main.locator('form[aria-labelledby="letter-title"]')
    expect(letter_form.locator("#id_sprache")).to_have_value("de")
    with page.expect_download() as download_info:
        letter_form.get_by_role("button", name=german("Invitation letter (Word)")).click()
    download = download_info.value
    assert download.suggested_filename == f"einladung-{code}-2.docx"
    letter_path = tmp_path / download.suggested_filename
    download.save_as(letter_path)
    letter = "\n".join(p.text for p in docx.Document(str(letter_path)).paragraphs)
    assert "AZ-E2E-002" in letter
    assert _de(soon) in letter


def test_the_cli_gives_the_same_results_as_the_app(
    page: Page, server: str, log_in: LogIn, check_page: CheckPage, tmp_path: Path
) -> None:
    """The upload without htmx (as without JavaScript) starts the screening job; a list
    without a job is screened with "Prüfung starten". Then ``kim screening check`` on the
    same persons: the same result for every rule."""
    today = timezone.localdate()
    page.route(re.compile(r"/htmx\.min\.js$"), lambda route: route.abort())
    _open_screening(page, server, log_in, check_page)
    code = _upload(page, server, tmp_path, today, check_page)
    expect(page.locator("#entries tbody tr")).to_have_count(5)

    waiting = upload_list(
        acting_user=ScreeningList.objects.get(code=code).uploaded_by,
        organisation=ScreeningList.objects.get(code=code).organisation,
        upload=SimpleUploadedFile("warten.csv", screening_csv(screening_persons(today)).encode()),
        title="E2E: noch nicht gestartet",
        decision_date=today,
    )
    page.goto(f"{server}/screening/listen/{waiting.code}/")
    progress = page.locator("#screening-progress progress")
    expect(progress).to_have_attribute("value", "0")
    expect(progress).to_have_attribute("max", "5")
    check_page("screening-08-progress")
    page.get_by_role("button", name=german("Start screening")).click()
    expect(page.locator("#entries tbody tr")).to_have_count(5)

    screening_list = ScreeningList.objects.get(code=code)
    assert screening_list.decision_date == today
    persons = [{k: v for k, v in p.items() if k != "label"} for p in screening_persons(today)]
    path = tmp_path / "persons.json"
    day = screening_list.decision_date.isoformat()
    path.write_text(json.dumps({"decision_date": day, "persons": persons}))
    out = io.StringIO()
    call_command("screening", "check", "--input", str(path), "--date", day, stdout=out)
    cli = json.loads(out.getvalue())
    assert cli["decision_date"] == today.isoformat()

    entries = screening_list.entries.order_by("row")
    # The CSV upload stored exactly the persons of the JSON document (and the labels apart).
    assert [json.loads(e.facts) for e in entries] == persons
    app = {e.ref: _results(e) for e in entries}
    assert list(app) == [p["ref"] for p in persons]
    assert [r["ref"] for r in cli["results"]] == list(app)
    for person in cli["results"]:
        stored = app[person["ref"]]
        assert [r["rule"] for r in person["rules"]] == list(RULES)
        assert [(r["rule"], r["outcome"], r["met_from"]) for r in person["rules"]] == [
            (r["rule"], r["outcome"], r["met_from"]) for r in stored
        ], person["ref"]
        # The whole CLI shape: versions, criteria and explanations too.
        assert person["rules"] == [{k: r[k] for k in person["rules"][0]} for r in stored]
    by_ref = {p["ref"]: {r["rule"]: r for r in p["rules"]} for p in cli["results"]}
    assert by_ref["AZ-E2E-001"]["aufenthg_25b"]["outcome"] == "likely"
    assert by_ref["AZ-E2E-002"]["aufenthg_25b"]["met_from"] == (
        add_years(_ago(today, 6, -60), 6).isoformat()
    )
    assert by_ref["AZ-E2E-003"]["aufenthg_25b"]["outcome"] == "unclear"
    assert by_ref["AZ-E2E-004"]["aufenthg_25a"]["outcome"] == "likely"
    assert by_ref["AZ-E2E-005"]["stag_10"]["outcome"] == "likely"


def test_cm_siegen_screens_a_client_with_consent(
    page: Page, server: str, log_in: LogIn, check_page: CheckPage
) -> None:
    cases = Case.objects.filter(
        responsible__username="cm-siegen", person__consents__scope=ConsentScope.SCREENING
    ).distinct()
    assert cases.count() == 2  # kim.screening.demo: Tarek Platzhalter, Mariam Beispielhaft
    # Names are encrypted at rest: pick Tarek in Python. His file holds an asylum procedure
    # and a Duldung; the form adds what the file does not know.
    case = next(c for c in cases.select_related("person") if c.person.first_name == "Tarek")
    screening_url = f"{server}/screening/klienten/{case.code}/"

    log_in("cm-siegen")
    page.goto(f"{server}/fallmanagement/faelle/{case.code}/")
    check_page("screening-09-case")
    page.locator("#screening-link").click()
    expect(page).to_have_url(screening_url)
    expect(page.locator("#file-facts")).to_be_visible()
    expect(page.locator("#results")).to_have_count(0)
    check_page("screening-10-client")

    page.locator("#id_german_level").select_option("B1")
    page.locator("#id_oral_german_level").select_option("B1")
    page.locator("#id_knowledge_test").select_option("leben_in_deutschland")
    page.locator("#id_livelihood").select_option("mostly_secured")
    page.locator("#id_criminal_fine_daily_rates").fill("0")
    page.locator("#id_fdgo_commitment").select_option("true")
    page.locator("#id_identity_deception").select_option("false")
    page.get_by_role("button", name=german("Screen"), exact=True).click()

    results = page.locator("#results")
    expect(results).to_be_visible()
    expect(page.locator("#indicative-note")).to_be_visible()
    summary = page.locator("#results-summary tbody tr")
    expect(summary).to_have_count(len(RULES))
    assert _ids(summary) == [f"summary-{rule}" for rule in RULES]
    # Every outcome cites the norm and, where a version is in force, the version.
    in_force = _in_force(timezone.localdate())
    for rule in RULES:
        norm, version = (
            page.locator(f"#rule-{rule} dd").nth(0),
            page.locator(f"#rule-{rule} dd").nth(1),
        )
        if rule in in_force:
            valid_from = {"day": _de(in_force[rule].valid_from)}
            expect(norm).to_have_text(in_force[rule].norm)
            expect(version).to_have_text(german("valid from %(day)s") % valid_from)
        else:
            expect(norm).to_contain_text("§ ")
            expect(version).to_have_text(german("no version in force on the decision date"))
    # From the file: the asylum procedure and a Duldung; § 25b lacks only the children's
    # school attendance, which the form left at "unknown".
    expect(page.locator("#summary-aufenthg_25b")).to_have_attribute("data-outcome", "unclear")
    expect(page.locator("#rule-aufenthg_25b")).to_contain_text(
        "unklar, Angaben fehlen zu: Schulpflichtige Kinder besuchen die Schule"
    )
    for rule in ("aufenthg_104c", "stag_10_3"):
        expect(page.locator(f"#summary-{rule}")).to_have_attribute("data-outcome", "not_in_force")
    check_page("screening-11-client-results")

    page.context.clear_cookies()
    log_in("cm-kreuztal")
    response = page.goto(screening_url)
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text(german("Page not found"))
    check_page("screening-12-kreuztal-404")


def test_the_rules_page_lists_every_rule_version(
    page: Page, server: str, log_in: LogIn, check_page: CheckPage
) -> None:
    today = timezone.localdate()
    _open_screening(page, server, log_in, check_page)
    page.locator('main a[href="/screening/regeln/"]').click()
    expect(page).to_have_url(f"{server}/screening/regeln/")
    versions = list(RuleVersion.objects.order_by("rule", "valid_from"))
    assert {v.rule for v in versions} == set(RULES)
    articles = page.locator("main article")
    expect(articles).to_have_count(len(versions))
    in_force, marker = _in_force(today), german("in force today")
    for version in versions:
        article = page.locator(f"#version-{version.rule}-{version.valid_from.isoformat()}")
        expect(article.locator("h3")).to_contain_text(version.norm)
        valid = page.locator(f"#version-{version.rule}-{version.valid_from.isoformat()} dd").first
        until = _de(version.valid_to) if version.valid_to else german("open")
        expect(valid).to_have_text(re.compile(rf"^\s*{_de(version.valid_from)} –\s+{until}\s*$"))
        if in_force.get(version.rule) == version:
            expect(article).to_have_attribute("data-in-force", "true")
            expect(article.locator("h3 .kern-badge")).to_have_text(marker)
        else:
            expect(article).not_to_have_attribute("data-in-force", "true")
            expect(article.locator("h3 .kern-badge")).not_to_have_text(marker)
    # § 25a, § 25b and § 10 StAG are in force today; § 104c and the "Turbo" route ended.
    assert set(in_force) == {"aufenthg_25a", "aufenthg_25b", "stag_10"}
    expect(page.locator("main article[data-in-force=true]")).to_have_count(3)
    check_page("screening-13-rules")
