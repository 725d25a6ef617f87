"""Row-level security on PostgreSQL: the second wall around case and screening data (D-076).

The access doors (``kim/cases/access.py``, ``kim/screening/access.py``) are the first wall;
PostgreSQL enforces the separation of organisations a second time, so that a query that forgot
its filter still cannot cross into another town's or agency's case files.

1. **Policies** (migrations ``cases 0003`` and ``screening 0003``, SQL built by
   ``policy_statements``): every table of ``PROTECTED_TABLES`` has row-level security enabled
   *and forced* (the table owner is bound too) and one policy: a row is visible and writable
   only when its organisation – directly, or through its person, case, goal, consent,
   conference or list – is among the organisations of the reader's scope.
2. **The reader's scope** lives in two settings of the database session, ``kim.case_orgs``
   (case managers' and team leads' organisations) and ``kim.screening_orgs`` (Baustein-3
   officers' authorities), each a PostgreSQL array such as ``{3,7}``. Unset or empty means
   *nothing*: a connection that has not declared a reader sees no protected row (fail closed).
   ``RowSecurityMiddleware`` declares the signed-in user's scope for each request (token
   requests of the API: ``ScopedTokenAuthentication``), the worker does so for each job
   (``kim.core.jobs``, the job owner's rights as they are now), and both reset it afterwards.
3. **System work** – retention, key rotation, the demo seed, case statistics across
   organisations, backups – runs inside ``system_access(reason)``: ``SET ROLE`` to the
   database role ``KIM_DB_SYSTEM_ROLE`` (default ``kim_system``, created ``NOLOGIN
   BYPASSRLS`` by the database administrator, see docs/operations.md), and every such run is
   an audit event ``core.rls_bypassed`` naming the reason.

SQLite has no row-level security: there the access doors are the only wall (documented in
docs/data-protection.md). Every function here is a no-op on SQLite.

The statements that set the scope run on the driver's cursor, not through Django's cursor
wrapper: they are part of the connection's state, not of the page's queries, so the
query-count tests keep counting what a page asks for; ``benchmarks/pages.py`` measures the
real cost (before/after in one run, ``--rls``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from rest_framework.authentication import TokenAuthentication

from kim.accounts.access import UserContext, user_context
from kim.accounts.models import Role
from kim.core.models import Actor

CASE_ORGS = "kim_case_orgs()"
SCREENING_ORGS = "kim_screening_orgs()"


@dataclass(frozen=True)
class Protected:
    """One table under row-level security and the condition that makes a row visible."""

    table: str
    condition: str


def _via(column: str, *path: tuple[str, str], final: str) -> str:
    """Visible when the row the column points to – following ``path`` of (parent table,
    parent's column to the next parent) – satisfies ``final`` (written with ``{p}`` for the
    last parent's alias). ``@.`` stands for the protected table itself."""
    (parent, next_column), *rest = path
    alias = f"p{len(path)}"
    inner = _via(f"{alias}.{next_column}", *rest, final=final) if rest else final.format(p=alias)
    # Table and column names from this module only, never from input.
    return f"EXISTS (SELECT 1 FROM {parent} {alias} WHERE {alias}.id = {column} AND {inner})"  # noqa: S608


_CASE = "{p}.organisation_id = ANY (" + CASE_ORGS + ")"
_SCREENING = "{p}.organisation_id = ANY (" + SCREENING_ORGS + ")"
_BY_CASE = _via("@.case_id", ("cases_case", ""), final=_CASE)
_BY_PERSON = _via("@.person_id", ("cases_person", ""), final=_CASE)

PROTECTED_TABLES: tuple[Protected, ...] = (
    Protected("cases_person", f"organisation_id = ANY ({CASE_ORGS})"),
    Protected("cases_persontoken", f"organisation_id_copy = ANY ({CASE_ORGS})"),
    Protected("cases_householdlink", _BY_PERSON),
    Protected("cases_residenceperiod", _BY_PERSON),
    Protected("cases_benefitperiod", _BY_PERSON),
    Protected("cases_consent", _BY_PERSON),
    Protected(
        "cases_consentdocument",
        _via("@.consent_id", ("cases_consent", "person_id"), ("cases_person", ""), final=_CASE),
    ),
    Protected("cases_case", f"organisation_id = ANY ({CASE_ORGS})"),
    Protected("cases_case_deputies", _BY_CASE),
    Protected("cases_case_triage_criteria", _BY_CASE),
    Protected("cases_phasechange", _BY_CASE),
    Protected("cases_assessmententry", _BY_CASE),
    Protected("cases_goal", _BY_CASE),
    Protected(
        "cases_measure",
        _via("@.goal_id", ("cases_goal", "case_id"), ("cases_case", ""), final=_CASE),
    ),
    Protected("cases_referral", _BY_CASE),
    Protected("cases_caseconference", _BY_CASE),
    Protected(
        "cases_caseconference_participants",
        _via(
            "@.caseconference_id",
            ("cases_caseconference", "case_id"),
            ("cases_case", ""),
            final=_CASE,
        ),
    ),
    Protected("cases_disclosure", _BY_CASE),
    Protected("cases_activity", _BY_CASE),
    Protected("cases_casedocument", _BY_CASE),
    Protected("cases_task", _BY_CASE),
    Protected("cases_interpreterbooking", _BY_CASE),
    Protected("screening_screeninglist", f"organisation_id = ANY ({SCREENING_ORGS})"),
    Protected(
        "screening_screeningentry",
        _via("@.screening_list_id", ("screening_screeninglist", ""), final=_SCREENING),
    ),
)

# Tables of the two apps deliberately left without row-level security: reference data, and the
# anonymised barrier log that the coordination reads across organisations (it holds no
# personal data by design, D-041). tests/test_rls.py checks that every table is in one list.
UNPROTECTED_TABLES = frozenset(
    {
        "cases_lifearea",
        "cases_barriercategory",
        "cases_targetgroupcriterion",
        "cases_caseloadrule",
        "cases_retentionrule",
        "cases_consentformtext",
        "cases_barrier",
        "screening_ruleversion",
        "screening_lettertext",  # the letter's wording per Kreis and language (D-092)
    }
)

FUNCTIONS_SQL = [
    f"""
    CREATE OR REPLACE FUNCTION {name}() RETURNS bigint[] LANGUAGE sql STABLE PARALLEL SAFE AS $$
        SELECT coalesce(nullif(current_setting('{guc}', true), ''), '{{}}')::bigint[]
    $$
    """
    for name, guc in (
        ("kim_case_orgs", "kim.case_orgs"),
        ("kim_screening_orgs", "kim.screening_orgs"),
    )
]


def system_role() -> str:
    return str(settings.KIM_DB_SYSTEM_ROLE)


def policy_statements(tables: tuple[Protected, ...]) -> list[str]:
    statements = []
    for t in tables:
        condition = t.condition.replace("@.", f"{t.table}.")
        statements += [
            f"ALTER TABLE {t.table} ENABLE ROW LEVEL SECURITY",
            f"ALTER TABLE {t.table} FORCE ROW LEVEL SECURITY",
            f"DROP POLICY IF EXISTS kim_scope ON {t.table}",
            f"CREATE POLICY kim_scope ON {t.table} USING ({condition})",
        ]
    return statements


def reverse_statements(tables: tuple[Protected, ...]) -> list[str]:
    statements = []
    for t in tables:
        statements += [
            f"DROP POLICY IF EXISTS kim_scope ON {t.table}",
            f"ALTER TABLE {t.table} NO FORCE ROW LEVEL SECURITY",
            f"ALTER TABLE {t.table} DISABLE ROW LEVEL SECURITY",
        ]
    return statements


class MissingSystemRole(RuntimeError):
    pass


def grant_statements(role: str) -> list[str]:
    """The system role may do what the application's login role does, on every table."""
    return [
        f'GRANT USAGE ON SCHEMA public TO "{role}"',
        f'GRANT ALL ON ALL TABLES IN SCHEMA public TO "{role}"',
        f'GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO "{role}"',
        f'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON TABLES TO "{role}"',
        f'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON SEQUENCES TO "{role}"',
    ]


def system_role_usable(cursor: Any) -> bool:
    """Whether the system role exists, bypasses row-level security and the login role may
    ``SET ROLE`` to it."""
    cursor.execute(
        "SELECT 1 FROM pg_roles WHERE rolname = %s AND rolbypassrls "
        "AND pg_has_role(session_user, oid, 'MEMBER')",
        [system_role()],
    )
    return cursor.fetchone() is not None


def check_system_role(cursor: Any) -> None:
    """Raise with the administrator's instructions unless ``system_role_usable``."""
    role = system_role()
    if not system_role_usable(cursor):
        raise MissingSystemRole(
            f"PostgreSQL role {role!r} is missing, lacks BYPASSRLS, or the application's "
            f"database user may not use it. As a database superuser run:\n"
            f"  CREATE ROLE {role} NOLOGIN BYPASSRLS;\n"
            f"  GRANT {role} TO <the application's database user>;\n"
            f"(docs/operations.md, 'Row-level security'; tools/ensure-postgres.sh does this "
            f"for the local test and demo cluster)."
        )


def install(schema_editor: object, tables: tuple[Protected, ...], *, functions: bool) -> None:
    """Migration helper: create the scope functions (once) and the policies (PostgreSQL)."""
    conn = schema_editor.connection  # type: ignore[attr-defined]
    if conn.vendor != "postgresql":
        return
    with conn.cursor() as cursor:
        check_system_role(cursor)
        for sql in (FUNCTIONS_SQL if functions else []) + policy_statements(tables):
            cursor.execute(sql)
        for sql in grant_statements(system_role()):
            cursor.execute(sql)


def migration(names: tuple[str, ...]) -> Any:
    """The ``RunPython`` operation of a migration that puts the tables ``names`` (frozen in the
    migration) under their policies, and takes them off again when migrating back."""
    from django.db import migrations

    tables = tuple(t for t in PROTECTED_TABLES if t.table in names)
    return migrations.RunPython(
        lambda apps, editor: install(editor, tables, functions=True),
        lambda apps, editor: uninstall(editor, tables),
        elidable=False,
    )


def uninstall(schema_editor: object, tables: tuple[Protected, ...]) -> None:
    conn = schema_editor.connection  # type: ignore[attr-defined]
    if conn.vendor != "postgresql":
        return
    with conn.cursor() as cursor:
        for sql in reverse_statements(tables):
            cursor.execute(sql)


# --------------------------------------------------------------------------------------------
# The reader's scope on the current connection
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """What the connection is set to: the role (``none`` = the login role) and two arrays."""

    role: str = "none"
    case_orgs: str = ""
    screening_orgs: str = ""


CLOSED = Scope()


def enabled() -> bool:
    return connection.vendor == "postgresql"


def _array(ids: frozenset[int]) -> str:
    return "{" + ",".join(str(i) for i in sorted(ids)) + "}" if ids else ""


def scope_of(ctx: UserContext) -> Scope:
    """The organisations whose case or screening rows the user's roles may reach; the doors
    narrow this further (e.g. a case manager sees only their own cases)."""
    return Scope(
        case_orgs=_array(ctx.organisations_with_role(Role.CASE_MANAGER, Role.TEAM_LEAD)),
        screening_orgs=_array(ctx.organisations_with_role(Role.B3_OFFICER)),
    )


def default_scope() -> Scope:
    """What a connection returns to after a request, a job or system work: closed – unless
    the test suite has given its connections the system role (see conftest.py)."""
    return Scope(role=getattr(connection, "kim_default_role", "none"))


# The connection's scope is unknown: a statement that set it ran in a transaction that then
# failed, and the rollback will restore an older state; the next ``_apply`` sets it again.
UNKNOWN = Scope(role="?")


def current_scope() -> Scope:
    known = getattr(connection, "kim_scope", None)
    return default_scope() if known is None or known == UNKNOWN else known


def _apply(scope: Scope) -> None:
    known = getattr(connection, "kim_scope", None)
    if known != UNKNOWN and (default_scope() if known is None else known) == scope:
        return
    # psycopg is imported here, not at the top: this module is loaded by ``CoreConfig.ready``
    # in every process, also on SQLite and in the CLI (cold start, decisions D-080).
    from psycopg.pq import TransactionStatus

    connection.ensure_connection()
    raw = connection.connection
    if raw.info.transaction_status == TransactionStatus.INERROR:
        connection.kim_scope = UNKNOWN  # type: ignore[attr-defined]
        return
    with raw.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('role', %s, false), set_config('kim.case_orgs', %s, false), "
            "set_config('kim.screening_orgs', %s, false)",
            [scope.role, scope.case_orgs, scope.screening_orgs],
        )
    connection.kim_scope = scope  # type: ignore[attr-defined]


