"""Several nodes, proven on one machine (issue 14 item 4): two gunicorn nodes with separate
``KIM_VAR_DIR``s, one database, one Redis, one shared media directory and one ``kim worker``
(``tests/cluster/conftest.py``). Every test talks HTTP to the real processes, the way a load
balancer would spread one user's requests over the nodes; where a test checks what was
stored, it reads the cluster's database directly.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import re
import secrets
import subprocess
import time
from collections.abc import Callable
from typing import Any

import pytest
from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.utils import translation

from tests.cluster.client import Client, form_for
from tests.cluster.conftest import PASSWORD
from tools.cluster import VENV_BIN, Cluster

pytestmark = pytest.mark.cluster

Query = Callable[..., list[tuple[Any, ...]]]
Login = Callable[..., Client]
CODE = r"[a-z2-7]{16}"
BATCH_TIMEOUT = 180.0  # seconds for a list to be screened by the worker
NO_TASK_TIMEOUT = 20.0  # seconds after which a start that enqueued no task fails


def _german(message: Any) -> str:
    with translation.override("de"):
        return html.escape(str(message))


# --------------------------------------------------------------------------------------------
# Sessions and static files
# --------------------------------------------------------------------------------------------


def test_a_session_from_node_1_works_on_node_2_and_ends_on_both(
    nodes: tuple[str, str], logged_in: Login
) -> None:
    first, second = nodes
    assert Client().get(second, "/").location.startswith("/konto/login/")  # no cookie: no entry

    browser = logged_in("koordination", first)
    page = browser.get(second, "/")

    assert page.status == 200
    assert "Karla Koordinatorin" in page.text  # the persona's name in the header
    # Signing out on node 2 ends the session for node 1 too: sessions live in the database.
    logout = form_for(page.text, r"/konto/logout/")
    assert browser.request(second, logout.action, logout.values()).status == 302
    assert browser.get(first, "/").location.startswith("/konto/login/")


def test_both_nodes_serve_the_static_files_through_whitenoise(nodes: tuple[str, str]) -> None:
    """KIM_ENV=demo serves /static/ from the finders (no collectstatic) under gunicorn too."""
    page = Client().get(nodes[0], "/konto/login/").text
    stylesheets = re.findall(r'href="(/static/[^"]+\.css)"', page)
    assert stylesheets
    for node in nodes:
        for path in stylesheets:
            response = Client().get(node, path)
            assert response.status == 200, f"{node}{path}"
            assert response.headers["content-type"].startswith("text/css")


# --------------------------------------------------------------------------------------------
# Files on the shared volume
# --------------------------------------------------------------------------------------------


def _editable_case(browser: Client, node: str, needs: str) -> str:
    """The code of the first case in the persona's case list whose page links to ``needs``."""
    listing = browser.get(node, "/fallmanagement/faelle/")
    assert listing.status == 200
    for code in dict.fromkeys(re.findall(rf"/fallmanagement/faelle/({CODE})/", listing.text)):
        page = browser.get(node, f"/fallmanagement/faelle/{code}/")
        if f"/fallmanagement/faelle/{code}/{needs}" in page.text:
            return code
    raise AssertionError(f"no case in the list links to {needs!r}")


def _document_codes(browser: Client, node: str, case: str) -> set[str]:
    page = browser.get(node, f"/fallmanagement/faelle/{case}/").text
    return set(re.findall(rf"/fallmanagement/faelle/{case}/dokumente/({CODE})/", page))


def test_a_document_uploaded_through_node_1_downloads_through_node_2(
    nodes: tuple[str, str], logged_in: Login, cluster: Cluster
) -> None:
    first, second = nodes
    browser = logged_in("cm-siegen", first)
    case = _editable_case(browser, first, "dokumente/neu/")
    before = _document_codes(browser, second, case)
    marker = secrets.token_hex(16).encode()
    pdf = b"%PDF-1.4\n" + marker + b"\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"

    response = browser.submit(
        first,
        f"/fallmanagement/faelle/{case}/dokumente/neu/",
        r"dokumente/neu/",
        files={"file": ("bescheid-cluster.pdf", pdf, "application/pdf")},
        doc_type="notice",
    )

    assert response.status == 302, response.text[:2000]
    (document,) = _document_codes(browser, second, case) - before
    download = browser.get(second, f"/fallmanagement/faelle/{case}/dokumente/{document}/")
    assert download.status == 200 and download.body == pdf
    assert "bescheid-cluster.pdf" in download.headers["content-disposition"]
    # Stored once, encrypted, on the shared volume – not in either node's own directory.
    (stored,) = cluster.media_root.rglob(f"{document}.bin")
    assert marker not in stored.read_bytes()
    for index in range(len(nodes)):
        assert not list(cluster.node_dir(index).rglob(f"{document}.bin"))


