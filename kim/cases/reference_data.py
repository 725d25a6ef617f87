"""Catalogues and default rules of case management, as typed records with their sources.

``kim.cases.actions.reference.load_case_reference_data`` copies them into their tables
(idempotent: rows that exist are left as they are, so local corrections survive a reload).
Figures the brief marks UNCONFIRMED are loaded with ``confirmed=False``: configurable defaults.
"""

from __future__ import annotations

from datetime import date

PROGRAMME_START = date(2020, 1, 1)
SRC_LIFE_AREAS = (
    "Domain brief § 2.3: suggested enumeration after Rhein-Kreis Neuss (Vorlage 9383) and the "
    "Siegen Förderskizze; no official state catalogue found (UNCONFIRMED)"
)

# key, German name, English name
LIFE_AREAS: tuple[tuple[str, str, str], ...] = (
    ("aufenthalt", "Aufenthalt", "Residence"),
    ("sprache", "Sprache", "Language"),
    ("bildung", "Bildung/Schule", "Education/school"),
    ("arbeit", "Ausbildung/Arbeit", "Training/work"),
    ("anerkennung", "Anerkennung", "Recognition of qualifications"),
    ("existenz", "Existenzsicherung/Leistungen", "Livelihood/benefits"),
    ("wohnen", "Wohnen", "Housing"),
    ("gesundheit", "Gesundheit", "Health"),
    ("familie", "Familie/Kinder", "Family/children"),
    ("teilhabe", "Soziale Teilhabe", "Social participation"),
    ("einbuergerung", "Einbürgerung", "Naturalisation"),
)

BARRIER_CATEGORIES: tuple[tuple[str, str, str], ...] = (
    ("zustaendigkeit", "Unklare Zuständigkeit", "Unclear responsibility"),
    ("wartezeit", "Lange Bearbeitungs- oder Wartezeiten", "Long processing or waiting times"),
    ("sprache", "Sprachbarriere / fehlende Dolmetschung", "Language barrier / no interpreting"),
    ("digital", "Digitale Hürden (Online-Anträge, Termine)", "Digital hurdles"),
    ("schnittstelle", "Schnittstelle zwischen Rechtskreisen", "Gap between legal spheres"),
    ("angebot", "Fehlendes Angebot vor Ort", "Missing local service"),
    ("information", "Fehlende Information / Transparenz", "Missing information"),
    ("diskriminierung", "Diskriminierungserfahrung", "Experience of discrimination"),
    ("sonstiges", "Sonstiges", "Other"),
)

# The Kreis' local target-group criteria (brief § 2.2); one set per Kreis, loaded for the demo
# Kreis Siegen-Wittgenstein. (text, weight)
SRC_TARGET_GROUP = (
    "Domain brief § 2.2: Siegen-Wittgenstein focuses on refugees without case management "
    "from another agency (suedwestfalen-nachrichten.de); GGUA Münster access criteria"
)
TARGET_GROUP_CRITERIA: tuple[tuple[str, int], ...] = (
    ("Geflüchtete Person ohne Fallmanagement bei einer anderen Stelle", 3),
    ("Komplexer Bedarf in mehreren Lebensbereichen", 2),
    ("Mehrere Behörden/Rechtskreise beteiligt", 2),
    ("Regelangebote erreichen die Person nicht / sind unbekannt", 1),
)

SRC_CASELOAD = (
    "Domain brief § 2.6: no state norm for the caseload per case manager (UNCONFIRMED); the "
    "SGB II Fallmanagement benchmark of about 1:75 is sometimes used for comparison"
)
DEFAULT_CASELOAD = 75
DEFAULT_REVIEW_DAYS = 90
DEFAULT_TRANSITION_NOTICE_DAYS = 60

# (target, action, months, source) — all UNCONFIRMED defaults for the local data-protection
# officer to confirm: the retention duty for social data follows the purpose (§ 84 SGB X).
RETENTION_RULES: tuple[tuple[str, str, int, str], ...] = (
    (
        "case_file",
        "anonymise",
        36,
        "§ 84 Abs. 2 SGB X (erase when no longer needed); 3 years after closing as a local "
        "default for follow-up questions and audits of the funding (UNCONFIRMED)",
    ),
    (
        "activities",
        "delete",
        24,
        "§ 84 Abs. 2 SGB X; contacts and notes 2 years after closing (UNCONFIRMED default)",
    ),
    (
        "documents",
        "delete",
        24,
        "§ 84 Abs. 2 SGB X; copies of documents 2 years after closing (UNCONFIRMED default)",
    ),
    (
        "consents",
        "delete",
        36,
        "Art. 7 Abs. 1 DSGVO (proof of consent) – 3 years after revocation or expiry "
        "(UNCONFIRMED default)",
    ),
    (
        "waiting_list",
        "delete",
        12,
        "Art. 5 Abs. 1 lit. e DSGVO; waiting-list entries never taken on, 1 year after the "
        "referral (UNCONFIRMED default)",
    ),
)

SRC_CONSENT = (
    "§ 67b Abs. 2 SGB X (written, informed, purpose-bound, revocable); § 203 StGB release "
    "from confidentiality per partner agency (domain brief § 2.5)"
)
CONSENT_FORM_DE = """Ich, {person}, willige ein, dass {organisation} im Rahmen des Kommunalen \
Integrationsmanagements (KIM) folgende Daten über mich an {recipient} übermittelt und mit \
{recipient} austauscht:

{categories}

Zweck: {purpose}

Insoweit entbinde ich die Case Managerin / den Case Manager von der Schweigepflicht \
(§ 203 StGB). Die Einwilligung gilt bis {valid_until}.

Die Einwilligung ist freiwillig. Ich kann sie jederzeit ohne Angabe von Gründen ganz oder \
teilweise mit Wirkung für die Zukunft widerrufen (§ 67b Abs. 2 SGB X, Art. 7 Abs. 3 DSGVO). \
Wenn ich nicht einwillige oder widerrufe, entstehen mir keine Nachteile bei der Beratung; \
Daten werden dann nicht an {recipient} weitergegeben."""

CONSENT_FORM_EN = """I, {person}, consent to {organisation} passing on the following data about \
me to {recipient}, and exchanging it with {recipient}, within Kommunales Integrationsmanagement \
(KIM):

{categories}

Purpose: {purpose}

To this extent I release the case manager from professional confidentiality (§ 203 StGB). \
This consent is valid until {valid_until}.

Consent is voluntary. I can withdraw it at any time, fully or in part, without giving reasons, \
with effect for the future (§ 67b (2) SGB X, Art. 7 (3) GDPR). If I do not consent or withdraw \
it, my counselling will not suffer; no data will then be passed on to {recipient}.

(Translation for information. The German text is binding.)"""

# (language, title, body, labels and notes): the platform's defaults (region empty).
CONSENT_FORMS: tuple[tuple[str, str, str, dict[str, str]], ...] = (
    (
        "de",
        "Einwilligung und Schweigepflichtentbindung",
        CONSENT_FORM_DE,
        {"place_date_label": "Ort, Datum", "signature_label": "Unterschrift"},
    ),
    (
        "en",
        "Consent and release from confidentiality",
        CONSENT_FORM_EN,
        {
            "place_date_label": "Place, date",
            "signature_label": "Signature",
            "binding_note": "Translation for information. The German text is binding.",
        },
    ),
)
