"""The screening rules as dated versions, with their norms, sources, parameters and criteria.

Facts and sources: domain brief § 3 (and issue 7 § 1–2). Every number the checks use is a
parameter of its version (periods, age limits, language levels, thresholds), so a legal
change is a new version here, never an edit of ``kim.screening.rules``.
``kim.screening.actions.reference.load_screening_reference_data`` copies these versions into
``RuleVersion`` (idempotent: an existing row is left alone, so local corrections survive).

Criteria: ``{"id", "kind", "label", "norm"}``; ``kind`` is ``checkable`` (decided from the
facts) or ``discretionary`` (shown, never decisive); ``id`` selects the check in
``kim.screening.rules.CHECKS``.

Simplifications (also stated in the versions' notes and in the explanations):
- A fine in daily rates stands for every conviction (``criminal_fine_daily_rates``).
- § 25b: "serious interest in expulsion" (§ 54 Abs. 1, Abs. 2 Nr. 1–2 AufenthG) is read as a
  fine above ``max_fine_daily_rates`` = 180 (about six months, the prison term of § 54 Abs. 2
  Nr. 1); the authority checks the actual record.
- § 104c: the 90-daily-rate limit for AufenthG/AsylG-only offences cannot be told apart, so
  50 is checked and the 90 case is a discretionary note.
- § 10 StAG: any Aufenthaltserlaubnis counts as a permit that can lead to permanent residence
  unless its section is in ``temporary_permit_sections``.
- Tolerated interruptions and paused periods (§ 60b) do not count towards the time; they only
  keep the stretch unbroken.
"""

from __future__ import annotations

from datetime import date
from typing import Any

# The sources users read on /screening/regeln/ (``"URL (Titel) ; Text"``, see
# ``kim.screening.queries.rules.parse_sources``): the law itself on the Federal Ministry of
# Justice's portal and the amending acts, in German (decisions D-054). The pages the brief
# read – commentaries, counselling sites, law firms – are the research trail in ``RESEARCH_*``
# and each version's ``internal_note``: for developers, never loaded or shown.
GII = "https://www.gesetze-im-internet.de"
SRC_25A = (
    f"{GII}/aufenthg_2004/__25a.html (Aufenthaltsgesetz, § 25a, geltende Fassung) ; "
    "Gesetz zur Einführung eines Chancen-Aufenthaltsrechts (Änderungen ab 31.12.2022)"
)
SRC_25B = (
    f"{GII}/aufenthg_2004/__25b.html (Aufenthaltsgesetz, § 25b, geltende Fassung) ; "
    "Gesetz zur Einführung eines Chancen-Aufenthaltsrechts (Änderungen ab 31.12.2022)"
)
SRC_104C = (
    f"{GII}/aufenthg_2004/__104c.html (Aufenthaltsgesetz, § 104c, Chancen-Aufenthaltsrecht) ; "
    "eingefügt durch das Gesetz zur Einführung eines Chancen-Aufenthaltsrechts; Anträge bis "
    "31.12.2025"
)
SRC_STAG = (
    f"{GII}/stag/__10.html (Staatsangehörigkeitsgesetz, § 10, geltende Fassung) ; "
    "Gesetz zur Modernisierung des Staatsangehörigkeitsrechts (StARModG) vom 22.03.2024, in "
    "Kraft seit 27.06.2024"
)
SRC_TURBO = (
    f"{GII}/stag/__10.html (Staatsangehörigkeitsgesetz, § 10) ; "
    "https://www.bundestag.de/presse/hib/kurzmeldungen-1108272 (Deutscher Bundestag: "
    "Abschaffung der Einbürgerung nach drei Jahren, Drucksache 21/537) ; "
    "VG Trier, Urteil vom 03.12.2025 – 8 K 5461/25.TR"
)

