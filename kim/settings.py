"""KIM-Plattform settings: one file, driven by environment variables.

Every setting read here is listed in ``docs/configuration.md``. Helpers fail loudly on bad
values and accept ``<NAME>_FILE`` for secrets (the file's content is used).
"""

from __future__ import annotations

import base64
import importlib.util
import os
import re
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from kim.accounts.idp_config import build_socialaccount_providers

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("KIM_VAR_DIR") or BASE_DIR / "var")

ENVIRONMENTS = ("development", "demo", "production")
DEV_SECRET_KEY = "kim-development-secret-key-do-not-use-in-production"  # noqa: S105


def env_str(name: str, default: str | None = None) -> str | None:
    """Return ``name`` from the environment, or the content of ``name_FILE``."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={file_name!r} cannot be read: {exc}") from exc
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_bool(name: str, default: bool) -> bool:
    value = env_str(name)
    if value is None:
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = env_str(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from exc


_RATE = re.compile(r"^\d+/\d*[smhd]/(ip|key|user)$")


def env_rates(name: str, default: str) -> str:
    """An allauth rate list such as ``100/m/ip,5/5m/key`` (amount/period/per, comma-separated)."""
    value = env_str(name, default) or default
    for rate in value.split(","):
        if not _RATE.match(rate.strip()):
            raise ImproperlyConfigured(
                f"{name}: {rate.strip()!r} is not a rate like 100/m/ip or 5/5m/key"
            )
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    value = env_str(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


KIM_ENV = env_str("KIM_ENV", "development") or "development"
if KIM_ENV not in ENVIRONMENTS:
    raise ImproperlyConfigured(f"KIM_ENV must be one of {', '.join(ENVIRONMENTS)}, not {KIM_ENV!r}")
PRODUCTION = KIM_ENV == "production"
DEMO_MODE = KIM_ENV == "demo"
TESTING = "pytest" in sys.modules

DEBUG = env_bool("DEBUG", default=KIM_ENV == "development")
SECRET_KEY = env_str("SECRET_KEY") or ""
if not SECRET_KEY:
    if KIM_ENV != "development" and not TESTING:
        raise ImproperlyConfigured(
            f"SECRET_KEY (or SECRET_KEY_FILE) is required with KIM_ENV={KIM_ENV}"
        )
    SECRET_KEY = DEV_SECRET_KEY
if PRODUCTION:
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be off in production (KIM_ENV=production)")
    if (
        SECRET_KEY == DEV_SECRET_KEY
        or SECRET_KEY.startswith("django-insecure")
        or len(SECRET_KEY) < 50
    ):
        raise ImproperlyConfigured(
            "SECRET_KEY is a development key or shorter than 50 characters; "
            "generate one with: kim generate_secret_key"
        )


def env_fernet_keys(name: str) -> list[str]:
    """Keys for ``kim.core.crypto``: comma/whitespace-separated, each 32 bytes URL-safe base64."""
    keys = [key for key in re.split(r"[,\s]+", env_str(name) or "") if key]
    for position, key in enumerate(keys, start=1):
        try:
            valid = len(base64.urlsafe_b64decode(key.encode("ascii"))) == 32
        except ValueError:  # binascii.Error and non-ASCII keys are ValueErrors
            valid = False
        if not valid:
            raise ImproperlyConfigured(
                f"{name}: key {position} is not 32 bytes of URL-safe base64; "
                "generate one with: kim generate_field_key"
            )
    return keys


# Field encryption (newest key first) and keyed search hashes, never in the database. Outside
# production a key file under KIM_VAR_DIR is generated on first use (kim/core/crypto.py).
KIM_FIELD_KEYS = env_fernet_keys("KIM_FIELD_KEYS")
_search_keys = env_fernet_keys("KIM_SEARCH_KEY")
if len(_search_keys) > 1:
    raise ImproperlyConfigured("KIM_SEARCH_KEY takes exactly one key")
KIM_SEARCH_KEY = _search_keys[0] if _search_keys else ""
if PRODUCTION:
    for _name, _value in (("KIM_FIELD_KEYS", KIM_FIELD_KEYS), ("KIM_SEARCH_KEY", KIM_SEARCH_KEY)):
        if not _value:
            raise ImproperlyConfigured(f"{_name} (or {_name}_FILE) is required in production")
    if KIM_SEARCH_KEY in KIM_FIELD_KEYS:
        raise ImproperlyConfigured("KIM_SEARCH_KEY must differ from every KIM_FIELD_KEYS key")

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is required in production")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    # kim.accounts comes before rest_framework.authtoken so that its audited
    # ``drf_create_token`` command replaces DRF's unaudited one.
    "kim.accounts",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_tasks_db",
    "kim.core",
    "kim.audit",
    "kim.organisations",
    "kim.programmes",
    "kim.partners",
    "kim.council",
    "kim.cases",
    "kim.screening",
    "kim.steering",
    "kim.network",
    "kim.proofs",
    # The top floor last: it collects every app's home.py (kim/core/shell.py).
    "kim.home",
]

MIDDLEWARE = [
    # First and last: request id, latency and status metrics, the request log line.
    "kim.core.middleware.RequestMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Adds the identity providers' origins to form-action on the sign-in pages (D-073).
    "kim.accounts.middleware.IdpFormActionMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Signs out after a pause (KIM_IDLE_TIMEOUT_MINUTES, D-075); before the MFA redirect.
    "kim.accounts.sessions.IdleTimeoutMiddleware",
    "kim.accounts.middleware.RequireMFAMiddleware",
    # PostgreSQL row-level security: the signed-in user's organisations for this request (D-076).
    "kim.core.rls.RowSecurityMiddleware",
    # Refreshes the signed-in browser's "last seen" at most once a minute (D-072).
    "kim.accounts.sessions.SessionActivityMiddleware",
]

ROOT_URLCONF = "kim.urls"
WSGI_APPLICATION = "kim.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "kim" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kim.core.context_processors.platform",
                "kim.home.context_processors.navigation",
                "kim.accounts.sessions.idle_timeout_context",
            ],
        },
    },
]

# Database: SQLite file under var/ by default, PostgreSQL via DATABASE_URL in production.
DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'kim.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
}
# A persistent connection is checked before a request reuses it: after a database restart a
# node drops the dead connection and serves again at once (issue 16, D-078), instead of
# failing the first request of every worker. Requests during the outage get a 503 page
# (kim/core/outages.py).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # IMMEDIATE transactions serialise writers (the audit chain relies on it) and avoid
    # "database is locked" upgrades from read to write locks.
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
    # Tests use a file, not shared-cache memory: memory databases lock whole tables and ignore
    # the busy timeout, which would make the concurrency tests meaningless.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: with KIM_CACHE_URL (redis://…, Valkey speaks the same protocol) one Redis shared by
# every app node, so login rate limits and locks hold across nodes; without it a file cache,
# shared by the gunicorn workers of one node (the single-node default). Sessions stay in the
# database either way.
KIM_CACHE_URL = env_str("KIM_CACHE_URL")
if KIM_CACHE_URL:
    if not KIM_CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(
            f"KIM_CACHE_URL must start with redis://, rediss:// or unix://, not {KIM_CACHE_URL!r}"
        )
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": KIM_CACHE_URL,
            "KEY_PREFIX": env_str("KIM_CACHE_PREFIX", "kim") or "kim",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
    if TESTING:
        CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Background work (django.tasks) in the app's own database (django-tasks-db): web nodes
# enqueue, `kim worker` processes run the tasks (docs/operations.md). Tests run tasks at once
# in the calling process unless they start a real worker (KIM_TASK_BACKEND=database).
KIM_TASK_BACKEND = env_str("KIM_TASK_BACKEND", "immediate" if TESTING else "database")
if KIM_TASK_BACKEND not in ("database", "immediate"):
    raise ImproperlyConfigured(
        f"KIM_TASK_BACKEND must be database or immediate, not {KIM_TASK_BACKEND!r}"
    )
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend"
        if KIM_TASK_BACKEND == "database"
        else "django.tasks.backends.immediate.ImmediateBackend",
    }
}
# A running task whose worker has not reported for this long is handed to another worker.
KIM_TASK_STALE_SECONDS = env_int("KIM_TASK_STALE_SECONDS", 120)
if KIM_TASK_STALE_SECONDS < 1:
    raise ImproperlyConfigured("KIM_TASK_STALE_SECONDS must be at least 1")
# Finished jobs (with their result files) and queue rows are deleted this many days after they
# finished, by `kim retention run`.
KIM_JOB_RETENTION_DAYS = env_int("KIM_JOB_RETENTION_DAYS", 7)
if KIM_JOB_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("KIM_JOB_RETENTION_DAYS must be at least 1")

# Accounts, authentication, MFA
# Local passwords (all accounts, or only administrators: KIM_LOCAL_LOGIN), then the directory
# when KIM_LDAP_URI is set (kim/accounts/backends.py, decisions D-070).
KIM_LOCAL_LOGIN = env_str("KIM_LOCAL_LOGIN", "all") or "all"
# PostgreSQL: the database role that system work (retention, key rotation, statistics across
# organisations, backups, the demo seed) switches to; it bypasses row-level security
# (NOLOGIN BYPASSRLS, granted to the application's database user; kim/core/rls.py, D-076).
KIM_DB_SYSTEM_ROLE = env_str("KIM_DB_SYSTEM_ROLE", "kim_system") or "kim_system"
if KIM_LOCAL_LOGIN not in ("all", "admins-only"):
    raise ImproperlyConfigured(
        f"KIM_LOCAL_LOGIN must be 'all' or 'admins-only', not {KIM_LOCAL_LOGIN!r}"
    )
AUTHENTICATION_BACKENDS = ["kim.accounts.backends.LocalPasswordBackend"]
KIM_LDAP_URI = env_str("KIM_LDAP_URI", "") or ""
if KIM_LDAP_URI:
    from kim.accounts.ldap_config import DEFAULT_USER_FILTER, build_ldap_settings

    globals().update(
        build_ldap_settings(
            uri=KIM_LDAP_URI,
            bind_dn=env_str("KIM_LDAP_BIND_DN", "") or "",
            bind_password=env_str("KIM_LDAP_BIND_PASSWORD", "") or "",
            user_search_base=env_str("KIM_LDAP_USER_SEARCH_BASE", "") or "",
            user_filter=env_str("KIM_LDAP_USER_FILTER", DEFAULT_USER_FILTER) or DEFAULT_USER_FILTER,
            group_search_base=env_str("KIM_LDAP_GROUP_SEARCH_BASE", "") or "",
            group_type=env_str("KIM_LDAP_GROUP_TYPE", "groupOfNames") or "groupOfNames",
            start_tls=env_bool("KIM_LDAP_START_TLS", default=False),
        )
    )
    AUTHENTICATION_BACKENDS.append("kim.accounts.backends.DirectoryBackend")
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home:start"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_ADAPTER = "kim.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_SESSION_REMEMBER = False
# Login limits (allauth, kept in the shared cache; D-058). The per-account limit on failed
# logins ("key": the login name) is the defence against guessing; the per-address limits only
# stop one address hammering many accounts, sized for a town hall behind one NAT address
# (hundreds of logins per minute). The address is the client's as the trusted reverse proxy
# reports it in X-Forwarded-For (KIM_TRUSTED_PROXY_COUNT), not the proxy's own.
ACCOUNT_RATE_LIMITS = {
    "login_failed": env_rates("KIM_LOGIN_RATE_LIMIT", "100/m/ip,5/5m/key"),
    "login": env_rates("KIM_LOGIN_ADDRESS_RATE_LIMIT", "600/m/ip"),
}
# How many reverse proxies in front of gunicorn append to X-Forwarded-For (nginx on the node:
# 1; nginx behind a load balancer that appends too: 2). 0 ignores the header: the client is
# the TCP peer. A count higher than the real number of proxies lets clients forge addresses.
KIM_TRUSTED_PROXY_COUNT = env_int("KIM_TRUSTED_PROXY_COUNT", 1 if PRODUCTION else 0)
if not 0 <= KIM_TRUSTED_PROXY_COUNT <= 5:
    raise ImproperlyConfigured(
        f"KIM_TRUSTED_PROXY_COUNT must be between 0 and 5, not {KIM_TRUSTED_PROXY_COUNT}"
    )
ALLAUTH_TRUSTED_PROXY_COUNT = KIM_TRUSTED_PROXY_COUNT
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
# Identity providers (OpenID Connect, SAML 2.0) through allauth's socialaccount: from
# KIM_OIDC_PROVIDERS / KIM_SAML_PROVIDERS (JSON, kim/accounts/idp_config.py) and from the admin
# site's "social applications". An unknown person signing in through one gets an account at
# once (no sign-up form), names and e-mail from the IdP; local self sign-up stays closed.
# Group mappings and the IdP's MFA assertion are applied at every IdP login (D-073, D-074).
SOCIALACCOUNT_PROVIDERS = build_socialaccount_providers(
    env_str("KIM_OIDC_PROVIDERS"),
    env_str("KIM_SAML_PROVIDERS"),
    read_file=lambda path: Path(path).read_text(encoding="utf-8").strip(),
)
SOCIALACCOUNT_ADAPTER = "kim.accounts.adapter.SocialAccountAdapter"
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = 10
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
# Second factors: an authenticator app (TOTP) or a passkey / security key (WebAuthn); recovery
# codes as the way back in. Sign-in with a passkey alone (no password) is off by default: it
# would bypass the directory's password check and the group mappings applied there (D-069), so
# a person removed in the directory could still sign in. KIM_PASSKEY_LOGIN=true turns it on for
# installations with local accounts only.
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = env_bool("KIM_PASSKEY_LOGIN", default=False)
# WebAuthn needs an https origin; plain http (http://127.0.0.1:8000 of `make demo`) is accepted
# everywhere but in production.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not PRODUCTION
# TOTP secrets and recovery-code seeds are encrypted with KIM_FIELD_KEYS (kim/accounts/adapter.py).
MFA_ADAPTER = "kim.accounts.adapter.MFAAdapter"
MFA_TOTP_ISSUER = "KIM-Plattform"
# MFA is required for every role that can see personal data; on by default in production only.
KIM_REQUIRE_MFA = env_bool("KIM_REQUIRE_MFA", default=PRODUCTION)

# A session lives SESSION_COOKIE_AGE seconds after it was last saved; activity saves it at least
# once a minute, so this is the longest pause for users without an idle timeout. The cookie
# itself ends when the browser closes.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
# Idle timeout (kim/accounts/sessions.py, D-075): roles that reach personal data (and
# superusers) are signed out after KIM_IDLE_TIMEOUT_MINUTES without activity; everyone else
# after KIM_IDLE_TIMEOUT_ALL_MINUTES (0: never, only SESSION_COOKIE_AGE applies). The browser
# warns KIM_IDLE_WARNING_SECONDS before.
KIM_IDLE_TIMEOUT_MINUTES = env_int("KIM_IDLE_TIMEOUT_MINUTES", 30)
KIM_IDLE_TIMEOUT_ALL_MINUTES = env_int("KIM_IDLE_TIMEOUT_ALL_MINUTES", 0)
KIM_IDLE_WARNING_SECONDS = env_int("KIM_IDLE_WARNING_SECONDS", 60)
if not 1 <= KIM_IDLE_TIMEOUT_MINUTES * 60 < SESSION_COOKIE_AGE:
    raise ImproperlyConfigured(
        "KIM_IDLE_TIMEOUT_MINUTES must be at least 1 and shorter than SESSION_COOKIE_AGE, "
        f"not {KIM_IDLE_TIMEOUT_MINUTES}"
    )
if not 0 <= KIM_IDLE_TIMEOUT_ALL_MINUTES * 60 < SESSION_COOKIE_AGE:
    raise ImproperlyConfigured(
        "KIM_IDLE_TIMEOUT_ALL_MINUTES must be 0 (off) or shorter than SESSION_COOKIE_AGE, "
        f"not {KIM_IDLE_TIMEOUT_ALL_MINUTES}"
    )
if not 0 <= KIM_IDLE_WARNING_SECONDS < KIM_IDLE_TIMEOUT_MINUTES * 60:
    raise ImproperlyConfigured(
        "KIM_IDLE_WARNING_SECONDS must be at least 0 and shorter than the idle timeout, "
        f"not {KIM_IDLE_WARNING_SECONDS}"
    )
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Internationalisation: German first, English second.
LANGUAGE_CODE = "de"
LANGUAGES = [("de", "Deutsch"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Europe/Berlin")
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

# Static files: our own and the npm packages (KERN UX, htmx), served by WhiteNoise.
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [
    BASE_DIR / "kim" / "static",
    ("vendor/kern", BASE_DIR / "node_modules" / "@kern-ux" / "native" / "dist"),
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
]


def s3_storage() -> dict[str, object]:
    """STORAGES["default"] for S3-compatible object storage (KIM_STORAGE=s3, django-storages).

    Files are never served from the bucket: the application reads them through the storage
    after its access check, so the bucket stays private (no ACL, signed URLs only).
    """
    if importlib.util.find_spec("storages") is None or importlib.util.find_spec("boto3") is None:
        raise ImproperlyConfigured(
            "KIM_STORAGE=s3 needs django-storages with boto3: install with `uv sync --extra s3`"
        )
    bucket = env_str("KIM_S3_BUCKET")
    if not bucket:
        raise ImproperlyConfigured("KIM_STORAGE=s3 needs KIM_S3_BUCKET (the bucket's name)")
    options: dict[str, object] = {
        "bucket_name": bucket,
        "default_acl": None,  # the bucket's own policy: private
        "querystring_auth": True,
        "file_overwrite": False,  # like the file system: a name that exists gets a new one
    }
    endpoint = env_str("KIM_S3_ENDPOINT_URL")
    if endpoint is not None:
        if not endpoint.startswith(("https://", "http://")):
            raise ImproperlyConfigured(
                f"KIM_S3_ENDPOINT_URL must start with https:// or http://, not {endpoint!r}"
            )
        options["endpoint_url"] = endpoint
    region = env_str("KIM_S3_REGION")
    if region is not None:
        options["region_name"] = region
    style = env_str("KIM_S3_ADDRESSING_STYLE")
    if style is not None:
        if style not in ("auto", "path", "virtual"):
            raise ImproperlyConfigured(
                f"KIM_S3_ADDRESSING_STYLE must be auto, path or virtual, not {style!r}"
            )
        options["addressing_style"] = style
    access_key, secret = env_str("KIM_S3_ACCESS_KEY_ID"), env_str("KIM_S3_SECRET_ACCESS_KEY")
    if (access_key is None) != (secret is None):
        raise ImproperlyConfigured(
            "KIM_S3_ACCESS_KEY_ID and KIM_S3_SECRET_ACCESS_KEY go together (or set neither and "
            "let boto3 find credentials itself)"
        )
    if access_key is not None:
        options |= {"access_key": access_key, "secret_key": secret}
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


# Stored files: the file system under KIM_MEDIA_ROOT (default), or S3-compatible storage.
KIM_STORAGE = env_str("KIM_STORAGE", "filesystem")
if KIM_STORAGE not in ("filesystem", "s3"):
    raise ImproperlyConfigured(f"KIM_STORAGE must be filesystem or s3, not {KIM_STORAGE!r}")
STORAGES = {
    "default": s3_storage()
    if KIM_STORAGE == "s3"
    else {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Stored files go through STORAGES["default"] only; several nodes share one directory
# (KIM_MEDIA_ROOT on a shared volume) or, optionally, S3-compatible storage (docs/operations.md).
MEDIA_ROOT = Path(env_str("KIM_MEDIA_ROOT") or VAR_DIR / "media")
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Mail (Django 6.1 MAILERS). SMTP in production, console elsewhere unless EMAIL_BACKEND is set.
EMAIL_BACKEND_PATH = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
_mail_options: dict[str, object] = {}
if EMAIL_BACKEND_PATH == "django.core.mail.backends.smtp.EmailBackend":
    _mail_options = {
        "host": env_str("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 25),
        "username": env_str("EMAIL_HOST_USER", "") or "",
        "password": env_str("EMAIL_HOST_PASSWORD", "") or "",
        "use_tls": env_bool("EMAIL_USE_TLS", default=False),
        "timeout": 20,
    }
MAILERS = {"default": {"BACKEND": EMAIL_BACKEND_PATH, "OPTIONS": _mail_options}}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "kim-plattform@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ADMINS = [("Admin", a) for a in env_list("ADMINS", [])]

# Security headers; Content-Security-Policy with nonces and no inline script.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if env_bool("KIM_BEHIND_PROXY", default=True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Probes and Prometheus scrape each node directly, over plain HTTP on the internal network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
    SILENCED_SYSTEM_CHECKS = ["security.W021"] if not SECURE_HSTS_PRELOAD else []

# API
REST_FRAMEWORK = {
    # Token first: unauthenticated requests then get 401 with a WWW-Authenticate header.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # DRF's token authentication, declaring the token owner's row-level security scope.
        "kim.core.rls.ScopedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "kim.core.pagination.BoundedLimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "KIM-Plattform API",
    "DESCRIPTION": "API der KIM-Plattform (Kommunales Integrationsmanagement NRW).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Several apps have fields called "kind" and "status" with different choices: name them.
    "ENUM_NAME_OVERRIDES": {
        "OrganisationKindEnum": "kim.organisations.models.OrgKind",
        "AgreementKindEnum": "kim.partners.models.AgreementKind",
        "PaymentKindEnum": "kim.partners.models.PaymentKind",
        "ReportingDutyKindEnum": "kim.partners.models.DutyKind",
        "PositionStatusEnum": "kim.programmes.models.PositionStatus",
        "AgreementStatusEnum": "kim.partners.api.AGREEMENT_STATUS",
        "CallStatusEnum": "kim.partners.models.CallStatus",
        "SubmissionStatusEnum": "kim.partners.models.SubmissionStatus",
        "TopicStatusEnum": "kim.steering.models.TopicStatus",
        "TopicLevelEnum": "kim.steering.models.TopicLevel",
        "TopicStatusFilterEnum": "kim.steering.api.STATUS_FILTER",
    },
}

# Logging to standard error: plain text by default; with KIM_LOG_FORMAT=json one JSON object
# per line (kim/core/logs.py), and one line per request (logger kim.request: request id, user
# id, view, status, duration; never names or query strings).
KIM_LOG_FORMAT = env_str("KIM_LOG_FORMAT", "text")
if KIM_LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"KIM_LOG_FORMAT must be text or json, not {KIM_LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "kim.core.logs.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"}
        | ({"formatter": "json"} if KIM_LOG_FORMAT == "json" else {}),
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        # In text format gunicorn's access log (or runserver's) already lists the requests.
        "kim.request": {"level": "INFO" if KIM_LOG_FORMAT == "json" else "WARNING"},
        # WeasyPrint reports every layout step at INFO; the PDF export would flood the log.
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Monitoring: /metrics answers only with "Authorization: Bearer <KIM_METRICS_TOKEN>"; without
# a token it does not exist. Counters of several gunicorn workers are summed through
# PROMETHEUS_MULTIPROC_DIR (set by kim/gunicorn_conf.py; kim/core/metrics.py).
KIM_METRICS_TOKEN = env_str("KIM_METRICS_TOKEN", "") or ""
if KIM_METRICS_TOKEN and len(KIM_METRICS_TOKEN) < 32:
    raise ImproperlyConfigured(
        "KIM_METRICS_TOKEN must be at least 32 characters; generate one with: "
        "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
    )

# Platform
KIM_PLATFORM_NAME = "KIM-Plattform"

# Baustein-3 screening: uploaded lists are deleted automatically this many days after upload.
KIM_SCREENING_RETENTION_DAYS = env_int("KIM_SCREENING_RETENTION_DAYS", 90)
if KIM_SCREENING_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("KIM_SCREENING_RETENTION_DAYS must be at least 1")

# WhiteNoise serves straight from the finders outside production (no collectstatic needed).
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = KIM_ENV == "development"
