"""Bar charts for the report as PNG, the same picture in DOCX, PDF and HTML.

Why PNG everywhere and no SVG: matplotlib's SVG styles every element through ``style``
attributes, which the app's Content-Security-Policy (``style-src 'self'``) blocks when the SVG is
inlined, so the chart would lose its colours in the browser. ``img-src`` allows ``data:``, Word
needs a raster picture anyway, and one picture for all three formats means they cannot disagree.
The figures are always repeated in a data table, so nothing is lost for screen readers.

matplotlib is imported inside the function: it costs about half a second, which Django's
start-up should not pay. Only the object-oriented API is used (``Figure`` + Agg canvas, no
``pyplot``), so there is no global figure state and no backend switch.

Drawing a chart takes 30–60 ms of CPU, and the report pages draw one on every view – under load
(issue 16) the released report and the draft were the slowest pages. The picture depends only on
the chart's data, so it is kept in the cache (Redis on several nodes) under a hash of that data
for a day: the second view of the same figures costs a cache read. The cache is only a shortcut:
when it fails, the chart is drawn.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import logging
import textwrap
from typing import TYPE_CHECKING, Any

from django.core.cache import cache

from kim.council.document import Chart

if TYPE_CHECKING:
    from matplotlib.axes import Axes

# Okabe–Ito: distinguishable with the common colour-vision deficiencies and in greyscale print
# (the first two differ strongly in lightness).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")

logger = logging.getLogger(__name__)
CACHE_SECONDS = 24 * 60 * 60
CACHE_VERSION = 1  # raise when the drawing changes, so that no old picture is served

WIDTH_CM = 16.0
HEIGHT_CM = 8.0
_CM_PER_INCH = 2.54

_RC: dict[Any, Any] = {
    "font.family": "DejaVu Sans",  # ships with matplotlib itself: the same glyphs on every machine
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.axisbelow": True,
    "svg.hashsalt": "kim-report",
    "hatch.linewidth": 0.8,
}


def german_number(value: float, max_decimals: int = 2) -> str:
    """``1234.5`` → ``"1.234,5"``: grouping dot, decimal comma, no trailing zeros."""
    text = f"{value:,.{max_decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def _cache_key(chart: Chart, dpi: int) -> str:
    data = json.dumps([dataclasses.asdict(chart), dpi], sort_keys=True, ensure_ascii=False)
    return f"kim:chart:{CACHE_VERSION}:{hashlib.sha256(data.encode()).hexdigest()}"


def bar_chart_png(chart: Chart, *, dpi: int = 150) -> bytes:
    """Render ``chart`` as grouped bars (one colour per series, legend, value labels).

    The output is deterministic: the same chart gives the same bytes (no timestamp, no software
    version in the PNG metadata) – which is what makes the cache (module docstring) safe.
    """
    key = _cache_key(chart, dpi)
    try:
        cached = cache.get(key)
    except Exception:  # any cache failure: draw instead
        logger.warning("chart cache unavailable; drawing the chart", exc_info=True)
        cached = None
    if isinstance(cached, bytes):
        return cached
    png = _draw_png(chart, dpi)
    try:
        cache.set(key, png, CACHE_SECONDS)
    except Exception:  # the picture is drawn; not keeping it is harmless
        logger.warning("chart cache unavailable; the chart is not kept", exc_info=True)
    return png


def _draw_png(chart: Chart, dpi: int) -> bytes:
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with matplotlib.rc_context(_RC):
        figure = Figure(figsize=(WIDTH_CM / _CM_PER_INCH, HEIGHT_CM / _CM_PER_INCH), dpi=dpi)
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
        _draw_bars(axes, chart)
        figure.tight_layout(pad=0.6)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()


def _draw_bars(axes: Axes, chart: Chart) -> None:
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    count = max(len(chart.series), 1)
    group_width = 0.8
    bar_width = group_width / count
    positions = list(range(len(chart.categories)))
    for index, series in enumerate(chart.series):
        offset = -group_width / 2 + bar_width * (index + 0.5)
        bars = axes.bar(
            [p + offset for p in positions],
            series.values,
            width=bar_width,
            label=series.name,
            color=PALETTE[index % len(PALETTE)],
            edgecolor="white",
            linewidth=0.5,
        )
        axes.bar_label(
            bars, labels=[german_number(v) for v in series.values], padding=2, fontsize=7
        )
    # About 85 characters fit side by side under the plot at this size: wrap labels to their share.
    wrap = max(8, 85 // max(len(chart.categories), 1))
    axes.set_xticks(
        positions,
        [textwrap.fill(c, wrap, break_long_words=False) for c in chart.categories],
        fontsize=9 if len(chart.categories) <= 6 else 8,
    )
    axes.yaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: german_number(value)))
    axes.grid(axis="y", color="#d0d4da", linewidth=0.6)
    highest = max((v for s in chart.series for v in s.values), default=0)
    # Headroom for the value labels; an all-zero chart still gets a visible axis.
    axes.set_ylim(0, highest * 1.15 if highest > 0 else 1)
    if chart.unit:
        axes.set_ylabel(chart.unit)
    if len(chart.series) > 1:
        axes.legend(
            frameon=False,
            ncols=min(len(chart.series), 4),
            loc="lower left",
            bbox_to_anchor=(0, 1.0),
        )
