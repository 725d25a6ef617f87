"""``kim deploy check``: the preflight an operator runs after installing or upgrading a node.

Each check answers one question about this node's view of the installation and never stops the
others: a dead database fails the database, migrations, field-key sample and worker checks, but
the cache and storage are still reported. A check's detail says what was looked at and, on
failure, what to do; it never contains a stored value or a key.

1. ``database`` – the default database answers ``SELECT 1``.
2. ``migrations`` – no migration is waiting (Django's migration plan to the leaf nodes is empty).
3. ``cache`` – a random key can be set, read back and deleted in the default cache (Redis when
   ``KIM_CACHE_URL`` is set, so every node shares login limits and locks).
4. ``storage`` – a small file can be saved, read back and deleted through ``default_storage``
   (the shared volume or S3 bucket every node must see).
5. ``field_keys`` – field keys and the search key are configured, a sample survives an
   encrypt/decrypt round trip, and one stored value per model with encrypted fields decrypts
   (a round trip alone passes with a wrong key; a real value does not).
6. ``worker`` – some ``kim worker`` reported a heartbeat less than 2 minutes ago.
7. ``django_checks`` – Django's system checks with the deployment checks report no error or
   warning that is not silenced (``SILENCED_SYSTEM_CHECKS``).
8. ``row_level_security`` – PostgreSQL: every table of case and screening data has its policy
   and forced row-level security, the application's database user is neither a superuser nor
   ``BYPASSRLS`` (either would switch the second wall off), and it may use the system role
   (``KIM_DB_SYSTEM_ROLE``). SQLite: reported as the single wall it is (D-076).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass

from django.apps import apps
from django.conf import settings
from django.core import checks as django_checks
from django.core.cache import caches
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.db import connection, models
from django.db.migrations.executor import MigrationExecutor
from django.db.models.functions import Cast

from kim.core import crypto, workers


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str


def check_database() -> CheckResult:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return CheckResult("database", True, f"{connection.vendor} database answers")


def check_migrations() -> CheckResult:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if not plan:
        return CheckResult("migrations", True, "all migrations applied")
    names = [f"{m.app_label}.{m.name}" for m, _backwards in plan]
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    return CheckResult("migrations", False, f"{len(names)} unapplied: {shown}; run kim migrate")


def check_cache() -> CheckResult:
    key, value = f"kim-deploy-check-{secrets.token_hex(8)}", secrets.token_hex(8)
    cache = caches["default"]
    backend = type(cache).__name__
    cache.set(key, value, timeout=30)
    try:
        answer = cache.get(key)
    finally:
        cache.delete(key)
    if answer != value:
        return CheckResult("cache", False, f"{backend}: a value just set could not be read back")
    return CheckResult("cache", True, f"{backend} answers")


def check_storage() -> CheckResult:
    data = secrets.token_bytes(32)
    backend = type(storages["default"]).__name__
    name = default_storage.save(f"deploy-check/{secrets.token_hex(8)}.bin", ContentFile(data))
    try:
        with default_storage.open(name, "rb") as handle:
            read = handle.read()
    finally:
        default_storage.delete(name)
    if read != data:
        return CheckResult("storage", False, f"{backend}: a file just saved read back differently")
    return CheckResult("storage", True, f"{backend} is writable")


def _stored_tokens() -> list[tuple[str, str]]:
    """One raw token (as stored, not decrypted) per model with encrypted fields: (label, token).

    The first row by primary key with a value in the model's first non-empty encrypted field.
    """
    from kim.core.rls import system_access

    # Every organisation's rows (case data too): system work past row-level security.
    with system_access("deploy check: field keys"):
        return _sample_tokens()


def _sample_tokens() -> list[tuple[str, str]]:
    found = []
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        for field in crypto.encrypted_fields(model):
            token = (
                model._base_manager.filter(**{f"{field.attname}__isnull": False})
                .annotate(raw=Cast(field.attname, models.TextField()))
                .order_by("pk")
                .values_list("raw", flat=True)
                .first()
            )
            if token is not None:
                found.append((f"{model._meta.label}.{field.name}", token))
                break
    return found


def check_field_keys() -> CheckResult:
    keys = crypto.field_keys()
    crypto.search_key()  # raises when missing in production
    sample = secrets.token_urlsafe(16)
    if crypto.decrypt_text(crypto.encrypt_text(sample)) != sample:
        return CheckResult("field_keys", False, "encrypt/decrypt round trip failed")
    stored = _stored_tokens()
    for label, token in stored:
        try:
            crypto.decrypt_text(token)
        except crypto.DecryptionError:
            return CheckResult(
                "field_keys",
                False,
                f"a stored value of {label} does not decrypt with the {len(keys)} configured "
                "key(s): wrong or missing key in KIM_FIELD_KEYS",
            )
    if not stored:
        return CheckResult(
            "field_keys", True, f"{len(keys)} key(s); round trip ok; no encrypted rows stored yet"
        )
    labels = ", ".join(label for label, _token in stored)
    return CheckResult(
        "field_keys", True, f"{len(keys)} key(s); round trip ok; stored values decrypt: {labels}"
    )


def check_worker() -> CheckResult:
    age = workers.youngest_heartbeat_age()
    limit = workers.ALIVE_SECONDS
    if age is None:
        return CheckResult("worker", False, "no worker has ever reported; start kim worker")
    if age >= limit:
        return CheckResult(
            "worker",
            False,
            f"youngest heartbeat {age:.0f} s old (limit {limit} s); is kim worker running?",
        )
    return CheckResult("worker", True, f"youngest heartbeat {age:.0f} s old (limit {limit} s)")


def check_django() -> CheckResult:
    """Django's system checks; the deployment checks (HTTPS, HSTS, secure cookies, a real mail
    backend) only with KIM_ENV=production – a demo or development node on loopback HTTP, such
    as ``make cluster``, would fail them by design."""
    deployment = settings.KIM_ENV == "production"
    messages = django_checks.run_checks(include_deployment_checks=deployment)
    failing = [m for m in messages if m.level >= django_checks.WARNING and not m.is_silenced()]
    if not failing:
        scope = "deployment checks" if deployment else f"standard; KIM_ENV={settings.KIM_ENV}"
        return CheckResult("django_checks", True, f"no errors or warnings ({scope})")
    ids = ", ".join(sorted({m.id or m.msg for m in failing}))
    return CheckResult(
        "django_checks",
        False,
        f"{len(failing)} error(s) or warning(s): {ids}; see kim check --deploy",
    )


def check_row_level_security() -> CheckResult:
    from kim.core import rls

    name = "row_level_security"
    if connection.vendor != "postgresql":
        return CheckResult(
            name, True, f"{connection.vendor}: none; the access doors are the only wall"
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = session_user")
        superuser, bypass = cursor.fetchone()
        if superuser or bypass:
            return CheckResult(
                name,
                False,
                "the database user is a superuser or has BYPASSRLS: row-level security does "
                "not apply to it; use an ordinary role (docs/operations.md)",
            )
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relkind = 'r' AND relrowsecurity "
            "AND relforcerowsecurity AND relname = ANY(%s)",
            [[t.table for t in rls.PROTECTED_TABLES]],
        )
        forced = {row[0] for row in cursor.fetchall()}
        missing = sorted({t.table for t in rls.PROTECTED_TABLES} - forced)
        if missing:
            return CheckResult(
                name, False, f"{len(missing)} table(s) without forced policy, e.g. {missing[0]}"
            )
        try:
            rls.check_system_role(cursor)
        except rls.MissingSystemRole:
            return CheckResult(
                name,
                False,
                f"system role {rls.system_role()} missing or not usable; see docs/operations.md",
            )
    return CheckResult(
        name,
        True,
        f"{len(forced)} tables under policy; system role {rls.system_role()} usable",
    )


CHECKS: list[tuple[str, Callable[[], CheckResult]]] = [
    ("database", check_database),
    ("migrations", check_migrations),
    ("cache", check_cache),
    ("storage", check_storage),
    ("field_keys", check_field_keys),
    ("worker", check_worker),
    ("django_checks", check_django),
    ("row_level_security", check_row_level_security),
]


def run_deploy_checks() -> list[CheckResult]:
    """Run every check; an exception fails its check only, named with its class and message."""
    results = []
    for name, check in CHECKS:
        try:
            results.append(check())
        except Exception as exc:  # a preflight reports every failure, of any kind
            results.append(CheckResult(name, False, f"{type(exc).__name__}: {exc}"))
    return results


def as_json(results: list[CheckResult]) -> dict[str, object]:
    return {"ok": all(r.ok for r in results), "checks": [asdict(r) for r in results]}
