"""The zahlenmäßiger Nachweis as XLSX, DOCX, PDF and JSON (decisions D-085).

All four are written from one ``Layout`` built from a ``Statement``, so they cannot disagree.
The layout follows the usual model of a Verwendungsnachweis (VV zu § 44 LHO; Anlage 3 of the KIM
guideline of 2020): a header block (recipient, grantor, programme, notices and their numbers,
period), I. income, II. expenditure, III. result (funding due against funding received, with the
arithmetic), the confirmation and a place/date/signature block; the per-post table and the
passed-on funds follow as annexes. The document is German whatever the reader's language: it is
handed to an authority.

The XLSX keeps amounts as numbers (formatted ``#.##0,00``) so that the Bezirksregierung's sheet
can add them up; every text cell is stored as text – a title such as "=SUMME(A1)" stays text.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import override, pgettext

from kim.core.exports import write_cell
from kim.core.formats import date_de, decimal_de, euro
from kim.core.pdf import html_to_pdf

from .statement import PostLine, Statement

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"
JSON = "application/json"
CONTENT_TYPES = {"xlsx": XLSX, "docx": DOCX, "pdf": PDF, "json": JSON}
MONEY_FORMAT = "#,##0.00"


@dataclass(frozen=True)
class Row:
    label: str
    amount: Decimal | None
    note: str = ""
    total: bool = False
    indent: bool = False

    @property
    def shown(self) -> str:
        return euro(self.amount) if self.amount is not None else ""


@dataclass(frozen=True)
class Annex:
    title: str
    columns: list[str]
    numeric: list[bool]
    rows: list[list[Any]]  # raw values: str, int, Decimal or None
    footer: list[Any] | None = None
    empty: str = ""

    def shown(self, values: Sequence[Any]) -> list[str]:
        return [_show(v) for v in values]

    @property
    def shown_rows(self) -> list[list[str]]:
        return [self.shown(r) for r in self.rows]

    @property
    def footer_cells(self) -> list[tuple[str, bool]]:
        return list(zip(self.shown_footer, self.numeric, strict=True)) if self.footer else []

    @property
    def cells(self) -> list[list[tuple[str, bool]]]:
        """Each row's cells as (text, right-aligned) for the HTML print."""
        return [list(zip(self.shown(r), self.numeric, strict=True)) for r in self.rows]

    @property
    def shown_footer(self) -> list[str]:
        return self.shown(self.footer) if self.footer else []


@dataclass(frozen=True)
class Layout:
    title: str
    status: str
    header: list[tuple[str, str]]
    income: list[Row]
    expenditure: list[Row]
    result: list[Row]
    balance_text: str
    annexes: list[Annex]
    warnings: list[str]
    sources: list[str]
    confirmation: str
    place: str
    signature: list[str] = field(default_factory=list)
    headings: dict[str, str] = field(default_factory=dict)

    @property
    def blocks(self) -> list[tuple[str, list[Row]]]:
        """I. income, II. expenditure, III. result with their headings."""
        return [
            (self.headings["income"], self.income),
            (self.headings["expenditure"], self.expenditure),
            (self.headings["result"], self.result),
        ]


def _show(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, Decimal):
        return decimal_de(value)
    return str(value)


def _months(numbers: Sequence[int]) -> str:
    return ", ".join(f"{n:02d}" for n in numbers) if numbers else "–"


def layout(
    statement: Statement, *, status: str = "", place: str = "", post_costs: bool = True
) -> Layout:
    """The printed statement; ``post_costs=False`` leaves out per-post actual cost (a reader who
    may not see the payroll of the posts' employers sees the totals only)."""
    with override("de"):
        return _layout(statement, status, place, post_costs)


