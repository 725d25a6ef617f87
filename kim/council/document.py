"""A report as plain data: what every renderer (HTML, DOCX, PDF) reads.

One engine for two kinds of report (decisions D-087): the administration's report on a council
motion (``kind="council"``: Vorlage header, Beratungsfolge, Beschlussvorschlag, the motion it
answers) and the Sachbericht of a proof of use (``kind="sachbericht"``, ``kim.proofs``: a title,
header rows such as the recipient and the funding year, the reporting period). The header of
a Sachbericht is data (``header_rows``); the council parts are simply empty there.

A report is composed from live data into a ``ReportDocument``; on release the document is
frozen as JSON (``to_dict``) and every later rendering reads the frozen copy (``from_dict``),
so a released report never changes when the data behind it does. Renderers never query the
database: everything they print is in here, already formatted for a German reader (numbers as
"5,00", dates as "07.09.2022"); raw values travel alongside for machine use and tests.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

SCHEMA_VERSION = 2
# Schema 1 (council reports released before D-087) lacks ``kind``, ``header_rows`` and
# ``period``; their defaults describe such a report exactly, so it loads unchanged.
READABLE_SCHEMAS = frozenset({1, SCHEMA_VERSION})
KIND_COUNCIL = "council"
KIND_SACHBERICHT = "sachbericht"

# A block table longer than this is printed as a summary, with the full list as an XLSX
# attachment (decisions D-080): 1,000 talks made a 110-page PDF.
LONG_TABLE_ROWS = 25


@dataclass(frozen=True)
class Table:
    caption: str
    columns: list[str]
    rows: list[list[str]]  # display strings, one per column
    numeric: list[bool]  # per column: right-align
    footer: list[str] | None = None  # e.g. a total row
    values: list[list[Any]] = field(default_factory=list)  # raw values (str of Decimal, ISO dates)


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float]


@dataclass(frozen=True)
class Chart:
    """A grouped bar chart; its data is always also given as a table (``Block.table``)."""

    title: str
    alt: str  # alternative text for the image
    categories: list[str]
    series: list[Series]
    unit: str = ""


@dataclass(frozen=True)
class Block:
    """One answer block: live figures as text + table (+ chart), with reference date and source."""

    key: str
    title: str
    text: str
    as_of: str  # "31.08.2022"
    sources: list[str]
    table: Table | None = None
    chart: Chart | None = None
    # A table of more than ``LONG_TABLE_ROWS`` rows: what is printed instead (e.g. talks by
    # year and outcome), and the stem of the XLSX attachment that holds ``table`` in full.
    # Versions released before D-080 have neither and print ``table`` as it was.
    summary: Table | None = None
    attachment: str = ""

    @property
    def printed_table(self) -> Table | None:
        """The table the report prints: the summary of a long list, else the list itself."""
        return self.summary or self.table


@dataclass(frozen=True)
class Section:
    number: str  # "1"
    question: str
    narrative: str
    blocks: list[Block]


@dataclass(frozen=True)
class Consultation:
    committee: str
    date: str  # "07.09.2022"
    role: str  # "Kenntnisnahme"
    public: bool = True


@dataclass(frozen=True)
class HeaderRow:
    """One label/value line of the header (``Zuwendungsempfänger: Stadt Siegen``)."""

    label: str
    value: str


@dataclass(frozen=True)
class ReportDocument:
    body: str  # "Stadt Siegen"
    department: str  # the department under whose direction the paper is
    reference: str  # the report's own reference number
    date: str  # date of the paper
    paper_type: str  # "Mitteilungsvorlage"
    subject: str  # Betreff
    as_of: str  # Stichtag
    consultations: list[Consultation]
    proposal: str  # Beschlussvorschlag
    introduction: str
    sections: list[Section]
    motion_reference: str = ""
    motion_title: str = ""
    motion_date: str = ""
    motion_originators: list[str] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)
    version: int = 0  # 0 = draft
    status: str = "draft"  # "draft" or "released"
    released_on: str = ""
    # D-087: what kind of report (the header and the parts printed follow from it), the
    # header rows of a non-council report, and the period the figures cover ("01.01.2025 –
    # 31.12.2025"; empty: as of ``as_of``).
    kind: str = KIND_COUNCIL
    header_rows: list[HeaderRow] = field(default_factory=list)
    period: str = ""
    schema: int = SCHEMA_VERSION

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ReportDocument:
        if data.get("schema") not in READABLE_SCHEMAS:
            raise ValueError(f"unknown report schema {data.get('schema')!r}")
        sections = [
            Section(
                number=s["number"],
                question=s["question"],
                narrative=s["narrative"],
                blocks=[_block(b) for b in s["blocks"]],
            )
            for s in data["sections"]
        ]
        consultations = [Consultation(**c) for c in data["consultations"]]
        header_rows = [HeaderRow(**r) for r in data.get("header_rows", [])]
        rest = {
            k: v
            for k, v in data.items()
            if k not in ("sections", "consultations", "header_rows", "schema")
        }
        return cls(
            sections=sections,
            consultations=consultations,
            header_rows=header_rows,
            schema=SCHEMA_VERSION,
            **rest,
        )

    @property
    def is_draft(self) -> bool:
        return self.status != "released"

    @property
    def is_council(self) -> bool:
        """A Vorlage answering a motion: Beratungsfolge, Beschlussvorschlag, Sachverhalt."""
        return self.kind == KIND_COUNCIL

    @property
    def table_rows(self) -> int:
        """The rows of every answer block's printed table: what a rendering's length grows
        with (a summarised list counts with its summary, its full list is an attachment)."""
        return sum(
            len(table.rows)
            for section in self.sections
            for block in section.blocks
            if (table := block.printed_table) is not None
        )

    @property
    def summarised_blocks(self) -> list[Block]:
        """The blocks whose full list goes with the report as an XLSX attachment, once each."""
        found: dict[str, Block] = {}
        for section in self.sections:
            for block in section.blocks:
                if block.summary is not None and block.table is not None and block.attachment:
                    found.setdefault(block.key, block)
        return list(found.values())


def released(doc: ReportDocument, number: int, released_on: str) -> ReportDocument:
    """``doc`` as version ``number``, released on ``released_on`` ("07.09.2022"): what a
    release freezes, whatever the kind of report."""
    return replace(doc, version=number, status="released", released_on=released_on)


def _block(data: dict[str, Any]) -> Block:
    table = Table(**data["table"]) if data.get("table") else None
    summary = Table(**data["summary"]) if data.get("summary") else None
    chart = None
    if data.get("chart"):
        chart_data = dict(data["chart"])
        chart_data["series"] = [Series(**s) for s in chart_data["series"]]
        chart = Chart(**chart_data)
    rest = {k: v for k, v in data.items() if k not in ("table", "chart", "summary")}
    return Block(table=table, chart=chart, summary=summary, **rest)


def sample() -> ReportDocument:
    """A small complete document for renderer tests (no database)."""
    table = Table(
        caption="KIM-Stellen der Stadt Siegen je Baustein am 31.08.2022 (VZÄ)",
        columns=["Baustein", "VZÄ gesamt", "besetzt", "unbesetzt"],
        rows=[
            ["Baustein 1 – Strategische Steuerung", "0,00", "0,00", "0,00"],
            ["Baustein 2 – Case Management", "5,00", "3,00", "2,00"],
            ["Baustein 3 – Ausländer- und Einbürgerungsbehörden", "1,00", "1,00", "0,00"],
        ],
        numeric=[False, True, True, True],
        footer=["Summe", "6,00", "4,00", "2,00"],
        values=[["B1", "0", "0", "0"], ["B2", "5", "3", "2"], ["B3", "1", "1", "0"]],
    )
    chart = Chart(
        title="KIM-Stellen je Baustein (VZÄ)",
        alt="Balkendiagramm: Baustein 2 hat 5,00 VZÄ, davon 3,00 besetzt; Baustein 3 1,00 VZÄ.",
        categories=["B1", "B2", "B3"],
        series=[Series("besetzt", [0, 3, 1]), Series("unbesetzt", [0, 2, 0])],
        unit="VZÄ",
    )
    block = Block(
        key="positions_per_baustein",
        title="Stellen je Baustein",
        text="Auf die Stadt Siegen entfallen am 31.08.2022 insgesamt 6,00 VZÄ.",
        as_of="31.08.2022",
        sources=["KIM-Plattform, Stellenverwaltung (Stand 31.08.2022)"],
        table=table,
        chart=chart,
    )
    return ReportDocument(
        body="Stadt Siegen",
        department="Sozialamt",
        reference="1234/2022",
        date="01.09.2022",
        paper_type="Mitteilungsvorlage",
        subject="Umsetzung des Kommunalen Integrationsmanagements (KIM) – Bericht",
        as_of="31.08.2022",
        consultations=[
            Consultation(
                "Ausschuss für Soziales, Familien und Senioren", "07.09.2022", "Kenntnisnahme"
            )
        ],
        proposal="Der Ausschuss nimmt den Bericht zur Kenntnis.",
        introduction="Mit Antrag vom 19.08.2022 haben die Fraktionen um einen Bericht gebeten.",
        sections=[
            Section(
                "1",
                "Wie viele Stellen entfallen auf die Stadt Siegen?",
                "Die Verwaltung berichtet wie folgt.",
                [block],
            ),
            Section("2", "Wie sollen die Stellen besetzt werden?", "Noch offen.", []),
        ],
        motion_reference="A 77/2022",
        motion_title="Antrag: Berichterstattung über KIM",
        motion_date="19.08.2022",
        motion_originators=["CDU-Fraktion", "SPD-Fraktion"],
        attachments=[],
    )