RESEARCH_25A = (
    "KIM brief §3.1: https://buzer.de/25a_AufenthG.htm?setmobile=1 ; "
    "https://nds-fluerat.org/?p=45528 ; https://asyl.net/themen/ (Aufenthaltserlaubnis für gut "
    "integrierte Jugendliche und junge Erwachsene) ; https://anwalt-diedrich.de/?p=889"
)
RESEARCH_25B = (
    "KIM brief §3.2: https://www.asyl.net/themen/ (Aufenthaltserlaubnis bei nachhaltiger "
    "Integration) ; https://nds-fluerat.org/leitfaden/15-aufenthaltserlaubnis-nachhaltige-"
    "integration/ ; https://asyl.net/rsdb/M26754"
)
RESEARCH_104C = (
    "KIM brief §3.3: https://sonnenberg-lawfirm.de/?p=2234 ; https://www.ihk.de/regensburg/ "
    "(Chancen-Aufenthaltsrecht: Anträge nur noch bis 31.12.2025, 6745522) ; "
    "https://bleibdranplus.de/countdown-chancenaufenthalt/ ; https://berlin-hilft.com/2023/01/20/"
)
RESEARCH_STAG = (
    "KIM brief §3.4: https://proasyl.de/hintergrund/voraussetzungen-fuer-die-einbuergerung-seit-"
    "juni-2024 ; https://innen.hessen.de/ (Unterhaltsfähigkeit) ; "
    "https://szypulka.de/de/einbuergerung/einbuergerung-trotz-buergergeld-oder-sozialhilfe/ ; "
    "https://ogletree.de/publikationen/staatsangehoerigkeitsrecht-modernisiert"
)
RESEARCH_TURBO = (
    "KIM brief §3.4: https://hrrf.de/?p=4568 ; "
    "https://www.anwalt.org/turbo-einbuergerung-abgeschafft-nach-nur-einem-jahr-ist-schluss ; "
    "https://migrando.de/?p=260099 ; the exact promulgation day is UNCONFIRMED (about "
    "30.10.2025), 29.10.2025 is assumed as the last day"
)

# The base norm of each rule, in the fixed evaluation order.
RULE_ORDER: tuple[str, ...] = (
    "aufenthg_25a",
    "aufenthg_25b",
    "aufenthg_104c",
    "stag_10",
    "stag_10_3",
)
RULE_NORMS: dict[str, str] = {
    "aufenthg_25a": "§ 25a AufenthG",
    "aufenthg_25b": "§ 25b AufenthG",
    "aufenthg_104c": "§ 104c AufenthG",
    "stag_10": "§ 10 StAG",
    "stag_10_3": "§ 10 Abs. 3 StAG",
}

PERMITS = ["aufenthaltserlaubnis", "niederlassungserlaubnis", "daueraufenthalt_eu"]
TOLERATED = ["duldung", "gestattung", *PERMITS]


def _c(cid: str, kind: str, label: str, norm: str) -> dict[str, str]:
    return {"id": cid, "kind": kind, "label": label, "norm": norm}


CHECKABLE = "checkable"
DISCRETIONARY = "discretionary"