def _layout(st: Statement, status: str, place: str, post_costs: bool) -> Layout:
    land = st.kind == "land"
    header = [
        (_("Recipient"), st.organisation),
        (pgettext("proof of use", "Grantor"), st.grantor),
        (_("Programme"), _("Kommunales Integrationsmanagement NRW (KIM)")),
    ]
    if land:
        for grant in st.grants:
            header.append(
                (
                    _("Grant notice Baustein %(baustein)s") % {"baustein": grant.baustein[1:]},
                    _("%(reference)s of %(date)s, %(amount)s for %(vze)s VZÄ")
                    % {
                        "reference": grant.file_reference or grant.code,
                        "date": date_de(grant.notice_date),
                        "amount": euro(grant.amount),
                        "vze": decimal_de(grant.approved_vze),
                    },
                )
            )
    else:
        header.append((_("Pass-through agreement"), st.grant))
    header += [
        (_("Funding year"), str(st.year)),
        (
            _("Funding period"),
            f"{date_de(st.period_start)} – {date_de(st.period_end)}",
        ),
    ]
    if st.due_on:
        header.append((_("Due on"), date_de(st.due_on)))
    received_label = _("Land funding received") if land else _("Funds received from the grantor")
    income = [
        Row(received_label, st.land_received),
        Row(_("Own funds (Eigenanteil)"), st.own_funds),
        Row(_("Third-party funds"), st.third_party, st.third_party_note),
        Row(_("Total income"), st.income_total, total=True),
    ]
    expenditure = [
        Row(_("Personnel expenditure (own posts, actual cost)"), st.personnel),
        Row(_("Workplace setup"), st.setup),
        Row(_("Funds passed on"), st.passed_on),
    ]
    expenditure += [
        Row(
            r.name,
            r.passed_on,
            _("proof: %(status)s") % {"status": r.proof_status_label},
            indent=True,
        )
        for r in st.recipients
    ]
    expenditure.append(Row(_("Total expenditure"), st.expenditure_total, total=True))
    due_label = _("Land funding due under the rates") if land else _("Funding due under the rates")
    result = [
        Row(due_label, st.land_funding_due),
        Row(received_label, st.land_received),
        Row(
            _("Balance (received − due)"),
            st.balance,
            {
                "reclaim": _("to be paid back"),
                "outstanding": _("still outstanding"),
                "even": _("settled"),
            }[st.balance_kind],
            total=True,
        ),
    ]
    annexes = [_posts_annex(st, post_costs)]
    if st.recipients:
        annexes.append(_recipients_annex(st))
    return Layout(
        title=_("Proof of use %(year)d – financial statement (zahlenmäßiger Nachweis)")
        % {"year": st.year},
        status=status,
        header=header,
        income=income,
        expenditure=expenditure,
        result=result,
        balance_text=st.balance_text,
        annexes=annexes,
        warnings=list(st.warnings),
        sources=list(st.sources),
        confirmation=_(
            "It is confirmed that the general and special conditions of the grant notice were "
            "observed, that the expenditure was necessary, that the funds were used economically "
            "and sparingly, and that the figures agree with the books and records."
        ),
        place=place,
        signature=[_("Place, date"), _("Signature, official stamp")],
        headings={
            "income": _("I. Income"),
            "expenditure": _("II. Expenditure"),
            "result": _("III. Result"),
            "sources": _("Rates and rules applied, with their sources"),
        },
    )


def _post_cost(line: PostLine, post_costs: bool) -> Decimal | None:
    return line.actual_cost if post_costs else None


def _posts_annex(st: Statement, post_costs: bool) -> Annex:
    columns = [
        _("Post"),
        _("Baustein"),
        _("Organisation"),
        _("VZÄ"),
        _("Months filled"),
        _("Months vacant"),
        _("Months funded"),
        _("Actual cost (€)"),
        _("Setup (€)"),
        _("Rate per VZÄ and year (€)"),
        _("Funding due (€)"),
        _("Proven by"),
    ]
    numeric = [False, False, False, True, True, True, True, True, True, True, True, False]
    rows = [
        [
            p.title,
            p.baustein,
            p.home,
            p.vze,
            p.months_filled,
            p.months_vacant,
            p.months_funded,
            _post_cost(p, post_costs),
            p.setup_cost if post_costs else None,
            p.rate_per_vza_year,
            p.land_funding_due,
            p.passed_to or st.organisation,
        ]
        for p in st.posts
    ]
    footer = [
        _("Total"),
        "",
        "",
        sum((p.vze for p in st.posts), Decimal(0)),
        "",
        "",
        "",
        st.personnel if post_costs else None,
        st.setup if post_costs else None,
        "",
        st.land_funding_due,
        "",
    ]
    return Annex(
        title=_("Annex 1: posts"),
        columns=columns,
        numeric=numeric,
        rows=rows,
        footer=footer,
        empty=_("No post was funded or filled in the year."),
    )


def _recipients_annex(st: Statement) -> Annex:
    columns = [
        _("Recipient"),
        _("Agreement"),
        _("Passed on (€)"),
        _("Proof"),
        _("Accepted expenditure (€)"),
        _("Accepted funding due (€)"),
        _("Reclaim (€)"),
    ]
    rows = []
    for r in st.recipients:
        accepted = r.accepted or {}
        expenditure = accepted.get("expenditure", {}).get("total")
        due = accepted.get("land_funding_due")
        rows.append(
            [
                r.name,
                r.agreement_title,
                r.passed_on,
                r.proof_status_label,
                Decimal(expenditure) if expenditure is not None else None,
                Decimal(due) if due is not None else None,
                r.reclaim,
            ]
        )
    return Annex(
        title=_("Annex 2: funds passed on and the recipients' proofs"),
        columns=columns,
        numeric=[False, False, True, False, True, True, True],
        rows=rows,
        footer=[_("Total"), "", st.passed_on, "", None, None, None],
    )


