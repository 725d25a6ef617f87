"""No form answers with a server error, whatever a signed-in user types or uploads.

The outside probe found HTTP 500s behind legitimate sessions: a contact dated 01.01.0001, a
screening upload of 100,000 nested brackets. This test looks for the whole class, in every
form of the site rather than in the ones we remember (docs/testing.md, decision D-048):

1. **Collect.** The personas sign in through the real login form and re-authenticate (so
   pages behind the sudo mode open too), then walk the site from the start page, following
   links – a few URLs per view, more of the detail pages whose forms depend on the row's
   state. Every ``<form>`` is parsed: inputs, selects, textareas, file inputs and named
   submit buttons, with a *baseline* – the values the page offers (initial values, the
   chosen or first option, today where the hint asks for ``TT.MM.JJJJ``, a small valid file).
2. **Query parameters.** Every page with the site's filter parameter names set to extremes
   (``sweep_queries``): pages read parameters that no form on them shows.
3. **One field at a time.** For each form and field, the baseline with that single field
   replaced by extreme values of its kind (01.01.0001, 31.12.9999, huge, negative and
   non-numbers, NUL bytes, 20,000 characters, empty, keys beyond 64 bits, nested JSON, bad
   encodings, oversized CSV cells, a zip bomb and garbage as files). Keeping the other fields
   valid is what lets a bad value travel past the form into the action and the database –
   where the probe's 500s were. After a successful POST the page it leads to is opened too.
4. **Hypothesis.** Two generated combinations per form (``derandomize``: the same every run),
   then the baseline itself; last, one page of every view again.

Every response must be below 500 (the test client re-raises a view's exception; it is
recorded as a server error). The run collects all failures before asserting, so one run
names every broken form. Logout, the language switch and the re-authentication form are not
fuzzed (they end or change the session the walk depends on), nor downloads, the Django admin
and the APIs (schemathesis fuzzes ``/api/v1/``: ``tools/fuzz-api.sh``).
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import json
import os
import re
import time
import traceback
import zipfile
from collections import Counter, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import Resolver404, resolve
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

# The personas whose work has forms of its own. The others see only forms of the same kinds
# (siegen and admin those of koordination, cm-kreuztal and cm-traeger those of cm-siegen,
# traeger and rat hardly any): walking them found no further form, so they are left out to
# keep the run short. KIM_FORM_FUZZ_ALL=1 walks every persona.
PERSONAS = ("koordination", "cm-siegen", "teamlead-siegen", "abh", "dsb")
ALL_PERSONAS = (
    *PERSONAS,
    *("siegen", "admin", "cm-kreuztal", "cm-traeger", "traeger", "rat"),
)
# How many URLs of one view a persona opens: a few of each kind, more of the detail pages
# whose forms depend on the row's state (a case in each phase).
PAGES = 2
PAGES_PER_VIEW = {
    "cases:case_detail": 14,
    "council:motion_detail": 6,
    "partners:call_detail": 4,
    "screening:list_detail": 4,
}
START_PAGES = ("/konto/password/change/", "/konto/2fa/")
# Forms whose success ends what others need (a closed case, a deleted list) go last.
DESTRUCTIVE = re.compile(r"(erase|delete|close|withdraw|revoke|release|adopt|publish|decide)")
# The walk must keep finding the site's forms; fewer means it lost its way.
MIN_FORMS = 90
# Never followed or fuzzed: they end or change the session, or are not HTML pages.
SKIPPED_VIEWS = {"account_logout", "account_reauthenticate", "set_language", "healthz"}
SKIPPED_PREFIXES = ("/verwaltung/", "/api/", "/oparl/", "/static/", "/media/")
# Downloads and exports are files, not pages with forms.
DOWNLOADS = re.compile(r"(export|download|art15_json|art15_pdf|consent_document|letter)$")
HYPOTHESIS_EXAMPLES = 2


# --------------------------------------------------------------------------------------------
# Reading forms out of HTML
# --------------------------------------------------------------------------------------------


@dataclass
class Field:
    name: str
    kind: str  # text, date, datetime, number, email, password, hidden, textarea, select, ...
    value: str = ""
    options: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    accept: str = ""
    hint: str = ""  # the field's hint and label: they say which format it wants
    described_by: str = ""
    element_id: str = ""


@dataclass
class Form:
    page: str  # where the form was found
    action: str  # path (with query) it submits to
    method: str
    fields: dict[str, Field] = field(default_factory=dict)
    persona: str = ""

    @property
    def view(self) -> str:
        return _view_name(urlsplit(self.action).path)

    @property
    def key(self) -> tuple[str, str, tuple[str, ...]]:
        """Two forms are the same form when they go to the same view with the same fields."""
        names = {re.sub(r"_[a-z2-7]{16}$", "_<code>", name) for name in self.fields}
        return (self.view, self.method, tuple(sorted(names)))


class _PageParser(HTMLParser):
    """Links, forms and the hint texts (``id="…_hint"``) that say which field wants a date."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.links: list[str] = []
        self.forms: list[Form] = []
        self.hints: dict[str, str] = {}  # element id → text of hints and labels
        self._form: Form | None = None
        self._select: Field | None = None
        self._option: tuple[str | None, bool] | None = None
        self._option_text = ""
        self._textarea: Field | None = None
        self._hint: str | None = None

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: v or "" for k, v in attrs_list}
        if attrs.get("id", "").endswith("_hint"):
            self._hint = attrs["id"]
            self.hints[self._hint] = ""
        elif tag == "label" and attrs.get("for"):
            self._hint = f"label:{attrs['for']}"
            self.hints[self._hint] = ""
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "form":
            action = urljoin(self.page, attrs.get("action") or self.page)
            self._form = Form(self.page, action, (attrs.get("method") or "get").lower())
        elif self._form is not None:
            self._form_tag(self._form, tag, attrs)

    def _form_tag(self, form: Form, tag: str, attrs: dict[str, str]) -> None:
        name = attrs.get("name")
        if tag == "option" and self._select is not None:
            self._option = (attrs.get("value"), "selected" in attrs)
            self._option_text = ""
        if not name:
            return
        described = attrs.get("aria-describedby", "")
        if tag == "input":
            kind = attrs.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                kind = "submit"
            existing = form.fields.get(name)
            if kind in ("checkbox", "radio", "submit"):
                f = existing or Field(name, kind)
                f.options.append(attrs.get("value", "on"))
                if "checked" in attrs:
                    f.checked.append(attrs.get("value", "on"))
                form.fields[name] = f
                return
            form.fields[name] = Field(
                name,
                kind,
                attrs.get("value", ""),
                accept=attrs.get("accept", ""),
                described_by=described,
                element_id=attrs.get("id", ""),
            )
        elif tag == "button" and attrs.get("type", "submit") == "submit":
            f = form.fields.setdefault(name, Field(name, "submit"))
            f.options.append(attrs.get("value", ""))
        elif tag == "select":
            kind = "selectmultiple" if "multiple" in attrs else "select"
            self._select = Field(name, kind, described_by=described)
            form.fields[name] = self._select
        elif tag == "textarea":
            self._textarea = Field(name, "textarea", described_by=described)
            form.fields[name] = self._textarea

    def handle_data(self, data: str) -> None:
        if self._hint:
            self.hints[self._hint] += data
        if self._option is not None:
            self._option_text += data
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag: str) -> None:
        if tag in ("div", "label"):
            self._hint = None
        if tag == "option" and self._option is not None and self._select is not None:
            value, selected = self._option
            value = self._option_text.strip() if value is None else value
            self._select.options.append(value)
            if selected:
                self._select.checked.append(value)
            self._option = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # HTML drops the newline right after <textarea> (Django writes one).
            self._textarea.value = self._textarea.value.removeprefix("\n")
            self._textarea = None
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None


