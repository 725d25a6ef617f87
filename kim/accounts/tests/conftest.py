from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from kim.accounts.tests.ldap_server import SLAPD, LdapServer


@pytest.fixture(scope="session")
def ldap_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LdapServer]:
    """One slapd per test process (each xdist worker its own port and folder)."""
    if not os.path.exists(SLAPD):
        pytest.skip("OpenLDAP's slapd is not installed (apt-get install slapd ldap-utils)")
    server = LdapServer(tmp_path_factory.mktemp("slapd")).start()
    yield server
    server.stop()
