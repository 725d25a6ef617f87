"""Demo texts for a proof's Sachbericht (decisions D-087); the lead's demo seed calls
``seed_sachbericht(proof)`` once a demo proof exists. Demo mode only; idempotent.

The texts are written by the proof's preparer among the demo personas (the KIM coordination
for the Land proof, the town's programme lead or the agency's manager for an agreement
proof). A version is released only when a second demo person may release it – the fixed cast
has one coordination account and one programme lead per town, so the demo's Sachbericht stays
an unreleased draft unless another account is added.
"""

from __future__ import annotations

from django.contrib.auth.models import User

from kim.accounts.access import load_user_context
from kim.accounts.demo import PERSONAS

from ..access import can_prepare, can_release_sachbericht
from ..models import Proof, Sachbericht, SachberichtRelease
from . import actions
from .compose import DEFAULT_SECTIONS

DEMO_TEXTS = {
    "staffing": (
        "Die KIM-Stellen waren im Förderjahr überwiegend besetzt. Unbesetzte Monate entstanden "
        "durch einen Stellenwechsel im Case Management; die Stelle wurde nach "
        "Ausschreibung wieder besetzt. (Demo-Text)"
    ),
    "cooperation": (
        "Mit den freien Trägern fanden regelmäßige Gespräche statt. Die Weiterleitung der Mittel "
        "ist in den Weiterleitungsvereinbarungen geregelt. (Demo-Text)"
    ),
    "case_management": (
        "Das Case Management hat neue Fälle aufgenommen und Fälle mit erreichten Zielen "
        "abgeschlossen. Kleine Fallzahlen werden nicht ausgewiesen. (Demo-Text)"
    ),
    "baustein_3": (
        "Die Ausländerbehörde hat Listen geprüft, um Personen mit Aussicht auf ein "
        "Bleiberecht oder eine Einbürgerung gezielt anzusprechen. (Demo-Text)"
    ),
    "barriers": (
        "Strukturelle Hürden aus dem Case Management wurden in der Lenkungsgruppe beraten; "
        "die Beschlüsse sind unten aufgeführt. (Demo-Text)"
    ),
    "outlook": (
        "Im kommenden Förderjahr sollen die Zusammenarbeit mit den Trägern vertieft und die "
        "Wartezeiten im Case Management verkürzt werden. (Demo-Text)"
    ),
}


def _demo_users() -> list[User]:
    return list(User.objects.filter(username__in=[p.username for p in PERSONAS]).order_by("id"))


def seed_sachbericht(proof: Proof) -> SachberichtRelease | None:
    """Write the demo texts (once) and release version 1 if a second person may; returns the
    release or None (no second person in the demo, or already seeded)."""
    users = _demo_users()
    author = next((u for u in users if can_prepare(load_user_context(u), proof)), None)
    if author is None:
        return None
    existing = Sachbericht.objects.filter(proof=proof).first()
    if existing is None or not existing.sections.exclude(narrative="").exists():
        for section in DEFAULT_SECTIONS:
            current = Sachbericht.objects.filter(proof=proof).first()
            actions.update_sachbericht_section(
                proof,
                section.key,
                acting_user=author,
                expected_version=current.version if current else 0,
                narrative=DEMO_TEXTS[section.key],
                block_keys=section.block_keys,
            )
    sachbericht = Sachbericht.objects.get(proof=proof)
    if sachbericht.releases.exists():
        return None
    second = next(
        (
            u
            for u in users
            if u.pk != sachbericht.last_edited_by_id
            and can_release_sachbericht(load_user_context(u), proof)
        ),
        None,
    )
    if second is None:
        return None
    return actions.release_sachbericht(
        proof, acting_user=second, expected_version=sachbericht.version
    )