# Not every date or number field says so in a hint: the name or the shown value tells.
DATE_NAME = re.compile(
    r"(date|_on$|_at$|^on$|from$|_to$|until|start|end$|since|deadline|due|^day$)"
)
DATE_VALUE = re.compile(r"^\d{2}\.\d{2}\.\d{4}$")
NUMBER_NAME = re.compile(r"(amount|vze|total|step$|minimum|factor|number|version|_per_|FORMS$)")
NUMBER_VALUE = re.compile(r"^-?\d+([.,]\d+)?$")


def _refine(f: Field) -> None:
    """Name the kind of a plain text field: a date, a date and time, a number, or text."""
    if f.kind not in ("text", "hidden") or f.name == "csrfmiddlewaretoken":
        return
    if "TT.MM.JJJJ" in f.hint:
        f.kind = "datetime" if "HH:MM" in f.hint else "date"
    elif f.kind == "text" and (DATE_NAME.search(f.name) or DATE_VALUE.match(f.value)):
        f.kind = "date"
    elif NUMBER_NAME.search(f.name) or NUMBER_VALUE.match(f.value):
        f.kind = "numeric-text" if f.kind == "text" else "numeric-hidden"


def parse_page(page: str, html: str) -> _PageParser:
    parser = _PageParser(page)
    parser.feed(html)
    for form in parser.forms:
        for f in form.fields.values():
            ids = [*f.described_by.split(), f"label:{f.element_id}"]
            f.hint = " ".join(parser.hints.get(i, "") for i in ids)
            _refine(f)
    return parser


