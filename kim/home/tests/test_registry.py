"""Every app states what it gives the shell in its own ``home.py`` (kim/core/shell.py), and the
shell – navigation, start page, demo seed, retention run – is made only of those registrations.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.urls import reverse

from kim.accounts.access import ANONYMOUS
from kim.core import shell

KIM = Path(__file__).resolve().parents[2]

# app → (nav keys, registers start cards, registers a demo step, retention step names)
EXPECTED: dict[str, tuple[set[str], bool, bool, set[str]]] = {
    "accounts": (set(), True, True, set()),
    "audit": ({"audit"}, True, False, set()),
    "organisations": ({"directory"}, False, True, set()),
    "programmes": ({"programme"}, True, True, set()),
    "partners": ({"partners", "agreements", "calls", "deadlines"}, True, True, set()),
    "council": ({"council"}, True, True, set()),
    "cases": ({"cases", "barriers", "case_statistics"}, True, True, {"cases"}),
    "screening": ({"screening"}, True, True, {"screening_lists"}),
    "steering": ({"steering", "topics", "topics_menu"}, True, True, set()),
    "proofs": ({"proofs", "proofs_menu"}, True, True, set()),
    # The network states its parts in directory/home.py, public/home.py, interpreters/home.py.
    "network": ({"network", "network_menu", "interpreters"}, True, True, set()),
}


def _of_app(module: str, app: str) -> bool:
    """``kim.<app>.home`` or the home module of one of the app's packages."""
    return module == f"kim.{app}.home" or (
        module.startswith(f"kim.{app}.") and module.endswith(".home")
    )


def _kim_apps() -> list[str]:
    return sorted(
        c.label for c in apps.get_app_configs() if c.name.startswith("kim.") and c.label != "home"
    )


def test_every_app_is_in_the_table() -> None:
    """A new app lands here: decide what it registers (docs/architecture.md § A new app)."""
    assert sorted([*EXPECTED, "core"]) == _kim_apps()


@pytest.mark.parametrize("app", sorted(EXPECTED))
def test_each_app_registers_in_its_home_module(app: str) -> None:
    nav_keys, has_cards, has_demo, retention = EXPECTED[app]
    assert {e.key for e in shell.nav_entries() if _of_app(e.module, app)} == nav_keys
    assert any(_of_app(s.fn.__module__, app) for s in shell.card_sources()) is has_cards
    assert any(_of_app(s.fn.__module__, app) for s in shell.demo_steps()) is has_demo
    assert {s.name for s in shell.retention_steps() if _of_app(s.fn.__module__, app)} == retention


def test_core_registers_nothing() -> None:
    registered = [e.module for e in shell.nav_entries()] + [
        s.fn.__module__ for s in (*shell.card_sources(), *shell.demo_steps())
    ]
    assert all(m.endswith(".home") and not m.startswith("kim.core") for m in registered)


def test_demo_steps_run_from_the_ground_up() -> None:
    """Organisations first, then personas; each app after the apps its demo data points to."""
    order = [s.fn.__module__.split(".")[1] for s in shell.demo_steps()]
    assert order == [
        "organisations",
        "accounts",
        "programmes",
        "partners",
        "programmes",  # actual cost and Land payments of 2025 (45), after the award
        "proofs",  # the 2025 agreements and proofs (47), after partners and payroll (45)
        "council",
        "network",  # the directory's topics and services (55), before referrals point at them
        "network",  # the interpreter pool (56), before the demo cases book from it
        "cases",
        "cases",  # the demo Kreis' consent form translations (61), after the reference texts
        "cases",  # interpreter bookings in the demo cases (62), after the cases (60)
        "steering",  # bodies, meetings, decisions (65)
        "steering",  # topics from the demo barriers, on the bodies' agenda (66)
        "screening",
        "screening",  # the demo Kreis' letter translations (71)
        "proofs",  # the Sachbericht texts (75), once every figure it shows exists
    ]


def test_every_nav_key_a_template_asks_for_is_registered() -> None:
    used = {
        key
        for path in KIM.rglob("*.html")
        for key in re.findall(r"\bnav\.(\w+)", path.read_text(encoding="utf-8"))
    }
    assert used, "the templates use nav.<key>"
    assert used <= {e.key for e in shell.nav_entries()}


def test_menu_entries_are_complete() -> None:
    for entry in shell.nav_entries():
        if entry.url_name:
            assert entry.label and entry.app_name, entry
    assert shell.nav_entries()[0].key == "cases"  # the menu's order: case work first


