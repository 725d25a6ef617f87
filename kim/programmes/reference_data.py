"""Public facts for pay and funding, as typed frozen records with their sources.

Everything here comes from the domain brief (``/work/shared/domain/kim-brief.md`` §§ 1.5 and 6)
and carries the brief's citation. Nothing here touches the database:
``kim.programmes.actions.load_reference_data`` copies these records into tables with the same
field names, and ``kim.programmes.pay.StaticPayRules`` computes with them directly.

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


@dataclass(frozen=True)
class EmployerAddOn:
    """Employer cost factor on gross pay (1 + employer shares), with its breakdown."""

    valid_from: date
    factor: Decimal
    breakdown: tuple[tuple[str, Decimal], ...]
    confirmed: bool
    source: str


@dataclass(frozen=True)
class FundingRateFact:
    """Land funding per Baustein and kind (per_vze, va_half, workplace_setup, non_personnel).

    ``confirmed`` is True only where the granting authority's own text (BRA page, older BRA
    text, Förderrichtlinie) states the amount; figures resting on municipal council papers
    alone, or inferred, are False. ``note`` names assumed period boundaries.
    """

    baustein: str
    kind: str
    amount: Decimal
    valid_from: date
    valid_to: date | None
    confirmed: bool
    source: str
    note: str


# --- sources (as cited in the brief) -------------------------------------------------------

SRC_VKA_2024 = (
    "TVöD VKA Entgelttabelle ab 01.03.2024: https://xn--tvd-tna.com/entgelttabelle/vka/ "
    "(KIM brief §6.2)"
)
SRC_VKA_2025 = (
    "TVöD VKA Entgelttabelle ab 01.04.2025, checked against "
    "https://www.dienstrechner.de/entgelttabellen/tvoed-vka (E 9b, E 9c, E 10, E 11 match "
    "exactly); Tarifeinigung 06.04.2025: https://oeffentlicher-dienst.info/tvoed/tr/2025 "
    "(KIM brief §6.2)"
)
SRC_SUE_2024 = (
    "TVöD SuE Entgelttabelle ab 01.03.2024: https://xn--tvd-tna.com/entgelttabelle/sue/ ; "
    "identical to AVR-Württemberg Anlage C VKA: https://www.xn--avr-wrttemberg-ksb.de/"
    "teil-3-1-besonderer-teil-verwaltung-bt-v-einschliesslich-ergaenzender-bestimmungen/"
    "anlage-c-vka-ab-1-3-2020/ (KIM brief §6.2)"
)
SRC_AGREEMENT = (
    "COMPUTED from the Tarifeinigung of 06.04.2025 (+3.0 %, at least +110 € from 01.04.2025; "
    "+2.8 % from 01.05.2026; term 01.01.2025–31.03.2027): "
    "https://oeffentlicher-dienst.info/tvoed/tr/2025 ; "
    "https://laghessen.de/tvoed-tarifabschluss-final-entgelttabellen-hier-zum-download/ "
    "(KIM brief §6.2; a few cents may differ from the official tables)"
)
RULE_2025 = "2025 value = max(2024 value × 1.03, 2024 value + 110 €), rounded to the cent (half up)"
RULE_2026 = "2026 value = 2025 value × 1.028, rounded to the cent (half up)"

SRC_STEPS_GENERAL = (
    "§ 16 Abs. 3 TVöD (VKA): https://dbb.de/lexikon/themenartikel/e/entwicklungsstufen.html "
    "(KIM brief §6.3)"
)
SRC_STEPS_SUE = (
    "TVöD SuE Stufenlaufzeiten: "
    "https://www.gew-sachsen.de/aktuelles/detailseite/neuigkeiten/stufenlaufzeiten/ "
    "(KIM brief §6.3)"
)
SRC_SPECIAL_VKA = (
    "§ 20 TVöD Jahressonderzahlung: https://oeffentlicher-dienst.info/tvoed/tr/2025 ; Haufe "
    "(KIM brief §6.3)"
)
SRC_SPECIAL_SUE = (
    "Jahressonderzahlung SuE: https://www.xn--mav-kirchenkreis-osnabrck-1wc.de/"
    "themen-von-a-z/jahressonderzahlung (KIM brief §6.3)"
)
SRC_EMPLOYER = (
    "Employer social-insurance shares 2025 (≈ 21 %): https://deutsche-flagge.de/ "
    "(Sozialversicherung 2025); kvw-Zusatzversorgung: "
    "https://kvw-muenster.de/de/betriebsrente/arbeitgeber/mitgliedschaft (levy rate "
    "UNCONFIRMED, roughly 4–7 %); rule of thumb 1.25–1.30 × gross (KIM brief §6.4)"
)

SRC_BRA_OLD = "older BRA text mirrored at https://ufaauto24.com/7pAr9dyY.html (KIM brief §1.5)"
SRC_BRA = (
    "BRA page: https://bra.nrw.de/integration-migration/kompetenzzentrum-fuer-integration/"
    "foerderung-kommunen/kommunales-integrationsmanagement-kim (KIM brief §1.5)"
)
SRC_COESFELD = (
    "Kreis Coesfeld SV-10-0898: "
    "https://www.kreis-coesfeld.de/sessionnet/sessionnetbi/vo0050.php?__kvonr=5924 "
    "(KIM brief §1.5)"
)
SRC_HEINSBERG = (
    "Kreis Heinsberg: https://sitzungsdienst.kreis-heinsberg.de/bi/vo0050.asp?__kvonr=2459"
    "&voselect=1402&s=74EDD97319E5CBDB3D9F18667063E0E4213C9E58 (KIM brief §1.5)"
)
SRC_RL_2024 = (
    "Förderrichtlinie KIM of 12.12.2024, MBl. NRW 2024 Nr. 43: "
    "https://recht.nrw.de/lmi/owa/br_vbl_detail_text?anw_nr=7&vd_id=21991&ver=8&val=21991"
    "&sg=1&menu=1&vd_back=N"
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
        PayRow(SCALE_GENERAL, group, MAR_2024, _amounts(*y2024), False, "", SRC_VKA_2024),
        PayRow(SCALE_GENERAL, group, APR_2025, _amounts(*y2025), False, "", SRC_VKA_2025),
        PayRow(SCALE_GENERAL, group, MAY_2026, _amounts(*y2026), True, RULE_2026, SRC_AGREEMENT),
    )


def _sue(group: str, y2024: Steps, y2025: Steps, y2026: Steps) -> tuple[PayRow, ...]:
    """SuE table: 2024 published, 2025 and 2026 COMPUTED."""
    return (
        PayRow(SCALE_SUE, group, MAR_2024, _amounts(*y2024), False, "", SRC_SUE_2024),
        PayRow(SCALE_SUE, group, APR_2025, _amounts(*y2025), True, RULE_2025, SRC_AGREEMENT),
        PayRow(SCALE_SUE, group, MAY_2026, _amounts(*y2026), True, RULE_2026, SRC_AGREEMENT),
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
    StepRule(SCALE_GENERAL, 1, 1, SRC_STEPS_GENERAL),
    StepRule(SCALE_GENERAL, 2, 2, SRC_STEPS_GENERAL),
    StepRule(SCALE_GENERAL, 3, 3, SRC_STEPS_GENERAL),
    StepRule(SCALE_GENERAL, 4, 4, SRC_STEPS_GENERAL),
    StepRule(SCALE_GENERAL, 5, 5, SRC_STEPS_GENERAL),
    StepRule(SCALE_GENERAL, 6, None, SRC_STEPS_GENERAL),
    # SuE: 1 → 2 after 1 year, 2 → 3 after 3, 3 → 4 after 4, 4 → 5 after 4, 5 → 6 after 5
    # (17 years to the top step).
    StepRule(SCALE_SUE, 1, 1, SRC_STEPS_SUE),
    StepRule(SCALE_SUE, 2, 3, SRC_STEPS_SUE),
    StepRule(SCALE_SUE, 3, 4, SRC_STEPS_SUE),
    StepRule(SCALE_SUE, 4, 4, SRC_STEPS_SUE),
    StepRule(SCALE_SUE, 5, 5, SRC_STEPS_SUE),
    StepRule(SCALE_SUE, 6, None, SRC_STEPS_SUE),
)


# --- Jahressonderzahlung (brief §6.3) ------------------------------------------------------

JAN_2024 = date(2024, 1, 1)
DEC_2025 = date(2025, 12, 31)
JAN_2026 = date(2026, 1, 1)

SPECIAL_PAYMENT_RATES: tuple[SpecialPaymentRate, ...] = (
    # The brief gives the 2024/2025 rates; earlier years are not covered.
    SpecialPaymentRate(
        SCALE_GENERAL, "E 1", "E 8", JAN_2024, DEC_2025, Decimal("0.8451"), SRC_SPECIAL_VKA
    ),
    SpecialPaymentRate(
        SCALE_GENERAL, "E 9a", "E 12", JAN_2024, DEC_2025, Decimal("0.7028"), SRC_SPECIAL_VKA
    ),
    SpecialPaymentRate(
        SCALE_GENERAL, "E 13", "E 15", JAN_2024, DEC_2025, Decimal("0.5178"), SRC_SPECIAL_VKA
    ),
    SpecialPaymentRate(
        SCALE_SUE, "S 10", "S 18", JAN_2024, DEC_2025, Decimal("0.7028"), SRC_SPECIAL_SUE
    ),
    # From 2026 the 85 % applies to all VKA groups.
    SpecialPaymentRate(
        SCALE_GENERAL, "E 1", "E 15", JAN_2026, None, Decimal("0.85"), SRC_SPECIAL_VKA
    ),
    SpecialPaymentRate(SCALE_SUE, "S 10", "S 18", JAN_2026, None, Decimal("0.85"), SRC_SPECIAL_SUE),
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
            ("Zusatzversorgung kvw (UNCONFIRMED, 4–7 %)", Decimal("0.06")),
        ),
        confirmed=False,
        source=SRC_EMPLOYER,
    ),
)


# --- Land funding rates (brief §1.5) -------------------------------------------------------

KIM_START = date(2020, 7, 1)
DEC_2022 = date(2022, 12, 31)
JAN_2023 = date(2023, 1, 1)
RL_2024 = date(2024, 12, 12)

SWITCH_NOTE = (
    "The step from 55,000 € to 57,000 € happened between 2021 and 2023; the switch year "
    "(2022 or 2023) is UNCONFIRMED. This record assumes 01.01.2023."
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
        note="Up to 55,000 € per VZÄ and year (first RL / older BRA text). " + SWITCH_NOTE,
    ),
    FundingRateFact(
        baustein="B1",
        kind="per_vze",
        amount=Decimal("57000"),
        valid_from=JAN_2023,
        valid_to=None,
        confirmed=True,
        source=f"{SRC_COESFELD}; {SRC_BRA}",
        note="57,000 € per VZ (Coesfeld, 'currently 2023'); BRA page: up to 57,000 € per "
        "Koordinationsstelle. " + SWITCH_NOTE,
    ),
    FundingRateFact(
        baustein="B1",
        kind="va_half",
        amount=Decimal("22500"),
        valid_from=KIM_START,
        valid_to=None,
        confirmed=True,
        source=f"{SRC_BRA_OLD}; {SRC_BRA}",
        note="0.5 Verwaltungsassistenz: 22,500 € per year, unchanged in old and current text.",
    ),
    FundingRateFact(
        baustein="B1",
        kind="non_personnel",
        amount=Decimal("9700"),
        valid_from=KIM_START,
        valid_to=date(2024, 12, 11),
        confirmed=True,
        source=SRC_BRA_OLD,
        note="9,700 € per VZÄ and year (older text). In 2023 the sources speak of "
        "'arbeitsplatzbezogene Sachkostenpauschalen' plus event money; ending this rate the day "
        "before the RL of 12.12.2024 is an assumption.",
    ),
    FundingRateFact(
        baustein="B1",
        kind="workplace_setup",
        amount=Decimal("5700"),
        valid_from=RL_2024,
        valid_to=None,
        confirmed=True,
        source=f"{SRC_BRA}; {SRC_RL_2024}",
        note="Up to 5,700 € per full-time post for setting up a workplace (one-off). The other "
        "items (Fortbildung, Maßnahmen, events) are UNCONFIRMED.",
    ),
    FundingRateFact(
        baustein="B2",
        kind="per_vze",
        amount=Decimal("55000"),
        valid_from=KIM_START,
        valid_to=DEC_2022,
        confirmed=False,
        source=f"{SRC_BRA_OLD}; {SRC_HEINSBERG}",
        note="Fixed 'fachbezogene Pauschale' paid without application; the amount rests on "
        "Heinsberg passing on max. 55,000 € per VZÄ in 2021. " + SWITCH_NOTE,
    ),
    FundingRateFact(
        baustein="B2",
        kind="per_vze",
        amount=Decimal("57000"),
        valid_from=JAN_2023,
        valid_to=None,
        confirmed=False,
        source=f"{SRC_COESFELD}; {SRC_BRA}",
        note="Coesfeld states 57,000 € per VZ for all modules (2023). The current amount (2025 "
        "call, applied for with B1) is not visible: UNCONFIRMED, probably 57,000 €.",
    ),
    FundingRateFact(
        baustein="B3",
        kind="per_vze",
        amount=Decimal("55000"),
        valid_from=KIM_START,
        valid_to=DEC_2022,
        confirmed=False,
        source=SRC_BRA_OLD,
        note="Fixed Pauschale without application (older BRA text); first B3 money came in "
        "spring 2020. The amount is inferred from B1/B2 and UNCONFIRMED. " + SWITCH_NOTE,
    ),
    FundingRateFact(
        baustein="B3",
        kind="per_vze",
        amount=Decimal("57000"),
        valid_from=JAN_2023,
        valid_to=None,
        confirmed=False,
        source=SRC_COESFELD,
        note="Coesfeld states 57,000 € per VZ for all modules (2023). Whether B3 is still a "
        "Pauschale is UNCONFIRMED: the 2025 call names only B1 and B2.",
    ),
)
