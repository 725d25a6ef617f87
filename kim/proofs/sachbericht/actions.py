"""Editing and releasing a proof's Sachbericht (decisions D-087).

The Sachbericht and its default sections are stored on the first edit: opening the page only
composes them (a GET writes nothing). Every edit bumps ``Sachbericht.version`` (optimistic
locking: a form based on an older version is refused) and records the editor; the four-eyes
rule, the confirmation of sections whose figures changed and the freezing of a numbered
version are the council report's (``kim.council.actions.reports``, ``kim.council.document``).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from kim.audit.models import EventType
from kim.audit.record import record
from kim.core.formats import date_de
from kim.council.actions.reports import can_release, check_confirmed
from kim.council.document import released
from kim.council.report import fingerprint

from ..models import Proof, Sachbericht, SachberichtRelease, SachberichtSection
from . import blocks
from .compose import DEFAULT_SECTIONS, changed_sections, compose, section_fingerprint


def _stale() -> ValidationError:
    return ValidationError(
        _(
            "This report was changed by someone else in the meantime. "
            "Please reload the page and enter your changes again."
        )
    )


def _lock(proof: Proof, expected_version: int) -> Sachbericht | None:
    """The proof's Sachbericht, locked; None while nobody has edited it (version 0)."""
    Proof.objects.select_for_update().filter(pk=proof.pk).first()
    current = Sachbericht.objects.select_for_update().filter(proof=proof).first()
    if (current.version if current else 0) != expected_version:
        raise _stale()
    return current


def _open(proof: Proof) -> Sachbericht:
    """Store a new Sachbericht with the default sections (in German, like the document)."""
    sachbericht = Sachbericht.objects.create(proof=proof, version=0)
    with override("de"):
        SachberichtSection.objects.bulk_create(
            SachberichtSection(
                sachbericht=sachbericht,
                key=section.key,
                number=number,
                title=str(section.title),
                block_keys=list(section.block_keys),
            )
            for number, section in enumerate(DEFAULT_SECTIONS, 1)
        )
    return sachbericht


def clean_block_keys(keys: Iterable[str]) -> list[str]:
    wanted = list(keys)
    unknown = sorted({k for k in wanted if k not in blocks.KEYS})
    if unknown:
        raise ValidationError(
            {"block_keys": _("Unknown answer block: %(keys)s.") % {"keys": ", ".join(unknown)}}
        )
    order = [key for key, _label in blocks.SACHBERICHT_BLOCKS]
    return sorted(set(wanted), key=order.index)


@transaction.atomic
def update_sachbericht_section(
    proof: Proof,
    key: str,
    *,
    acting_user: User,
    expected_version: int,
    narrative: str,
    block_keys: Iterable[str],
) -> SachberichtSection:
    """The text of one section and the blocks under it; the figures of those blocks as of now
    are fingerprinted with it – the text was written for them."""
    current = _lock(proof, expected_version) or _open(proof)
    section = current.sections.filter(key=key).first()
    if section is None:
        raise ValidationError(_("This section does not exist."))
    keys = clean_block_keys(block_keys)
    section.narrative = narrative.strip()
    section.block_keys = keys
    section.figures_fingerprint = section_fingerprint(proof, keys)
    section.save()
    current.version += 1
    current.last_edited_by = acting_user
    current.save(update_fields=["version", "last_edited_by", "modified"])
    record(
        EventType.SACHBERICHT_EDITED,
        actor=acting_user,
        subject=current,
        organisation=proof.organisation,
        extra={"proof": proof.code, "section": key, "blocks": keys},
    )
    return section


def unconfirmed_error(number: str) -> str:
    return _(
        "Confirm that you have checked the text of section %(n)s against the changed figures."
    ) % {"n": number}


@transaction.atomic
def release_sachbericht(
    proof: Proof,
    *,
    acting_user: User,
    expected_version: int,
    confirmed_sections: Iterable[str] = (),
) -> SachberichtRelease:
    """Freeze the Sachbericht as composed now as the next numbered version. Four eyes: the
    person who edited it last cannot release it. Sections whose figures changed since their
    text was saved must be named in ``confirmed_sections`` (their numbers)."""
    current = _lock(proof, expected_version)
    if current is None or not can_release(current, acting_user.pk):
        raise ValidationError(
            _(
                "Four-eyes rule: the Sachbericht must be released by someone other than the "
                "person who last changed it."
            )
        )
    rows = list(current.sections.order_by("number"))
    document = compose(proof, current)
    changed = changed_sections(rows, document)
    check_confirmed(changed, confirmed_sections, unconfirmed_error)
    previous = current.releases.order_by("-number").values_list("number", flat=True).first()
    number = (previous or 0) + 1
    document = released(document, number, date_de(timezone.localdate()))
    release = SachberichtRelease.objects.create(
        sachbericht=current,
        number=number,
        snapshot=document.to_dict(),
        released_at=timezone.now(),
        released_by=acting_user,
        drafted_by=current.last_edited_by,
    )
    # The confirmed texts were checked against these figures: they are the new basis.
    by_number = {str(r.number): r for r in rows}
    for section in changed:
        row = by_number[section.number]
        row.figures_fingerprint = fingerprint(section.blocks)
        row.save(update_fields=["figures_fingerprint", "modified"])
    record(
        EventType.SACHBERICHT_RELEASED,
        actor=acting_user,
        subject=current,
        organisation=proof.organisation,
        extra={
            "proof": proof.code,
            "version": number,
            "confirmed_sections": [section.number for section in changed],
        },
    )
    return release