# --- XLSX -----------------------------------------------------------------------------------------


def statement_xlsx(
    st: Statement, *, status: str = "", place: str = "", post_costs: bool = True
) -> bytes:
    from openpyxl import Workbook

    doc = layout(st, status=status, place=place, post_costs=post_costs)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    with override("de"):
        sheet.title = _("Proof of use")[:31]
        sources_title = _("Sources")[:31]
    _xlsx_front(sheet, doc)
    for annex in doc.annexes:
        _xlsx_annex(book.create_sheet(annex.title.split(":")[0][:31]), annex)
    if doc.sources:
        ws = book.create_sheet(sources_title)
        _xlsx_bold(write_cell(ws, 1, 1, doc.headings["sources"]))
        for line, source in enumerate(doc.sources, start=3):
            write_cell(ws, line, 1, source)
        ws.column_dimensions["A"].width = 120
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _xlsx_bold(cell: Any, size: int | None = None) -> Any:
    from openpyxl.styles import Font

    cell.font = Font(bold=True, size=size) if size else Font(bold=True)
    return cell


def _xlsx_rule(cell: Any) -> None:
    from openpyxl.styles import Border, Side

    cell.border = Border(top=Side(style="thin"))


def _xlsx_front(sheet: Any, doc: Layout) -> None:
    """Header block, I.–III., notes, confirmation and the signature block."""
    from openpyxl.styles import Alignment, Font

    _xlsx_bold(write_cell(sheet, 1, 1, doc.title), 14)
    row = 2
    if doc.status:
        write_cell(sheet, row, 1, doc.status).font = Font(italic=True)
        row += 1
    row += 1
    for label, value in doc.header:
        _xlsx_bold(write_cell(sheet, row, 1, label))
        write_cell(sheet, row, 2, value)
        row += 1
    for title, rows in doc.blocks:
        row += 1
        _xlsx_bold(write_cell(sheet, row, 1, title), 12)
        row += 1
        for item in rows:
            label = write_cell(sheet, row, 1, ("    " if item.indent else "") + item.label)
            amount = write_cell(sheet, row, 2, item.amount)
            amount.number_format = MONEY_FORMAT
            if item.note:
                write_cell(sheet, row, 3, item.note)
            if item.total:
                _xlsx_bold(label)
                _xlsx_bold(amount)
                _xlsx_rule(amount)
            row += 1
    write_cell(sheet, row, 1, doc.balance_text)
    row += 2
    for warning in doc.warnings:
        write_cell(sheet, row, 1, warning)
        row += 1
    row += 1
    write_cell(sheet, row, 1, doc.confirmation).alignment = Alignment(wrap_text=True)
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=3)
    sheet.row_dimensions[row].height = 45
    row += 3
    write_cell(sheet, row, 1, doc.place)
    for column, label in enumerate(doc.signature, start=1):
        _xlsx_rule(write_cell(sheet, row + 1, column * 2 - 1, label))
    for letter, width in (("A", 58), ("B", 62), ("C", 30)):
        sheet.column_dimensions[letter].width = width


def _xlsx_annex(ws: Any, annex: Annex) -> None:
    from openpyxl.utils import get_column_letter

    _xlsx_bold(write_cell(ws, 1, 1, annex.title), 12)
    for column, name in enumerate(annex.columns, start=1):
        _xlsx_bold(write_cell(ws, 3, column, name))
    line = 4
    for values in annex.rows:
        _xlsx_row(ws, line, values, annex.numeric)
        line += 1
    if not annex.rows and annex.empty:
        write_cell(ws, line, 1, annex.empty)
        line += 1
    if annex.footer:
        for cell in _xlsx_row(ws, line, annex.footer, annex.numeric):
            _xlsx_bold(cell)
            _xlsx_rule(cell)
    for column in range(1, len(annex.columns) + 1):
        ws.column_dimensions[get_column_letter(column)].width = 16 if column > 1 else 40
    ws.freeze_panes = "A4"


def _xlsx_row(sheet: Any, row: int, values: Sequence[Any], numeric: Sequence[bool]) -> list[Any]:
    cells = []
    for column, (value, is_number) in enumerate(zip(values, numeric, strict=True), start=1):
        cell = write_cell(sheet, row, column, "–" if value is None and is_number else value)
        if isinstance(value, Decimal):
            cell.number_format = MONEY_FORMAT
        cells.append(cell)
    return cells


