"""Composing the administration's report on a motion from live data.

``compose`` builds a ``ReportDocument`` for the report's reference date: header from the
report and the motion (body, department, reference, Beratungsfolge), the Beschlussvorschlag,
the introduction and one section per question of the motion with its narrative and the
answer blocks computed by ``answers.compute``. A block answering two questions is computed
once. Nothing is stored: releasing (``actions.release_report``) freezes the composed document.

Query count: a fixed number for the header and sections plus a fixed number per distinct
block key – independent of the number of posts, talks or calls.

The engine parts here are shared with the Sachbericht of a proof of use (``kim.proofs``,
decisions D-087): ``compose_sections`` (sections from stored texts and block keys, each block
computed once), ``fingerprint`` and ``changed_in`` (which sections' figures moved since their
text was saved) work on any ``ReportDocument``; only ``compose``/``changed_sections`` know
motions and questions.

Changed figures (decisions D-054): a section's narrative is written against the figures of its
blocks at that moment. ``fingerprint`` digests those figures; ``update_section`` stores it with
the narrative, and ``changed_sections`` names the sections whose blocks now show other figures,
so that the draft marks them and the release asks for a confirmation of each.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from kim.core.formats import date_de

from . import answers
from .document import Block, Consultation, ReportDocument, Section
from .models import ConsultationRole, Paper, Report, ReportRelease, ReportSection


def _consultations(motion: Paper) -> list[Consultation]:
    """Beratungsfolge of the report: the committee (and meeting) the motion is addressed to,
    for information – as the release records it (``actions.reports._publish_paper``)."""
    meeting = motion.meeting
    if motion.committee is not None:
        committee = motion.committee.name
    elif meeting is not None:
        committee = meeting.name
    else:
        return []
    return [
        Consultation(
            committee=committee,
            date=date_de(timezone.localtime(meeting.start).date()) if meeting else "",
            role=str(ConsultationRole.KENNTNISNAHME.label),
            public=meeting.public if meeting else True,
        )
    ]


@dataclass(frozen=True)
class SectionSpec:
    """What a section is made of before its blocks are computed: number, heading (a question
    of a motion, a Sachbericht section's title), the stored narrative and the block keys."""

    number: str
    heading: str
    narrative: str
    block_keys: list[str]


def compose_sections(
    specs: Iterable[SectionSpec], compute: Callable[[str], Block | None]
) -> list[Section]:
    """The sections with their blocks; ``compute(key)`` gives a block (None: a key whose
    computation was retired, shown nowhere). A block under two sections is computed once."""
    computed: dict[str, Block | None] = {}
    sections = []
    for spec in specs:
        blocks = []
        for key in spec.block_keys:
            if key not in computed:
                computed[key] = compute(key)
            if (block := computed[key]) is not None:
                blocks.append(block)
        sections.append(
            Section(
                number=spec.number, question=spec.heading, narrative=spec.narrative, blocks=blocks
            )
        )
    return sections


def changed_in(document: ReportDocument, saved: Mapping[str, tuple[str, str]]) -> list[Section]:
    """The sections of ``document`` whose narrative was saved against other figures than their
    blocks show now. ``saved``: section number → (narrative, fingerprint when it was saved).
    A section without text or without blocks has nothing to contradict; one saved before
    fingerprints were stored counts as changed."""
    return [
        section
        for section in document.sections
        if (row := saved.get(section.number)) is not None
        and row[0]
        and section.blocks
        and row[1] != fingerprint(section.blocks)
    ]


def compose(report: Report, *, as_of: dt.date | None = None) -> ReportDocument:
    """The report as of ``as_of`` (default: the report's reference date), in German."""
    with override("de"):
        return _compose(report, as_of or report.as_of)


def _compose(report: Report, day: dt.date) -> ReportDocument:
    motion = (
        Paper.objects.select_related(
            "body", "body__organisation", "under_direction_of", "committee", "meeting"
        )
        .prefetch_related("originator_organizations", "questions", "files")
        .get(pk=report.motion_id)
    )
    organisation = motion.body.organisation
    # An unsaved report (the CLI for a motion without one) has no sections yet.
    texts = {s.question_id: s for s in report.sections.all()} if report.pk else {}
    specs = []
    for question in motion.questions.all():
        section = texts.get(question.pk)
        specs.append(
            SectionSpec(
                number=str(question.number),
                heading=question.text,
                narrative=section.narrative if section is not None else "",
                block_keys=section.block_keys if section is not None else question.block_keys,
            )
        )
    sections = compose_sections(
        specs,
        lambda key: answers.compute(key, organisation, day) if key in answers.COMPUTE else None,
    )
    department = report.department or motion.under_direction_of
    return ReportDocument(
        body=motion.body.name,
        department=department.name if department else "",
        reference=report.reference,
        date=date_de(report.date),
        paper_type=report.get_paper_type_display(),
        subject=report.subject,
        as_of=date_de(day),
        consultations=_consultations(motion),
        proposal=report.proposal,
        introduction=report.introduction,
        sections=sections,
        motion_reference=motion.reference,
        motion_title=motion.name,
        motion_date=date_de(motion.date),
        motion_originators=[o.name for o in motion.originator_organizations.all()],
        # The motion's own documents (e.g. the motion as filed) go with the answer.
        attachments=[f.name for f in motion.files.all()],
    )


def default_report(motion: Paper, as_of: dt.date) -> Report:
    """An unsaved report for a motion nobody has drafted an answer to yet."""
    today = timezone.localdate()
    return Report(
        motion=motion,
        reference="",
        subject=_("Answer to motion %(reference)s: %(title)s")
        % {"reference": motion.reference, "title": motion.name},
        date=today,
        as_of=as_of,
        department=motion.under_direction_of,
    )


def frozen(release: ReportRelease) -> ReportDocument:
    """A released version exactly as it was released."""
    return ReportDocument.from_dict(release.snapshot)


def fingerprint(blocks: Iterable[Block]) -> str:
    """A digest of the figures a section's blocks print: their sentences and table cells (not
    titles or sources, which change with the wording, not with the data)."""
    figures = [
        [
            block.key,
            block.text,
            block.table.rows if block.table else None,
            block.table.footer if block.table else None,
        ]
        for block in blocks
    ]
    return hashlib.sha256(json.dumps(figures, ensure_ascii=False).encode()).hexdigest()


def section_fingerprint(report: Report, block_keys: Iterable[str]) -> str:
    """The fingerprint of the blocks ``block_keys`` as composed now for the report's reference
    date – in German, like ``compose``, so that both digest the same text."""
    organisation = report.motion.body.organisation
    with override("de"):
        blocks = [
            answers.compute(key, organisation, report.as_of)
            for key in block_keys
            if key in answers.COMPUTE
        ]
    return fingerprint(blocks)


def changed_sections(report: Report, document: ReportDocument) -> list[Section]:
    """The sections of ``document`` (composed from ``report``) whose narrative was saved against
    other figures than their blocks show now. A section without text or without blocks has
    nothing to contradict; one saved before fingerprints were stored counts as changed."""
    saved = {
        str(row.question.number): (row.narrative, row.figures_fingerprint)
        for row in ReportSection.objects.filter(report=report).select_related("question")
    }
    return changed_in(document, saved)
