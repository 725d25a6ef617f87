"""A statistics table as the page shows it – the same grid feeds the HTML table, the CSV and
XLSX exports and the chart, so that they cannot disagree."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from kim.cases.statistics.queries import CaseTable
from kim.cases.statistics.suppression import Entry


@dataclass(frozen=True)
class Grid:
    caption: str
    header: list[str]
    rows: list[tuple[str, list[Entry]]]
    footer: tuple[str, list[Entry]] | None


def grid(t: CaseTable) -> Grid:
    """Rows × columns with the margins as last column and last row; 1-D: one value column."""
    caption = _("%(measure)s, %(scope)s, %(start)s to %(end)s") % {
        "measure": t.measure_label,
        "scope": t.scope.label,
        "start": t.start.strftime("%d.%m.%Y"),
        "end": t.end.strftime("%d.%m.%Y"),
    }
    total_label = _("Median overall") if t.median else _("Total")
    p = t.table
    if not t.axes:
        return Grid(caption, [t.measure_label], [], (total_label, [p.total]))
    if len(t.axes) == 1:
        a = t.axes[0]
        rows = [(a.labels[i], [p.cells[(i,)]]) for i in range(len(a.keys))]
        return Grid(caption, [a.label, t.measure_label], rows, (total_label, [p.total]))
    a, b = t.axes
    header = [f"{a.label} \\ {b.label}", *b.labels, total_label]
    rows = [
        (a.labels[i], [*(p.cells[(i, j)] for j in range(len(b.keys))), p.margins[0][i]])
        for i in range(len(a.keys))
    ]
    return Grid(caption, header, rows, (total_label, [*p.margins[1], p.total]))


def export_rows(g: Grid) -> list[list[Any]]:
    """What the page shows, as cells: numbers stay numbers, markers stay text."""

    def cell(e: Entry) -> Any:
        return e.published if e.published is not None else str(e)

    rows = [[label, *(cell(e) for e in entries)] for label, entries in g.rows]
    if g.footer:
        rows.append([g.footer[0], *(cell(e) for e in g.footer[1])])
    return rows


def json_csv_rows(t: CaseTable) -> tuple[list[str], list[list[Any]]]:
    """The CLI's CSV: one line per cell, margin and total, as in the JSON."""
    data = t.as_json()
    dims = data["dimensions"]
    header = ["kind", *dims, "value", "suppressed"]
    rows: list[list[Any]] = []
    for kind, items in (("cell", data["cells"]), ("margin", data["margins"])):
        for item in items:
            keys = [item["keys"].get(d, "") for d in dims]
            rows.append([kind, *keys, item["value"], str(item["suppressed"]).lower()])
    total = data["total"]
    rows.append(["total", *([""] * len(dims)), total["value"], str(total["suppressed"]).lower()])
    return header, rows


# --- chart --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    text: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    baseline: float
    bars: list[Bar]
    title: str


def chart(t: CaseTable, g: Grid, width: int = 720, height: int = 260) -> Chart | None:
    """Bars of the first dimension's values (its margin); suppressed values get no bar but
    their marker, exactly as in the table. None for a table without a dimension."""
    if not t.axes:
        return None
    pairs = [(label, entries[-1] if len(t.axes) == 2 else entries[0]) for label, entries in g.rows]
    top = max([e.published or 0 for _l, e in pairs] + [1])
    left, plot_top, baseline = 10.0, 20.0, float(height - 60)
    slot = (width - left - 10) / max(len(pairs), 1)
    bars = []
    for i, (label, e) in enumerate(pairs):
        value = e.published or 0
        h = (baseline - plot_top) * value / top
        bars.append(
            Bar(left + i * slot + slot * 0.15, baseline - h, slot * 0.7, h, label[:18], str(e))
        )
    title = _("Bar chart: %(measure)s by %(dimension)s; the figures are in the table.") % {
        "measure": t.measure_label,
        "dimension": t.axes[0].label,
    }
    return Chart(width, height, baseline, bars, title)
