"""What the council's answer block "Fallzahlen" reads from the case statistics (D-082)."""

from __future__ import annotations

from kim.cases.statistics.measures import MEASURES
from kim.cases.statistics.queries import Scope, case_table
from kim.organisations.models import REGION_KINDS, Organisation

__all__ = ["COUNCIL_MEASURES", "MEASURES", "area_scope", "case_table"]

COUNCIL_MEASURES = (
    "new_cases",
    "active_cases",
    "closed_cases",
    "goals_reached",
    "waiting_days_median",
)


def area_scope(body: Organisation) -> Scope | None:
    """A Kreis (or kreisfreie Stadt) counts every case in it; a town the cases its own case
    management keeps; anything else has no cases of its own (None)."""
    if body.kind in REGION_KINDS:
        return Scope(body)
    if body.region_id is None:
        return None
    region = Organisation.objects.get(pk=body.region_id)
    return Scope(region, (body,))
