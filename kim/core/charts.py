"""A small server-rendered bar chart for cards and pages: SVG (no JavaScript, CSP-safe) and,
always with it, the table of the same figures.

Generic on purpose: categories along the axis, one bar per series in each category, values as
``Decimal``. Numbers and the caption follow the active language (``number_format``), so the
German page shows ``19,50`` and the English one ``19.50``. Domain apps build the
``BarChart`` from their own queries; this module knows no domain app.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils.formats import number_format
from django.utils.safestring import SafeString

# Colours with at least 3:1 contrast against white (WCAG 1.4.11, graphical objects).
COLOURS = ("#1d4ed8", "#0f766e", "#b45309", "#7c3aed", "#6b8ae6", "#2f9488", "#c96f1a")


@dataclass(frozen=True)
class Series:
    name: str
    values: list[Decimal]
    colour: str = ""


@dataclass(frozen=True)
class BarChart:
    """``key`` makes the SVG's ids unique on a page with several charts."""

    key: str
    title: str  # the SVG's accessible name and the table's caption
    categories: list[str]
    series: list[Series]
    category_label: str = ""  # the header of the table's first column
    unit: str = ""
    decimal_pos: int = 2
    footer: str = ""  # label of a total row in the table ("" = no total row)


@dataclass(frozen=True)
class _Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str
    title: str


def _fmt(value: Decimal, places: int) -> str:
    return number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)


def _layout(chart: BarChart, width: int, height: int) -> dict[str, object]:
    values = [v for s in chart.series for v in s.values] or [Decimal(0)]
    top = max(max(values), Decimal(0)) or Decimal(1)
    plot_top, plot_bottom, left = 10.0, float(height - 24), 44.0
    scale = (plot_bottom - plot_top) / float(top)
    group = (width - left - 4) / max(len(chart.categories), 1)
    bar_width = group * 0.84 / max(len(chart.series), 1)
    bars, labels = [], []
    for i, category in enumerate(chart.categories):
        x0 = left + i * group + group * 0.08
        labels.append((x0 + group * 0.42, category))
        for j, series in enumerate(chart.series):
            value = series.values[i]
            h = float(value) * scale
            name = f"{category}, {series.name}: {_fmt(value, chart.decimal_pos)} {chart.unit}"
            bars.append(
                _Bar(
                    x0 + j * bar_width,
                    plot_bottom - h,
                    max(bar_width - 1.5, 1.0),
                    h,
                    series.colour or COLOURS[j % len(COLOURS)],
                    name.strip(),
                )
            )
    ticks = [
        (plot_bottom - float(t) * scale, _fmt(t, 0 if t == t.to_integral_value() else 1))
        for t in (top, top / 2, Decimal(0))
    ]
    return {
        "width": width,
        "height": height,
        "bars": bars,
        "labels": labels,
        "ticks": ticks,
        "baseline": plot_bottom,
        "left": left,
        "label_y": height - 8,
    }


def bar_chart(chart: BarChart, *, width: int = 360, height: int = 180) -> SafeString:
    """The figure (SVG with ``role="img"`` and a title, legend) followed by its data table."""
    rows = [
        (category, [_fmt(s.values[i], chart.decimal_pos) for s in chart.series])
        for i, category in enumerate(chart.categories)
    ]
    totals = [_fmt(sum(s.values, Decimal(0)), chart.decimal_pos) for s in chart.series]
    legend = [(s.colour or COLOURS[j % len(COLOURS)], s.name) for j, s in enumerate(chart.series)]
    return render_to_string(
        "core/bar_chart.html",
        {
            "chart": chart,
            "svg": _layout(chart, width, height),
            "legend": legend,
            "rows": rows,
            "totals": totals,
        },
    )
