"""The demo world: Kreis Siegen-Wittgenstein, built through action functions.

Every app seeds its part in a demo step of its ``home.py`` (``@demo_step(order)``):
organisations, personas, programme, partners, council, cases, screening. ``seed_demo`` runs them
in that order inside one transaction. Public facts carry their sources; people and welfare
agencies are fictional and marked as demo data. Running the seed twice changes nothing
(every step is idempotent).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from kim.core.shell import demo_steps
from kim.organisations.demo import demo_organisations
from kim.organisations.models import Organisation


@transaction.atomic
def seed_demo() -> dict[str, Organisation]:
    """Build (or complete) the demo world; returns its key organisations. Refused in
    production."""
    if settings.PRODUCTION:
        raise ImproperlyConfigured("The demo seed never runs with KIM_ENV=production.")
    from kim.core.rls import system_access

    with system_access("demo seed"):
        for step in demo_steps():
            step.fn()
    return demo_organisations()
