"""Settings for the benchmark server: ``kim.settings`` plus the query-count middleware.

Used only by ``benchmarks/run.py`` (``DJANGO_SETTINGS_MODULE=benchmarks.bench_settings``), so
nothing in ``kim/`` knows about the benchmark. The middleware goes first (outermost), so it
counts the queries of every other middleware too (session, user, memberships).
"""

from kim.settings import *  # noqa: F403
from kim.settings import MIDDLEWARE

MIDDLEWARE = ["benchmarks.query_count.QueryCountMiddleware", *MIDDLEWARE]
