"""API pagination with an upper bound, so ``?limit=`` cannot ask the database for everything."""

from rest_framework.pagination import LimitOffsetPagination


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    default_limit = 50
    max_limit = 500
