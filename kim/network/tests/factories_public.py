"""Small factories for tests of the public page and of referrals to services (strand B).

Services are created with the ORM directly: the maintenance actions are strand A's
(``kim/network/directory``), and these tests are about reading, not maintaining."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from kim.network.models import Service, ServiceText, ServiceTopic
from kim.organisations.models import Organisation

TOPICS = {
    "work": ("Arbeit und Beruf", "Work and career"),
    "language": ("Sprache und Integrationskurse", "Language and integration courses"),
    "residence": ("Aufenthalt und Asyl", "Residence and asylum"),
    "housing": ("Wohnen", "Housing"),
    "health": ("Gesundheit und psychosoziale Hilfe", "Health and psychosocial help"),
}


def topic(key: str) -> ServiceTopic:
    """The catalogue topic ``key`` valid today (created when the demo has none)."""
    today = timezone.localdate()
    found = (
        ServiceTopic.objects.filter(key=key, valid_from__lte=today)
        .exclude(valid_to__lt=today)
        .first()
    )
    if found:
        return found
    name, name_en = TOPICS.get(key, (key, key))
    return ServiceTopic.objects.create(
        key=key,
        name=name,
        name_en=name_en,
        valid_from=dt.date(2020, 1, 1),
        source="Testkatalog",
    )


def kreis() -> Organisation:
    return Organisation.objects.get(ags="05970")


def service(
    *,
    region: Organisation | None = None,
    provider: Organisation | None = None,
    topics: tuple[str, ...] = ("work",),
    towns: tuple[Organisation, ...] = (),
    texts: dict[str, dict[str, str]] | None = None,
    **fields: Any,
) -> Service:
    region = region or kreis()
    provider = provider or region
    today = timezone.localdate()
    values: dict[str, Any] = {
        "name": "Beratung",
        "valid_from": today - dt.timedelta(days=30),
        "source": "Telefonat mit dem Anbieter",
        "confirmed_on": today - dt.timedelta(days=10),
        "public": True,
    }
    values.update(fields)
    entry = Service.objects.create(region=region, provider=provider, **values)
    entry.topics.set([topic(key) for key in topics])
    entry.towns.set(towns)
    for language, text in (texts or {}).items():
        ServiceText.objects.create(service=entry, language=language, **text)
    return entry


def clear_directory() -> None:
    """Remove the demo directory (and the demo referrals' links to it) for tests that build
    their own entries."""
    from kim.cases.models import Referral
    from kim.core.rls import system_access

    with system_access("test: without the demo directory"):
        Referral.objects.filter(service__isnull=False).update(service=None)
    Service.objects.all().delete()
