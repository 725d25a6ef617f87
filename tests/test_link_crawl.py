"""Never offer a link the user may not follow (docs/permissions.md § Links follow the doors).

For every demo persona the crawl starts at the start page ``/`` and follows what it offers:

- depth: ``/`` is level 0, its links level 1, and so on; pages up to level ``DEPTH - 1`` are
  read for links, level-``DEPTH`` answers are judged only. ``DEPTH`` is 4, deeper than the two
  levels first asked for: the case page's screening button sits four clicks from ``/``
  (start → case management → case list → case), and the whole crawl still takes about a
  minute on SQLite;
- bounded: URLs are deduplicated, ``page=N`` of a list counts once per list, and at most
  ``READ_PER_VIEW`` pages of one view (three case pages, three talks ...) are read for links.
  Every link found on a read page is judged, so a link to one row the reader may not open
  (a post, an agency) is still caught;
- a "link" is a same-origin ``<a href>``, the ``action`` of a ``<form method="get">`` (sent
  with the form's default values, as pressing its button would) and an ``hx-get`` URL;
- only GET requests; redirects are followed and the final answer is judged. It must be 200:
  an HTML page or a file download (``Content-Disposition: attachment``). 403, 404, 500 and a
  landing on the login or re-authentication page fail;
- re-authentication: the crawl signs in and then types the password again
  (``/konto/reauthenticate/``), so re-authentication-protected downloads (exports, Art. 15,
  audit CSV) answer with what the user gets after typing it, and a link the user could not
  follow even then fails. Accepting a redirect to the re-authentication page instead would
  hide the view's own 403/404, because the decorator runs before the door;
- skipped: the logout link, fragments, ``mailto:`` and other schemes, other hosts. Links into
  the admin site ``/verwaltung/`` are judged (the admin must get its index, everybody else
  must not be offered it) but not read further;
- a GET must not change state: every INSERT/UPDATE/DELETE a GET runs is collected, except
  audit events with their hash-chain head (reads of personal data are audit events by design)
  and the session row.

Each persona prints one line: pages read, links checked, seconds.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, resolve

from conftest import PERSONAS  # the demo cast, as in every persona test

DEPTH = 4
SKIP_PATHS = ("/konto/logout/",)
NOT_READ = ("/verwaltung/",)  # the Django admin: judged, never read for further links
READ_PER_VIEW = 3  # pages of one kind read for links (all their links are still judged)
COLLAPSED_PARAMS = ("page",)  # one page of each paginated list is enough
ALLOWED_WRITE_TABLES = (
    "audit_auditevent",
    "audit_chainhead",
    "django_session",
    # "last seen" of the signed-in browser, refreshed at most once a minute (D-072).
    "accounts_usersession",
)


class _LinkParser(HTMLParser):
    """Collects a page's hrefs, GET form targets (with default values) and hx-get URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self._form: tuple[str, list[tuple[str, str]]] | None = None
        self._select: str | None = None
        self._select_value: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "hx-get" in a:
            self.links.append(a["hx-get"])
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        elif tag == "form" and a.get("method", "get").lower() == "get":
            self._form = (a.get("action", ""), [])
        elif tag == "form":
            self._form = None
        elif self._form is not None:
            self._field(tag, a)

    def _field(self, tag: str, a: dict[str, str]) -> None:
        assert self._form is not None
        name, kind = a.get("name"), a.get("type", "text").lower()
        if tag == "input" and name and kind not in ("submit", "button", "image", "file"):
            if kind not in ("checkbox", "radio") or "checked" in a:
                self._form[1].append((name, a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self._select, self._select_value = name, None
        elif (
            tag == "option"
            and self._select is not None
            and (self._select_value is None or "selected" in a)
        ):
            self._select_value = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select is not None and self._form is not None:
            self._form[1].append((self._select, self._select_value or ""))
            self._select = None
        elif tag == "form" and self._form is not None:
            action, values = self._form
            self.links.append(f"{action.split('?')[0] or '.'}?{urlencode(values)}")
            self._form = None


@dataclass
class Crawl:
    client: Client
    pages: int = 0
    checked: dict[str, str] = field(default_factory=dict)  # key -> the URL fetched
    offered_by: dict[str, str] = field(default_factory=dict)  # key -> first page offering it
    failures: list[str] = field(default_factory=list)
    writes: list[str] = field(default_factory=list)
    read_per_view: Counter[str] = field(default_factory=Counter)


def _key(url: str) -> str:
    """Path plus sorted query, with ``page=N`` collapsed (one page of a list is enough)."""
    parts = urlsplit(url)
    query = sorted(
        (k, "*" if k in COLLAPSED_PARAMS else v) for k, v in parse_qsl(parts.query, True)
    )
    return f"{parts.path}?{urlencode(query)}" if query else parts.path


def _same_origin(page_url: str, href: str) -> str | None:
    href = href.strip()
    if not href or href.startswith("#"):
        return None
    parts = urlsplit(urljoin(f"http://testserver{page_url}", href))
    if parts.scheme not in ("http", "https") or parts.netloc != "testserver":
        return None
    if parts.path.startswith(SKIP_PATHS):
        return None
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def _view_name(path: str) -> str:
    try:
        return resolve(path).view_name
    except Resolver404:
        return "?"


def _body(response: Any) -> bytes:  # the test client's response
    if response.streaming:
        # The test client closes the response when the stream is exhausted; closing it again
        # here would send ``request_finished`` and close the test's database connection.
        return b"".join(response.streaming_content)
    return bytes(response.content)


def _judge(crawl: Crawl, persona: str, url: str, response: Any) -> None:
    final = response.request["PATH_INFO"]
    referrer = crawl.offered_by[_key(url)]
    if response.status_code == 200 and not final.startswith(
        ("/konto/login/", "/konto/reauthenticate/")
    ):
        return
    crawl.failures.append(f"{url} -> {final} {response.status_code} (offered on {referrer})")


def _writes(queries: Iterable[dict[str, str]]) -> list[str]:
    found = []
    for query in queries:
        sql = query["sql"].lstrip().upper()
        if sql.startswith(("INSERT", "UPDATE", "DELETE")) and not any(
            f'"{t.upper()}"' in sql or f" {t.upper()} " in sql for t in ALLOWED_WRITE_TABLES
        ):
            found.append(query["sql"][:120])
    return found


def _fetch(crawl: Crawl, persona: str, url: str, read: bool) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = crawl.client.get(url, follow=True)
    crawl.writes += [f"{url}: {sql}" for sql in _writes(captured.captured_queries)]
    _judge(crawl, persona, url, response)
    final = response.request["PATH_INFO"]
    is_html = response.get("Content-Type", "").startswith("text/html")
    view = _view_name(final)
    if (
        not read
        or response.status_code != 200
        or not is_html
        or final.startswith(NOT_READ)
        or crawl.read_per_view[view] >= READ_PER_VIEW
    ):
        _body(response)
        return []
    crawl.read_per_view[view] += 1
    crawl.pages += 1
    parser = _LinkParser()
    parser.feed(_body(response).decode())
    return [link for href in parser.links if (link := _same_origin(url, href))]


def crawl_as(client: Client, persona: str) -> Crawl:
    crawl = Crawl(client)
    crawl.offered_by[_key("/")] = "(start)"
    level = ["/"]
    for depth in range(DEPTH + 1):
        found: list[str] = []
        for url in level:
            crawl.checked[_key(url)] = url
            for link in _fetch(crawl, persona, url, read=depth < DEPTH):
                if (key := _key(link)) not in crawl.offered_by:
                    crawl.offered_by[key] = url
                    found.append(link)
        level = found
    return crawl


def _reauthenticated(login_as: Callable[[str], Client], persona: str) -> Client:
    """Signed in, then the password typed again (allauth's re-authentication, 5 minutes)."""
    client = login_as(persona)
    response = client.post("/konto/reauthenticate/", {"password": "demo"})
    assert response.status_code == 302, f"re-authentication failed for {persona}"
    return client


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_offered_link_can_be_followed(
    persona: str, login_as: Callable[[str], Client], capsys: pytest.CaptureFixture[str]
) -> None:
    started = time.monotonic()
    crawl = crawl_as(_reauthenticated(login_as, persona), persona)
    with capsys.disabled():
        print(
            f"\n[link crawl] {persona}: {crawl.pages} pages read, {len(crawl.checked)} links "
            f"checked, {time.monotonic() - started:.1f}s"
        )
    assert crawl.pages > 1 and len(crawl.checked) > crawl.pages
    assert not crawl.failures + crawl.writes, "\n".join(
        [
            f"{persona}: links the user cannot follow:",
            *crawl.failures,
            "GET changed state:",
            *crawl.writes,
        ]
    )


def test_admin_site_opens_for_admin_only(login_as: Callable[[str], Client]) -> None:
    assert login_as("admin").get("/verwaltung/").status_code == 200
    response = login_as("koordination").get("/verwaltung/")
    assert response.status_code == 302 and "/login/" in response["Location"]
