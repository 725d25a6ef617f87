"""Middleware that reports the database queries and server time of each response.

Adds ``X-Query-Count`` (statements sent through ``django.db.connection``) and
``X-Server-Time-ms`` (time spent inside the Django handler, excluding the WSGI server and the
network). Only installed by ``benchmarks.bench_settings``; never part of the real app.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse


class _Counter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


class QueryCountMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        counter = _Counter()
        start = time.perf_counter()
        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        elapsed_ms = (time.perf_counter() - start) * 1000
        response["X-Query-Count"] = str(counter.count)
        response["X-Server-Time-ms"] = f"{elapsed_ms:.2f}"
        return response
