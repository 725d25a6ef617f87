"""A small server-rendered SVG bar chart (no JavaScript, CSP-safe); always shown with its table."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

COLOURS = ("#1d4ed8", "#0f766e", "#b45309", "#7c3aed")


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str
    title: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    labels: list[tuple[float, str]]
    legend: list[tuple[str, str]]
    ticks: list[tuple[float, str]]
    baseline: float


def _fmt(value: Decimal) -> str:
    return f"{value:,.0f}".replace(",", ".")


def bar_chart(
    labels: list[str], series: list[tuple[str, list[Decimal]]], width: int = 720, height: int = 280
) -> Chart:
    """Grouped bars per label; negative values hang below the baseline."""
    values = [v for _, vs in series for v in vs] or [Decimal(0)]
    top, bottom = max(max(values), Decimal(0)), min(min(values), Decimal(0))
    span = (top - bottom) or Decimal(1)
    plot_top, plot_bottom, left = 20.0, float(height - 40), 80.0
    scale = (plot_bottom - plot_top) / float(span)
    baseline = plot_top + float(top) * scale
    group_width = (width - left - 10) / max(len(labels), 1)
    bar_width = group_width * 0.8 / max(len(series), 1)
    bars, label_pos = [], []
    for i, label in enumerate(labels):
        x0 = left + i * group_width + group_width * 0.1
        label_pos.append((x0 + group_width * 0.4, label))
        for j, (name, vs) in enumerate(series):
            v = float(vs[i])
            y = baseline - max(v, 0) * scale
            bars.append(
                Bar(
                    x0 + j * bar_width,
                    y,
                    bar_width - 2,
                    abs(v) * scale,
                    COLOURS[j % 4],
                    f"{label} {name}: {_fmt(vs[i])} €",
                )
            )
    ticks = [
        (baseline - float(t) * scale, _fmt(t))
        for t in (top, top / 2, Decimal(0), bottom)
        if t == 0 or t != bottom or bottom < 0
    ]
    legend = [(COLOURS[j % 4], name) for j, (name, _) in enumerate(series)]
    return Chart(width, height, bars, label_pos, legend, ticks, baseline)