def _view_name(path: str) -> str:
    try:
        return resolve(path).view_name
    except Resolver404:
        return ""


# --------------------------------------------------------------------------------------------
# Walking the site as one persona
# --------------------------------------------------------------------------------------------


def signed_in(persona: str) -> Client:
    """A client signed in through the login form and re-authenticated (sudo mode)."""
    client = Client()
    response = client.post("/konto/login/", {"login": persona, "password": "demo"})
    assert response.status_code == 302, persona
    response = client.post("/konto/reauthenticate/", {"password": "demo"})
    assert response.status_code == 302, persona
    return client


def _followable(href: str, base: str) -> str | None:
    url = urljoin(base, href.split("#", 1)[0])
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    if parts.path.startswith(SKIPPED_PREFIXES):
        return None
    name = _view_name(parts.path)
    if not name or name.split(":")[-1] in SKIPPED_VIEWS or DOWNLOADS.search(name):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


@dataclass
class Walk:
    """What the walk found: the forms (one of each kind), the pages opened, server errors."""

    forms: dict[tuple[str, str, tuple[str, ...]], Form] = field(default_factory=dict)
    pages: int = 0
    errors: list[str] = field(default_factory=list)
    # one page of each view (opened without a query) and the persona who opened it
    views: dict[str, tuple[str, str]] = field(default_factory=dict)

    def persona(self, client: Client, persona: str) -> None:
        """Breadth first from the start page; at most a few URLs of each view (one with a
        query: lists link to themselves with every sort and page)."""
        queue, seen = deque(["/", *START_PAGES]), {"/", *START_PAGES}
        tried: Counter[tuple[str, bool]] = Counter()
        while queue:
            url = queue.popleft()
            response = _request(client, "get", url, {}, self.errors, f"{persona} GET")
            if response is None or response.status_code != 200:
                continue
            if "text/html" not in response.get("Content-Type", ""):
                continue
            self.pages += 1
            if "?" not in url:
                self.views.setdefault(_view_name(url), (persona, url))
            page = parse_page(url, response.content.decode())
            for form in page.forms:
                form.persona = persona
                if form.view and form.view.split(":")[-1] not in SKIPPED_VIEWS:
                    self.forms.setdefault(form.key, form)
            for href in page.links:
                target = _followable(href, url)
                if target is None or target in seen:
                    continue
                parts = urlsplit(target)
                view = _view_name(parts.path)
                kind = (view, bool(parts.query))
                if tried[kind] >= (1 if parts.query else PAGES_PER_VIEW.get(view, PAGES)):
                    continue
                tried[kind] += 1
                seen.add(target)
                queue.append(target)


def _request(
    client: Client, method: str, url: str, data: dict[str, Any], errors: list[str], what: str
) -> Any:
    try:
        response = client.post(url, data) if method == "post" else client.get(url, data)
    except Exception as exc:  # the view raised: the 500 we look for
        where = _where(exc)
        errors.append(f"{what} {url} {_short(data)} → {type(exc).__name__}: {exc} ({where})"[:700])
        return None
    if response.status_code >= 500:
        errors.append(f"{what} {url} {_short(data)} → HTTP {response.status_code}")
    return response


