"""Composing a proof's Sachbericht from live data on the shared report engine (D-087).

``compose`` builds a ``ReportDocument`` of kind "sachbericht": a header of data rows (the
recipient, the funding year, the period, the agreement), an introduction, and one section per
``SachberichtSection`` (or, before anybody has written a word, per default section) with its
narrative and its blocks computed for the funding year (``blocks.compute``). Fingerprints and
changed-figure marks, release freezing and every renderer are the council's
(``kim.council.report``, ``kim.council.render``).

Query count: a fixed number for the header and sections plus a fixed number per distinct
block key.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from kim.core.formats import date_de
from kim.council.document import KIND_SACHBERICHT, HeaderRow, ReportDocument, Section
from kim.council.report import SectionSpec, changed_in, compose_sections, fingerprint

from ..models import Proof, Sachbericht, SachberichtRelease, SachberichtSection
from . import blocks


@dataclass(frozen=True)
class DefaultSection:
    key: str
    title: Promise
    block_keys: tuple[str, ...]


# The sections of a new Sachbericht (issue 18): staffing, cooperation with welfare agencies,
# case management, Baustein 3, structural barriers and steering, outlook.
DEFAULT_SECTIONS: tuple[DefaultSection, ...] = (
    DefaultSection(
        "staffing", gettext_lazy("Posts and staffing over the year"), ("staffing_year",)
    ),
    DefaultSection(
        "cooperation",
        gettext_lazy("Cooperation with welfare agencies"),
        ("talks", "calls", "agreements_year"),
    ),
    DefaultSection("case_management", gettext_lazy("Case management"), ("case_figures",)),
    DefaultSection(
        "baustein_3",
        gettext_lazy("Baustein 3: immigration and naturalisation authorities"),
        ("screening_year",),
    ),
    DefaultSection(
        "barriers",
        gettext_lazy("Structural barriers and steering"),
        ("structural_barriers", "steering_year"),
    ),
    DefaultSection("outlook", gettext_lazy("Outlook"), ()),
)


def period(proof: Proof, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The funding year: 1 January to 31 December – to today while the year runs."""
    start = dt.date(proof.year, 1, 1)
    end = min(dt.date(proof.year, 12, 31), today or timezone.localdate())
    return start, max(start, end)


def default_specs() -> list[SectionSpec]:
    return [
        SectionSpec(str(number), str(s.title), "", list(s.block_keys))
        for number, s in enumerate(DEFAULT_SECTIONS, 1)
    ]


def _specs(rows: Iterable[SachberichtSection]) -> list[SectionSpec]:
    return [SectionSpec(str(r.number), r.title, r.narrative, list(r.block_keys)) for r in rows]


def sections_of(sachbericht: Sachbericht | None) -> list[SachberichtSection]:
    if sachbericht is None:
        return []
    return list(sachbericht.sections.order_by("number"))


def compose(proof: Proof, sachbericht: Sachbericht | None) -> ReportDocument:
    """The Sachbericht of ``proof`` as it reads now, in German (a draft)."""
    with override("de"):
        return _compose(proof, sections_of(sachbericht))


def _compose(proof: Proof, rows: list[SachberichtSection]) -> ReportDocument:
    start, end = period(proof)
    body = proof.organisation
    specs = _specs(rows) if rows else default_specs()
    sections = compose_sections(specs, lambda key: blocks.compute(key, body, start, end))
    span = f"{date_de(start)} – {date_de(end)}"
    header = [
        HeaderRow(_("Recipient of the funds"), body.name),
        HeaderRow(_("Funding year"), str(proof.year)),
        HeaderRow(_("Reporting period"), span),
    ]
    if proof.agreement is not None:
        header.append(HeaderRow(_("Pass-through agreement"), proof.agreement.title))
        header.append(HeaderRow(_("Grantor"), proof.agreement.grantor.name))
        subject = _("Factual report on the proof of use %(year)s: %(agreement)s") % {
            "year": proof.year,
            "agreement": proof.agreement.title,
        }
    else:
        header.append(HeaderRow(_("Proof to"), _("the Land (KIM funding notices of the year)")))
        subject = _(
            "Factual report on the proof of use %(year)s – Kommunales Integrationsmanagement"
        ) % {"year": proof.year}
    introduction = _(
        "This factual report belongs to the proof of use of %(body)s for the funding year "
        "%(year)s. The figures under each section are computed by the KIM-Plattform for the "
        "period %(span)s; in a released version they are frozen as released."
    ) % {"body": body.name, "year": proof.year, "span": span}
    return ReportDocument(
        body=body.name,
        department="",
        reference=f"{proof.year} {body.name}",
        date=date_de(timezone.localdate()),
        paper_type=_("Sachbericht"),
        subject=subject,
        as_of=date_de(end),
        consultations=[],
        proposal="",
        introduction=introduction,
        sections=sections,
        kind=KIND_SACHBERICHT,
        header_rows=header,
        period=span,
    )


def frozen(release: SachberichtRelease) -> ReportDocument:
    return ReportDocument.from_dict(release.snapshot)


def section_fingerprint(proof: Proof, block_keys: Iterable[str]) -> str:
    """The fingerprint of the blocks as composed now for the funding year, in German."""
    start, end = period(proof)
    with override("de"):
        computed = [blocks.compute(key, proof.organisation, start, end) for key in block_keys]
    return fingerprint(b for b in computed if b is not None)


def changed_sections(rows: Iterable[SachberichtSection], document: ReportDocument) -> list[Section]:
    """The sections whose figures moved since their text was saved (D-054)."""
    return changed_in(document, {str(r.number): (r.narrative, r.figures_fingerprint) for r in rows})
