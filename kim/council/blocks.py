"""The registry of answer blocks a motion's question can be tagged with.

An answer block is a piece of live data that answers (part of) a council question: positions per
Baustein, the staffing split, talks with welfare agencies … The blocks themselves – their query
functions and rendering – are built with the report composition; here they are only named, so
that questions can be tagged now and every stored key is one the composer will know.

``BLOCK_KEYS`` is the registry: ``(key, label)`` pairs in display order, usable directly as form
choices. Keys are stored on ``MotionQuestion.block_keys``; never rename one without a data
migration.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

BLOCK_KEYS: tuple[tuple[str, Promise], ...] = (
    (
        "positions_per_baustein",
        gettext_lazy("Positions per Baustein (VZÄ approved, filled, vacant)"),
    ),
    ("staffing_split", gettext_lazy("Staffing: municipal staff or welfare agencies, with tasks")),
    ("talks", gettext_lazy("Talks with welfare agencies and their outcomes")),
    ("calls", gettext_lazy("Calls for expressions of interest and their decisions")),
    ("funding_forecast", gettext_lazy("Funding and municipal share (forecast)")),
    ("case_figures", gettext_lazy("Case figures (Fallzahlen)")),
    ("structural_barriers", gettext_lazy("Structural hurdles: topics, levels and decisions")),
)

KEYS: frozenset[str] = frozenset(key for key, _label in BLOCK_KEYS)
_ORDER = {key: index for index, (key, _label) in enumerate(BLOCK_KEYS)}


def label_for(key: str) -> str:
    """The translated label of a known key; the key itself for an unknown one (old data)."""
    return next((str(label) for k, label in BLOCK_KEYS if k == key), key)


def clean_block_keys(keys: Iterable[str]) -> list[str]:
    """The keys, checked against the registry, without duplicates, in registry order."""
    wanted = list(keys)
    unknown = sorted({k for k in wanted if k not in KEYS})
    if unknown:
        raise ValidationError(
            {"block_keys": _("Unknown answer block: %(keys)s.") % {"keys": ", ".join(unknown)}}
        )
    return sorted(set(wanted), key=_ORDER.__getitem__)
