"""The cost forecast names only posts the reader may open; its totals stay the Kreis' totals.

A town's programme lead and team lead see the Kreis aggregates (in total, per Baustein, per
organisation) but per-post pay only of the posts they could open on the position pages
(``positions_for_user``): page, CSV export and API alike (decisions D-047).
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.contrib.auth import get_user_model

from kim.accounts.access import load_user_context
from kim.organisations.models import Organisation
from kim.programmes.access import positions_for_user
from kim.programmes.models import Position

pytestmark = pytest.mark.django_db

YEARS = {"first_year": 2026, "last_year": 2028}


def _kreis() -> Organisation:
    return Organisation.objects.get(ags="05970")


def _visible_codes(persona: str) -> set[str]:
    ctx = load_user_context(get_user_model().objects.get(username=persona))
    return set(positions_for_user(ctx).filter(region=_kreis()).values_list("code", flat=True))


def _label(position: Position) -> str:
    return f"{position.title} ({position.home.short_name or position.home.name})"


def _csv_rows(client, url: str) -> list[list[str]]:
    content = client.get(url, YEARS).content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(content), delimiter=";"))[1:]


@pytest.mark.parametrize("persona", ["siegen", "teamlead-siegen"])
def test_town_leads_see_only_their_posts_on_the_page(login_as, persona: str) -> None:
    visible = _visible_codes(persona)
    assert len(visible) == 5  # Siegen's three posts and the two it passes on to the Träger
    page = login_as(persona).get(f"/programm/{_kreis().code}/prognose/", YEARS)
    assert page.status_code == 200
    forecast = page.context["forecast"]
    listed = {line.code for line in forecast.positions} | {
        p.code for p in forecast.without_pay_group
    }
    assert listed == visible
    # Every post link on the page is one the reader can open.
    linked = set(re.findall(r'href="/programm/stellen/([^/"]+)/"', page.content.decode()))
    assert linked and linked <= visible
    assert forecast.not_listed == Position.objects.filter(region=_kreis()).count() - len(visible)


def test_coordination_still_sees_every_post(login_as) -> None:
    page = login_as("koordination").get(f"/programm/{_kreis().code}/prognose/", YEARS)
    forecast = page.context["forecast"]
    listed = {line.code for line in forecast.positions} | {
        p.code for p in forecast.without_pay_group
    }
    assert listed == set(Position.objects.filter(region=_kreis()).values_list("code", flat=True))
    assert forecast.not_listed == 0


@pytest.mark.parametrize("persona", ["siegen", "teamlead-siegen"])
def test_totals_do_not_depend_on_the_reader(login_as, persona: str) -> None:
    url = f"/programm/{_kreis().code}/prognose/"
    full = login_as("koordination").get(url, YEARS).context["forecast"]
    scoped = login_as(persona).get(url, YEARS).context["forecast"]
    assert scoped.total.rows == full.total.rows
    assert [(x.label, x.rows) for x in scoped.by_baustein] == [
        (x.label, x.rows) for x in full.by_baustein
    ]
    assert [(x.label, x.rows) for x in scoped.by_home] == [(x.label, x.rows) for x in full.by_home]


@pytest.mark.parametrize("persona", ["siegen", "teamlead-siegen"])
def test_csv_export_names_only_visible_posts(login_as, persona: str) -> None:
    url = f"/programm/{_kreis().code}/prognose/export.csv"
    all_posts = Position.objects.filter(region=_kreis()).select_related("home")
    labels = {_label(p): p.code for p in all_posts}
    assert len(labels) == all_posts.count()  # labels identify posts in the export
    full = _csv_rows(login_as("koordination"), url)
    scoped = _csv_rows(login_as(persona), url)
    visible = _visible_codes(persona)
    named = {labels[row[0]] for row in scoped if row[0] in labels}
    assert named and named <= visible
    assert {labels[row[0]] for row in full if row[0] in labels} - visible  # others exist
    # The aggregate rows (Baustein, organisation, total) are identical.
    assert [r for r in scoped if r[0] not in labels] == [r for r in full if r[0] not in labels]


@pytest.mark.parametrize("persona", ["siegen", "teamlead-siegen"])
def test_api_names_only_visible_posts(login_as, persona: str) -> None:
    url = f"/api/v1/programmes/{_kreis().code}/forecast/"
    full = login_as("koordination").get(url, YEARS).json()
    scoped = login_as(persona).get(url, YEARS).json()
    visible = _visible_codes(persona)
    codes = {p["code"] for p in scoped["positions"]} | set(scoped["without_pay_group"])
    assert codes == visible
    assert {p["code"] for p in full["positions"]} | set(full["without_pay_group"]) > visible
    assert scoped["positions_not_listed"] == len(
        {p["code"] for p in full["positions"]} | set(full["without_pay_group"])
    ) - len(visible)
    assert full["positions_not_listed"] == 0
    for key in ("total", "by_baustein", "by_organisation", "missing_table", "years"):
        assert scoped[key] == full[key], key


def test_town_overview_lists_no_foreign_post(login_as) -> None:
    """The town page of another organisation shows its totals, never a link to its posts."""
    kreuztal = Organisation.objects.get(ags="05970024")
    page = login_as("siegen").get(f"/programm/organisation/{kreuztal.code}/")
    assert page.status_code == 200
    assert page.context["forecast"].positions == []
    assert page.context["forecast"].total.rows  # the organisation's aggregate stays
    # No link to its posts, nor to a position list that would show none of them.
    assert "/programm/stellen/" not in page.content.decode().split("<main", 1)[1]
    own = Organisation.objects.get(ags="05970040")
    assert (
        "/programm/stellen/?q="
        in login_as("siegen").get(f"/programm/organisation/{own.code}/").content.decode()
    )
