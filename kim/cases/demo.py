"""Demo case management: catalogues and rules, then fictional clients for the demo case managers.

All persons are synthetic and clearly fictional; the seed runs through the action functions.
"""

from __future__ import annotations

from kim.cases.actions.reference import load_case_reference_data
from kim.organisations.models import Organisation


def seed_cases(orgs: dict[str, Organisation]) -> None:
    load_case_reference_data(acting_user=None, region=orgs["kreis"])
