"""The administration's report on a motion: drafting, editing, and the four-eyes release that
freezes it, publishes it as a paper with its PDF (OParl) and marks the motion answered.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kim.audit.models import EventType
from kim.audit.record import record
from kim.core.formats import date_de
from kim.core.uploads import PDF, CheckedFile
from kim.council.actions import (
    _check_department,
    _check_reference,
    add_consultation,
    attach_file,
    change_motion_status,
    create_paper,
    release_paper,
)
from kim.council.blocks import clean_block_keys
from kim.council.document import ReportDocument, Section, released
from kim.council.models import (
    MOTION_TYPES,
    REPORT_PAPER_TYPES,
    ConsultationRole,
    File,
    FileRole,
    MotionQuestion,
    MotionStatus,
    Organization,
    Paper,
    Report,
    ReportRelease,
    ReportSection,
)

REPORT_FIELDS = (
    "reference",
    "paper_type",
    "subject",
    "date",
    "as_of",
    "department",
    "proposal",
    "introduction",
)


def _check_fields(motion: Paper, fields: dict[str, Any], *, current: Report | None) -> None:
    as_of, date = fields.get("as_of"), fields.get("date")
    if as_of is not None and as_of > timezone.localdate():
        raise ValidationError({"as_of": _("The reference date cannot lie in the future.")})
    if as_of is not None and date is not None and as_of > date:
        raise ValidationError({"as_of": _("The reference date lies after the date of the paper.")})
    if fields.get("paper_type") not in (None, *REPORT_PAPER_TYPES):
        raise ValidationError({"paper_type": _("Choose the type of the administration's paper.")})
    _check_department(motion.body, fields.get("department"))
    reference = fields.get("reference")
    released_as = current.releases.first() if current is not None else None
    if reference and (released_as is None or released_as.paper.reference != reference):
        if released_as is not None:
            raise ValidationError({"reference": _("A released report keeps its reference number.")})
        _check_reference(motion.body, reference)
        others = Report.objects.filter(motion__body=motion.body, reference=reference)
        if current is not None:
            others = others.exclude(pk=current.pk)
        if others.exists():
            raise ValidationError(
                {
                    "reference": _("Reference number %(ref)s is already used in %(body)s.")
                    % {"ref": reference, "body": motion.body}
                }
            )


@transaction.atomic
def create_report(
    motion: Paper,
    *,
    acting_user: User,
    reference: str,
    subject: str,
    date: dt.date,
    as_of: dt.date,
    paper_type: str = "mitteilungsvorlage",
    department: Organization | None = None,
    proposal: str = "",
    introduction: str = "",
) -> Report:
    """Draft the report answering a motion, one section per question (blocks as tagged)."""
    if motion.paper_type not in MOTION_TYPES:
        raise ValidationError(_("Only motions and enquiries are answered with a report."))
    if Report.objects.filter(motion=motion).exists():
        raise ValidationError(_("This motion already has a report."))
    fields: dict[str, Any] = {
        "reference": reference,
        "subject": subject,
        "date": date,
        "as_of": as_of,
        "paper_type": paper_type,
        "department": department or motion.under_direction_of,
        "introduction": introduction,
    }
    if proposal:
        fields["proposal"] = proposal
    _check_fields(motion, fields, current=None)
    report = Report(motion=motion, last_edited_by=acting_user, **fields)
    report.full_clean(exclude=["last_edited_by"])
    report.save()
    for question in motion.questions.all():
        ReportSection.objects.create(
            report=report, question=question, block_keys=list(question.block_keys)
        )
    record(
        EventType.REPORT_CREATED,
        actor=acting_user,
        subject=report,
        organisation=motion.body.organisation,
        extra={"motion": motion.code, "as_of": as_of.isoformat()},
    )
    return report


def _lock(report: Report, expected_version: int) -> Report:
    current = Report.objects.select_for_update().select_related("motion__body").get(pk=report.pk)
    if current.version != expected_version:
        raise ValidationError(
            _(
                "This report was changed by someone else in the meantime. "
                "Please reload the page and enter your changes again."
            )
        )
    return current


@transaction.atomic
def update_report(
    report: Report, *, acting_user: User, expected_version: int, **fields: Any
) -> Report:
    """Change the header, the reference date, the proposal or the introduction."""
    current = _lock(report, expected_version)
    changed = [k for k, v in fields.items() if k in REPORT_FIELDS and getattr(current, k) != v]
    if not changed:
        return current
    _check_fields(current.motion, {k: fields[k] for k in changed}, current=current)
    for name in changed:
        setattr(current, name, fields[name])
    if current.as_of > current.date:
        raise ValidationError({"as_of": _("The reference date lies after the date of the paper.")})
    current.full_clean(exclude=["last_edited_by"])
    current.version += 1
    current.last_edited_by = acting_user
    current.save()
    record(
        EventType.REPORT_EDITED,
        actor=acting_user,
        subject=current,
        organisation=current.motion.body.organisation,
        extra={"fields": sorted(changed)},
    )
    return current


@transaction.atomic
def update_section(
    report: Report,
    question: MotionQuestion,
    *,
    acting_user: User,
    expected_version: int,
    narrative: str,
    block_keys: Iterable[str],
) -> ReportSection:
    """The narrative answer to one question and the answer blocks shown under it. The figures
    of those blocks as of now are fingerprinted with it: the text was written for them."""
    from kim.council.report import section_fingerprint

    current = _lock(report, expected_version)
    if question.paper_id != current.motion_id:
        raise ValidationError(_("The question belongs to another motion."))
    keys = clean_block_keys(block_keys)
    section, _created = ReportSection.objects.update_or_create(
        report=current,
        question=question,
        defaults={
            "narrative": narrative.strip(),
            "block_keys": keys,
            "figures_fingerprint": section_fingerprint(current, keys),
        },
    )
    current.version += 1
    current.last_edited_by = acting_user
    current.save(update_fields=["version", "last_edited_by", "modified"])
    record(
        EventType.REPORT_EDITED,
        actor=acting_user,
        subject=current,
        organisation=current.motion.body.organisation,
        extra={"question": question.number, "blocks": keys},
    )
    return section


class EditedDraft(Protocol):
    last_edited_by_id: int | None


def can_release(report: EditedDraft, user_id: int | None) -> bool:
    """Four-eyes: whoever edited the draft last cannot release it (any report kind)."""
    return user_id is not None and report.last_edited_by_id not in (None, user_id)


def unconfirmed_error(number: str) -> str:
    return _(
        "Confirm that you have checked the text of the answer to question %(n)s against the "
        "changed figures."
    ) % {"n": number}


def check_confirmed(
    changed: list[Section],
    confirmed_sections: Iterable[str],
    message: Callable[[str], str] = unconfirmed_error,
) -> None:
    """Every section whose figures changed since its text was saved is confirmed by number
    (shared with the Sachbericht, D-087; ``message`` words the refusal per section)."""
    confirmed = {str(n) for n in confirmed_sections}
    missing = [section.number for section in changed if section.number not in confirmed]
    if missing:
        raise ValidationError({f"confirm_{n}": message(n) for n in missing})


def _mark_checked(report: Report, changed: list[Section]) -> None:
    """The confirmed texts were checked against these figures: store them as the new basis."""
    from kim.council.report import fingerprint

    rows = {
        str(row.question.number): row
        for row in report.sections.select_related("question").filter(
            question__number__in=[int(section.number) for section in changed]
        )
    }
    for section in changed:
        row = rows[section.number]
        row.figures_fingerprint = fingerprint(section.blocks)
        row.save(update_fields=["figures_fingerprint", "modified"])


@transaction.atomic
def release_report(
    report: Report,
    *,
    acting_user: User,
    expected_version: int,
    confirmed_sections: Iterable[str] = (),
) -> ReportRelease:
    """Freeze the report as composed now for its reference date, publish it (paper + PDF as
    main file, consultation of the motion's committee) and mark the motion answered.

    Answers whose figures changed since their text was saved (``changed_sections``) must be
    named in ``confirmed_sections`` (question numbers): the releasing person confirms having
    checked each text against the new figures. Otherwise nothing is released."""
    from kim.council.render import render
    from kim.council.report import changed_sections, compose

    current = _lock(report, expected_version)
    if not can_release(current, acting_user.pk):
        raise ValidationError(
            _(
                "Four-eyes rule: the report must be released by someone other than the person "
                "who last changed it."
            )
        )
    document = compose(current)
    changed = changed_sections(current, document)
    check_confirmed(changed, confirmed_sections)
    motion = current.motion
    previous = current.releases.select_related("paper").first()
    number = (previous.number + 1) if previous else 1
    document = released(document, number, date_de(timezone.localdate()))
    pdf, _content_type, _extension = render(document, "pdf")
    paper = previous.paper if previous else _publish_paper(current, acting_user)
    _attach_pdf(paper, pdf, number, acting_user)
    _attach_lists(paper, document, acting_user)
    release = ReportRelease.objects.create(
        report=current,
        number=number,
        as_of=current.as_of,
        snapshot=document.to_dict(),
        paper=paper,
        released_at=timezone.now(),
        released_by=acting_user,
        drafted_by=current.last_edited_by,
    )
    _mark_checked(current, changed)
    if motion.status == MotionStatus.IN_PROGRESS:
        change_motion_status(
            motion,
            acting_user=acting_user,
            status=MotionStatus.ANSWERED,
            expected_status=MotionStatus.IN_PROGRESS,
        )
    record(
        EventType.REPORT_RELEASED,
        actor=acting_user,
        subject=current,
        organisation=motion.body.organisation,
        extra={
            "version": number,
            "as_of": current.as_of.isoformat(),
            "paper": paper.code,
            "confirmed_sections": [section.number for section in changed],
        },
    )
    return release


def _publish_paper(report: Report, acting_user: User) -> Paper:
    """The administration's paper in the council records, with the motion's committee."""
    motion = report.motion
    paper = create_paper(
        motion.body,
        acting_user=acting_user,
        reference=report.reference,
        date=report.date,
        paper_type=report.paper_type,
        name=report.subject,
        department=report.department,
        related=[motion],
    )
    if motion.committee is not None or motion.meeting is not None:
        add_consultation(
            paper,
            acting_user=acting_user,
            role=ConsultationRole.KENNTNISNAHME,
            organization=motion.committee,
            meeting=motion.meeting,
        )
    release_paper(paper, acting_user=acting_user)
    return paper


def _attach_lists(paper: Paper, document: ReportDocument, acting_user: User) -> None:
    """The full lists behind the version's summaries (D-080) go with the paper as XLSX
    attachments, as the PDF names them – for the council records and OParl, like the PDF."""
    from kim.council.render import XLSX_TYPE, attachment_blocks, render_attachment

    for key, file_name in attachment_blocks(document).items():
        content, _name = render_attachment(document, key)
        attach_file(
            paper,
            acting_user=acting_user,
            checked=CheckedFile.generated(file_name, XLSX_TYPE, content),
            role=FileRole.AUXILIARY,
            name=_("Attachment %(name)s (XLSX)") % {"name": file_name},
        )


def _attach_pdf(paper: Paper, pdf: bytes, number: int, acting_user: User) -> None:
    """The new version becomes the main file; earlier versions stay as attachments."""
    File.objects.filter(paper=paper, role=FileRole.MAIN).update(
        role=FileRole.AUXILIARY, modified=timezone.now()
    )
    name = f"{paper.reference.replace('/', '-')}_v{number}.pdf"
    attach_file(
        paper,
        acting_user=acting_user,
        checked=CheckedFile.generated(name, PDF, pdf),
        role=FileRole.MAIN,
        name=_("%(subject)s (version %(n)s)") % {"subject": paper.name, "n": number},
    )