def forget(**kwargs: object) -> None:
    """``connection_created``: a new database session starts in its default scope."""
    kwargs["connection"].kim_scope = None  # type: ignore[attr-defined]


def enter_reader_scope(ctx: UserContext) -> None:
    """Declare ``ctx`` as the reader of this connection until ``reset`` (the middleware's
    ``finally``)."""
    if enabled():
        _apply(scope_of(ctx))


def reset() -> None:
    """Back to the connection's default (closed); nothing to do if nothing was declared."""
    if enabled() and getattr(connection, "kim_scope", None) is not None:
        _apply(default_scope())


@contextmanager
def reader_scope(ctx: UserContext) -> Iterator[None]:
    if not enabled():
        yield
        return
    previous = current_scope()
    _apply(scope_of(ctx))
    try:
        yield
    finally:
        _apply(previous)


def actor_of(ctx: UserContext) -> Actor:
    """The reader as the actor of a ``core.rls_bypassed`` event, without a query."""
    from django.contrib.auth.models import User

    return None if ctx.user_id is None else User(pk=ctx.user_id, username=ctx.username)


@contextmanager
def system_access(reason: str, *, actor: Actor = None, audit: bool = True) -> Iterator[None]:
    """Run the block under the system role, which row-level security does not bind; record
    who and why (``core.rls_bypassed``). Only for work that must see every organisation:
    retention, key rotation, statistics across organisations, the demo seed, backups.

    ``audit=False`` only for counts shown on a page that is read many times a day (the
    retention counts of the start page): numbers leave the database, no row, and an event per
    page view would bury the trail (D-076)."""
    if not enabled():
        yield
        return
    from kim.audit.models import EventType
    from kim.audit.record import record

    if audit:
        record(EventType.RLS_BYPASSED, actor=actor, extra={"reason": reason})
    previous = current_scope()
    _apply(Scope(role=system_role()))
    try:
        yield
    finally:
        _apply(previous)


