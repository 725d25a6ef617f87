#!/usr/bin/env bash
# The test run behind `make test` and CI:
#   1. everything except browser tests on SQLite (the embedded default);
#   2. everything, browser tests included, on PostgreSQL (the production database) – last,
#      so pytest's summary line closes the log.
# Without a PostgreSQL server (non-root developer machine), step 2 runs on SQLite instead
# and says so. Without Chromium, it tries to install it (root), else stops with a message.
set -uo pipefail
cd "$(dirname "$0")/.."
PYTEST=.venv/bin/pytest

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo ">> installing Chromium for the browser tests (Debian package)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
fi
if ! command -v chromium >/dev/null 2>&1; then
  echo "!! chromium not found: install Debian's 'chromium' package (browser tests need it)" >&2
  exit 2
fi

# Council reports: WeasyPrint needs HarfBuzz's subset library and a font; the PDF tests read
# the PDFs back with poppler (pdftotext, pdffonts, pdfinfo).
if ! command -v pdftotext >/dev/null 2>&1 || ! ldconfig -p | grep -q libharfbuzz-subset.so.0; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo ">> installing poppler-utils and libharfbuzz-subset0 for the report tests (Debian packages)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      poppler-utils libharfbuzz-subset0 fonts-dejavu-core >/dev/null
  else
    echo "!! report tests need: apt-get install poppler-utils libharfbuzz-subset0 fonts-dejavu-core" >&2
  fi
fi

echo ">> tests on SQLite (without browser tests)"
$PYTEST -q -m "not browser"
status=$?
if [ $status -ne 0 ]; then exit $status; fi

PG_URL="${DATABASE_URL_PG:-$(bash tools/ensure-postgres.sh 2>/dev/null || true)}"
if [ -n "$PG_URL" ]; then
  echo ">> all tests on PostgreSQL ($PG_URL), browser tests included"
  DATABASE_URL="$PG_URL" $PYTEST -q
else
  echo ">> PostgreSQL not available: browser tests on SQLite instead"
  $PYTEST -q -m browser
fi
