"""A small HTTP client for the cluster tests: the standard library only, one cookie jar that
every node sees (like a browser talking to one host name behind a load balancer), no
redirects followed, and a form parser that replays a page's form as the browser would send
it (hidden fields, CSRF token, the chosen option of each select, textareas, checked boxes).
"""

from __future__ import annotations

import html.parser
import http.client
import http.cookies
import re
import secrets
import urllib.parse
from dataclasses import dataclass, field

TIMEOUT = 60.0  # an upload of 5,000 persons is parsed and encrypted inside the request


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)  # names of file inputs

    def values(self, **changes: str) -> dict[str, str]:
        return {**self.fields, **changes}


class _FormParser(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._select: str | None = None
        self._select_first: str | None = None
        self._option_value: str | None = None
        self._option_text = ""
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(action=a.get("action", ""), method=a.get("method", "get")))
            return
        if not self.forms:
            return
        form = self.forms[-1]
        name = a.get("name")
        if tag == "input" and name:
            self._input(form, name, a)
        elif tag == "select" and name:
            self._select, self._select_first = name, None
        elif tag == "option" and self._select is not None:
            self._option_value, self._option_text = a.get("value"), ""
            if "selected" in a:
                form.fields[self._select] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            form.fields[name] = ""

    @staticmethod
    def _input(form: Form, name: str, a: dict[str, str]) -> None:
        kind = a.get("type", "text").lower()
        if kind == "file":
            form.files.append(name)
        elif kind in ("checkbox", "radio"):
            if "checked" in a:
                form.fields[name] = a.get("value", "on")
        elif kind not in ("submit", "button", "reset", "image"):
            form.fields[name] = a.get("value", "")

    def handle_data(self, data: str) -> None:
        if self._textarea is not None and self.forms:
            self.forms[-1].fields[self._textarea] += data
        elif self._select is not None:
            self._option_text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea is not None:
            name = self._textarea
            self.forms[-1].fields[name] = self.forms[-1].fields[name].removeprefix("\n")
            self._textarea = None
        elif tag == "option" and self._select is not None:
            value = self._option_value
            if value is None:
                value = self._option_text.strip()
            if self._select_first is None:
                self._select_first = value
        elif tag == "select" and self._select is not None:
            # Nothing selected: the browser sends the first option.
            if self._select not in self.forms[-1].fields and self._select_first is not None:
                self.forms[-1].fields[self._select] = self._select_first
            self._select = None


def forms(page: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(page)
    return parser.forms


def form_for(page: str, action_pattern: str, page_path: str = "") -> Form:
    """The page's form whose action matches ``action_pattern`` (a regular expression); a form
    without an action posts to the page itself (``page_path``)."""
    for form in forms(page):
        if re.search(action_pattern, form.action or page_path):
            return form
    actions = [f.action for f in forms(page)]
    raise AssertionError(f"no form with an action like {action_pattern!r}; forms: {actions}")


def _multipart(data: dict[str, str], files: dict[str, tuple[str, bytes, str]]) -> tuple[bytes, str]:
    boundary = "----kimcluster" + secrets.token_hex(12)
    parts: list[bytes] = []
    for name, value in data.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + value.encode()
            + b"\r\n"
        )
    for name, (filename, content, content_type) in files.items():
        parts.append(
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'
            ).encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Client:
    """One browser: a cookie jar shared by every node it talks to."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def request(
        self,
        node: str,
        path: str,
        data: dict[str, str] | None = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
    ) -> Response:
        parts = urllib.parse.urlsplit(node)
        conn = http.client.HTTPConnection(
            parts.hostname or "127.0.0.1", parts.port, timeout=TIMEOUT
        )
        headers = {"Host": parts.netloc}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body: bytes | None = None
        method = "GET"
        if data is not None or files:
            method = "POST"
            headers["Referer"] = node + path
            if files:
                body, headers["Content-Type"] = _multipart(data or {}, files)
            else:
                body = urllib.parse.urlencode(data or {}).encode()
                headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            raw = conn.getresponse()
            response = Response(raw.status, {k.lower(): v for k, v in raw.getheaders()}, raw.read())
            self._keep_cookies(raw.headers.get_all("Set-Cookie") or [])
        finally:
            conn.close()
        return response

    def _keep_cookies(self, headers: list[str]) -> None:
        for header in headers:
            jar: http.cookies.SimpleCookie = http.cookies.SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def get(self, node: str, path: str) -> Response:
        return self.request(node, path)

    def submit(
        self,
        node: str,
        page_path: str,
        action_pattern: str,
        files: dict[str, tuple[str, bytes, str]] | None = None,
        **changes: str,
    ) -> Response:
        """Load ``page_path`` from ``node`` and send its form (action like ``action_pattern``)
        back to the same node with ``changes``; the form's own action, or the page itself."""
        page = self.get(node, page_path)
        assert page.status == 200, f"GET {node}{page_path}: {page.status}"
        form = form_for(page.text, action_pattern, page_path)
        return self.request(node, form.action or page_path, form.values(**changes), files)

    def login(self, node: str, username: str, password: str) -> Response:
        return self.submit(
            node, "/konto/login/", r"/konto/login/", login=username, password=password
        )

    def reauthenticate(self, node: str, password: str) -> Response:
        return self.submit(node, "/konto/reauthenticate/", r"reauthenticate", password=password)
