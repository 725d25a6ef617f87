"""Request ids and the per-request log line (KIM_LOG_FORMAT=json).

Every response carries an ``X-Request-ID`` (the proxy's, if it is sane, else a new one), so a
user's complaint, nginx's access log and the application's log can be matched. With
``KIM_LOG_FORMAT=json`` each request writes one JSON line with the user's id, never a name.
"""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from kim.core.logs import JsonFormatter

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]
GENERATED = re.compile(r"^[0-9a-f]{32}$")


def _request_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, object]]:
    formatter = JsonFormatter()
    return [json.loads(formatter.format(r)) for r in caplog.records if r.name == "kim.request"]


def test_a_sane_request_id_from_the_proxy_is_kept(client: Client) -> None:
    response = client.get("/favicon.ico", HTTP_X_REQUEST_ID="nginx-4f2a-0001")
    assert response["X-Request-ID"] == "nginx-4f2a-0001"


@pytest.mark.parametrize(
    "incoming", [None, "", "a" * 65, "has space", "semi;colon", "ümlaut", "line\nbreak"]
)
def test_otherwise_a_new_request_id_is_made(client: Client, incoming: str | None) -> None:
    headers = {} if incoming is None else {"HTTP_X_REQUEST_ID": incoming}
    first = client.get("/healthz", **headers)
    second = client.get("/healthz", **headers)
    assert GENERATED.match(first["X-Request-ID"])
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_error_pages_carry_a_request_id_too(client: Client, login_as) -> None:
    assert GENERATED.match(client.get("/gibt-es-nicht/")["X-Request-ID"])
    assert GENERATED.match(login_as("rat").get("/audit/")["X-Request-ID"])


def test_one_json_line_per_request_with_ids_but_no_names(
    login_as, caplog: pytest.LogCaptureFixture
) -> None:
    user = get_user_model().objects.get(username="cm-siegen")
    client = login_as("cm-siegen")
    with caplog.at_level(logging.INFO, logger="kim.request"):
        response = client.get("/fallmanagement/?q=Nachname&page=2", HTTP_X_REQUEST_ID="req-1")
    assert response.status_code == 200
    [line] = _request_lines(caplog)
    assert line["request_id"] == "req-1" == response["X-Request-ID"]
    assert line["user_id"] == user.pk
    assert line["view"] == response.resolver_match.view_name
    assert line["method"] == "GET"
    assert line["path"] == "/fallmanagement/"  # the query string may hold names: never logged
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] > 0
    assert line["level"] == "INFO" and line["logger"] == "kim.request"
    text = json.dumps(line)
    assert "cm-siegen" not in text and "Nachname" not in text


def test_anonymous_and_unresolved_requests_are_logged_too(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="kim.request"):
        client.get("/gibt-es-nicht/")
    [line] = _request_lines(caplog)
    assert line["user_id"] is None
    assert line["view"] == "unresolved"
    assert line["status"] == 404


def _run_one_request(**env: str) -> subprocess.CompletedProcess[str]:
    """A request through the real settings in a fresh process: LOGGING is set up at start."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("KIM_", "DJANGO_", "LOG_"))}
    base.update(env)
    code = (
        "from django.test import Client; "
        "r = Client().get('/favicon.ico?wer=Mustermann', HTTP_X_REQUEST_ID='probe-1'); "
        "print('HEADER', r['X-Request-ID'])"
    )
    return subprocess.run(
        [sys.executable, "-m", "kim", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=base,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_json_format_writes_one_json_line_per_request(tmp_path: Path) -> None:
    result = _run_one_request(KIM_LOG_FORMAT="json", KIM_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "HEADER probe-1" in result.stdout
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.strip()]
    [request] = [line for line in lines if line.get("logger") == "kim.request"]
    assert request["request_id"] == "probe-1"
    assert request["view"] == "favicon"
    assert request["path"] == "/favicon.ico"
    assert request["status"] == 302
    assert "Mustermann" not in result.stderr


def test_text_format_is_the_default_and_writes_no_request_lines(tmp_path: Path) -> None:
    result = _run_one_request(KIM_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "HEADER probe-1" in result.stdout
    assert "probe-1" not in result.stderr and "{" not in result.stderr


def test_an_unknown_log_format_is_refused(tmp_path: Path) -> None:
    result = _run_one_request(KIM_LOG_FORMAT="xml", KIM_VAR_DIR=str(tmp_path))
    assert result.returncode != 0 and "KIM_LOG_FORMAT" in result.stderr