def _criteria_25a(old: bool) -> list[dict[str, str]]:
    a = "§ 25a Abs. 1 Satz 1"
    items = [
        _c(
            "status",
            CHECKABLE,
            "Duldung oder Aufenthaltserlaubnis nach § 104c",
            f"{a} AufenthG",
        ),
    ]
    if not old:
        items.append(
            _c("duldung_months", CHECKABLE, "Seit 12 Monaten geduldet", f"{a} Nr. 1 AufenthG")
        )
    items += [
        _c(
            "age_at_application",
            CHECKABLE,
            "Antrag vor dem 21. Geburtstag" if old else "Antrag vor dem 27. Geburtstag",
            f"{a} Nr. 5 AufenthG" if not old else f"{a} Nr. 3 AufenthG",
        ),
        _c(
            "residence_time",
            CHECKABLE,
            "4 Jahre ununterbrochener Aufenthalt" if old else "3 Jahre ununterbrochener Aufenthalt",
            f"{a} Nr. 2 AufenthG" if not old else f"{a} Nr. 1 AufenthG",
        ),
        _c(
            "education",
            CHECKABLE,
            "Erfolgreicher Schulbesuch in Deutschland oder Schul-/Berufsabschluss",
            f"{a} Nr. 3 AufenthG" if not old else f"{a} Nr. 2 AufenthG",
        ),
        _c(
            "identity_deception",
            CHECKABLE,
            "Keine eigene Täuschung über Identität oder Staatsangehörigkeit",
            "§ 25a Abs. 1 Satz 3 AufenthG",
        ),
        _c(
            "livelihood_education",
            DISCRETIONARY,
            "Lebensunterhalt (Leistungsbezug in Ausbildung unschädlich)",
            "§ 25a Abs. 1 Satz 2 AufenthG, § 5 Abs. 3 AufenthG",
        ),
        _c(
            "fdgo_indication",
            DISCRETIONARY,
            "Keine Anhaltspunkte gegen die freiheitliche demokratische Grundordnung",
            f"{a} Nr. 6 AufenthG" if not old else f"{a} Nr. 5 AufenthG",
        ),
        _c(
            "integration_prognosis",
            DISCRETIONARY,
            "Positive Integrationsprognose",
            f"{a} Nr. 4 AufenthG",
        ),
    ]
    return items


def _criteria_25b() -> list[dict[str, str]]:
    s = "§ 25b Abs. 1 Satz 2"
    return [
        _c(
            "status",
            CHECKABLE,
            "Geduldet oder Aufenthaltserlaubnis nach § 104c",
            "§ 25b Abs. 1 Satz 1 AufenthG",
        ),
        _c("residence_time", CHECKABLE, "Ununterbrochener Voraufenthalt", f"{s} Nr. 1 AufenthG"),
        _c(
            "fdgo",
            CHECKABLE,
            "Bekenntnis zur freiheitlichen demokratischen Grundordnung",
            f"{s} Nr. 2 AufenthG",
        ),
        _c(
            "knowledge",
            CHECKABLE,
            "Grundkenntnisse der Rechts- und Gesellschaftsordnung",
            f"{s} Nr. 2 AufenthG",
        ),
        _c(
            "livelihood_mostly",
            CHECKABLE,
            "Lebensunterhalt überwiegend gesichert",
            f"{s} Nr. 3 AufenthG",
        ),
        _c(
            "oral_german",
            CHECKABLE,
            "Hinreichende mündliche Deutschkenntnisse (A2)",
            f"{s} Nr. 4 AufenthG",
        ),
        _c(
            "children_school",
            CHECKABLE,
            "Schulpflichtige Kinder besuchen die Schule",
            f"{s} Nr. 5 AufenthG",
        ),
        _c(
            "identity_deception",
            CHECKABLE,
            "Keine eigene Täuschung, die die Abschiebung verhindert",
            "§ 25b Abs. 2 Nr. 1 AufenthG",
        ),
        _c(
            "criminal",
            CHECKABLE,
            "Kein schwerwiegendes Ausweisungsinteresse",
            "§ 25b Abs. 2 Nr. 2 AufenthG",
        ),
        _c(
            "section_60d",
            DISCRETIONARY,
            "Beschäftigungsduldung: Erteilung nach 30 Monaten",
            "§ 25b Abs. 6 AufenthG",
        ),
    ]


