#!/usr/bin/env bash
# Start the local PostgreSQL cluster (Debian: pg_ctlcluster) and make sure the role and
# database "kim" exist. Idempotent. Prints the DATABASE_URL on success, nothing on failure.
set -uo pipefail
PG_URL="postgres://kim:kim@127.0.0.1:5432/kim"
if ! command -v pg_ctlcluster >/dev/null 2>&1; then exit 1; fi
if ! pg_isready -q -h 127.0.0.1 2>/dev/null; then
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)
  [ -n "$version" ] || exit 1
  pg_ctlcluster "$version" main start >/dev/null 2>&1 || true
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 && break; sleep 0.5; done
fi
pg_isready -q -h 127.0.0.1 || exit 1
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else sudo -n -u postgres "$@"; fi; }
as_postgres psql -tAc "SELECT 1 FROM pg_roles WHERE rolname='kim'" 2>/dev/null | grep -q 1 \
  || as_postgres psql -q -c "CREATE ROLE kim LOGIN PASSWORD 'kim' CREATEDB" >/dev/null 2>&1 || exit 1
as_postgres psql -tAc "SELECT 1 FROM pg_database WHERE datname='kim'" 2>/dev/null | grep -q 1 \
  || as_postgres psql -q -c "CREATE DATABASE kim OWNER kim" >/dev/null 2>&1 || exit 1
# Row-level security (kim/core/rls.py): the system role that retention, statistics, backups
# and the demo seed switch to. NOLOGIN BYPASSRLS, and "kim" may SET ROLE to it.
as_postgres psql -tAc "SELECT 1 FROM pg_roles WHERE rolname='kim_system'" 2>/dev/null | grep -q 1 \
  || as_postgres psql -q -c "CREATE ROLE kim_system NOLOGIN BYPASSRLS" >/dev/null 2>&1 || exit 1
as_postgres psql -q -c "GRANT kim_system TO kim" >/dev/null 2>&1 || exit 1
# Load tests (benchmarks/load.py) read pg_stat_statements: preloaded (a restart, once) and the
# extension in database "kim", from where it shows every database's statements.
if ! as_postgres psql -tAc "SHOW shared_preload_libraries" 2>/dev/null | grep -q pg_stat_statements; then
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)
  as_postgres psql -q -c "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'" >/dev/null 2>&1 \
    && pg_ctlcluster "$version" main restart >/dev/null 2>&1
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 && break; sleep 0.5; done
fi
as_postgres psql -q -d kim -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null 2>&1 || true
echo "$PG_URL"