def _where(exc: BaseException) -> str:
    """The innermost frame in our own code, e.g. ``kim/cases/actions/activities.py:42``."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/kim/" in f.filename]
    if not frames:
        return "?"
    frame = frames[-1]
    return f"{frame.filename.split('/kim/', 1)[1]}:{frame.lineno}"


def _short(data: dict[str, Any]) -> str:
    shown = {}
    for key, value in data.items():
        if key == "csrfmiddlewaretoken":
            continue
        text = getattr(value, "name", None) or repr(value)
        shown[key] = text if len(text) < 40 else text[:37] + "…"
    return json.dumps(shown, ensure_ascii=False)


# --------------------------------------------------------------------------------------------
# Values: a valid baseline, and the extremes of each kind of field
# --------------------------------------------------------------------------------------------

TODAY = dt.date.today()
YESTERDAY = TODAY - dt.timedelta(days=1)  # a contact may not lie in the future
LONG = "Ä" * 20_000 + "😀"
DATES = ["01.01.0001", "31.12.9999"]
DATETIMES = ["01.01.0001 00:00", "31.12.9999 23:59"]
NUMBERS = ["-1", "99999999999999999999999999999", "1e308", "NaN"]
TEXTS = ["\x00", LONG]
# Not a choice, and too large for a database key (ModelChoiceField looks it up).
CHOICES = ["99999999999999999999"]
QUERY_DATES = ("31.12.9999", "01.01.0001")
QUERY_NUMBER = "-99999999999999999999"


def _nested_json() -> bytes:
    return b"[" * 100_000 + b"]" * 100_000


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@functools.cache
def _files() -> tuple[tuple[str, bytes], ...]:
    """Upload names and contents that have broken parsers before."""
    return (
        ("nested.json", _nested_json()),
        ("tief.json", b'{"persons": [{"ref": "A", "x": ' + b"[" * 30 + b"]" * 30 + b"}]}"),
        # bytes in neither UTF-8 nor Windows-1252
        ("liste.csv", b"Aktenzeichen;ags\n" + b"\x81\x8d\x8f\x90\x9d;" * 50 + b"\n"),
        # a cell beyond the csv module's 128 KB limit
        ("riesig.csv", b"Aktenzeichen;ags\n" + b"1;" + b"x" * 300_000 + b"\n"),
        # dates in year 1 and 9999 for both list importers
        ("daten.csv", CSV_HEADER + b"F-9;01.01.0001;31.12.9999;05970040;1;Fuzz\n"),
        # a small zip bomb, and an archive that is no workbook
        ("kaputt.xlsx", _zip({"xl/worksheets/sheet1.xml": b"\0" * 5_000_000})),
        ("leer.pdf", b""),
        ("falsch.pdf", b"%PDF-" + bytes(range(256)) * 4),
        ("dokument.docx", _zip({"word/document.xml": b"<w:document/>"})),
    )


# One file both list importers accept: screening (Aktenzeichen …) and population (ags …).
CSV_HEADER = b"Aktenzeichen;Geburtsdatum;stichtag;ags;einwohner;quelle\n"
VALID_CSV = CSV_HEADER + b"F-1;01.02.1990;31.12.2024;05970040;1000;Fuzz\n"
VALID_PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def _valid_file(f: Field) -> SimpleUploadedFile:
    """The hint names the formats: a list importer gets a CSV, a document field a PDF."""
    if "CSV" in f.hint:
        return SimpleUploadedFile("fuzz.csv", VALID_CSV)
    return SimpleUploadedFile("fuzz.pdf", VALID_PDF)


def baseline_value(f: Field) -> Any:
    """What a careful user would enter: the page's own value, else something valid."""
    if f.kind == "checkbox":
        # A group of boxes is often "choose at least one"; a single box keeps its state.
        return list(f.checked) or (f.options[:1] if len(f.options) > 1 else [])
    if f.kind == "selectmultiple":
        return list(f.checked) or [o for o in f.options if o][:1]
    if f.kind in ("radio", "select", "submit"):
        # The chosen option, else the first real one (an empty choice often means "required").
        options = [o for o in (*f.checked, *f.options) if o]
        return options[0] if options else ""
    if f.kind == "file":
        return _valid_file(f)
    if f.value.strip():
        return f.value
    return {
        "date": TODAY.strftime("%d.%m.%Y"),
        "datetime": YESTERDAY.strftime("%d.%m.%Y") + " 10:00",
        "datetime-local": TODAY.isoformat() + "T10:00",
        "email": "fuzz@example.org",
        "url": "https://example.org/",
        "password": "demo",
        "hidden": "",
        "numeric-hidden": "",
    }.get(f.kind, "1")


