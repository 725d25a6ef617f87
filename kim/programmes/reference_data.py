"""Public facts for pay and funding, as typed frozen records with their sources.

Everything here comes from the domain brief (``/work/shared/domain/kim-brief.md`` §§ 1.5 and 6).
Nothing here touches the database: ``kim.programmes.actions.load_reference_data`` copies these
records into tables with the same field names, and ``kim.programmes.pay.StaticPayRules``
computes with them directly.

Two kinds of text (decisions D-054):

- ``source`` (and ``note``, ``rule``, the breakdown labels) is what users read on the rates
  page and the Kreis overview: an official citation in German – the Förderrichtlinie with its
  MBl. NRW number, the Bezirksregierung's page, the Tarifvertrag – and, for an UNCONFIRMED
  figure, a German remark ending in "nicht bestätigt – bitte prüfen". No links to unofficial
  copies, no English research remarks.
- ``internal_note`` is for developers: how the figure was found (the brief's section, the
  pages read, mirrors, assumptions), in English. It stays in this file and is never loaded into
  the database or rendered.

Flags:

- ``PayRow.computed`` marks values the brief labels COMPUTED (projected from the pay agreement
  of 06.04.2025, not copied from a published table); ``rule`` says how.
- ``confirmed=False`` marks an UNCONFIRMED figure: a configurable default, never a fact to
  state in a council report without saying so.

Amounts are ``Decimal`` built from strings, never from floats.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

SCALE_GENERAL = "TVöD VKA"
SCALE_SUE = "TVöD SuE"

# --- record types --------------------------------------------------------------------------


@dataclass(frozen=True)
class PayRow:
    """One row of a TVöD table: monthly full-time pay for Stufe 1..6 of one group."""

    scale: str
    group: str
    valid_from: date
    amounts: tuple[Decimal, ...]
    computed: bool
    rule: str
    source: str
    internal_note: str = ""

    def __post_init__(self) -> None:
        if len(self.amounts) != 6:
            raise ValueError(f"{self.group} {self.valid_from}: six steps expected")


@dataclass(frozen=True)
class StepRule:
    """Years to spend in ``step`` before reaching ``step + 1`` (``None``: final step)."""

    scale: str
    step: int
    years: int | None
    source: str
    internal_note: str = ""


@dataclass(frozen=True)
class SpecialPaymentRate:
    """Jahressonderzahlung as a fraction of monthly pay, for a band of groups of one scale."""

    scale: str
    group_from: str
    group_to: str
    valid_from: date
    valid_to: date | None
    rate: Decimal
    source: str
    internal_note: str = ""


@dataclass(frozen=True)
class EmployerAddOn:
    """Employer cost factor on gross pay (1 + employer shares), with its breakdown."""

    valid_from: date
    factor: Decimal
    breakdown: tuple[tuple[str, Decimal], ...]
    confirmed: bool
    source: str
    internal_note: str = ""


@dataclass(frozen=True)
class FundingRateFact:
    """Land funding per Baustein and kind (per_vze, va_half, workplace_setup, non_personnel).

    ``confirmed`` is True only where the granting authority's own text (BRA page, older BRA
    text, Förderrichtlinie) states the amount; figures resting on municipal council papers
    alone, or inferred, are False. ``note`` tells the reader in German what is assumed or
    unconfirmed (period boundaries, amounts); ``internal_note`` keeps the research trail.
    """

    baustein: str
    kind: str
    amount: Decimal
    valid_from: date
    valid_to: date | None
    confirmed: bool
    source: str
    note: str
    internal_note: str = ""


# --- sources ---------------------------------------------------------------------------------
# ``SRC_*``: the citation users read (German, official). ``RESEARCH_*``: the trail behind it
# (English, with the pages the brief read), kept for developers in ``internal_note``.

SRC_VKA_2024 = "TVöD (VKA), Entgelttabelle Anlage A, gültig ab 01.03.2024"
SRC_VKA_2025 = (
    "TVöD (VKA), Entgelttabelle Anlage A, gültig ab 01.04.2025 "
    "(Tarifeinigung Bund/VKA vom 06.04.2025)"
)
SRC_SUE_2024 = "TVöD (VKA), Entgelttabelle Sozial- und Erziehungsdienst, gültig ab 01.03.2024"
SRC_AGREEMENT = (
    "Tarifeinigung für den öffentlichen Dienst von Bund und Kommunen (TVöD) vom 06.04.2025: "
    "+3,0 %, mindestens +110 € ab 01.04.2025; +2,8 % ab 01.05.2026; Laufzeit 01.01.2025 bis "
    "31.03.2027. Werte nach der angegebenen Regel berechnet; einzelne Cent-Beträge können von "
    "der amtlichen Tabelle abweichen."
)
RULE_2025 = (
    "Wert 2025 = Wert 2024 × 1,03, mindestens Wert 2024 + 110 € (Tarifeinigung vom 06.04.2025), "
    "kaufmännisch auf den Cent gerundet"
)
RULE_2026 = (
    "Wert 2026 = Wert 2025 × 1,028 (Tarifeinigung vom 06.04.2025), kaufmännisch auf den Cent "
    "gerundet"
)

RESEARCH_VKA_2024 = (
    "KIM brief §6.2: 2024 E table read at https://xn--tvd-tna.com/entgelttabelle/vka/"
)
RESEARCH_VKA_2025 = (
    "KIM brief §6.2: 2025 E table checked against "
    "https://www.dienstrechner.de/entgelttabellen/tvoed-vka (E 9b, E 9c, E 10, E 11 match "
    "exactly); agreement: https://oeffentlicher-dienst.info/tvoed/tr/2025"
)
RESEARCH_SUE_2024 = (
    "KIM brief §6.2: 2024 SuE table read at https://xn--tvd-tna.com/entgelttabelle/sue/ ; "
    "identical to AVR-Württemberg Anlage C VKA: https://www.xn--avr-wrttemberg-ksb.de/"
    "teil-3-1-besonderer-teil-verwaltung-bt-v-einschliesslich-ergaenzender-bestimmungen/"
    "anlage-c-vka-ab-1-3-2020/"
)
RESEARCH_AGREEMENT = (
    "KIM brief §6.2: COMPUTED from the agreement of 06.04.2025, as reported at "
    "https://oeffentlicher-dienst.info/tvoed/tr/2025 and "
    "https://laghessen.de/tvoed-tarifabschluss-final-entgelttabellen-hier-zum-download/ ; "
    "a few cents may differ from the official tables"
)

SRC_STEPS_GENERAL = "§ 16 Abs. 3 TVöD (VKA), Stufenlaufzeiten"
SRC_STEPS_SUE = (
    "TVöD (VKA), Sonderregelungen für den Sozial- und Erziehungsdienst, Stufenlaufzeiten"
)
SRC_SPECIAL_VKA = "§ 20 TVöD, Jahressonderzahlung; Tarifeinigung vom 06.04.2025"
SRC_SPECIAL_SUE = (
    "§ 20 TVöD, Jahressonderzahlung (Sozial- und Erziehungsdienst); Tarifeinigung vom 06.04.2025"
)
RESEARCH_STEPS_GENERAL = (
    "KIM brief §6.3: https://dbb.de/lexikon/themenartikel/e/entwicklungsstufen.html"
)
RESEARCH_STEPS_SUE = (
    "KIM brief §6.3: https://www.gew-sachsen.de/aktuelles/detailseite/neuigkeiten/stufenlaufzeiten/"
)
RESEARCH_SPECIAL_VKA = "KIM brief §6.3: https://oeffentlicher-dienst.info/tvoed/tr/2025 ; Haufe"
RESEARCH_SPECIAL_SUE = (
    "KIM brief §6.3: https://www.xn--mav-kirchenkreis-osnabrck-1wc.de/"
    "themen-von-a-z/jahressonderzahlung"
)
SRC_EMPLOYER = (
    "Arbeitgeberanteile der gesetzlichen Sozialversicherung 2025 (zusammen rund 21 %); "
    "Umlage zur kvw-Zusatzversorgung (Kommunale Versorgungskassen Westfalen-Lippe), "
    "Satz nicht bestätigt – bitte prüfen (üblich 4–7 %); Faustregel 1,25–1,30 × Bruttoentgelt"
)
RESEARCH_EMPLOYER = (
    "KIM brief §6.4: shares from https://deutsche-flagge.de/ (Sozialversicherung 2025); kvw: "
    "https://kvw-muenster.de/de/betriebsrente/arbeitgeber/mitgliedschaft (levy rate "
    "UNCONFIRMED, roughly 4–7 %); rule of thumb 1.25–1.30 × gross"
)

SRC_RL_2020 = "Förderrichtlinie KIM vom 25.11.2020, MBl. NRW 2020 Nr. 32, S. 751"
SRC_RL_2024 = "Förderrichtlinie KIM vom 12.12.2024, MBl. NRW 2024 Nr. 43, S. 1229"
SRC_BRA = (
    "Bezirksregierung Arnsberg, Dezernat 36 (Kompetenzzentrum für Integration): "
    "Förderung Kommunales Integrationsmanagement (KIM)"
)
SRC_BRA_OLD = f"{SRC_RL_2020}; frühere Fassung der Förderseite der Bezirksregierung Arnsberg"
SRC_COESFELD = "Kreis Coesfeld, Sitzungsvorlage SV-10-0898"
SRC_HEINSBERG = "Kreis Heinsberg, Sitzungsvorlage zur Weiterleitung an freie Träger (2021)"
RESEARCH_BRA_OLD = (
    "KIM brief §1.5: the older BRA text was read in a copy at https://ufaauto24.com/7pAr9dyY.html "
    "(not an official site: never cite it to users); first RL: "
    "https://recht.nrw.de/lmi/owa/br_vbl_detail_text?anw_nr=7&vd_id=18921&ver=8&val=18921"
)
RESEARCH_BRA = (
    "KIM brief §1.5: https://bra.nrw.de/integration-migration/kompetenzzentrum-fuer-integration/"
    "foerderung-kommunen/kommunales-integrationsmanagement-kim"
)
RESEARCH_COESFELD = (
    "KIM brief §1.5: https://www.kreis-coesfeld.de/sessionnet/sessionnetbi/vo0050.php"
    "?__kvonr=5924 ('currently 2023')"
)
RESEARCH_HEINSBERG = (
    "KIM brief §1.5: https://sitzungsdienst.kreis-heinsberg.de/bi/vo0050.asp?__kvonr=2459"
    "&voselect=1402"
)
RESEARCH_RL_2024 = (
    "https://recht.nrw.de/lmi/owa/br_vbl_detail_text?anw_nr=7&vd_id=21991&ver=8&val=21991"
)

# End of the pay agreement's term: tables after this date are not known yet, so a forecast
# beyond it carries the latest table forward and says so (YearCost.missing_table).
PAY_TABLES_VALID_UNTIL = date(2027, 3, 31)
PAY_TABLES_VALID_UNTIL_SOURCE = SRC_AGREEMENT


# --- pay tables (brief §6.2) ---------------------------------------------------------------


def _amounts(*values: str) -> tuple[Decimal, ...]:
    return tuple(Decimal(v) for v in values)


MAR_2024 = date(2024, 3, 1)
APR_2025 = date(2025, 4, 1)
MAY_2026 = date(2026, 5, 1)


Steps = tuple[str, str, str, str, str, str]


def _vka(group: str, y2024: Steps, y2025: Steps, y2026: Steps) -> tuple[PayRow, ...]:
    """General table: 2024 and 2025 published, 2026 COMPUTED."""
    return (
        PayRow(
            SCALE_GENERAL,
            group,
            MAR_2024,
            _amounts(*y2024),
            False,
            "",
            SRC_VKA_2024,
            RESEARCH_VKA_2024,
        ),
        PayRow(
            SCALE_GENERAL,
            group,
            APR_2025,
            _amounts(*y2025),
            False,
            "",
            SRC_VKA_2025,
            RESEARCH_VKA_2025,
        ),
        PayRow(
            SCALE_GENERAL,
            group,
            MAY_2026,
            _amounts(*y2026),
            True,
            RULE_2026,
            SRC_AGREEMENT,
            RESEARCH_AGREEMENT,
        ),
    )


def _sue(group: str, y2024: Steps, y2025: Steps, y2026: Steps) -> tuple[PayRow, ...]:
    """SuE table: 2024 published, 2025 and 2026 COMPUTED."""
    return (
        PayRow(
            SCALE_SUE,
            group,
            MAR_2024,
            _amounts(*y2024),
            False,
            "",
            SRC_SUE_2024,
            RESEARCH_SUE_2024,
        ),
        PayRow(
            SCALE_SUE,
            group,
            APR_2025,
            _amounts(*y2025),
            True,
            RULE_2025,
            SRC_AGREEMENT,
            RESEARCH_AGREEMENT,
        ),
        PayRow(
            SCALE_SUE,
            group,
            MAY_2026,
            _amounts(*y2026),
            True,
            RULE_2026,
            SRC_AGREEMENT,
            RESEARCH_AGREEMENT,
        ),
    )


# fmt: off
PAY_TABLE: tuple[PayRow, ...] = (
    *_vka("E 9b",
          ("3566.89", "3814.56", "3969.97", "4429.89", "4702.42", "5018.11"),
          ("3676.89", "3929.00", "4089.07", "4562.79", "4843.49", "5168.65"),
          ("3779.84", "4039.01", "4203.56", "4690.55", "4979.11", "5313.37")),
    *_vka("E 9c",
          ("3787.84", "4052.08", "4339.43", "4649.06", "4981.91", "5220.52"),
          ("3901.48", "4173.64", "4469.61", "4788.53", "5131.37", "5377.14"),
          ("4010.72", "4290.50", "4594.76", "4922.61", "5275.05", "5527.70")),
    *_vka("E 10",
          ("3895.33", "4191.53", "4528.25", "4893.44", "5300.10", "5433.63"),
          ("4012.19", "4317.28", "4664.10", "5040.24", "5459.10", "5596.64"),
          ("4124.53", "4438.16", "4794.69", "5181.37", "5611.95", "5753.35")),
    *_vka("E 11",
          ("4032.38", "4410.41", "4765.62", "5151.01", "5678.44", "5975.19"),
          ("4153.35", "4542.72", "4908.59", "5305.54", "5848.79", "6154.45"),
          ("4269.64", "4669.92", "5046.03", "5454.10", "6012.56", "6326.77")),
    *_sue("S 11b",
          ("3697.55", "3948.84", "4125.39", "4575.55", "4927.22", "5138.23"),
          ("3808.48", "4067.31", "4249.15", "4712.82", "5075.04", "5292.38"),
          ("3915.12", "4181.19", "4368.13", "4844.78", "5217.14", "5440.57")),
    *_sue("S 12",
          ("3747.09", "4002.01", "4335.64", "4631.04", "4996.80", "5151.53"),
          ("3859.50", "4122.07", "4465.71", "4769.97", "5146.70", "5306.08"),
          ("3967.57", "4237.49", "4590.75", "4903.53", "5290.81", "5454.65")),
)
# fmt: on


# --- step progression (brief §6.3) ---------------------------------------------------------

STEP_RULES: tuple[StepRule, ...] = (
    # General table: Stufe 2 after 1 year in Stufe 1, 3 after 2 years, 4 after 3, 5 after 4,
    # 6 after 5. From Stufe 3 on § 17 Abs. 2 allows performance-based changes (not modelled).
    StepRule(SCALE_GENERAL, 1, 1, SRC_STEPS_GENERAL, RESEARCH_STEPS_GENERAL),
    StepRule(SCALE_GENERAL, 2, 2, SRC_STEPS_GENERAL, RESEARCH_STEPS_GENERAL),
    StepRule(SCALE_GENERAL, 3, 3, SRC_STEPS_GENERAL, RESEARCH_STEPS_GENERAL),
    StepRule(SCALE_GENERAL, 4, 4, SRC_STEPS_GENERAL, RESEARCH_STEPS_GENERAL),
    StepRule(SCALE_GENERAL, 5, 5, SRC_STEPS_GENERAL, RESEARCH_STEPS_GENERAL),
    StepRule(SCALE_GENERAL, 6, None, SRC_STEPS_GENERAL, RESEARCH_STEPS_GENERAL),
    # SuE: 1 → 2 after 1 year, 2 → 3 after 3, 3 → 4 after 4, 4 → 5 after 4, 5 → 6 after 5
    # (17 years to the top step).
    StepRule(SCALE_SUE, 1, 1, SRC_STEPS_SUE, RESEARCH_STEPS_SUE),
    StepRule(SCALE_SUE, 2, 3, SRC_STEPS_SUE, RESEARCH_STEPS_SUE),
    StepRule(SCALE_SUE, 3, 4, SRC_STEPS_SUE, RESEARCH_STEPS_SUE),
    StepRule(SCALE_SUE, 4, 4, SRC_STEPS_SUE, RESEARCH_STEPS_SUE),
    StepRule(SCALE_SUE, 5, 5, SRC_STEPS_SUE, RESEARCH_STEPS_SUE),
    StepRule(SCALE_SUE, 6, None, SRC_STEPS_SUE, RESEARCH_STEPS_SUE),
)


# --- Jahressonderzahlung (brief §6.3) ------------------------------------------------------

JAN_2024 = date(2024, 1, 1)
DEC_2025 = date(2025, 12, 31)
JAN_2026 = date(2026, 1, 1)

SPECIAL_PAYMENT_RATES: tuple[SpecialPaymentRate, ...] = (
    # The brief gives the 2024/2025 rates; earlier years are not covered.
    SpecialPaymentRate(
        SCALE_GENERAL,
        "E 1",
        "E 8",
        JAN_2024,
        DEC_2025,
        Decimal("0.8451"),
        SRC_SPECIAL_VKA,
        RESEARCH_SPECIAL_VKA,
    ),
    SpecialPaymentRate(
        SCALE_GENERAL,
        "E 9a",
        "E 12",
        JAN_2024,
        DEC_2025,
        Decimal("0.7028"),
        SRC_SPECIAL_VKA,
        RESEARCH_SPECIAL_VKA,
    ),
    SpecialPaymentRate(
        SCALE_GENERAL,
        "E 13",
        "E 15",
        JAN_2024,
        DEC_2025,
        Decimal("0.5178"),
        SRC_SPECIAL_VKA,
        RESEARCH_SPECIAL_VKA,
    ),
    SpecialPaymentRate(
        SCALE_SUE,
        "S 10",
        "S 18",
        JAN_2024,
        DEC_2025,
        Decimal("0.7028"),
        SRC_SPECIAL_SUE,
        RESEARCH_SPECIAL_SUE,
    ),
    # From 2026 the 85 % applies to all VKA groups.
    SpecialPaymentRate(
        SCALE_GENERAL,
        "E 1",
        "E 15",
        JAN_2026,
        None,
        Decimal("0.85"),
        SRC_SPECIAL_VKA,
        RESEARCH_SPECIAL_VKA,
    ),
    SpecialPaymentRate(
        SCALE_SUE,
        "S 10",
        "S 18",
        JAN_2026,
        None,
        Decimal("0.85"),
        SRC_SPECIAL_SUE,
        RESEARCH_SPECIAL_SUE,
    ),
)


# --- employer cost (brief §6.4) ------------------------------------------------------------

EMPLOYER_ADD_ONS: tuple[EmployerAddOn, ...] = (
    # Social insurance ≈ 21 % plus kvw Zusatzversorgung ≈ 6 % (UNCONFIRMED, 4–7 %):
    # 1 + 0.2695 ≈ 1.27, inside the brief's rule of thumb of 1.25–1.30.
    EmployerAddOn(
        valid_from=date(2025, 1, 1),
        factor=Decimal("1.27"),
        breakdown=(
            ("Rentenversicherung", Decimal("0.093")),
            ("Krankenversicherung", Decimal("0.073")),
            ("Krankenversicherung, halber Zusatzbeitrag (≈)", Decimal("0.0125")),
            ("Pflegeversicherung", Decimal("0.018")),
            ("Arbeitslosenversicherung", Decimal("0.013")),
            (
                "Zusatzversorgung kvw (nicht bestätigt – bitte prüfen, üblich 4–7 %)",
                Decimal("0.06"),
            ),
        ),
        confirmed=False,
        source=SRC_EMPLOYER,
        internal_note=RESEARCH_EMPLOYER,
    ),
)


# --- Land funding rates (brief §1.5) -------------------------------------------------------

KIM_START = date(2020, 7, 1)
DEC_2022 = date(2022, 12, 31)
JAN_2023 = date(2023, 1, 1)
RL_2024 = date(2024, 12, 12)

SWITCH_NOTE = (
    "Das Jahr der Erhöhung von 55.000 € auf 57.000 € (2022 oder 2023) ist nicht bestätigt – "
    "bitte prüfen; hier gilt der höhere Satz ab 01.01.2023."
)
RESEARCH_SWITCH = (
    "KIM brief §1.5 design note: the step from 55,000 € to 57,000 € happened between 2021 and "
    "2023; the switch year (2022 or 2023) is UNCONFIRMED. This record assumes 01.01.2023."
)

FUNDING_RATES: tuple[FundingRateFact, ...] = (
    FundingRateFact(
        baustein="B1",
        kind="per_vze",
        amount=Decimal("55000"),
        valid_from=KIM_START,
        valid_to=DEC_2022,
        confirmed=True,
        source=SRC_BRA_OLD,
        note="Bis zu 55.000 € je VZÄ und Jahr. " + SWITCH_NOTE,
        internal_note=f"Up to 55,000 € per VZÄ and year (first RL / older BRA text). "
        f"{RESEARCH_SWITCH} {RESEARCH_BRA_OLD}",
    ),
    FundingRateFact(
        baustein="B1",
        kind="per_vze",
        amount=Decimal("57000"),
        valid_from=JAN_2023,
        valid_to=None,
        confirmed=True,
        source=f"{SRC_BRA}; {SRC_COESFELD}",
        note="Bis zu 57.000 € je Koordinationsstelle. " + SWITCH_NOTE,
        internal_note=f"57,000 € per VZ (Coesfeld, 'currently 2023'); BRA page: up to 57,000 € "
        f"per Koordinationsstelle. {RESEARCH_SWITCH} {RESEARCH_BRA} {RESEARCH_COESFELD}",
    ),
    FundingRateFact(
        baustein="B1",
        kind="va_half",
        amount=Decimal("22500"),
        valid_from=KIM_START,
        valid_to=None,
        confirmed=True,
        source=f"{SRC_BRA_OLD}; {SRC_BRA}",
        note="0,5 Stelle Verwaltungsassistenz: 22.500 € je Jahr, in der früheren und der "
        "aktuellen Fassung gleich.",
        internal_note=f"Unchanged in old and current text. {RESEARCH_BRA_OLD} {RESEARCH_BRA}",
    ),
    FundingRateFact(
        baustein="B1",
        kind="non_personnel",
        amount=Decimal("9700"),
        valid_from=KIM_START,
        valid_to=date(2024, 12, 11),
        confirmed=True,
        source=SRC_BRA_OLD,
        note="9.700 € je VZÄ und Jahr (frühere Fassung). Dass dieser Satz am Tag vor der "
        "Förderrichtlinie vom 12.12.2024 endet, ist nicht bestätigt – bitte prüfen.",
        internal_note="In 2023 the sources speak of 'arbeitsplatzbezogene "
        "Sachkostenpauschalen' plus event money; ending this rate the day before the RL of "
        f"12.12.2024 is an assumption. {RESEARCH_BRA_OLD}",
    ),
    FundingRateFact(
        baustein="B1",
        kind="workplace_setup",
        amount=Decimal("5700"),
        valid_from=RL_2024,
        valid_to=None,
        confirmed=True,
        source=f"{SRC_BRA}; {SRC_RL_2024}",
        note="Bis zu 5.700 € je Vollzeitstelle für die Einrichtung eines Arbeitsplatzes "
        "(einmalig). Weitere Sachkosten (Fortbildung, Maßnahmen, Veranstaltungen) sind nicht "
        "bestätigt – bitte prüfen.",
        internal_note="The other items (Fortbildung, Maßnahmen, events) were cut off in the text "
        f"available: UNCONFIRMED. {RESEARCH_BRA} {RESEARCH_RL_2024}",
    ),
    FundingRateFact(
        baustein="B2",
        kind="per_vze",
        amount=Decimal("55000"),
        valid_from=KIM_START,
        valid_to=DEC_2022,
        confirmed=False,
        source=f"{SRC_BRA_OLD}; {SRC_HEINSBERG}",
        note="Feste fachbezogene Pauschale, ohne Antrag gezahlt. Die Höhe ist nicht bestätigt "
        "– bitte prüfen: Der Kreis Heinsberg gab 2021 höchstens 55.000 € je VZÄ weiter.",
        internal_note="The amount rests on Heinsberg passing on max. 55,000 € per VZÄ in 2021. "
        f"{RESEARCH_SWITCH} {RESEARCH_BRA_OLD} {RESEARCH_HEINSBERG}",
    ),
    FundingRateFact(
        baustein="B2",
        kind="per_vze",
        amount=Decimal("57000"),
        valid_from=JAN_2023,
        valid_to=None,
        confirmed=False,
        source=f"{SRC_BRA}; {SRC_COESFELD}",
        note="Der Kreis Coesfeld nennt 57.000 € je Vollzeitstelle für alle Bausteine (2023). Die "
        "aktuelle Höhe (Aufruf 2025, gemeinsam mit Baustein 1 beantragt) ist nicht "
        "veröffentlicht: nicht bestätigt – bitte prüfen.",
        internal_note="Current amount not visible in the 2025 call: UNCONFIRMED, probably "
        f"57,000 €. {RESEARCH_BRA} {RESEARCH_COESFELD}",
    ),
    FundingRateFact(
        baustein="B3",
        kind="per_vze",
        amount=Decimal("55000"),
        valid_from=KIM_START,
        valid_to=DEC_2022,
        confirmed=False,
        source=SRC_BRA_OLD,
        note="Feste Pauschale, ohne Antrag gezahlt (frühere Fassung der Förderseite). Die Höhe "
        "ist aus den Bausteinen 1 und 2 abgeleitet: nicht bestätigt – bitte prüfen.",
        internal_note="First B3 money came in spring 2020. The amount is inferred from B1/B2 and "
        f"UNCONFIRMED. {RESEARCH_SWITCH} {RESEARCH_BRA_OLD}",
    ),
    FundingRateFact(
        baustein="B3",
        kind="per_vze",
        amount=Decimal("57000"),
        valid_from=JAN_2023,
        valid_to=None,
        confirmed=False,
        source=SRC_COESFELD,
        note="Der Kreis Coesfeld nennt 57.000 € je Vollzeitstelle für alle Bausteine (2023). Ob "
        "Baustein 3 weiter als Pauschale gezahlt wird, ist nicht bestätigt – bitte prüfen: Der "
        "Aufruf 2025 nennt nur die Bausteine 1 und 2.",
        internal_note=f"Whether B3 is still a Pauschale is UNCONFIRMED. {RESEARCH_COESFELD}",
    ),
)