def _criteria_104c() -> list[dict[str, str]]:
    a = "§ 104c Abs. 1 Satz 1"
    return [
        _c(
            "residence_on_cutoff",
            CHECKABLE,
            "Am 31.10.2022 seit 5 Jahren ununterbrochen geduldet, gestattet oder mit "
            "Aufenthaltserlaubnis",
            f"{a} AufenthG",
        ),
        _c("status", CHECKABLE, "Geduldet", f"{a} AufenthG"),
        _c(
            "fdgo",
            CHECKABLE,
            "Bekenntnis zur freiheitlichen demokratischen Grundordnung",
            f"{a} Nr. 1 AufenthG",
        ),
        _c("criminal", CHECKABLE, "Keine Verurteilung über 50 Tagessätze", f"{a} Nr. 2 AufenthG"),
        _c(
            "criminal_foreigner_offences",
            DISCRETIONARY,
            "Bis 90 Tagessätze bei Straftaten nur nach AufenthG/AsylG",
            f"{a} Nr. 2 AufenthG",
        ),
        _c(
            "identity_deception",
            CHECKABLE,
            "Keine wiederholte vorsätzliche Täuschung über die Identität",
            "§ 104c Abs. 1 Satz 2 AufenthG",
        ),
    ]


def _criteria_stag(version: str) -> list[dict[str, str]]:
    """``version``: "old" (until 26.06.2024), "new" (from 27.06.2024) or "turbo"."""
    s = "§ 10 Abs. 1 Satz 1"
    items = [
        _c(
            "residence_time",
            CHECKABLE,
            "Rechtmäßiger gewöhnlicher Aufenthalt",
            "§ 10 Abs. 3 StAG" if version == "turbo" else "§ 10 Abs. 1 Satz 1 StAG",
        ),
        _c(
            "identity_clarified",
            CHECKABLE,
            "Identität und Staatsangehörigkeit geklärt",
            f"{s} StAG",
        ),
        _c(
            "permit",
            CHECKABLE,
            "Unbefristetes Aufenthaltsrecht oder Aufenthaltserlaubnis mit Perspektive auf "
            "Daueraufenthalt",
            f"{s} Nr. 2 StAG",
        ),
        _c(
            "fdgo",
            CHECKABLE,
            "Bekenntnis zur freiheitlichen demokratischen Grundordnung",
            f"{s} Nr. 1 StAG",
        ),
    ]
    if version == "old":
        items.append(
            _c(
                "livelihood_old",
                DISCRETIONARY,
                "Lebensunterhalt ohne SGB II/XII oder Leistungsbezug nicht zu vertreten",
                f"{s} Nr. 3 StAG (bis 26.06.2024)",
            )
        )
    else:
        items.append(
            _c(
                "livelihood_naturalisation",
                CHECKABLE,
                "Lebensunterhalt ohne SGB II/XII",
                f"{s} Nr. 3 StAG",
            )
        )
    if version == "turbo":
        items += [
            _c(
                "livelihood_secured",
                CHECKABLE,
                "Lebensunterhalt dauerhaft gesichert",
                "§ 10 Abs. 3 StAG",
            ),
            _c("german_c1", CHECKABLE, "Deutschkenntnisse C1", "§ 10 Abs. 3 StAG"),
            _c(
                "special_achievements",
                CHECKABLE,
                "Besondere Integrationsleistungen",
                "§ 10 Abs. 3 StAG",
            ),
        ]
    else:
        items.append(
            _c("german_b1", CHECKABLE, "Deutschkenntnisse B1", f"{s} Nr. 6 StAG, § 10 Abs. 4 StAG")
        )
    items += [
        _c(
            "criminal",
            CHECKABLE,
            "Keine Verurteilung (Bagatellgrenze 90 Tagessätze)",
            f"{s} Nr. 5 StAG, § 12a StAG",
        ),
        _c(
            "naturalisation_test",
            CHECKABLE,
            "Einbürgerungstest bestanden",
            f"{s} Nr. 7 StAG, § 10 Abs. 5 StAG",
        ),
        _c(
            "capacity",
            DISCRETIONARY,
            "Handlungsfähigkeit (ab 16 Jahren) oder gesetzliche Vertretung",
            "§ 37 Abs. 1 StAG",
        ),
    ]
    if version == "old":
        items.append(
            _c(
                "integration_course",
                DISCRETIONARY,
                "Integrationskurs verkürzt auf 7 Jahre",
                "§ 10 Abs. 3 StAG (bis 26.06.2024)",
            )
        )
    else:
        items.append(
            _c(
                "values",
                DISCRETIONARY,
                "Keine Mehrehe, keine Missachtung der Gleichberechtigung; Bekenntnis zur "
                "historischen Verantwortung",
                f"{s} Nr. 1 und 8 StAG",
            )
        )
    return items


