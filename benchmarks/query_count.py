"""Middleware that reports the database queries and server time of each response.

Adds ``X-Query-Count`` (statements sent through ``django.db.connection``) and
``X-Server-Time-ms`` (time spent inside the Django handler, excluding the WSGI server and the
network). Only installed by ``benchmarks.bench_settings``; never part of the real app.

**SQL time** (issue 16, "server time ÷ time of the same SQL"): a request with the header
``X-Explain: 1`` is answered as usual; then, after the server time has been taken, every
``SELECT`` it sent is run again as ``EXPLAIN (ANALYZE, FORMAT JSON)`` with its parameters, under
the row-level-security scope it ran in, and the planning and execution times the database
reports are summed. Statements that change data cannot be run twice; for them the time the
driver took to run them (measured around the original call) is added instead. The answer
carries ``X-SQL-Time-ms`` (the sum), ``X-SQL-Explained`` and ``X-SQL-Measured`` (how many
statements of each kind).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse


class _Counter:
    def __init__(self, capture: bool) -> None:
        self.count = 0
        self.capture = capture
        self.statements: list[tuple[str, Any, Any, float]] = []

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        self.count += 1
        if not self.capture:
            return execute(sql, params, many, context)
        from kim.core import rls

        scope = rls.current_scope() if rls.enabled() else None
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = (time.perf_counter() - started) * 1000
            if not many:
                self.statements.append((sql, params, scope, elapsed))


def explain_ms(statements: list[tuple[str, Any, Any, float]]) -> tuple[float, int, int]:
    """(total ms, SELECTs explained, other statements measured) – see the module docstring."""
    from kim.core import rls

    total, explained, measured = 0.0, 0, 0
    previous = rls.current_scope() if rls.enabled() else None
    try:
        with connection.cursor() as cursor:
            for sql, params, scope, elapsed in statements:
                if not sql.lstrip().upper().startswith("SELECT"):
                    total += elapsed
                    measured += 1
                    continue
                if scope is not None:
                    rls._apply(scope)
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
                raw = cursor.fetchone()[0]
                plan = (json.loads(raw) if isinstance(raw, str) else raw)[0]
                total += float(plan.get("Planning Time", 0)) + float(plan["Execution Time"])
                explained += 1
    finally:
        if previous is not None:
            rls._apply(previous)
    return total, explained, measured


class QueryCountMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        explain = request.headers.get("X-Explain") == "1" and connection.vendor == "postgresql"
        counter = _Counter(capture=explain)
        start = time.perf_counter()
        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        elapsed_ms = (time.perf_counter() - start) * 1000
        response["X-Query-Count"] = str(counter.count)
        response["X-Server-Time-ms"] = f"{elapsed_ms:.2f}"
        if explain:
            total, explained, measured = explain_ms(counter.statements)
            response["X-SQL-Time-ms"] = f"{total:.2f}"
            response["X-SQL-Explained"] = str(explained)
            response["X-SQL-Measured"] = str(measured)
        return response