def use_system_role(cursor: Any, *, local: bool = True) -> bool:
    """On a driver cursor of a connection of its own (backup and restore): switch to the system
    role when this server has it for the login role; ``False`` when it has not (a database
    from before row-level security, or SQLite-like setups without the role)."""
    if not system_role_usable(cursor):
        return False
    cursor.execute(f'SET {"LOCAL " if local else ""}ROLE "{system_role()}"')
    return True


class RowSecurityMiddleware:
    """Declare the signed-in user's scope for the request; reset it afterwards, whatever
    happened. Anonymous requests stay closed and cost no statement."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not enabled():
            return self.get_response(request)
        try:
            if request.user.is_authenticated:
                enter_reader_scope(user_context(request))
            return self.get_response(request)
        finally:
            reset()


class ScopedTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, declaring the token owner's scope: API requests with a
    token are anonymous to the middleware (DRF authenticates inside the view); the
    middleware's ``finally`` resets the scope as for any request."""

    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        result = super().authenticate(request)
        if result is not None and enabled():
            request.user = result[0]
            enter_reader_scope(user_context(request))
        return result


__all__ = [
    "PROTECTED_TABLES",
    "RowSecurityMiddleware",
    "enter_reader_scope",
    "reader_scope",
    "reset",
    "system_access",
]
