#!/usr/bin/env bash
# The test run behind `make test` and CI (docs/testing.md § make test):
#   with PostgreSQL (DATABASE_URL_PG, or the local cluster that tools/ensure-postgres.sh starts):
#     1. the tests marked `sqlite_too` (database-specific behaviour) on SQLite;
#     2. the tests marked `cluster` against real processes (tools/cluster.py: two gunicorn
#        nodes, a worker, Redis, a database of their own), in one process without xdist –
#        when redis-server is installed (root: installed here), else the script says so;
#     3. the rest of the suite, browser tests included, on PostgreSQL (the production
#        database), in parallel with pytest-xdist – last, so pytest's summary line closes the log;
#   without PostgreSQL (e.g. a non-root developer machine): the whole suite except the cluster
#   tests on SQLite, in parallel, and the script says so.
# A failure in step 1 or 2 does not skip step 3 (one run shows every failure), but the script
# then exits with the first failing step's status. KIM_TEST_WORKERS sets the number of xdist workers (default
# `auto`: one per CPU core; 0 runs in-process, without xdist).
# Debian packages the tests need are installed when missing (root), else named.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p var
PYTEST=.venv/bin/pytest
WORKERS="${KIM_TEST_WORKERS:-auto}"
# worksteal: idle workers take tests from busy ones, so a long test (the link crawl, a browser
# walk) does not leave the other core waiting at the end.
PARALLEL=(-n "$WORKERS" --dist worksteal)

apt_install() {
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
as_root() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; }

if ! command -v chromium >/dev/null 2>&1 && as_root; then
  echo ">> installing Chromium for the browser tests (Debian package)"
  apt_install chromium
fi
if ! command -v chromium >/dev/null 2>&1; then
  echo "!! chromium not found: install Debian's 'chromium' package (browser tests need it)" >&2
  exit 2
fi

# Council reports: WeasyPrint needs HarfBuzz's subset library and a font; the PDF tests read
# the PDFs back with poppler (pdftotext, pdffonts, pdfinfo). Clients' documents in Arabic,
# Farsi and other scripts need the Noto fonts (fonts-noto-core, D-089).
if ! command -v pdftotext >/dev/null 2>&1 || ! ldconfig -p | grep -q libharfbuzz-subset.so.0 \
  || [ ! -d /usr/share/fonts/truetype/noto ]; then
  if as_root; then
    echo ">> installing poppler-utils and libharfbuzz-subset0 for the report tests (Debian packages)"
    apt_install poppler-utils libharfbuzz-subset0 fonts-dejavu-core fonts-noto-core
  else
    echo "!! report tests need: apt-get install poppler-utils libharfbuzz-subset0 fonts-dejavu-core fonts-noto-core" >&2
  fi
fi

# The cluster tests (tests/cluster) run Debian's redis-server as the shared cache.
if ! command -v redis-server >/dev/null 2>&1 && as_root; then
  echo ">> installing redis-server for the cluster tests (Debian package)"
  apt_install redis-server
fi

# The directory tests (kim/accounts/tests/test_ldap_login.py) run Debian's OpenLDAP slapd.
if ! [ -x /usr/sbin/slapd ] && as_root; then
  echo ">> installing slapd and ldap-utils for the directory tests (Debian packages)"
  apt_install slapd ldap-utils
fi

# The SAML identity-provider tests (tests/browser/test_idp_login.py) run pysaml2, which signs
# with the xmlsec1 program.
if ! command -v xmlsec1 >/dev/null 2>&1 && as_root; then
  echo ">> installing xmlsec1 for the SAML identity-provider tests (Debian package)"
  apt_install xmlsec1
fi

PG_URL="${DATABASE_URL_PG:-$(bash tools/ensure-postgres.sh 2>/dev/null || true)}"
if [ -z "$PG_URL" ]; then
  echo ">> PostgreSQL not available: all tests on SQLite, browser tests included;"
  echo "   the cluster tests (marker cluster) need PostgreSQL and are left out"
  env -u DATABASE_URL $PYTEST -q -m "not cluster" "${PARALLEL[@]}"
  exit $?
fi

echo ">> database-specific tests (marker sqlite_too) on SQLite"
env -u DATABASE_URL $PYTEST -q -m sqlite_too
sqlite_status=$?
if [ $sqlite_status -ne 0 ]; then
  echo "!! SQLite step failed (exit $sqlite_status); PostgreSQL still runs, the script fails" >&2
fi

cluster_status=0
if command -v redis-server >/dev/null 2>&1; then
  echo ">> cluster tests (marker cluster): two nodes, a worker, Redis and PostgreSQL, no xdist"
  DATABASE_URL_PG="$PG_URL" $PYTEST -q -p no:xdist -m cluster tests/cluster
  cluster_status=$?
  if [ $cluster_status -ne 0 ]; then
    echo "!! cluster tests failed (exit $cluster_status); PostgreSQL still runs, the script fails" >&2
  fi
else
  echo "!! cluster tests skipped: redis-server not found (apt-get install redis-server)" >&2
fi

echo ">> all other tests on PostgreSQL ($PG_URL), browser tests included"
DATABASE_URL="$PG_URL" $PYTEST -q -m "not cluster" "${PARALLEL[@]}"
pg_status=$?
if [ $sqlite_status -ne 0 ]; then exit $sqlite_status; fi
if [ $cluster_status -ne 0 ]; then exit $cluster_status; fi
exit $pg_status