# --- DOCX and PDF ---------------------------------------------------------------------------------


def statement_docx(
    st: Statement, *, status: str = "", place: str = "", post_costs: bool = True
) -> bytes:
    from docx import Document
    from docx.shared import Cm, Pt

    doc = layout(st, status=status, place=place, post_costs=post_costs)
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.0)
    document.core_properties.title = doc.title
    document.core_properties.language = "de-DE"
    document.styles["Normal"].font.size = Pt(10)
    _docx_front(document, doc)
    for annex in doc.annexes:
        _docx_annex(document, annex)
    if doc.sources:
        document.add_heading(doc.headings["sources"], level=2)
        for source in doc.sources:
            document.add_paragraph(source, style="List Bullet")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _docx_bold(row: Any, size: Any = None) -> None:
    for cell in row.cells:
        for run in cell.paragraphs[0].runs:
            run.bold = True if size is None else run.bold
            if size is not None:
                run.font.size = size


def _docx_front(document: Any, doc: Layout) -> None:
    document.add_heading(doc.title, level=1)
    if doc.status:
        document.add_paragraph(doc.status).runs[0].italic = True
    _docx_table(document, [[k, v] for k, v in doc.header], numeric=[False, False])
    for title, rows in doc.blocks:
        document.add_heading(title, level=2)
        cells = [[("    " if r.indent else "") + r.label, r.shown, r.note] for r in rows]
        table = _docx_table(document, cells, numeric=[False, True, False])
        for line, item in zip(table.rows, rows, strict=True):
            if item.total:
                _docx_bold(line)
    document.add_paragraph(doc.balance_text)
    for warning in doc.warnings:
        document.add_paragraph(warning, style="List Bullet")
    document.add_paragraph(doc.confirmation)
    signature = _docx_table(
        document, [[doc.place, ""], ["", ""], list(doc.signature)], numeric=[False, False]
    )
    signature.style = None


def _docx_annex(document: Any, annex: Annex) -> None:
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm, Pt

    new = document.add_section()
    new.orientation = WD_ORIENT.LANDSCAPE
    new.page_width, new.page_height = Cm(29.7), Cm(21.0)
    new.left_margin = new.right_margin = Cm(1.5)
    document.add_heading(annex.title, level=2)
    if not annex.rows:
        document.add_paragraph(annex.empty)
        return
    rows = [annex.columns, *annex.shown_rows]
    if annex.footer:
        rows.append(annex.shown_footer)
    table = _docx_table(document, rows, numeric=annex.numeric, header=True)
    _docx_bold(table.rows[0])
    for line in table.rows:
        _docx_bold(line, Pt(8))
    if annex.footer:
        _docx_bold(table.rows[-1])


def _docx_table(
    document: Any, rows: list[list[str]], *, numeric: Sequence[bool], header: bool = False
) -> Any:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    table = document.add_table(rows=0, cols=len(numeric))
    table.style = "Table Grid"
    for index, values in enumerate(rows):
        cells = table.add_row().cells
        for cell, text, is_number in zip(cells, values, numeric, strict=True):
            cell.text = str(text)
            if is_number and not (header and index == 0):
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    return table


def statement_html(
    st: Statement, *, status: str = "", place: str = "", post_costs: bool = True
) -> str:
    """A standalone printable page (what the PDF is made of)."""
    doc = layout(st, status=status, place=place, post_costs=post_costs)
    with override("de"):
        return render_to_string("proofs/statement_print.html", {"doc": doc})


def statement_pdf(
    st: Statement, *, status: str = "", place: str = "", post_costs: bool = True
) -> bytes:
    return html_to_pdf(statement_html(st, status=status, place=place, post_costs=post_costs))


def statement_json(st: Statement) -> bytes:
    return (json.dumps(st.to_json(), ensure_ascii=False, indent=2) + "\n").encode()


def render(st: Statement, fmt: str, **options: Any) -> bytes:
    """The statement in ``fmt`` (xlsx, docx, pdf or json)."""
    if fmt == "json":
        return statement_json(st)
    writer = {"xlsx": statement_xlsx, "docx": statement_docx, "pdf": statement_pdf}[fmt]
    return writer(st, **options)


def file_name(st: Statement, fmt: str) -> str:
    """e.g. ``verwendungsnachweis-2025-kreis-siegen-wittgenstein.xlsx``."""
    from django.utils.text import slugify

    return f"verwendungsnachweis-{st.year}-{slugify(st.organisation)[:40]}.{fmt}"
