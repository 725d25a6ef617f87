"""What a node needs to serve requests, probed for ``/healthz``.

Each probe answers "ok" or says what failed ("error"; "missing" when no worker is alive) and
logs the cause; none returns anything personal or host-specific. ``kim deploy check`` asks the
same questions with more detail.
"""

from __future__ import annotations

import logging
import secrets

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection

from kim.core.workers import worker_alive

logger = logging.getLogger("kim.health")

OK, ERROR, MISSING = "ok", "error", "missing"


def database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.warning("healthz: the database does not answer", exc_info=True)
        return ERROR
    return OK


def cache_state() -> str:
    """Write a random key to the default cache (Redis or the file cache) and read it back."""
    key, value = f"healthz:{secrets.token_hex(8)}", secrets.token_hex(8)
    try:
        cache.set(key, value, timeout=30)
        answered = cache.get(key)
        cache.delete(key)
    except Exception:  # the Redis client's ConnectionError is no Django exception
        logger.warning("healthz: the cache does not answer", exc_info=True)
        return ERROR
    if answered != value:
        logger.warning("healthz: the cache does not keep what was written")
        return ERROR
    return OK


def storage() -> str:
    """Write, read back and delete a small file through the default storage (shared volume or
    S3), the way every stored document goes."""
    content = secrets.token_hex(8).encode("ascii")
    try:
        name = default_storage.save(f"healthz/{secrets.token_hex(8)}.txt", ContentFile(content))
        try:
            with default_storage.open(name, "rb") as stored:
                read = stored.read()
        finally:
            default_storage.delete(name)
    except Exception:
        logger.warning("healthz: the file storage is not writable", exc_info=True)
        return ERROR
    if read != content:
        logger.warning("healthz: the file storage does not return what was written")
        return ERROR
    return OK


def worker() -> str:
    """ "ok" while some ``kim worker`` reported within the last two minutes."""
    try:
        alive = worker_alive()
    except Exception:
        logger.warning("healthz: the worker heartbeats cannot be read", exc_info=True)
        return ERROR
    return OK if alive else MISSING


def report() -> dict[str, str]:
    """``{"status": …, "database": …, "cache": …, "storage": …, "worker": …}``."""
    checks = {
        "database": database(),
        "cache": cache_state(),
        "storage": storage(),
        "worker": worker(),
    }
    status = OK if all(state == OK for state in checks.values()) else ERROR
    return {"status": status, **checks}