# --------------------------------------------------------------------------------------------
# Login limits in the shared cache
# --------------------------------------------------------------------------------------------


def _per_account_limit() -> int:
    """The number of failures per account that ``login_failed`` allows (``N/period/key``)."""
    rules = settings.ACCOUNT_RATE_LIMITS["login_failed"].split(",")
    (amount,) = [rule.split("/")[0] for rule in rules if rule.strip().endswith("/key")]
    return int(amount)


def test_failed_logins_spread_over_both_nodes_hit_one_shared_limit(
    nodes: tuple[str, str],
) -> None:
    limit = _per_account_limit()
    # Alternating, each node sees only half of the failures: a per-node counter (the file
    # cache of a node's own KIM_VAR_DIR) would never reach the limit.
    assert (limit + 1) // 2 < limit
    wrong = _german(DefaultAccountAdapter.error_messages["username_password_mismatch"])
    locked = _german(DefaultAccountAdapter.error_messages["too_many_login_attempts"])
    attacker = Client()
    for attempt in range(limit):
        response = attacker.login(nodes[attempt % 2], "rat", f"falsch-{attempt}")
        assert response.status == 200 and wrong in response.text, f"attempt {attempt + 1}"
        assert locked not in response.text

    # The account is locked on both nodes, even for its owner with the right password.
    for node in nodes:
        owner = Client()
        response = owner.login(node, "rat", PASSWORD)
        assert response.status in (200, 429) and locked in response.text, node
        assert "sessionid" not in owner.cookies


# --------------------------------------------------------------------------------------------
# Optimistic locking across nodes
# --------------------------------------------------------------------------------------------


def test_an_edit_conflict_between_node_1_and_node_2_is_detected(
    nodes: tuple[str, str], logged_in: Login
) -> None:
    first, second = nodes
    office, home_office = logged_in("cm-siegen", first), logged_in("cm-siegen", second)
    case = _editable_case(office, first, "person/")
    url = f"/fallmanagement/faelle/{case}/person/"
    form_one = form_for(office.get(first, url).text, r"/person/", url)
    form_two = form_for(home_office.get(second, url).text, r"/person/", url)
    version = int(form_one.fields["version"])
    assert int(form_two.fields["version"]) == version

    saved = office.request(first, form_one.action or url, form_one.values(phone="0271 111111"))
    assert saved.status == 302
    conflict = home_office.request(
        second, form_two.action or url, form_two.values(phone="0271 222222")
    )

    assert conflict.status == 200
    assert 'id="edit-conflict"' in conflict.text
    assert "0271 111111" in conflict.text and "0271 222222" in conflict.text
    assert form_for(conflict.text, r"/person/", url).fields["version"] == str(version + 1)
    reloaded = form_for(office.get(first, url).text, r"/person/", url)
    assert reloaded.fields["phone"] == "0271 111111"  # nothing overwritten
    assert reloaded.fields["version"] == str(version + 1)


# --------------------------------------------------------------------------------------------
# Screening batches run by the worker
# --------------------------------------------------------------------------------------------

HEADER = (
    "Aktenzeichen;Name;Geburtsdatum;Deutsch mündlich;Deutsch;Test;FDGO;Lebensunterhalt;"
    "Identität geklärt;Identitätstäuschung;Tagessätze;Kinder besuchen Schule;Status 1;von 1;"
    "Schuljahre;In Ausbildung"
)


