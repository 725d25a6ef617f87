"""The report engine shared by the council report and the Sachbericht (decisions D-087).

No database: the document model and the renderers only.
"""

from __future__ import annotations

import dataclasses
import io

import docx
import pytest

from kim.council.document import (
    KIND_COUNCIL,
    KIND_SACHBERICHT,
    SCHEMA_VERSION,
    HeaderRow,
    ReportDocument,
    released,
    sample,
)
from kim.council.render import file_name, render
from kim.council.render.text import file_prefix, header_rows, reference_line


def _schema_1(doc: ReportDocument) -> dict[str, object]:
    """A snapshot as a council version released before D-087 stored it."""
    data = doc.to_dict()
    for key in ("kind", "header_rows", "period"):
        del data[key]
    data["schema"] = 1
    return data


def test_a_snapshot_of_schema_1_still_loads_and_renders_as_before() -> None:
    old = released(sample(), 2, "05.09.2022")
    loaded = ReportDocument.from_dict(_schema_1(old))
    assert loaded == dataclasses.replace(old, schema=SCHEMA_VERSION)
    assert loaded.kind == KIND_COUNCIL and loaded.header_rows == [] and loaded.period == ""
    assert render(loaded, "html")[0] == render(old, "html")[0]
    assert render(loaded, "docx")[0] == render(old, "docx")[0]


def test_an_unknown_schema_is_refused() -> None:
    data = sample().to_dict()
    data["schema"] = 99
    with pytest.raises(ValueError, match="unknown report schema 99"):
        ReportDocument.from_dict(data)


def _sachbericht() -> ReportDocument:
    return dataclasses.replace(
        sample(),
        kind=KIND_SACHBERICHT,
        department="",
        reference="2025 Stadt Siegen",
        paper_type="Sachbericht",
        subject="Sachbericht zum Verwendungsnachweis 2025",
        consultations=[],
        proposal="",
        header_rows=[HeaderRow("Förderjahr", "2025"), HeaderRow("Zuwendungsempfänger", "Siegen")],
        period="01.01.2025 – 31.12.2025",
    )


def test_a_report_of_another_kind_prints_its_header_rows_and_no_council_parts() -> None:
    doc = _sachbericht()
    assert ReportDocument.from_dict(doc.to_dict()) == doc
    assert header_rows(doc) == [("Förderjahr", "2025"), ("Zuwendungsempfänger", "Siegen")]
    assert reference_line(doc) == "Sachbericht 01.01.2025 – 31.12.2025"
    html = render(doc, "html")[0].decode()
    assert "Förderjahr" in html and "Beschlussvorschlag" not in html
    assert "Beratungsfolge" not in html and "Betreff:" not in html
    document = docx.Document(io.BytesIO(render(doc, "docx")[0]))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings[0] == "1. Wie viele Stellen entfallen auf die Stadt Siegen?"
    assert "Sachverhalt" not in headings
    assert file_name(doc.reference, "Entwurf", "pdf", file_prefix(doc)) == (
        "Sachbericht-2025-Stadt-Siegen-Entwurf.pdf"
    )
    # The council report keeps its header: paper number and date first.
    assert [value for _label, value in header_rows(sample())[:2]] == ["1234/2022", "01.09.2022"]
