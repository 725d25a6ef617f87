"""Demo data of the directory (``kim seed_demo``, step 55): the topic catalogue and 14 services
of the Kreis Siegen-Wittgenstein, made through the actions. The providers are the demo
organisations; providers the demo lacks are created as demo organisations. Office data are
invented and marked so in the source ("Demo-Daten, nicht geprüft"); the texts in English,
Arabic and Ukrainian are demo texts, not certified translations. Idempotent: an entry whose
name exists in the Kreis is left as it is."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from kim.network.directory import actions
from kim.network.models import Service, ServiceText
from kim.organisations import actions as org_actions
from kim.organisations.demo import demo_organisations
from kim.organisations.models import Organisation, OrgKind

SOURCE = "Demo-Daten, nicht geprüft"


@dataclass(frozen=True)
class DemoService:
    name: str
    provider: str  # a key of demo_organisations() or the name of an organisation
    topics: tuple[str, ...]
    description: str
    towns: tuple[str, ...] = ()  # empty: the whole Kreis
    languages: tuple[str, ...] = ("de",)
    address: str = ""
    opening_hours: str = ""
    appointment: str = ""
    accessibility: str = ""
    step_free: bool | None = None
    phone: str = ""
    email: str = ""
    public: bool = True
    confirmed_days_ago: int = 40
    valid_from: dt.date = dt.date(2021, 1, 1)
    valid_to: dt.date | None = None
    texts: dict[str, tuple[str, str]] = field(default_factory=dict)  # language: (name, text)


# Providers the demo organisations lack: (name, short name, kind, authority type)
EXTRA_PROVIDERS = (
    ("Volkshochschule Siegen (Demo)", "VHS Siegen", OrgKind.AUTHORITY, "other"),
    ("IQ Anerkennungsberatung Südwestfalen (Demo)", "IQ Anerkennung", OrgKind.TRAEGER, ""),
    ("Psychosoziales Zentrum Südwestfalen (Demo)", "PSZ", OrgKind.TRAEGER, ""),
)

MBE_TEXTS = {
    "en": (
        "Migration counselling for adults (MBE)",
        "Demo text: advice on residence, language courses, work and everyday questions for "
        "adults who have come to Germany.",
    ),
    "ar": (
        "استشارات الهجرة للبالغين (MBE)",
        "نص تجريبي: استشارات حول الإقامة ودورات اللغة والعمل وأسئلة الحياة اليومية للبالغين "
        "القادمين إلى ألمانيا.",
    ),
    "uk": (
        "Міграційна консультація для дорослих (MBE)",
        "Демонстраційний текст: консультації щодо перебування, мовних курсів, роботи та "
        "повсякденних питань для дорослих, які приїхали до Німеччини.",
    ),
}
JMD_TEXTS = {
    "en": (
        "Youth migration service (JMD)",
        "Demo text: counselling for young people aged 12 to 27 on school, training and family.",
    ),
    "ar": (
        "خدمة هجرة الشباب (JMD)",
        "نص تجريبي: استشارات للشباب من سن 12 إلى 27 عامًا حول المدرسة والتدريب المهني والأسرة.",
    ),
    "uk": (
        "Молодіжна міграційна служба (JMD)",
        "Демонстраційний текст: консультації для молоді віком від 12 до 27 років щодо школи, "
        "професійного навчання та сім'ї.",
    ),
}
VHS_TEXTS = {
    "en": (
        "Integration courses",
        "Demo text: German courses with an orientation course; placement test by appointment.",
    ),
    "ar": (
        "دورات الاندماج",
        "نص تجريبي: دورات اللغة الألمانية مع دورة التوجيه؛ اختبار تحديد المستوى بموعد مسبق.",
    ),
    "uk": (
        "Інтеграційні курси",
        "Демонстраційний текст: курси німецької мови з орієнтаційним курсом; тест на рівень "
        "за попереднім записом.",
    ),
}

SERVICES: tuple[DemoService, ...] = (
    DemoService(
        "Leistungen und Arbeitsvermittlung (SGB II)",
        "Jobcenter Siegen-Wittgenstein",
        ("work", "livelihood"),
        "Bürgergeld, Arbeitsvermittlung und Förderung der beruflichen Eingliederung.",
        languages=("de", "en"),
        address="Demo-Adresse: Musterstraße 1, 57072 Siegen",
        opening_hours="Mo–Fr 8–12 Uhr, Do 14–17 Uhr",
        appointment="Telefonisch über die Servicenummer oder online",
        step_free=True,
        phone="0271 000001",
        email="jobcenter@example.org",
    ),
    DemoService(
        "Fachkräfte-Hotline für das Case Management",
        "Jobcenter Siegen-Wittgenstein",
        ("work", "livelihood"),
        "Interne Durchwahl für Case Managerinnen und Case Manager zu Rückfragen in laufenden "
        "Fällen.",
        phone="0271 000002",
        public=False,
    ),
    DemoService(
        "Berufsberatung und Arbeitsvermittlung",
        "Agentur für Arbeit Siegen",
        ("work", "school"),
        "Berufsberatung vor und im Erwerbsleben, Vermittlung in Ausbildung und Arbeit.",
        languages=("de", "en", "fr"),
        address="Demo-Adresse: Musterweg 2, 57072 Siegen",
        appointment="Termin über die kostenfreie Servicenummer",
        step_free=True,
        phone="0800 0000003",
    ),
    DemoService(
        "Aufenthaltsrechtliche Anliegen und Terminvergabe",
        "abh_kreis",
        ("residence",),
        "Aufenthaltstitel, Verlängerungen, Duldungen; Termine nur nach Vereinbarung.",
        languages=("de", "en"),
        address="Demo-Adresse: Kreishaus, Musterplatz 3, 57072 Siegen",
        opening_hours="Mo, Di, Do 8–12 Uhr",
        appointment="Online-Terminvergabe oder per E-Mail",
        step_free=True,
        email="auslaenderbehoerde@example.org",
    ),
    DemoService(
        "Einbürgerungsberatung",
        "Einbürgerungsbehörde Kreis Siegen-Wittgenstein",
        ("naturalisation",),
        "Beratung zu Voraussetzungen und Unterlagen der Einbürgerung.",
        appointment="Nach Vereinbarung per E-Mail",
        email="einbuergerung@example.org",
    ),
    DemoService(
        "Leistungen nach dem Asylbewerberleistungsgesetz",
        "Sozialamt Stadt Siegen",
        ("livelihood", "housing"),
        "Leistungen und Unterbringung für Asylsuchende in der Stadt Siegen.",
        towns=("Siegen",),
        languages=("de",),
        address="Demo-Adresse: Rathaus, Musterstraße 4, 57072 Siegen",
        opening_hours="Mo–Fr 8.30–12 Uhr",
        phone="0271 000004",
    ),
    DemoService(
        "Beratung für Kinder, Jugendliche und Familien",
        "Jugendamt Kreis Siegen-Wittgenstein",
        ("family",),
        "Erziehungsberatung, Hilfen zur Erziehung, Kindertagesbetreuung.",
        towns=("Kreuztal", "Netphen", "Hilchenbach", "Freudenberg"),
        phone="0271 000005",
    ),
    DemoService(
        "Fallkonferenzen Kinderschutz (Fachkräfte)",
        "Jugendamt Kreis Siegen-Wittgenstein",
        ("family",),
        "Interne Anlaufstelle für Fachkräfte bei Fragen des Kinderschutzes.",
        phone="0271 000006",
        public=False,
    ),
    DemoService(
        "Migrationsberatung für Erwachsene (MBE)",
        "traeger",
        ("migration_counselling", "residence", "language"),
        "Beratung zu Aufenthalt, Sprachkursen, Arbeit und Alltagsfragen für Erwachsene.",
        languages=("de", "ar", "en", "fa"),
        address="Demo-Adresse: Brückenstraße 5, 57072 Siegen",
        opening_hours="Di und Do 9–13 Uhr, offene Sprechstunde Mi 14–16 Uhr",
        appointment="Offene Sprechstunde oder Termin per Telefon",
        step_free=False,
        accessibility="Beratungsraum im 1. Obergeschoss, kein Aufzug",
        phone="0271 000007",
        email="mbe@example.org",
        texts=MBE_TEXTS,
    ),
    DemoService(
        "Jugendmigrationsdienst (JMD)",
        "traeger",
        ("migration_counselling", "school", "family"),
        "Beratung für junge Menschen von 12 bis 27 Jahren zu Schule, Ausbildung und Familie.",
        languages=("de", "ar", "uk", "ru"),
        address="Demo-Adresse: Brückenstraße 5, 57072 Siegen",
        appointment="Termin per Telefon oder Messenger",
        phone="0271 000008",
        confirmed_days_ago=425,  # 14 months: flagged on the maintainers' start page
        texts=JMD_TEXTS,
    ),
    DemoService(
        "Integrationskurse",
        "Volkshochschule Siegen (Demo)",
        ("language",),
        "Integrationskurse mit Orientierungskurs; Einstufungstest nach Anmeldung.",
        languages=("de",),
        address="Demo-Adresse: Musterallee 6, 57072 Siegen",
        appointment="Anmeldung zum Einstufungstest persönlich oder telefonisch",
        step_free=True,
        phone="0271 000009",
        texts=VHS_TEXTS,
    ),
    DemoService(
        "Anerkennungs- und Qualifizierungsberatung",
        "IQ Anerkennungsberatung Südwestfalen (Demo)",
        ("recognition", "work"),
        "Beratung zur Anerkennung ausländischer Berufs- und Studienabschlüsse.",
        languages=("de", "en", "ar", "tr"),
        appointment="Termin per E-Mail, auch Videoberatung",
        email="anerkennung@example.org",
    ),
    DemoService(
        "Psychosoziale Beratung für Geflüchtete",
        "Psychosoziales Zentrum Südwestfalen (Demo)",
        ("health",),
        "Beratung und Stabilisierung für traumatisierte Geflüchtete, Vermittlung in Therapie.",
        languages=("de", "ar", "fa", "kmr"),
        appointment="Erstgespräch nach telefonischer Anmeldung",
        phone="0271 000010",
    ),
    DemoService(
        "Schuldnerberatung Wittgenstein",
        "Lebenswege Wittgenstein gGmbH (Demo)",
        ("debt",),
        "Beratung bei Schulden, Verbraucherinsolvenz und Pfändungsschutz.",
        towns=("Bad Berleburg", "Bad Laasphe", "Erndtebrück"),
        phone="02751 000011",
    ),
    DemoService(
        "Sprachcafé im Stadtteil",
        "Nachbarschaftswerk Rothaar e.V. (Demo)",
        ("language",),
        "Offener Treff zum Deutschüben; zum 30.06.2025 eingestellt.",
        towns=("Siegen",),
        valid_from=dt.date(2022, 3, 1),
        valid_to=dt.date(2025, 6, 30),
        confirmed_days_ago=500,
    ),
)


def _providers(orgs: dict[str, Organisation]) -> dict[str, Organisation]:
    kreis = orgs["kreis"]
    for name, short, kind, authority_type in EXTRA_PROVIDERS:
        if not Organisation.objects.filter(name=name).exists():
            org_actions.create_organisation(
                acting_user=None,
                kind=kind,
                name=name,
                short_name=short,
                authority_type=authority_type,
                parent=kreis if kind == OrgKind.AUTHORITY else None,
                region=kreis,
                is_demo=True,
            )
    names = {s.provider for s in SERVICES} - set(orgs)
    return orgs | {o.name: o for o in Organisation.objects.filter(name__in=names)}


def seed_directory() -> None:
    actions.load_topics(acting_user=None)
    orgs = _providers(demo_organisations())
    kreis = orgs["kreis"]
    topics = {t.key: t for t in actions.current_topics()}
    existing = set(Service.objects.filter(region=kreis).values_list("name", flat=True))
    today = timezone.localdate()
    for demo in SERVICES:
        if demo.name in existing:
            continue
        service = actions.create_service(
            acting_user=None,
            region=kreis,
            provider=orgs[demo.provider],
            topics=[topics[k] for k in demo.topics],
            towns=[orgs[n] for n in demo.towns],  # the demo's towns by short name
            name=demo.name,
            description=demo.description,
            legal_spheres=[],
            address=demo.address,
            opening_hours=demo.opening_hours,
            languages=list(demo.languages),
            accessibility=demo.accessibility,
            step_free=demo.step_free,
            appointment=demo.appointment,
            phone=demo.phone,
            email=demo.email,
            website="",
            valid_from=demo.valid_from,
            valid_to=demo.valid_to,
            source=SOURCE,
            public=demo.public,
            confirmed_on=today - dt.timedelta(days=demo.confirmed_days_ago),
        )
        for language, (name, text) in demo.texts.items():
            if not ServiceText.objects.filter(service=service, language=language).exists():
                actions.save_service_text(
                    service, acting_user=None, language=language, name=name, description=text
                )
