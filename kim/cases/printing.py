"""The printed consent form as HTML, PDF and DOCX (issue 19, D-092): the binding German form
first, then the translation – each a complete form with its signature block – headed with the
language's name in German and in the language itself and the note that German is binding.
Right-to-left languages get ``dir="rtl"`` (HTML, PDF) and Word's bidi marks (DOCX); demo
texts carry a visible mark.
"""

from __future__ import annotations

import io

from django.template.loader import render_to_string

from kim.cases.models import Case
from kim.cases.queries.consent import DEMO_MARK, FilledForm, print_css
from kim.core import docx_text


def consent_form_html(case: Case, forms: list[FilledForm], *, inline: bool = True) -> str:
    """The page the PDF is made of (print CSS inline)."""
    context = {"case": case, "forms": forms, "demo_mark": DEMO_MARK}
    if inline:
        context["inline_css"] = print_css()
    return render_to_string("cases/consent_form_print.html", context)


def consent_form_docx(case: Case, forms: list[FilledForm]) -> bytes:
    """The same forms as a Word document, one after the other, German first."""
    from docx.enum.text import WD_BREAK

    doc = docx_text.new_document()
    for index, form in enumerate(forms):
        lang = form.language
        if index:
            doc.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)
            docx_text.add_paragraph(doc, form.heading, "de", bold=True)
            if form.is_demo:
                docx_text.add_paragraph(doc, DEMO_MARK, "de", bold=True)
            if form.binding_note:
                docx_text.add_paragraph(doc, form.binding_note, lang, bold=True)
        docx_text.add_heading(doc, form.title, lang, level=1 if index == 0 else 2)
        for block in form.body.split("\n\n"):
            for line in block.split("\n"):
                if line.strip():
                    docx_text.add_paragraph(doc, line.strip(), lang)
        table = doc.add_table(rows=2, cols=2)
        for column, label in enumerate((form.place_date_label, form.signature_label)):
            top, bottom = table.cell(0, column), table.cell(1, column)
            top.paragraphs[0].add_run("\n\n_____________________________")
            docx_text.add_run(bottom.paragraphs[0], label, lang)
            docx_text.mark_paragraph(bottom.paragraphs[0], lang)
        if form.certified_by and index:
            docx_text.add_paragraph(doc, f"Übersetzung bestätigt von: {form.certified_by}", "de")
    footer = doc.sections[0].footer.paragraphs[0]
    footer.add_run(f"{case.organisation.name} · {case.person.number}")
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
