"""The report charts are kept in the cache under a hash of their data (issue 16)."""

from __future__ import annotations

import dataclasses

import pytest
from django.core.cache import cache
from django.test import override_settings

from kim.council.document import Chart, Series
from kim.council.render.charts import _cache_key, bar_chart_png

CHART = Chart(
    title="Stellen je Baustein",
    alt="Balkendiagramm",
    categories=["Baustein 1", "Baustein 2", "Baustein 3"],
    series=[Series(name="VZÄ", values=[2.0, 14.5, 3.0])],
    unit="VZÄ",
)


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()


def test_a_drawn_chart_is_kept_and_served_from_the_cache() -> None:
    key = _cache_key(CHART, 150)
    assert cache.get(key) is None
    png = bar_chart_png(CHART)
    assert png.startswith(b"\x89PNG")
    assert cache.get(key) == png
    # What the cache holds is what is served: a planted picture comes back unchanged.
    cache.set(key, b"\x89PNG planted")
    assert bar_chart_png(CHART) == b"\x89PNG planted"


def test_other_figures_or_resolution_get_another_key() -> None:
    changed = dataclasses.replace(CHART, series=[Series(name="VZÄ", values=[2.0, 14.5, 3.5])])
    keys = {_cache_key(CHART, 150), _cache_key(changed, 150), _cache_key(CHART, 96)}
    assert len(keys) == 3


@override_settings(
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            # Nothing listens on port 1: every cache call fails.
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
)
def test_without_a_cache_the_chart_is_drawn() -> None:
    png = bar_chart_png(CHART)
    assert png.startswith(b"\x89PNG")
    assert len(png) > 10_000
