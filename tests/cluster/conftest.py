"""The cluster of ``make cluster`` for the ``cluster`` tests: PostgreSQL, Redis, two gunicorn
nodes and one ``kim worker``, started once per session by ``tools/cluster.py`` on free ports,
with a database of its own (``kim_cluster_test_<pid>``), fresh keys and a temporary directory,
seeded with the demo world; stopped, and the database dropped, at the end – also when a test
or the start fails. Without PostgreSQL or ``redis-server`` the tests are skipped, saying which
is missing; inside a pytest-xdist worker too (they run in one process of their own:
``pytest -m cluster -p no:xdist``, as ``tools/run-tests.sh`` does).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cluster.client import Client

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tools import cluster as cluster_tool  # noqa: E402

PASSWORD = "demo"
# A worker that stops reporting is replaced after this long (crash recovery, issue 14).
STALE_SECONDS = "5"


@pytest.fixture(scope="session")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[cluster_tool.Cluster]:
    if os.environ.get("PYTEST_XDIST_WORKER"):
        pytest.skip("cluster tests run in one process: pytest -m cluster -p no:xdist")
    server_url, reason = cluster_tool.missing_requirements()
    if server_url is None:
        pytest.skip(f"cluster tests need PostgreSQL and Redis: {reason}")
    directory = tmp_path_factory.mktemp("cluster")
    database = f"kim_cluster_test_{os.getpid()}"
    try:
        with cluster_tool.running_cluster(
            directory,
            server_url,
            database,
            extra_env={"KIM_TASK_STALE_SECONDS": STALE_SECONDS},
            drop_after=True,
        ) as running:
            yield running
    except cluster_tool.ClusterError as exc:
        pytest.fail(f"the cluster did not start: {exc}\nlogs: {directory / 'logs'}")


@pytest.fixture(scope="session")
def nodes(cluster: cluster_tool.Cluster) -> tuple[str, str]:
    first, second = cluster.node_urls
    return first, second


@pytest.fixture
def logged_in(nodes: tuple[str, str]) -> Callable[..., Client]:
    """A browser signed in as ``username`` through the login form of ``node`` (default 1)."""

    def _login(username: str, node: str | None = None) -> Client:
        client = Client()
        response = client.login(node or nodes[0], username, PASSWORD)
        assert response.status == 302, f"login as {username}: {response.status}"
        assert "sessionid" in client.cookies
        return client

    return _login


@pytest.fixture
def database(cluster: cluster_tool.Cluster) -> Callable[..., list[tuple[Any, ...]]]:
    """Run a query on the cluster's database (psycopg, outside Django), as the row-level
    security system role – the observer sees every organisation's rows, like an operator."""
    import psycopg

    def _query(sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with psycopg.connect(cluster.database_url, autocommit=True) as conn:
            conn.execute("SET ROLE kim_system")
            return list(conn.execute(sql, params).fetchall())  # type: ignore[arg-type]

    return _query