_TIME_25A = {
    "counting_statuses": TOLERATED,
    "paused_sections": ["60b"],
    "pause_exempt_sections": ["104c"],
    "max_interruption_days": 0,
}
_STAG_COMMON = {
    "counting_statuses": PERMITS,
    "gestattung_counts_if_recognized": True,
    "max_interruption_days": 183,
    "temporary_permit_sections": [
        "16a",
        "16b",
        "16d",
        "16e",
        "16f",
        "17",
        "18d",
        "18f",
        "19",
        "19b",
        "19e",
        "20",
        "22",
        "23a",
        "24",
        "104c",
    ],
    "max_fine_daily_rates": 90,
    "min_level": "B1",
    "capacity_age": 16,
}

VERSIONS: tuple[dict[str, Any], ...] = (
    {
        "rule": "aufenthg_25a",
        "valid_from": date(2015, 8, 1),
        "valid_to": date(2022, 12, 30),
        "norm": "§ 25a AufenthG (Fassung bis 30.12.2022)",
        "source": SRC_25A,
        "internal_note": RESEARCH_25A,
        "params": {
            **_TIME_25A,
            "years_required": 4,
            "min_age": 14,
            "age_limit": 21,
            "school_years": 4,
            "duldung_months": 0,
            "status_statuses": ["duldung"],
            "status_sections": ["104c"],
        },
        "criteria": _criteria_25a(old=True),
        "confirmed": True,
        "note": "Fassung des Gesetzes zur Neubestimmung des Bleiberechts (ab 01.08.2015); "
        "frühere Fassungen sind nicht abgebildet.",
    },
    {
        "rule": "aufenthg_25a",
        "valid_from": date(2022, 12, 31),
        "valid_to": None,
        "norm": "§ 25a AufenthG (Fassung ab 31.12.2022)",
        "source": SRC_25A,
        "internal_note": RESEARCH_25A,
        "params": {
            **_TIME_25A,
            "years_required": 3,
            "min_age": 14,
            "age_limit": 27,
            "school_years": 3,
            "duldung_months": 12,
            "status_statuses": ["duldung"],
            "status_sections": ["104c"],
        },
        "criteria": _criteria_25a(old=False),
        "confirmed": True,
        "note": "Fassung des Gesetzes zur Einführung eines Chancen-Aufenthaltsrechts. § 25a Abs. 2 "
        "(Eltern, Geschwister) ist nicht abgebildet; Einzelheiten nicht bestätigt – bitte prüfen.",
    },
    {
        "rule": "aufenthg_25b",
        "valid_from": date(2015, 8, 1),
        "valid_to": date(2022, 12, 30),
        "norm": "§ 25b AufenthG (Fassung bis 30.12.2022)",
        "source": SRC_25B,
        "internal_note": RESEARCH_25B,
        "params": {
            "counting_statuses": TOLERATED,
            "paused_sections": ["60b"],
            "pause_exempt_sections": ["104c"],
            "max_interruption_days": 90,
            "years_required": 8,
            "years_with_child": 6,
            "status_statuses": ["duldung"],
            "status_sections": ["104c"],
            "accepted_tests": ["leben_in_deutschland", "einbuergerungstest"],
            "min_oral_level": "A2",
            "max_fine_daily_rates": 180,
        },
        "criteria": _criteria_25b(),
        "confirmed": True,
        "note": "Schwerwiegendes Ausweisungsinteresse vereinfacht als Geldstrafe über 180 "
        "Tagessätze.",
    },
    {
        "rule": "aufenthg_25b",
        "valid_from": date(2022, 12, 31),
        "valid_to": None,
        "norm": "§ 25b AufenthG (Fassung ab 31.12.2022)",
        "source": SRC_25B,
        "internal_note": RESEARCH_25B,
        "params": {
            "counting_statuses": TOLERATED,
            "paused_sections": ["60b"],
            "pause_exempt_sections": ["104c"],
            "max_interruption_days": 90,
            "years_required": 6,
            "years_with_child": 4,
            "status_statuses": ["duldung"],
            "status_sections": ["104c"],
            "accepted_tests": ["leben_in_deutschland", "einbuergerungstest"],
            "min_oral_level": "A2",
            "max_fine_daily_rates": 180,
            "section_60d_months": 30,
        },
        "criteria": _criteria_25b(),
        "confirmed": True,
        "note": "Schwerwiegendes Ausweisungsinteresse vereinfacht als Geldstrafe über 180 "
        "Tagessätze; § 25b Abs. 6 (§ 60d, 30 Monate) nur als Hinweis.",
    },
    {
        "rule": "aufenthg_104c",
        "valid_from": date(2022, 12, 31),
        "valid_to": date(2025, 12, 31),
        "norm": "§ 104c AufenthG (Fassung ab 31.12.2022, Anträge bis 31.12.2025)",
        "source": SRC_104C,
        "internal_note": RESEARCH_104C,
        "params": {
            "counting_statuses": TOLERATED,
            "paused_sections": [],
            "pause_exempt_sections": [],
            "max_interruption_days": 0,
            "years_required": 5,
            "cutoff_date": "2022-10-31",
            "status_statuses": ["duldung"],
            "status_sections": [],
            "max_fine_daily_rates": 50,
            "max_fine_foreigner_offences": 90,
            "expired_note": "Anträge waren nur bis {valid_to} möglich",
        },
        "criteria": _criteria_104c(),
        "confirmed": True,
        "note": "Ausgelaufen am 01.01.2026 ohne Übergangsregelung; bleibt für Inhaber eines "
        "§-104c-Titels beim Wechsel in §§ 25a/25b von Bedeutung.",
    },
    {
        "rule": "stag_10",
        "valid_from": date(2000, 1, 1),
        "valid_to": date(2024, 6, 26),
        "norm": "§ 10 StAG (Fassung bis 26.06.2024)",
        "source": SRC_STAG,
        "internal_note": RESEARCH_STAG,
        "params": {
            **_STAG_COMMON,
            "years_required": 8,
            "years_with_achievements": 6,
            "years_with_course": 7,
        },
        "criteria": _criteria_stag("old"),
        "confirmed": True,
        "note": "Achtjahresfrist seit der Reform zum 01.01.2000; Zwischenänderungen sind nicht "
        "einzeln abgebildet.",
    },
    {
        "rule": "stag_10",
        "valid_from": date(2024, 6, 27),
        "valid_to": None,
        "norm": "§ 10 StAG (Fassung ab 27.06.2024)",
        "source": SRC_STAG,
        "internal_note": RESEARCH_STAG,
        "params": {
            **_STAG_COMMON,
            "years_required": 5,
            "full_time_months_required": 20,
        },
        "criteria": _criteria_stag("new"),
        "confirmed": True,
        "note": "StARModG vom 22.03.2024. Ausnahme für Ehegatten Vollzeitbeschäftigter mit "
        "minderjährigem Kind und Altfälle (Antrag bis 23.08.2023) nicht abgebildet.",
    },
    {
        "rule": "stag_10_3",
        "valid_from": date(2024, 6, 27),
        "valid_to": date(2025, 10, 29),
        "norm": "§ 10 Abs. 3 StAG (Fassung 27.06.2024 bis Ende Oktober 2025)",
        "source": SRC_TURBO,
        "internal_note": RESEARCH_TURBO,
        "params": {
            **_STAG_COMMON,
            "years_required": 3,
            "min_level": "C1",
            "expired_note": "Die Einbürgerung nach 3 Jahren wurde Ende Oktober 2025 "
            "abgeschafft (letzter Geltungstag angenommen: {valid_to})",
        },
        "criteria": _criteria_stag("turbo"),
        "confirmed": False,
        "note": "Abschaffung am 08.10.2025 vom Bundestag beschlossen (Drs. 21/537), in Kraft mit "
        "Verkündung Ende Oktober 2025; genauer Tag nicht bestätigt – bitte prüfen (etwa "
        "30.10.2025), hier gilt der 29.10.2025 als letzter Geltungstag. Keine "
        "Übergangsregelung (VG Trier, 03.12.2025, 8 K 5461/25.TR).",
    },
)


