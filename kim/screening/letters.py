"""The invitation letter (DOCX) for one person of a list: an invitation to counselling, never a
legal promise.

Content: the authority as sender, placeholders for address and date, the file number, a
salutation with the label (or a placeholder), the rules that look promising (likely now or from
a date), the documents to bring (derived from the criteria that are unclear or not met) and the
authority's contact (placeholders where the platform does not know it). The letter is always
German, whatever the officer's UI language.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kim.organisations.models import Organisation
from kim.screening.models import Rule, ScreeningEntry
from kim.screening.queries.lists import results_of

FONT = "Arial"

# Keywords in a criterion id → the document that proves it (first match wins).
DOCUMENTS: list[tuple[tuple[str, ...], str]] = [
    (
        ("oral", "language", "german", "sprach"),
        gettext_noop("Language certificate (e.g. DTZ, telc, Goethe)"),
    ),
    (
        ("test", "knowledge"),
        gettext_noop("Certificate of the “Leben in Deutschland” or naturalisation test"),
    ),
    (("school", "education", "qualification"), gettext_noop("School reports and certificates")),
    (("identity", "passport"), gettext_noop("Passport or other proof of identity")),
    (("livelihood", "benefit", "sgb", "employ", "income"), gettext_noop("Proof of income")),
    (("child",), gettext_noop("School certificates of your children")),
    (
        ("period", "residence", "status", "duldung", "years", "stay"),
        gettext_noop("Your current papers"),
    ),
]


@dataclass(frozen=True)
class Promising:
    title: str
    when: str  # "" (now) or the date from which it looks likely


def promising_rules(results: list[dict[str, Any]]) -> list[Promising]:
    items = []
    for result in results:
        title = str(Rule(result["rule"]).label) if result["rule"] in Rule.values else ""
        if result.get("outcome") == "likely":
            items.append(Promising(title, ""))
        elif result.get("met_from") and result.get("outcome") != "not_in_force":
            day = formats.date_format(_iso(result["met_from"]), "SHORT_DATE_FORMAT")
            items.append(Promising(title, day))
    return items


def _iso(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def documents_to_bring(results: list[dict[str, Any]]) -> list[str]:
    """Documents for the checkable criteria that are unclear or not met (of rules in force),
    plus the passport that every application needs."""
    wanted: list[str] = []
    for result in results:
        if result.get("outcome") == "not_in_force":
            continue
        for c in result.get("criteria", []):
            if c.get("kind") != "checkable" or c.get("met") is True:
                continue
            cid = str(c.get("id", "")).lower()
            for keywords, document in DOCUMENTS:
                if any(k in cid for k in keywords):
                    if document not in wanted:
                        wanted.append(document)
                    break
    passport = gettext_noop("Passport or other proof of identity")
    return [_(d) for d in ([passport] if passport not in wanted else []) + wanted]


def _paragraph(doc: Any, text: str, *, bold: bool = False, size: int = 11) -> None:
    from docx.shared import Pt

    run = doc.add_paragraph().add_run(text)
    run.bold = bold
    run.font.size = Pt(size)
    run.font.name = FONT


def _bullets(doc: Any, items: list[str]) -> None:
    for item in items:
        paragraph = doc.add_paragraph(style="List Bullet")
        paragraph.add_run(item).font.name = FONT


def _body(doc: Any, entry: ScreeningEntry, authority: Organisation) -> None:
    results = results_of(entry)
    promising = promising_rules(results)
    _paragraph(doc, _("Your file number: %s") % entry.ref)
    _paragraph(doc, _("Dear %s,") % (entry.label or _("[name]")))
    _paragraph(
        doc,
        _(
            "we would like to invite you to a counselling appointment about your residence "
            "prospects. A first check of the information we hold suggests that the following "
            "may be possible for you:"
        ),
    )
    _bullets(doc, [_rule_line(p) for p in promising] or [_("a secure right of residence")])
    _paragraph(doc, _("Please bring the following documents, where you have them:"))
    _bullets(doc, documents_to_bring(results))
    _paragraph(
        doc,
        _(
            "This letter is not a decision and makes no promise. Whether a residence permit "
            "or naturalisation can be granted is decided by the authority only after an "
            "application and a full examination of your individual case."
        ),
        bold=True,
    )
    _paragraph(doc, _("Contact: %s") % authority.name)
    _paragraph(doc, _("[telephone, e-mail, office hours, room]"))
    _paragraph(doc, _("Kind regards"))
    _paragraph(doc, _("[name of the officer]"))


def _rule_line(p: Promising) -> str:
    return (
        p.title
        if not p.when
        else _("%(rule)s – possibly from %(day)s")
        % {
            "rule": p.title,
            "day": p.when,
        }
    )


def invitation_letter(entry: ScreeningEntry, authority: Organisation) -> bytes:
    """The letter as DOCX bytes, in German."""
    from docx import Document

    with translation.override("de"):
        doc = Document()
        _paragraph(doc, authority.name, bold=True)
        _paragraph(doc, _("[address of the person]"))
        _paragraph(doc, _("[place], [date]"))
        heading = doc.add_heading(_("Invitation to counselling about your residence prospects"), 1)
        for run in heading.runs:
            run.font.name = FONT
        _body(doc, entry, authority)
        buffer = io.BytesIO()
        doc.save(buffer)
    return buffer.getvalue()