def extremes(f: Field) -> list[Any]:
    if f.name == "csrfmiddlewaretoken":
        return []
    if f.kind == "file":
        return [SimpleUploadedFile(name, data) for name, data in _files()]
    # Left empty: the baseline fills every field, but some forms want one of two left out
    # ("a staff member or a new pseudonym"), and an optional field is read as None.
    empty = (
        [""]
        if f.kind in ("text", "numeric-text") or (f.kind == "select" and "" in f.options)
        else []
    )
    return empty + {
        "date": DATES,
        "datetime": DATETIMES,
        "datetime-local": DATETIMES,
        "number": NUMBERS,
        "numeric-text": NUMBERS,
        "numeric-hidden": NUMBERS[:2],
        "textarea": TEXTS[1:],  # NUL bytes: Django's CharField refuses them, as in text inputs
        "select": CHOICES,
        "selectmultiple": [CHOICES],
        "radio": CHOICES,
        "checkbox": [CHOICES],
        "submit": CHOICES,
    }.get(f.kind, TEXTS)


def request_data(values: dict[str, Any]) -> dict[str, Any]:
    """Leave out what a browser leaves out: unchecked boxes, empty file inputs."""
    data = {}
    for name, value in values.items():
        if value is None or value == []:
            continue
        if isinstance(value, SimpleUploadedFile):
            value.seek(0)
        data[name] = value
    return data


def field_strategy(f: Field) -> st.SearchStrategy[Any]:
    choices = [baseline_value(f), *extremes(f)]
    strategies = [st.sampled_from(choices)]
    if f.kind not in ("file", "checkbox", "selectmultiple") and f.name != "csrfmiddlewaretoken":
        strategies.append(st.text(max_size=12))
        strategies.append(st.integers().map(str))
    return st.one_of(*strategies)


# --------------------------------------------------------------------------------------------
# The states the demo world does not show: a call in draft and an open call with a submission
# (the demo's only call is decided), and a screening list not yet screened.
# --------------------------------------------------------------------------------------------


def _states_the_demo_lacks() -> None:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from kim.organisations.models import Organisation
    from kim.partners.actions import calls
    from kim.partners.demo import DEMO_CALL_TITLE
    from kim.partners.models import Call
    from kim.programmes.models import EmployerType, Position
    from kim.screening.actions.lists import upload_list

    users = get_user_model().objects
    lead, abh = users.get(username="siegen"), users.get(username="abh")
    demo_call = Call.objects.get(title=DEMO_CALL_TITLE)
    now = timezone.now()
    terms = {
        "issuer": demo_call.issuer,
        "baustein": demo_call.baustein,
        "area": "Fuzz",
        "period_start": TODAY,
        "period_end": TODAY + dt.timedelta(days=365),
        "funding_per_vze": demo_call.funding_per_vze,
        "deadline": now + dt.timedelta(days=30),
    }
    free = Position.objects.filter(region=demo_call.region, baustein=demo_call.baustein).exclude(
        employer_type=EmployerType.TRAEGER
    )
    first, second = free.order_by("pk")[:2]
    calls.create_call(acting_user=lead, title="Entwurf (Fuzz)", positions=[first], **terms)
    open_call = calls.create_call(
        acting_user=lead, title="Offen (Fuzz)", positions=[second], **terms
    )
    calls.add_criterion(open_call, acting_user=lead, name="Konzept", weight=100)
    calls.publish_call(open_call, acting_user=lead, published_on=TODAY - dt.timedelta(days=1))
    calls.submit_interest(
        open_call,
        acting_user=lead,
        traeger=demo_call.submissions.first().traeger,  # type: ignore[union-attr]
        vze_offered=second.vze,
        summary="Fuzz",
    )
    authority = Organisation.objects.get(
        memberships__user=abh, memberships__revoked_at__isnull=True
    )
    upload_list(
        acting_user=abh,
        organisation=authority,
        upload=SimpleUploadedFile("fuzz.csv", b"Aktenzeichen;Geburtsdatum\nF-1;01.02.1990\n"),
        title="Ungeprüft (Fuzz)",
        decision_date=TODAY,
    )