def test_a_key_from_two_modules_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shell, "_NAV", dict(shell._NAV))
    with pytest.raises(ImproperlyConfigured, match=r"'cases' is registered by kim\.cases\.home"):
        shell.register_nav("cases", lambda ctx: True)
    assert shell._NAV["cases"].module == "kim.cases.home"


def test_predicates_run_for_a_user_without_roles() -> None:
    assert not any(entry.predicate(ANONYMOUS) for entry in shell.nav_entries())


MENU = re.compile(r'<a class="kern-link"\s+href="([^"]+)"\s*(aria-current="page")?\s*>([^<]+)</a>')


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["cm-siegen", "koordination", "rat", "dsb"])
def test_the_menu_shows_the_registered_links_the_user_may_follow(login_as, persona: str) -> None:
    response = login_as(persona).get("/")
    nav = response.context["nav"]
    nav_html = response.content.decode().split('class="kim-nav"')[1].split("</nav>")[0]
    shown = [href for href, _current, _label in MENU.findall(nav_html)]
    expected = [reverse(e.url_name) for e in shell.nav_entries() if e.url_name and nav[e.key]]
    assert shown == ["/", *expected, "/konto/2fa/"]


@pytest.mark.django_db
def test_the_menu_marks_the_current_app(login_as) -> None:
    body = login_as("cm-siegen").get("/fallmanagement/").content.decode()
    assert ("/fallmanagement/", 'aria-current="page"', "Fallmanagement") in MENU.findall(body)
    coordination = login_as("koordination").get("/").content.decode()
    # Who reads only the barrier log gets the same menu label, leading to the log.
    assert ("/fallmanagement/barrieren/", "", "Fallmanagement") in MENU.findall(coordination)


@pytest.mark.django_db
def test_exactly_one_menu_link_is_current(login_as) -> None:
    """Two entries of one app (Fallmanagement/Fallstatistik, Themen/Steuerung): the longest
    address prefix wins; a page under neither marks the app's main entry."""
    from kim.steering.models import SteeringMeeting

    client = login_as("koordination")
    meeting = SteeringMeeting.objects.order_by("held_on").first()
    assert meeting is not None
    for path, label in [
        ("/fallmanagement/statistik/", "Fallmanagement"),
        ("/fallmanagement/barrieren/", "Fallmanagement"),
        ("/steuerung/themen/", "Steuerung"),  # no menu entry of its own for the coordination
        ("/steuerung/gremien/", "Steuerung"),
        (f"/steuerung/sitzungen/{meeting.code}/", "Steuerung"),
    ]:
        links = MENU.findall(client.get(path).content.decode())
        assert [lbl for _href, current, lbl in links if current] == [label], path
    # A case manager reads topics without steering: "Themen" is its menu entry.
    links = MENU.findall(login_as("cm-siegen").get("/steuerung/themen/").content.decode())
    assert [lbl for _href, current, lbl in links if current] == ["Themen"]


@pytest.mark.django_db
def test_retention_run_collects_every_step_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, dt.date, bool]] = []

    def step(name: str, lines: list[str], applied: int) -> shell.RetentionFn:
        def run(today: dt.date, dry_run: bool) -> shell.RetentionReport:
            calls.append((name, today, dry_run))
            counts = {f"{name}:delete": len(lines)} if lines else {}
            return shell.RetentionReport(lines, counts, 0 if dry_run else applied)

        return run

    monkeypatch.setattr(
        shell,
        "_RETENTION",
        {
            "b": shell.RetentionStep("b", 20, step("b", ["b delete B1"], 1)),
            "a": shell.RetentionStep("a", 10, step("a", ["a delete A1", "a delete A2"], 2)),
            "c": shell.RetentionStep("c", 30, step("c", [], 0)),
        },
    )
    out = io.StringIO()
    call_command("retention", "run", "--date", "2026-03-01", stdout=out)
    assert out.getvalue().splitlines() == [
        "a delete A1",
        "a delete A2",
        "b delete B1",
        "Retention 2026-03-01: 3 items (a:delete 2, b:delete 1); 3 applied.",
    ]
    assert [c[0] for c in calls] == ["a", "b", "c"]
    out = io.StringIO()
    call_command("retention", "run", "--dry-run", "--date", "2026-03-01", stdout=out)
    assert out.getvalue().splitlines()[-1] == (
        "Retention 2026-03-01: 3 items (a:delete 2, b:delete 1); dry run, nothing changed."
    )
    assert all(dry for _name, _day, dry in calls[3:])
