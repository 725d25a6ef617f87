"""The rules page lists every rule with all its versions, sources and criteria; the version in
force today is marked, rules no longer in force (§ 104c, the former Turbo route) too."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.contrib.auth import get_user_model

from kim.screening.models import Rule
from kim.screening.queries.rules import parse_sources, rule_catalogue
from kim.screening.rulebook import database_versions

URL = "/screening/regeln/"


@time_machine.travel(dt.date(2026, 11, 25), tick=False)
def test_every_rule_and_version_is_listed(
    login_as: Callable[[str], Any], django_assert_max_num_queries: Any
) -> None:
    client = login_as("cm-siegen")
    with django_assert_max_num_queries(12):
        response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    versions = database_versions()
    assert {v.rule for v in versions} == set(Rule.values)
    for version in versions:
        assert f'id="version-{version.rule}-{version.valid_from.isoformat()}"' in html
        assert version.norm in html
        for criterion in version.criteria:
            assert f'data-criterion="{criterion["id"]}"' in html
    in_force = [v for v in versions if v.applies_on(dt.date(2026, 11, 25))]
    assert html.count('data-in-force="true"') == len(in_force)
    assert {v.rule for v in in_force} == {"aufenthg_25a", "aufenthg_25b", "stag_10"}
    assert "nicht mehr in Kraft" in html  # § 104c and § 10 Abs. 3 StAG
    assert 'href="https://www.bundestag.de/presse/hib/kurzmeldungen-1108272"' in html


def test_in_force_marker_follows_the_day(db: None) -> None:
    """On 01.07.2025 § 104c and the Turbo route were in force; on 01.01.2026 neither."""
    groups = {g.code: g for g in rule_catalogue(dt.date(2025, 7, 1))}
    assert groups["aufenthg_104c"].in_force and groups["stag_10_3"].in_force
    later = {g.code: g for g in rule_catalogue(dt.date(2026, 1, 1))}
    assert later["aufenthg_104c"].expired and later["stag_10_3"].expired
    assert not later["stag_10"].expired and later["stag_10"].in_force
    current = [row for row in later["stag_10"].versions if row.in_force]
    assert [row.version.valid_from for row in current] == [dt.date(2024, 6, 27)]


def test_sources_become_links() -> None:
    sources = parse_sources("https://a.example/x (Titel) ; Gesetzblatt 2024 ; https://b.example/")
    assert [(s.url, s.text) for s in sources] == [
        ("https://a.example/x", "Titel"),
        ("", "Gesetzblatt 2024"),
        ("https://b.example/", ""),
    ]


@pytest.mark.parametrize("persona", ["abh", "koordination", "teamlead-siegen", "dsb", "rat"])
def test_anyone_with_a_role_reads_the_rules(login_as: Callable[[str], Any], persona: str) -> None:
    assert login_as(persona).get(URL).status_code == 200


def test_without_a_role_no_rules(login_as: Callable[[str], Any]) -> None:
    get_user_model().objects.create_user("ohne-rolle", password=None)
    assert login_as("ohne-rolle").get(URL).status_code == 403
    assert login_as("cm-siegen").get(URL).status_code == 200


def test_parameters_read_as_words_not_codes() -> None:
    from kim.screening.queries.rules import param_rows

    rows = {
        p.key: p.value
        for p in param_rows(
            {
                "counting_statuses": ["duldung", "daueraufenthalt_eu"],
                "paused_sections": ["60b"],
                "accepted_tests": ["leben_in_deutschland"],
                "cutoff_date": "2022-10-31",
                "years_required": 6,
            }
        )
    }
    assert rows["counting_statuses"] == "Duldung, Erlaubnis zum Daueraufenthalt-EU"
    assert rows["paused_sections"] == "§ 60b"
    assert rows["accepted_tests"] == "Test „Leben in Deutschland“"
    assert rows["cutoff_date"] == "31.10.2022"
    assert rows["years_required"] == "6"
