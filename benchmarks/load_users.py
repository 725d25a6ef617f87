"""The Locust side of ``benchmarks/load.py``: the personas, their pages and the run itself.

This module imports Locust, which monkey-patches the standard library for gevent at import.
So it never runs in ``load.py``'s own process: ``load.py`` starts it as a child
(``python -m benchmarks.load_users CONFIG OUT``), hands it a JSON configuration and reads the
JSON it writes. Nothing here imports Django.

**The mix** (issue 16): case managers 70 %, coordination 10 %, programme leads 10 %, the
Ausländerbehörde 5 %, council members 5 %. Every simulated user is one account of its role from
the seed's ``users.json`` (handed over in the configuration), logged in once through the real
login form, on one of the nodes (users alternate between the nodes, like sticky sessions behind
a balancer), with a think time of ``THINK_MIN_S``–``THINK_MAX_S`` seconds between two pages.

**Page types** (the ``name`` of each request, one row in the tables):

- case managers: ``worklist``, ``case list``, ``case file`` (a case from their own lists),
  ``add activity`` and ``record task`` (real POSTs through the forms, each answered by a
  redirect to the case file), ``name search`` (a last name of the seed);
- coordination: ``programme overview``, ``deadlines``, ``barrier log``, ``statistics``;
- programme leads: ``positions``, ``agreements``, ``reports`` and ``report draft`` (the first
  report the list links to, when there is one);
- Ausländerbehörde: ``screening lists`` and ``screening results`` (a list's detail page);
- council members: ``released reports``, ``released report`` (a released version) and
  ``oparl`` (the OParl body list and a body's paper list).

A request fails when its status is not the expected one (200 for pages, 302 to the case file for
a POST) – a redirect to the login page is a failure, never a success. Logins happen while the
users are spawned; their times are kept apart (``login``) and the page statistics start only
when every user is logged in (``reset`` after the ramp), so the figures describe the steady
state of the given number of users.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import random
import re
import sys
import time
from pathlib import Path
from typing import Any

import gevent
from locust import HttpUser, between, events, task
from locust.env import Environment
from locust.exception import StopUser

THINK_MIN_S = 5.0
THINK_MAX_S = 15.0
CASE_LINK = re.compile(r'href="(/fallmanagement/faelle/([A-Za-z0-9-]+)/)"')
REPORT_LINK = re.compile(r'href="(/rat/berichte/[A-Za-z0-9-]+/)"')
RELEASE_LINK = re.compile(r'href="(/rat/berichte/[A-Za-z0-9-]+/versionen/\d+/)"')
SCREENING_LINK = re.compile(r'href="(/screening/listen/[A-Za-z0-9-]+/)"')
PROGRAMME_LINK = re.compile(r'href="/programm/([A-Za-z0-9-]+)/"')
PROGRAMME_PAGES = {"saetze", "stellen", "szenarien", "organisation"}
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
MARKER = "Lasttest"

CONFIG: dict[str, Any] = {}
LOGINS: list[float] = []
LOGIN_FAILURES: list[str] = []
SERVER_MS: dict[str, list[float]] = {}
WRITES: dict[str, int] = {"attempted": 0, "succeeded": 0}
_accounts: dict[str, itertools.cycle[dict[str, str]]] = {}
_nodes: itertools.cycle[str] | None = None


def _next_account(role: str) -> dict[str, str]:
    if role not in _accounts:
        _accounts[role] = itertools.cycle(CONFIG["users"][role])
    return next(_accounts[role])


def _next_node() -> str:
    global _nodes
    if _nodes is None:
        _nodes = itertools.cycle(CONFIG["nodes"])
    return next(_nodes)


@events.request.add_listener
def _server_time(name: str, response: Any, exception: Any, **kwargs: Any) -> None:
    """Keep the server's own time per page (``X-Server-Time-ms`` of the benchmark settings)."""
    if response is None or exception:
        return
    value = response.headers.get("X-Server-Time-ms")
    if value:
        SERVER_MS.setdefault(name, []).append(float(value))


