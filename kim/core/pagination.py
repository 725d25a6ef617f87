"""Pagination: the API's with an upper bound, so ``?limit=`` cannot ask the database for
everything, and an id-first paginator for long lists of wide rows."""

from __future__ import annotations

from typing import Any, cast

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from rest_framework.pagination import LimitOffsetPagination


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    default_limit = 50
    max_limit = 500


class IdFirstPaginator(Paginator):  # type: ignore[type-arg]
    """Pages a sorted queryset of wide rows in two steps: first the page's primary keys (the
    database sorts narrow rows, not every encrypted column), then the rows of that page in the
    same order. One query more than Django's paginator, much less work deep in a long list."""

    def page(self, number: Any) -> Page:  # type: ignore[type-arg]
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        queryset = cast(QuerySet[Any], self.object_list)
        ids = list(queryset.values_list("pk", flat=True)[bottom:top])
        rows = {row.pk: row for row in queryset.filter(pk__in=ids)}
        return Page([rows[pk] for pk in ids if pk in rows], number, self)