# --------------------------------------------------------------------------------------------
# The test
# --------------------------------------------------------------------------------------------


@dataclass
class Fuzzer:
    clients: dict[str, Client]
    errors: list[str]
    requests: int = 0
    accepted: set[tuple[str, str, tuple[str, ...]]] = field(default_factory=set)

    def send(self, form: Form, values: dict[str, Any]) -> None:
        """Submit; after a successful POST also open the page it leads to, which shows what
        was just stored (a stored year 9999 breaks the page, not the POST)."""
        client, what = self.clients[form.persona], f"{form.persona} {form.method.upper()}"
        data = request_data(values)
        response = _request(client, form.method, form.action, data, self.errors, what)
        self.requests += 1
        if form.method != "post" or response is None or response.status_code != 302:
            return
        self.accepted.add(form.key)
        target = _followable(response["Location"], form.action)
        if target is not None:
            _request(client, "get", target, {}, self.errors, f"{what} → GET")
            self.requests += 1

    def fuzz(self, form: Form) -> None:
        """The baseline; one field at a time at its extremes; a few generated combinations."""
        fields = list(form.fields.values())
        base = {f.name: baseline_value(f) for f in fields}
        for f in fields:
            for value in extremes(f):
                self.send(form, {**base, f.name: value})

        @settings(
            max_examples=HYPOTHESIS_EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(st.fixed_dictionaries({f.name: field_strategy(f) for f in fields}))
        def generated(values: dict[str, Any]) -> None:
            self.send(form, values)

        generated()
        # Last, as it is the most likely to succeed and change the row the others work on.
        self.send(form, base)


def _destructive_last(form: Form) -> tuple[bool, str]:
    return (bool(DESTRUCTIVE.search(form.view)), form.view)


def sweep_queries(walk: Walk, clients: dict[str, Client]) -> int:
    """Pages read query parameters that no form on them shows (``?day=`` on a town's
    overview): every page with every parameter name of the site's filter forms that sounds
    like a date set to an extreme date, then with all the others set to a huge number. One
    kind at a time: a filter form falls back to its defaults when any of its fields is
    invalid, so a wrong choice next to the date would hide what the date does. The number
    of requests."""
    names = {n for f in walk.forms.values() if f.method == "get" for n in f.fields} - {"page"}
    dates = sorted(n for n in names if DATE_NAME.search(n))
    others = sorted(names - set(dates))
    sent = 0
    for persona, url in walk.views.values():
        for params in (
            *({name: day for name in dates} for day in QUERY_DATES),
            {name: QUERY_NUMBER for name in others},
        ):
            _request(clients[persona], "get", url, params, walk.errors, f"{persona} GET")
            sent += 1
    return sent


def open_every_view(walk: Walk, clients: dict[str, Client]) -> int:
    """One page of every view again, now that the forms have stored what they accepted."""
    for persona, url in walk.views.values():
        _request(clients[persona], "get", url, {}, walk.errors, f"{persona} GET (after)")
    return len(walk.views)


def test_no_form_answers_with_a_server_error(django_db_setup: None) -> None:
    started = time.monotonic()
    _states_the_demo_lacks()
    personas = ALL_PERSONAS if os.environ.get("KIM_FORM_FUZZ_ALL") else PERSONAS
    clients = {persona: signed_in(persona) for persona in personas}
    walk = Walk()
    for persona, client in clients.items():
        walk.persona(client, persona)
    walked = time.monotonic()
    fuzzer = Fuzzer(clients, walk.errors)
    fuzzer.requests += sweep_queries(walk, clients)
    for form in sorted(walk.forms.values(), key=_destructive_last):
        fuzzer.fuzz(form)
    fuzzer.requests += open_every_view(walk, clients)
    views = {f.view for f in walk.forms.values()}
    print(
        f"\nform fuzz: {len(walk.forms)} forms ({len(fuzzer.accepted)} accepted their baseline "
        f"or a variant) of {len(views)} views on {walk.pages} pages; {fuzzer.requests} "
        f"requests; walk {walked - started:.0f} s, fuzz and walk again "
        f"{time.monotonic() - walked:.0f} s"
    )
    assert len(walk.forms) >= MIN_FORMS, sorted(views)
    assert not walk.errors, "\n".join(walk.errors)