def _person_line(i: int) -> str:
    """Three kinds of persons in turn (as in kim/screening/tests/test_lists.py)."""
    if i % 3 == 0:
        return (
            f"AZ-{i:05d};Person {i};01.01.1985;B1;B1;leben_in_deutschland;ja;gesichert;"
            "ja;nein;0;ja;duldung;01.01.2015;;"
        )
    if i % 3 == 1:
        return f"AZ-{i:05d};;;;;;;;;;;;;;;"
    return f"AZ-{i:05d};Person {i};01.06.2005;A2;A2;;ja;;ja;nein;0;;duldung;01.09.2025;3;ja"


def _upload_list(browser: Client, node: str, rows: int, title: str) -> str:
    content = "\n".join([HEADER, *(_person_line(i) for i in range(rows))]) + "\n"
    response = browser.submit(
        node,
        "/screening/listen/hochladen/",
        r"/screening/listen/hochladen/",
        files={"upload": ("liste.csv", content.encode(), "text/csv")},
        title=title,
    )
    assert response.status == 302, response.text[:3000]
    (code,) = re.findall(rf"/screening/listen/({CODE})/$", response.location)
    return code


def _screening_started(browser: Client, node: str, code: str) -> None:
    """The upload itself hands the list to the worker (kim/screening/tasks.py): the list page
    shows its progress, or already its results – and no button to start it once more."""
    page = browser.get(node, f"/screening/listen/{code}/")
    assert page.status == 200
    assert 'id="screening-progress"' in page.text or 'id="entries"' in page.text
    assert f"/listen/{code}/pruefen/" not in page.text


def _results_shown(browser: Client, node: str, code: str) -> bool:
    page = browser.get(node, f"/screening/listen/{code}/")
    assert page.status == 200
    return 'id="entries"' in page.text


def _progress(database: Query, code: str) -> tuple[str, int, int]:
    ((status, screened, total),) = database(
        "SELECT status, screened, total FROM screening_screeninglist WHERE code = %s", (code,)
    )
    return status, screened, total


def _wait_for_results(browser: Client, node: str, code: str, database: Query, since: Any) -> None:
    """Poll ``node``'s list page until the results table is there (the list is done)."""
    started = time.monotonic()
    while not _results_shown(browser, node, code):
        waited = time.monotonic() - started
        status, screened, total = _progress(database, code)
        if waited > NO_TASK_TIMEOUT and not _task_results(database, since):
            raise AssertionError(
                f"no task enqueued within {NO_TASK_TIMEOUT:.0f} s ({status}, {screened} of "
                f"{total} screened): the upload must hand the list to kim worker"
            )
        if waited > BATCH_TIMEOUT:
            raise AssertionError(
                f"list not screened within {BATCH_TIMEOUT:.0f} s ({status}, {screened} of {total})"
            )
        time.sleep(0.5)


def _task_results(database: Query, since: dt.datetime) -> list[tuple[Any, ...]]:
    return database(
        "SELECT status, worker_ids FROM django_tasks_database_dbtaskresult WHERE enqueued_at >= %s",
        (since,),
    )


def _now(database: Query) -> dt.datetime:
    ((now,),) = database("SELECT now()")
    return now  # type: ignore[no-any-return]


def test_a_batch_started_on_node_1_is_screened_by_the_worker_and_shown_on_node_2(
    nodes: tuple[str, str], logged_in: Login, database: Query
) -> None:
    """More persons than one web request screens (one chunk of 1,000): only the worker can
    finish the list."""
    first, second = nodes
    officer = logged_in("abh", first)
    since = _now(database)
    code = _upload_list(officer, first, 2_500, "Cluster: Worker")

    _screening_started(officer, first, code)
    _wait_for_results(officer, second, code, database, since)

    assert _progress(database, code) == ("done", 2_500, 2_500)
    tasks = _task_results(database, since)
    assert [status for status, _ in tasks] == ["SUCCESSFUL"]
    assert tasks[0][1], "the task records the worker that ran it"


def _wait_until_mid_batch(database: Query, code: str) -> tuple[int, int]:
    deadline = time.monotonic() + BATCH_TIMEOUT
    while time.monotonic() < deadline:
        status, screened, total = _progress(database, code)
        if 0 < screened < total:
            return screened, total
        assert status != "done", "the batch finished before the worker could be killed"
        time.sleep(0.02)
    raise AssertionError("the worker did not start the batch: did the upload start a job?")


