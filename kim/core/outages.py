"""What a request gets when a service behind the app is away (issue 16, D-078).

Two services can vanish under a running node: the database (restarted, failed over, the
network between) and the shared cache (Redis, which holds the login rate limits). Either
surfaces as an exception somewhere in the middleware or the view – Django turns it into the
``handler500`` page. ``kim.core.views.error_500`` asks ``outage_response`` first: for such an
outage the answer is **503** with a German page that says what is away and that nothing was
saved, and a ``Retry-After`` header, instead of the generic 500 error page.

- **Database**: ``OperationalError`` and ``InterfaceError`` – Django's and the driver's own
  (connection refused, terminated by an administrator, closed under the driver). Every write
  of KIM-Plattform runs in a transaction, so "nothing was saved" is true.
  ``CONN_HEALTH_CHECKS`` (settings) lets a node drop a dead persistent connection at the
  start of the next request, so the node serves again as soon as the database is back.
- **Cache**: the login rate limit lives there. Without it, the limit cannot be counted, and
  a sign-in is refused (fail closed) rather than let through uncounted (fail open: guessing
  without a limit while Redis is away). Pages other than sign-in do not use the cache and keep
  working; sessions are stored in the database. The sign-in page says so (D-079).

The page is rendered without the request (no context processor may touch a service that just
failed) and in the language the request had already chosen.
"""

from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils.translation import gettext as _

logger = logging.getLogger("kim.outages")

# Seconds a client (or a load balancer) should wait before trying again.
RETRY_AFTER = 30

DATABASE = "database"
CACHE = "cache"


def _cache_errors() -> tuple[type[BaseException], ...]:
    """The exceptions of Django's Redis cache backend when Redis does not answer."""
    try:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError
    except ImportError:  # pragma: no cover – redis is a dependency; a file cache raises OSError
        return ()
    return (RedisConnectionError, RedisTimeoutError)


def _database_errors() -> tuple[type[BaseException], ...]:
    """Django's connection errors and the driver's own: code that runs on the driver's cursor
    (the row-level-security scope, D-076) raises ``psycopg.OperationalError`` unwrapped."""
    errors: list[type[BaseException]] = [OperationalError, InterfaceError]
    for alias in connections:
        driver = connections[alias].Database  # type: ignore[attr-defined]
        errors += [driver.OperationalError, driver.InterfaceError]
    return tuple(errors)


def outage_of(exc: BaseException | None) -> str | None:
    """``DATABASE`` or ``CACHE`` when ``exc`` (or an exception it was raised from) says that
    service is not reachable; None for every other error (a bug stays a 500)."""
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, _database_errors()):
            return DATABASE
        if isinstance(exc, _cache_errors()):
            return CACHE
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return None


def outage_response(request: HttpRequest | None, exc: BaseException | None) -> HttpResponse | None:
    """The 503 page for an outage (see the module doc), or None when ``exc`` is no outage."""
    service = outage_of(exc)
    if service is None:
        return None
    signing_in = service == CACHE and request is not None and _is_sign_in(request)
    if service == DATABASE:
        heading = _("The database is not reachable at the moment")
        text = _(
            "Your request could not be processed, and nothing was saved. The platform will be "
            "available again shortly; please try again in a minute."
        )
    elif signing_in:
        heading = _("Sign-in is not possible at the moment")
        text = _(
            "The service that counts failed sign-in attempts is not reachable. To protect your "
            "account, nobody can sign in until it is back. Please try again in a few minutes; "
            "if this persists, tell your IT."
        )
    else:
        heading = _("This page is not available at the moment")
        text = _(
            "A service of the platform is not reachable. Nothing was saved. Please try again "
            "in a few minutes; if this persists, tell your IT."
        )
    logger.warning("503: the %s is not reachable (%s)", service, type(exc).__qualname__)
    body = loader.get_template("errors/503.html").render({"heading": heading, "text": text})
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


def _is_sign_in(request: HttpRequest) -> bool:
    from django.urls import reverse

    sign_in_paths = {reverse("account_login"), reverse("account_reauthenticate")}
    return request.path in sign_in_paths