# --------------------------------------------------------------------------------------------
# The invitation letter's German text (issue 19, D-092): the platform's default LetterText
# (region empty), loaded by ``load_screening_reference_data``. Translations are entered by the
# Kreis; missing terms of a translation are printed in German (``LETTER_TERMS_DE``).
# --------------------------------------------------------------------------------------------

SRC_LETTER = (
    "Einladungsschreiben der Ausländerbehörde (Baustein 3); Hinweis: keine Entscheidung, "
    "keine Zusage (§ 25 VwVfG – Beratung und Auskunft)"
)
LETTER_TERMS_DE: dict[str, str] = {
    "aufenthg_25a": "§ 25a AufenthG – gut integrierte Jugendliche und junge Volljährige",
    "aufenthg_25b": "§ 25b AufenthG – nachhaltige Integration",
    "aufenthg_104c": "§ 104c AufenthG – Chancen-Aufenthaltsrecht",
    "stag_10": "§ 10 StAG – Einbürgerung",
    "stag_10_3": "§ 10 Abs. 3 StAG – Einbürgerung nach 3 Jahren (ehemals)",
    "language_certificate": "Sprachzertifikat (z. B. DTZ, telc, Goethe)",
    "test_certificate": (
        "Bescheinigung über den Test „Leben in Deutschland“ oder den Einbürgerungstest"
    ),
    "school_reports": "Schulzeugnisse und Abschlusszeugnisse",
    "identity": "Pass oder anderer Identitätsnachweis",
    "income": "Nachweise über Einkommen (z. B. Arbeitsvertrag, Lohnabrechnungen)",
    "children_school": "Schulbescheinigungen Ihrer Kinder",
    "residence_papers": "Ihre aktuellen Aufenthaltspapiere (Duldung, Aufenthaltserlaubnis)",
}
LETTER_TEXT_DE: dict[str, Any] = {
    "language": "de",
    "valid_from": date(2020, 1, 1),
    "source": SRC_LETTER,
    "title": "Einladung zur Beratung über Ihre Aufenthaltsperspektive",
    "file_number_label": "Ihr Aktenzeichen",
    "salutation": "Guten Tag {name},",
    "intro": (
        "wir möchten Sie zu einem Beratungsgespräch über Ihre Aufenthaltsperspektive "
        "einladen. Eine erste Durchsicht der uns vorliegenden Angaben deutet darauf hin, dass "
        "für Sie Folgendes in Betracht kommen könnte:"
    ),
    "promising_intro": "",
    "fallback_promising": "ein sicheres Aufenthaltsrecht",
    "possibly_from": "{rule} – möglicherweise ab {day}",
    "documents_intro": "Bitte bringen Sie, soweit vorhanden, folgende Unterlagen mit:",
    "disclaimer": (
        "Dieses Schreiben ist keine Entscheidung und keine Zusage. Ob ein Aufenthaltstitel "
        "erteilt oder eine Einbürgerung möglich ist, entscheidet die Behörde erst nach einem "
        "Antrag und einer vollständigen Prüfung Ihres Einzelfalls."
    ),
    "contact_label": "Kontakt",
    "closing": "Mit freundlichen Grüßen",
    "terms": LETTER_TERMS_DE,
}