def _export_csv(browser: Client, node: str, code: str) -> list[list[str]]:
    path = f"/screening/listen/{code}/export/csv/"
    response = browser.get(node, path)
    if response.status == 302 and "reauthenticate" in response.location:
        assert browser.reauthenticate(node, PASSWORD).status == 302
        response = browser.get(node, path)
    assert response.status == 200, response.status
    text = response.body.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";" if ";" in text[:200] else ","))


def test_a_worker_killed_mid_batch_is_replaced_and_the_batch_ends_without_duplicates(
    nodes: tuple[str, str], logged_in: Login, database: Query, cluster: Cluster
) -> None:
    first, second = nodes
    rows = 10_000
    officer = logged_in("abh", first)
    since = _now(database)
    code = _upload_list(officer, first, rows, "Cluster: Absturz")

    screened_at_kill, _ = _wait_until_mid_batch(database, code)
    cluster.kill("worker")  # SIGKILL to its process group: no chance to clean up
    assert _progress(database, code)[1] < rows
    cluster.start_worker("worker")  # a new worker takes the task up once the old one is stale
    _wait_for_results(officer, second, code, database, since)

    assert _progress(database, code) == ("done", rows, rows)
    ((entries, distinct_rows, unscreened),) = database(
        "SELECT count(*), count(DISTINCT e.row), count(*) FILTER (WHERE e.rank IS NULL) "
        "FROM screening_screeningentry e JOIN screening_screeninglist l "
        "ON l.id = e.screening_list_id WHERE l.code = %s",
        (code,),
    )
    assert (entries, distinct_rows, unscreened) == (rows, rows, 0)
    ((finished_events,),) = database(
        "SELECT count(*) FROM audit_auditevent WHERE event_type = %s AND subject_code = %s",
        ("screening.list_screened", code),
    )
    assert finished_events == 1, "the list was finished exactly once"
    exported = _export_csv(officer, second, code)
    references = [line[1] for line in exported[1:]]
    assert len(references) == rows and len(set(references)) == rows
    assert screened_at_kill < rows


def test_the_audit_chain_written_by_both_nodes_and_the_workers_verifies(
    cluster: Cluster,
) -> None:
    """Last: every event of the tests above, written by two nodes and two workers into one
    hash chain, links up (``kim audit verify``)."""
    done = subprocess.run(
        [str(VENV_BIN / "kim"), "audit", "verify"],
        env=cluster.env(cluster.directory / "setup"),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_deploy_check_passes_on_every_node_of_the_cluster(
    nodes: tuple[str, str], cluster: Cluster
) -> None:
    """`kim deploy check --format json` with a node's environment: database and migrations,
    the shared Redis, the shared media folder, the keys on a real encrypted value, the
    worker's heartbeat and Django's checks – every one ok, and the node's /healthz agrees."""
    for index, node in enumerate(nodes):
        done = subprocess.run(
            [str(VENV_BIN / "kim"), "deploy", "check", "--format", "json"],
            env=cluster.env(cluster.node_dir(index)),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        report = json.loads(done.stdout)
        failed = {c["name"]: c["detail"] for c in report["checks"] if not c["ok"]}
        assert done.returncode == 0 and report["ok"], failed
        names = {c["name"] for c in report["checks"]}
        assert names == {
            "database",
            "migrations",
            "cache",
            "storage",
            "field_keys",
            "worker",
            "django_checks",
            "row_level_security",
        }
        rls_check = next(c for c in report["checks"] if c["name"] == "row_level_security")
        assert rls_check["ok"] and "tables under policy" in rls_check["detail"], rls_check
        assert "RedisCache" in next(c for c in report["checks"] if c["name"] == "cache")["detail"]
        response = Client().get(node, "/healthz")
        assert response.status == 200
        assert json.loads(response.body) == {
            "status": "ok",
            "database": "ok",
            "cache": "ok",
            "storage": "ok",
            "worker": "ok",
        }