class Persona(HttpUser):
    """One signed-in account; subclasses name the role and the pages."""

    abstract = True
    role = ""
    wait_time = between(THINK_MIN_S, THINK_MAX_S)

    def on_start(self) -> None:
        self.client.base_url = _next_node()
        self.account = _next_account(self.role)
        self.organisation = self.account.get("organisation", "")
        self.links: list[str] = []
        self._login()

    def _login(self) -> None:
        started = time.perf_counter()
        page = self.client.get("/konto/login/", name="login form")
        token = CSRF_INPUT.search(page.text or "")
        if token is None:
            LOGIN_FAILURES.append(f"{self.account['username']}: no login form ({page.status_code})")
            raise StopUser
        answer = self.client.post(
            "/konto/login/",
            data={
                "csrfmiddlewaretoken": token.group(1),
                "login": self.account["username"],
                "password": CONFIG["password"],
            },
            headers={"Referer": self.client.base_url + "/konto/login/"},
            allow_redirects=False,
            name="login",
        )
        if answer.status_code != 302 or "/konto/login/" in answer.headers.get("Location", ""):
            LOGIN_FAILURES.append(f"{self.account['username']}: HTTP {answer.status_code}")
            raise StopUser
        LOGINS.append((time.perf_counter() - started) * 1000)

    # -- helpers

    def page(self, path: str, name: str) -> str:
        """GET a page; anything but 200 (a redirect to the login page, too) is a failure."""
        with self.client.get(
            path, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                location = response.headers.get("Location", "")
                response.failure(f"HTTP {response.status_code} {location}")
                return ""
            return response.text or ""

    def post_form(self, path: str, name: str, data: dict[str, str], back_to: str) -> None:
        """GET the form (untimed: its page type is the POST), then POST it; success is the
        redirect to the case file."""
        form = self.client.get(path, name=f"{name} (form)", allow_redirects=False)
        token = CSRF_INPUT.search(form.text or "")
        if form.status_code != 200 or token is None:
            return
        WRITES["attempted"] += 1
        with self.client.post(
            path,
            data={"csrfmiddlewaretoken": token.group(1), **data},
            headers={"Referer": self.client.base_url + path},
            name=name,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            location = response.headers.get("Location", "")
            if response.status_code == 302 and location.startswith(back_to):
                WRITES["succeeded"] += 1
            else:
                response.failure(f"HTTP {response.status_code} {location} (form not accepted)")


class CaseManager(Persona):
    weight = 70
    role = "case_manager"

    def _remember(self, text: str) -> None:
        found = [m.group(1) for m in CASE_LINK.finditer(text)]
        if found:
            self.links = found[:50]

    def _a_case(self) -> str | None:
        if not self.links:
            self._remember(self.page("/fallmanagement/", "worklist"))
        return random.choice(self.links) if self.links else None

    @task(3)
    def worklist(self) -> None:
        self._remember(self.page("/fallmanagement/", "worklist"))

    @task(2)
    def case_list(self) -> None:
        self._remember(self.page("/fallmanagement/faelle/", "case list"))

    @task(3)
    def case_file(self) -> None:
        case = self._a_case()
        if case:
            self.page(case, "case file")

    @task(1)
    def add_activity(self) -> None:
        case = self._a_case()
        if not case:
            return
        now = dt.datetime.now().replace(second=0, microsecond=0) - dt.timedelta(minutes=5)
        self.post_form(
            case + "aktivitaeten/neu/",
            "add activity",
            {
                "kind": "note",
                "occurred_at": now.strftime("%d.%m.%Y %H:%M"),
                "text": f"{MARKER}: Notiz {random.randrange(10**9)}",
            },
            back_to=case,
        )

    @task(1)
    def record_task(self) -> None:
        case = self._a_case()
        if not case:
            return
        due = dt.date.today() + dt.timedelta(days=random.randint(1, 30))
        self.post_form(
            case + "aufgaben/neu/",
            "record task",
            {"title": f"{MARKER}: Rückruf {random.randrange(10**6)}", "due_on": f"{due:%d.%m.%Y}"},
            back_to=case,
        )

    @task(1)
    def name_search(self) -> None:
        name = random.choice(CONFIG["search_names"])
        self.page(f"/fallmanagement/klienten/suche/?q={name}", "name search")


class Coordination(Persona):
    weight = 10
    role = "coordination"

    def on_start(self) -> None:
        super().on_start()
        if not self.organisation:  # demo personas: the overview the programme page links to
            found = PROGRAMME_LINK.findall(self.page("/programm/", "programme"))
            self.organisation = next((c for c in found if c not in PROGRAMME_PAGES), "")

    @task
    def overview(self) -> None:
        if self.organisation:
            self.page(f"/programm/{self.organisation}/", "programme overview")

    @task
    def deadlines(self) -> None:
        self.page("/partner/fristen/", "deadlines")

    @task
    def barrier_log(self) -> None:
        self.page("/fallmanagement/barrieren/", "barrier log")

    @task
    def statistics(self) -> None:
        self.page("/fallmanagement/statistik/", "statistics")


class ProgrammeLead(Persona):
    weight = 10
    role = "programme_lead"

    @task
    def positions(self) -> None:
        self.page("/programm/stellen/", "positions")

    @task
    def agreements(self) -> None:
        self.page("/partner/vereinbarungen/", "agreements")

    @task
    def report_draft(self) -> None:
        found = REPORT_LINK.findall(self.page("/rat/berichte/", "reports"))
        if found:
            self.page(found[0], "report draft")


class Abh(Persona):
    weight = 5
    role = "abh"

    @task
    def screening(self) -> None:
        found = SCREENING_LINK.findall(self.page("/screening/listen/", "screening lists"))
        lists = [link for link in found if not link.endswith(("/hochladen/", "/regeln/"))]
        if lists:
            self.page(random.choice(lists), "screening results")


class Council(Persona):
    weight = 5
    role = "council"

    @task(2)
    def released_reports(self) -> None:
        found = RELEASE_LINK.findall(self.page("/rat/berichte/", "released reports"))
        if found:
            self.page(found[0], "released report")

    @task(1)
    def oparl(self) -> None:
        with self.client.get(
            "/oparl/v1/bodies/", name="oparl", allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
                return
            bodies = response.json().get("data", [])
        if bodies:
            papers = bodies[0].get("paper")
            if papers:
                self.page(papers.replace(self.client.base_url, ""), "oparl")


PERSONAS = (CaseManager, Coordination, ProgrammeLead, Abh, Council)


def _stats(env: Environment) -> list[dict[str, Any]]:
    rows = []
    for (name, method), entry in sorted(env.stats.entries.items()):
        if name.endswith("(form)") or name in ("login form", "login") or not entry.num_requests:
            continue
        server = sorted(SERVER_MS.get(name, []))
        rows.append(
            {
                "name": name,
                "method": method,
                "requests": entry.num_requests,
                "failures": entry.num_failures,
                "median_ms": float(entry.get_response_time_percentile(0.5) or 0),
                "p95_ms": float(entry.get_response_time_percentile(0.95) or 0),
                "p99_ms": float(entry.get_response_time_percentile(0.99) or 0),
                "max_ms": float(entry.max_response_time or 0),
                "rps": entry.total_rps,
                "server_median_ms": server[len(server) // 2] if server else None,
            }
        )
    return rows


def _percentile(values: list[float], q: float) -> float | None:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * q) - 1)] if ordered else None


def _signal(config: dict[str, Any], step: int, event: str) -> None:
    """Tell ``load.py`` (which samples CPU, locks and statements) that a window opens or
    closes: one JSON line per event in ``events.jsonl`` of the shared directory."""
    if config.get("signal_dir"):
        line = json.dumps({"step": step, "event": event, "t": time.time()})
        with (Path(config["signal_dir"]) / "events.jsonl").open("a", encoding="utf-8") as out:
            out.write(line + "\n")


def _measure_step(env: Environment, config: dict[str, Any], step: int, users: int) -> dict:
    """Bring the users up to ``users`` (the new ones log in), then measure one window."""
    runner = env.runner
    assert runner is not None
    started = time.monotonic()
    logins_before = len(LOGINS)
    runner.start(users, spawn_rate=config["spawn_rate"])
    deadline = started + users / config["spawn_rate"] + 180
    while runner.user_count < users and time.monotonic() < deadline:
        gevent.sleep(0.5)
    # Give the last users time to log in before the window opens.
    while len(LOGINS) + len(LOGIN_FAILURES) < users and time.monotonic() < deadline:
        gevent.sleep(0.5)
    ramp_s = time.monotonic() - started
    env.stats.reset_all()
    SERVER_MS.clear()
    WRITES.update(attempted=0, succeeded=0)
    _signal(config, step, "open")
    window_start = time.monotonic()
    window_end = window_start + config["duration_s"]
    while time.monotonic() < window_end:
        if env.stats.total.num_requests >= config["max_requests"]:
            break
        gevent.sleep(0.25)
    duration = time.monotonic() - window_start
    pages = _stats(env)
    _signal(config, step, "close")
    logins = LOGINS[logins_before:]
    return {
        "users": runner.user_count,
        "requested_users": users,
        "ramp_s": round(ramp_s, 1),
        "duration_s": round(duration, 1),
        "pages": pages,
        "logins": {
            "count": len(logins),
            "failures": LOGIN_FAILURES[:20],
            "failure_count": len(LOGIN_FAILURES),
            "median_ms": _percentile(logins, 0.5),
            "p95_ms": _percentile(logins, 0.95),
        },
        "writes": dict(WRITES),
    }


def run(config: dict[str, Any]) -> list[dict[str, Any]]:
    """One measured window per entry of ``steps`` (users, rising): spawn up to that many
    users, reset the statistics once all are logged in, measure ``duration_s``. With
    ``stop_p95_ms``, stop after the first step in which a page type's p95 passes it. Bounded:
    at most ``max_requests`` requests per window (then the window closes early), and each
    ramp gives up 180 s after it should have ended."""
    CONFIG.update(config)
    classes = [cls for cls in PERSONAS if config["users"].get(cls.role)]
    env = Environment(user_classes=classes, events=events, host=config["nodes"][0])
    runner = env.create_local_runner()
    results = []
    try:
        for step, users in enumerate(config["steps"]):
            result = _measure_step(env, config, step, users)
            results.append(result)
            worst = max((p["p95_ms"] for p in result["pages"]), default=0.0)
            if config.get("stop_p95_ms") and worst > config["stop_p95_ms"]:
                break
    finally:
        runner.quit()
    return results


def main(argv: list[str]) -> int:
    config = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    result = run(config)
    Path(argv[1]).write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
