"""STUB (S1) – turning the CLI's / an upload's person dictionaries into ``PersonFacts``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kim.screening.facts import PersonFacts


class InputError(ValueError):
    """Malformed input: the message names the person (ref or position) and the field."""


def parse_person(raw: Mapping[str, Any], index: int) -> PersonFacts:
    """One PERSON object of the CLI contract (issue 7 § 4); ``index`` is its 1-based position,
    used in messages when ``ref`` is missing. Raises ``InputError``."""
    raise NotImplementedError
