"""Read side of the public page (``/hilfenetz/<AGS>/``, D-091): the public entries of one Kreis,
filtered, in the chosen content language, with German where a text is missing.

Only what ``kim.network.access.public_services`` returns is shown, and of each entry only the
fields of ``PUBLIC_FIELDS``; internal fields (source, who confirmed or created it, validity,
version) never leave this module. The number of queries does not grow with the entries:
provider by join, topics, towns and texts by one prefetch each.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.utils import translation

from kim.core import languages
from kim.network.access import public_services, town_choices
from kim.network.models import Service, ServiceText, ServiceTopic
from kim.organisations.models import Organisation

# The fields the public page may show (the allow-list of the tests, ``data-field`` in HTML).
PUBLIC_FIELDS = frozenset(
    {
        "name",
        "provider",
        "description",
        "topics",
        "towns",
        "address",
        "opening_hours",
        "languages",
        "accessibility",
        "step_free",
        "appointment",
        "phone",
        "email",
        "website",
        "confirmed_on",
    }
)
# Texts that exist in further languages (``ServiceText``); empty ones fall back to German.
TRANSLATED_FIELDS = ("name", "description", "opening_hours", "appointment", "accessibility")


@dataclass(frozen=True)
class Text:
    """A text and the language it is written in (for the ``lang`` attribute)."""

    value: str
    lang: str

    @property
    def dir(self) -> str:
        return languages.direction(self.lang)


@dataclass(frozen=True)
class LanguageOffer:
    code: str
    name: str
    autonym: str
    dir: str


@dataclass
class PublicEntry:
    name: Text
    description: Text
    opening_hours: Text
    appointment: Text
    accessibility: Text
    provider: str
    topics: list[str]
    towns: list[str]
    address: str
    languages: list[LanguageOffer]
    step_free: bool | None
    phone: str
    email: str
    website: str
    confirmed_on: dt.date


@dataclass(frozen=True)
class Filters:
    topic: str = ""
    town: str = ""
    language: str = ""
    text: str = ""

    @property
    def active(self) -> bool:
        return bool(self.topic or self.town or self.language or self.text)


@dataclass
class Directory:
    region: Organisation
    language: str  # the content language, "de" or one of ``content_languages``
    content_languages: list[LanguageOffer]  # German first, then those with texts
    entries: list[PublicEntry] = field(default_factory=list)


def _offer(code: str) -> LanguageOffer:
    return LanguageOffer(
        code, languages.name(code), languages.autonym(code), languages.direction(code)
    )


def content_languages(region: Organisation, day: dt.date | None = None) -> list[str]:
    """German and every catalogue language in which a public entry of the Kreis has texts."""
    codes = set(
        ServiceText.objects.filter(service__in=public_services(region, day)).values_list(
            "language", flat=True
        )
    )
    known = [code for code in languages.codes() if code in codes and code != "de"]
    return ["de", *sorted(known, key=languages.name)]


def topic_choices(region: Organisation, day: dt.date | None = None) -> list[tuple[str, str]]:
    """(key, name) of the topics that at least one public entry of the Kreis is filed under."""
    english = (translation.get_language() or "de").startswith("en")
    topics = (
        ServiceTopic.objects.filter(services__in=public_services(region, day))
        .distinct()
        .order_by("position", "name")
    )
    choices: dict[str, str] = {}
    for topic in topics:
        choices.setdefault(topic.key, topic.name_en if english else topic.name)
    return list(choices.items())


def public_town_choices(region: Organisation) -> list[tuple[str, str]]:
    return [(town.code, town.name) for town in town_choices(region)]


def offered_language_choices(region: Organisation) -> list[tuple[str, str]]:
    """(code, name) of the languages in which at least one public entry counsels."""
    codes: set[str] = set()
    for offered in public_services(region).values_list("languages", flat=True):
        codes.update(code for code in offered or [] if code)
    known = [code for code in languages.codes() if code in codes]
    return sorted(((code, languages.name(code)) for code in known), key=lambda c: c[1])


def _filtered(region: Organisation, filters: Filters, day: dt.date | None) -> QuerySet[Service]:
    services = public_services(region, day)
    if filters.topic:
        services = services.filter(topics__key=filters.topic)
    if filters.town:
        services = services.filter(towns__code=filters.town)
    if filters.text:
        words = filters.text.split()[:8]
        for word in words:
            services = services.filter(
                Q(name__icontains=word)
                | Q(description__icontains=word)
                | Q(provider__name__icontains=word)
                | Q(texts__name__icontains=word)
                | Q(texts__description__icontains=word)
            )
    # The filters above may join many rows per entry: pick the ids, then load each once.
    return Service.objects.filter(pk__in=services.values("pk"))


def directory(
    region: Organisation, filters: Filters, language: str = "de", day: dt.date | None = None
) -> Directory:
    offered = content_languages(region, day)
    if language not in offered:
        language = "de"
    ui_english = (translation.get_language() or "de").startswith("en")
    services = _filtered(region, filters, day)
    texts = ServiceText.objects.filter(language=language) if language != "de" else None
    services = services.select_related("provider").prefetch_related(
        Prefetch("topics", queryset=ServiceTopic.objects.order_by("position", "name")),
        Prefetch("towns", queryset=Organisation.objects.order_by("name")),
        *([Prefetch("texts", queryset=texts, to_attr="shown_texts")] if texts is not None else []),
    )
    entries = []
    for service in services:
        # Languages are a JSON list (no containment lookup on SQLite): filtered here.
        if filters.language and filters.language not in (service.languages or []):
            continue
        shown: list[ServiceText] = getattr(service, "shown_texts", [])
        own = shown[0] if shown else None

        def text(name: str, service: Service = service, own: ServiceText | None = own) -> Text:
            value = getattr(own, name, "") if own is not None else ""
            if value.strip():
                return Text(value, language)
            return Text(getattr(service, name), "de")

        entries.append(
            PublicEntry(
                name=text("name"),
                description=text("description"),
                opening_hours=text("opening_hours"),
                appointment=text("appointment"),
                accessibility=text("accessibility"),
                provider=service.provider.name,
                topics=[t.name_en if ui_english else t.name for t in service.topics.all()],
                towns=[t.name for t in service.towns.all()],
                address=service.address,
                languages=[_offer(code) for code in service.languages or [] if code],
                step_free=service.step_free,
                phone=service.phone,
                email=service.email,
                website=service.website,
                confirmed_on=service.confirmed_on,
            )
        )
    entries.sort(key=lambda e: (e.name.value.casefold(), e.provider.casefold()))
    return Directory(
        region=region,
        language=language,
        content_languages=[_offer(code) for code in offered],
        entries=entries,
    )
