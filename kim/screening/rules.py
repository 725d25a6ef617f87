"""The criterion checks: one function per criterion id, reading its numbers from the version.

Every check returns a ``Check``: met (True/False, None = the fact is unknown, or for a
discretionary criterion: not decidable from data), a German text (the engine puts the norm in
front), and for time criteria the day they will be met if nothing else changes (``met_from``)
or, for an age limit, the last day an application is possible (``deadline``).
Facts that are ``None`` always give ``met=None`` – never a crash.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kim.screening.facts import Level, Livelihood, Period, PersonFacts, Status
from kim.screening.periods import ONE_DAY, Stretch, Tally, add_years, status_on, stretch

# Criteria whose failure can heal with time alone (they give ``met_from``).
TIME_CRITERIA = frozenset({"residence_time", "duldung_months", "age_at_application"})

STATUS_DE = {
    Status.GESTATTUNG: "Aufenthaltsgestattung",
    Status.DULDUNG: "Duldung",
    Status.AUFENTHALTSERLAUBNIS: "Aufenthaltserlaubnis",
    Status.NIEDERLASSUNGSERLAUBNIS: "Niederlassungserlaubnis",
    Status.DAUERAUFENTHALT_EU: "Erlaubnis zum Daueraufenthalt-EU",
    Status.NONE: "kein Aufenthaltsstatus",
}
MISSING = "Angabe fehlt"


def de(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def span(years: int, months: int) -> str:
    y = "1 Jahr" if years == 1 else f"{years} Jahre"
    m = "1 Monat" if months == 1 else f"{months} Monate"
    return f"{y}, {m}"


def describe(period: Period | None) -> str:
    if period is None:
        return "kein Aufenthaltsstatus erfasst"
    name = STATUS_DE[period.status]
    return f"{name} nach § {period.section}" if period.section else name


@dataclass(frozen=True)
class Check:
    met: bool | None
    text: str
    met_from: dt.date | None = None
    deadline: dt.date | None = None


@dataclass
class Ctx:
    """One person, one decision day, one version's parameters; caches shared between checks."""

    facts: PersonFacts
    day: dt.date
    params: Mapping[str, Any]
    cache: dict[str, Any] = field(default_factory=dict)

    @property
    def current(self) -> Period | None:
        if "current" not in self.cache:
            self.cache["current"] = status_on(self.facts.residence_periods or (), self.day)
        return self.cache["current"]  # type: ignore[no-any-return]


def _tally(ctx: Ctx, recognized: bool) -> Callable[[Period], Tally]:
    p = ctx.params
    counting = frozenset(p.get("counting_statuses", ()))
    paused = frozenset(p.get("paused_sections", ()))
    exempt = frozenset(p.get("pause_exempt_sections", ()))
    periods = ctx.facts.residence_periods or ()
    if exempt and any(x.section in exempt for x in periods):
        paused = frozenset()
    gestattung_counts = recognized and bool(p.get("gestattung_counts_if_recognized"))

    def tally(period: Period) -> Tally:
        if period.section in paused:
            return Tally.PAUSE
        if period.status in counting or (gestattung_counts and period.status is Status.GESTATTUNG):
            return Tally.COUNT
        return Tally.BREAK

    return tally


# --- status and time -----------------------------------------------------------------------


def check_status(ctx: Ctx) -> Check:
    if ctx.facts.residence_periods is None:
        return Check(None, f"Aufenthaltsstatus am {de(ctx.day)}: {MISSING}.")
    current = ctx.current
    if current is not None and current.section in ctx.params.get("status_sections", ()):
        return Check(True, f"Am {de(ctx.day)}: {describe(current)} – erfüllt.")
    if current is not None and current.status in ctx.params.get("status_statuses", ()):
        return Check(True, f"Am {de(ctx.day)} geduldet ({describe(current)}) – erfüllt.")
    wanted = " oder ".join(
        ["Duldung"]
        + [f"Aufenthaltserlaubnis nach § {s}" for s in ctx.params.get("status_sections", ())]
    )
    return Check(False, f"Am {de(ctx.day)}: {describe(current)}; erforderlich: {wanted}.")


def check_duldung_months(ctx: Ctx) -> Check:
    months = int(ctx.params.get("duldung_months", 0))
    if ctx.facts.residence_periods is None:
        return Check(None, f"Seit {months} Monaten geduldet: {MISSING} (Aufenthaltszeiten).")
    current = ctx.current
    if current is not None and current.section in ctx.params.get("status_sections", ()):
        return Check(True, f"Nicht erforderlich: {describe(current)}.")
    periods = ctx.facts.residence_periods
    paused = frozenset(ctx.params.get("paused_sections", ()))

    def tally(period: Period) -> Tally:
        if period.status is not Status.DULDUNG:
            return Tally.BREAK
        return Tally.PAUSE if period.section in paused else Tally.COUNT

    run = stretch(periods, ctx.day, tally, 0)
    return _time_check(run, ctx.day, 0, months, f"{months} Monate Duldung erforderlich")


def _time_check(run: Stretch, day: dt.date, years: int, months: int, need: str) -> Check:
    due = run.met_on(years, months)
    counted = span(*run.counted_on(day))
    if due is not None and due <= day:
        return Check(True, f"{need}; erfüllt seit {de(due)} (bisher {counted}).")
    if due is not None and run.running:
        return Check(False, f"{need}; erreicht am {de(due)} (bisher {counted}).", met_from=due)
    if run.start is None:
        return Check(False, f"{need}; bisher keine anrechenbare Zeit.")
    return Check(False, f"{need}; bisher {counted}, die Zeit läuft derzeit nicht weiter.")


def _required_years(ctx: Ctx) -> tuple[int, int | None, str]:
    """(years needed with the known facts, shorter years possible if an unknown fact is true,
    why shorter)."""
    p, f = ctx.params, ctx.facts
    years = int(p["years_required"])
    for key, fact, why in (
        ("years_with_child", f.minor_child_in_household, "mit minderjährigem Kind im Haushalt"),
        (
            "years_with_achievements",
            f.special_integration_achievements,
            "mit besonderen Integrationsleistungen",
        ),
    ):
        if key not in p:
            continue
        if fact is True:
            return int(p[key]), None, why
        if fact is None:
            return years, int(p[key]), why
    return years, None, ""


def check_residence_time(ctx: Ctx) -> Check:
    years, shorter, why = _required_years(ctx)
    if ctx.facts.residence_periods is None:
        return Check(None, f"{years} Jahre Aufenthalt erforderlich: {MISSING} (Aufenthaltszeiten).")
    gap = int(ctx.params.get("max_interruption_days", 0))
    need = f"{years} Jahre ununterbrochener Aufenthalt erforderlich" + (
        f" ({why})" if why and shorter is None else ""
    )
    if gap:
        need += f", Unterbrechungen bis {gap} Tage unschädlich"
    recognized = ctx.facts.asylum_recognized
    run = stretch(ctx.facts.residence_periods, ctx.day, _tally(ctx, recognized is True), gap)
    result = _time_check(run, ctx.day, years, 0, need)
    if result.met is not True and shorter is not None and run.met_on(shorter) is not None:
        due = run.met_on(shorter)
        if due is not None and due <= ctx.day:
            return Check(None, f"{shorter} Jahre genügen {why} ({MISSING}); {result.text}")
    if result.met is not True and recognized is None and _has_gestattung(ctx):
        alt = stretch(ctx.facts.residence_periods, ctx.day, _tally(ctx, True), gap)
        due = alt.met_on(years)
        if due is not None and due <= ctx.day:
            return Check(
                None,
                f"Zeiten der Aufenthaltsgestattung zählen nur nach Anerkennung "
                f"(§ 55 Abs. 3 AsylG): Anerkennung {MISSING}; {result.text}",
            )
    return result


def _has_gestattung(ctx: Ctx) -> bool:
    return bool(ctx.params.get("gestattung_counts_if_recognized")) and any(
        p.status is Status.GESTATTUNG for p in ctx.facts.residence_periods or ()
    )


def check_residence_on_cutoff(ctx: Ctx) -> Check:
    years = int(ctx.params["years_required"])
    cutoff = dt.date.fromisoformat(ctx.params["cutoff_date"])
    need = (
        f"Am Stichtag {de(cutoff)} {years} Jahre ununterbrochen geduldet, gestattet oder "
        "mit Aufenthaltserlaubnis"
    )
    if ctx.facts.residence_periods is None:
        return Check(None, f"{need}: {MISSING} (Aufenthaltszeiten).")
    run = stretch(
        ctx.facts.residence_periods,
        cutoff,
        _tally(ctx, False),
        int(ctx.params.get("max_interruption_days", 0)),
    )
    due = run.met_on(years)
    counted = span(*run.counted_on(cutoff))
    if due is not None and due <= cutoff:
        return Check(
            True, f"{need}: erfüllt (seit {de(due - dt.timedelta(days=0))} {years} Jahre)."
        )
    return Check(False, f"{need}: nicht erfüllt (am Stichtag {counted}).")


def check_age_at_application(ctx: Ctx) -> Check:
    birth = ctx.facts.birth_date
    limit = int(ctx.params["age_limit"])
    if birth is None:
        return Check(None, f"Antrag vor dem {limit}. Geburtstag: Geburtsdatum {MISSING}.")
    applied = ctx.facts.application_date
    day = applied or ctx.day
    when = f"Antrag am {de(day)}" if applied else f"Antrag am Entscheidungstag {de(day)} angenommen"
    birthday = add_years(birth, limit)
    if day >= birthday:
        return Check(False, f"{when}; der {limit}. Geburtstag war am {de(birthday)} – zu spät.")
    deadline = None if applied else birthday - ONE_DAY
    min_age = int(ctx.params.get("min_age", 0))
    grown = add_years(birth, min_age)
    if day < grown:
        return Check(
            False,
            f"{when}; Mindestalter {min_age} Jahre erst am {de(grown)} erreicht.",
            met_from=None if applied else grown,
            deadline=deadline,
        )
    return Check(
        True,
        f"{when}, vor dem {limit}. Geburtstag ({de(birthday)}) – erfüllt.",
        deadline=deadline,
    )


# --- facts ---------------------------------------------------------------------------------


def _flag(value: bool | None, yes: str, no: str, what: str) -> Check:
    if value is None:
        return Check(None, f"{what}: {MISSING}.")
    return Check(True, yes) if value else Check(False, no)


def _waived(ctx: Ctx) -> Check | None:
    if ctx.facts.illness_or_disability_exception:
        return Check(True, "Entfällt wegen Krankheit, Behinderung oder Alter (Ausnahme).")
    return None


def check_education(ctx: Ctx) -> Check:
    if waived := _waived(ctx):
        return waived
    f, need = ctx.facts, int(ctx.params.get("school_years", 3))
    if f.school_or_vocational_qualification:
        return Check(True, "Anerkannter Schul- oder Berufsabschluss – erfüllt.")
    if f.school_years_de is not None and f.school_years_de >= need:
        return Check(
            True, f"{f.school_years_de} Schuljahre in Deutschland (mindestens {need}) – erfüllt."
        )
    if f.school_years_de is None or f.school_or_vocational_qualification is None:
        return Check(None, f"{need} Schuljahre in Deutschland oder Abschluss: {MISSING}.")
    return Check(
        False,
        f"{f.school_years_de} Schuljahre in Deutschland (mindestens {need}) und kein Abschluss.",
    )


def check_identity_deception(ctx: Ctx) -> Check:
    current = status_on(ctx.facts.residence_periods or (), ctx.day)
    if (
        ctx.facts.identity_deception is False
        and current is not None
        and current.section == "60b"
        and "60b" in ctx.params.get("paused_sections", ())
    ):
        # A "Duldung light" is issued because the person's own conduct (deception or missing
        # cooperation on identity/passport) blocks deportation. Where the version does not count
        # § 60b time (§ 25a, § 25b), "no deception" from a form cannot simply be taken as met;
        # § 104c was made for such holders and counts their time.
        return Check(
            None,
            "Duldung nach § 60b AufenthG (Identität ungeklärt durch eigenes Verhalten): ob eine "
            "Täuschung vorliegt, die die Abschiebung verhindert, ist zu prüfen.",
        )
    return _flag(
        None if ctx.facts.identity_deception is None else not ctx.facts.identity_deception,
        "Keine Täuschung über Identität oder Staatsangehörigkeit bekannt – erfüllt.",
        "Täuschung über Identität oder Staatsangehörigkeit – Ausschlussgrund.",
        "Täuschung über Identität",
    )


def check_identity_clarified(ctx: Ctx) -> Check:
    return _flag(
        ctx.facts.identity_clarified,
        "Identität und Staatsangehörigkeit geklärt – erfüllt.",
        "Identität oder Staatsangehörigkeit nicht geklärt.",
        "Identitätsklärung",
    )


def check_fdgo(ctx: Ctx) -> Check:
    return _flag(
        ctx.facts.fdgo_commitment,
        "Bekenntnis zur freiheitlichen demokratischen Grundordnung liegt vor – erfüllt.",
        "Bekenntnis zur freiheitlichen demokratischen Grundordnung fehlt.",
        "Bekenntnis zur freiheitlichen demokratischen Grundordnung",
    )


def check_fdgo_indication(ctx: Ctx) -> Check:
    if ctx.facts.fdgo_commitment:
        return Check(True, "Bekenntnis zur Grundordnung liegt vor; keine Anhaltspunkte dagegen.")
    return Check(
        None, "Nur konkrete Anhaltspunkte gegen die Grundordnung schaden; Prüfung der Behörde."
    )


def check_integration_prognosis(ctx: Ctx) -> Check:
    return Check(None, "Integrationsprognose im Einzelfall durch die Behörde.")


def check_livelihood_education(ctx: Ctx) -> Check:
    f = ctx.facts
    if f.in_education:
        return Check(True, "In Schule, Ausbildung oder Studium: Leistungsbezug unschädlich.")
    if f.livelihood is Livelihood.SECURED:
        return Check(True, "Lebensunterhalt gesichert.")
    if f.in_education is False and f.livelihood is Livelihood.NOT_SECURED:
        return Check(
            False,
            "Lebensunterhalt nicht gesichert und nicht in Ausbildung; Ermessen nach "
            "§ 5 Abs. 3 AufenthG.",
        )
    return Check(None, "Lebensunterhalt: Prüfung im Einzelfall (§ 5 Abs. 3 AufenthG).")


def check_knowledge(ctx: Ctx) -> Check:
    if waived := _waived(ctx):
        return waived
    f = ctx.facts
    if f.knowledge_test is not None and f.knowledge_test.value in ctx.params.get(
        "accepted_tests", ()
    ):
        return Check(
            True, "Test „Leben in Deutschland“ bzw. Einbürgerungstest bestanden – erfüllt."
        )
    if f.school_or_vocational_qualification:
        return Check(True, "Nachweis durch deutschen Schul- oder Berufsabschluss – erfüllt.")
    if f.knowledge_test is None or f.school_or_vocational_qualification is None:
        return Check(None, f"Test „Leben in Deutschland“ oder deutscher Schulabschluss: {MISSING}.")
    return Check(False, "Kein Test „Leben in Deutschland“ und kein deutscher Schulabschluss.")


def check_livelihood_mostly(ctx: Ctx) -> Check:
    f = ctx.facts
    if f.livelihood in (Livelihood.SECURED, Livelihood.MOSTLY_SECURED):
        return Check(
            True, "Lebensunterhalt überwiegend gesichert – erfüllt (Wohngeld unschädlich)."
        )
    if f.livelihood is None:
        return Check(None, f"Lebensunterhalt: {MISSING}.")
    if f.in_education:
        return Check(
            True, "In Ausbildung oder Studium: vorübergehender Leistungsbezug hingenommen."
        )
    if f.in_education is None:
        return Check(None, f"Lebensunterhalt nicht gesichert; Ausbildung/Studium: {MISSING}.")
    return Check(
        False,
        "Lebensunterhalt nicht überwiegend gesichert (Ausnahmen für Alleinerziehende und "
        "Pflegende prüft die Behörde).",
    )


def _level_check(level: Level | None, wanted: str, what: str) -> Check:
    if level is None:
        return Check(None, f"{what}: {MISSING}.")
    if level.rank >= Level(wanted).rank:
        return Check(True, f"{what} {level.value} (erforderlich {wanted}) – erfüllt.")
    return Check(False, f"{what} {level.value}; erforderlich {wanted}.")


def check_oral_german(ctx: Ctx) -> Check:
    if waived := _waived(ctx):
        return waived
    f = ctx.facts
    level = f.oral_german_level or f.german_level
    return _level_check(level, str(ctx.params.get("min_oral_level", "A2")), "Mündliches Deutsch")


def check_children_school(ctx: Ctx) -> Check:
    f = ctx.facts
    if f.school_age_children_attend_school:
        return Check(True, "Schulpflichtige Kinder besuchen die Schule – erfüllt.")
    if f.minor_child_in_household is False:
        return Check(True, "Kein minderjähriges Kind im Haushalt – entfällt.")
    if f.school_age_children_attend_school is False:
        return Check(False, "Schulbesuch der schulpflichtigen Kinder nicht nachgewiesen.")
    return Check(None, f"Schulbesuch der Kinder: {MISSING}.")


def check_criminal(ctx: Ctx) -> Check:
    rates = ctx.facts.criminal_fine_daily_rates
    limit = int(ctx.params["max_fine_daily_rates"])
    if rates is None:
        return Check(None, f"Strafrechtliche Verurteilungen: {MISSING}.")
    if rates <= limit:
        what = "keine Verurteilung" if rates == 0 else f"Geldstrafe {rates} Tagessätze"
        return Check(True, f"{what} (Grenze {limit} Tagessätze, vereinfachte Prüfung) – erfüllt.")
    return Check(
        False,
        f"Geldstrafe {rates} Tagessätze über der Grenze von {limit} Tagessätzen "
        "(vereinfachte Prüfung).",
    )


def check_criminal_foreigner_offences(ctx: Ctx) -> Check:
    rates = ctx.facts.criminal_fine_daily_rates
    low = int(ctx.params["max_fine_daily_rates"])
    high = int(ctx.params.get("max_fine_foreigner_offences", low))
    if rates is not None and low < rates <= high:
        return Check(
            None,
            f"{rates} Tagessätze: zulässig, wenn nur Straftaten nach AufenthG/AsylG (bis {high}); "
            "Art der Straftat nicht erfasst.",
        )
    return Check(None, f"Sonderregel bis {high} Tagessätze nicht einschlägig.")


def check_section_60d(ctx: Ctx) -> Check:
    current = ctx.current
    months = ctx.params.get("section_60d_months", 30)
    if current is not None and current.section == "60d":
        return Check(
            None,
            f"Beschäftigungsduldung: Aufenthaltserlaubnis nach {months} Monaten möglich; "
            "Prüfung der Behörde.",
        )
    return Check(None, "Keine Beschäftigungsduldung erfasst – nicht einschlägig.")


def check_permit(ctx: Ctx) -> Check:
    if ctx.facts.residence_periods is None:
        return Check(None, f"Aufenthaltsrecht am {de(ctx.day)}: {MISSING}.")
    current = ctx.current
    if current is None or current.status in (Status.DULDUNG, Status.GESTATTUNG, Status.NONE):
        return Check(
            False,
            f"Am {de(ctx.day)}: {describe(current)} – kein Aufenthaltsrecht mit Perspektive auf "
            "Daueraufenthalt.",
        )
    if current.status is not Status.AUFENTHALTSERLAUBNIS:
        return Check(True, f"Am {de(ctx.day)}: {describe(current)} – erfüllt.")
    if current.section in ctx.params.get("temporary_permit_sections", ()):
        return Check(
            False,
            f"Am {de(ctx.day)}: {describe(current)} – Aufenthalt zu einem vorübergehenden Zweck.",
        )
    return Check(
        True,
        f"Am {de(ctx.day)}: {describe(current)} – erfüllt "
        "(vereinfacht: Zweck nicht vorübergehend).",
    )


def check_livelihood_old(ctx: Ctx) -> Check:
    f = ctx.facts
    if f.receives_sgb2_or_sgb12 is False:
        return Check(True, "Kein Bezug von Leistungen nach SGB II/XII.")
    return Check(None, "Leistungsbezug unschädlich, wenn nicht zu vertreten; Prüfung der Behörde.")


def check_livelihood_naturalisation(ctx: Ctx) -> Check:
    f = ctx.facts
    if f.receives_sgb2_or_sgb12 is None:
        return Check(None, f"Bezug von SGB II/XII: {MISSING}.")
    if f.receives_sgb2_or_sgb12 is False:
        if f.livelihood is Livelihood.NOT_SECURED:
            return Check(False, "Lebensunterhalt nicht gesichert.")
        return Check(True, "Lebensunterhalt ohne SGB II/XII – erfüllt.")
    if f.former_guest_or_contract_worker:
        return Check(True, "Leistungsbezug; Ausnahme für frühere Gast- oder Vertragsarbeitnehmer.")
    need = int(ctx.params.get("full_time_months_required", 20))
    months = f.full_time_months_last_24
    if months is not None and months >= need:
        return Check(
            True, f"Leistungsbezug; Ausnahme: {months} von 24 Monaten Vollzeit (mindestens {need})."
        )
    if months is None or f.former_guest_or_contract_worker is None:
        return Check(
            None, f"Leistungsbezug nach SGB II/XII; Ausnahme (Vollzeit, Gastarbeit): {MISSING}."
        )
    return Check(
        False,
        f"Bezug von SGB II/XII ohne Ausnahme ({months} von 24 Monaten Vollzeit, "
        f"mindestens {need}).",
    )


def check_livelihood_secured(ctx: Ctx) -> Check:
    f = ctx.facts
    if f.livelihood is Livelihood.SECURED and f.receives_sgb2_or_sgb12 is False:
        return Check(True, "Lebensunterhalt dauerhaft gesichert – erfüllt.")
    if f.receives_sgb2_or_sgb12 or f.livelihood in (
        Livelihood.MOSTLY_SECURED,
        Livelihood.NOT_SECURED,
    ):
        return Check(False, "Lebensunterhalt nicht dauerhaft gesichert.")
    return Check(None, f"Lebensunterhalt: {MISSING}.")


def check_german_level(ctx: Ctx) -> Check:
    f = ctx.facts
    wanted = str(ctx.params.get("min_level", "B1"))
    if wanted == "B1":
        if waived := _waived(ctx):
            return waived
        if f.former_guest_or_contract_worker:
            level = f.oral_german_level or f.german_level
            return _level_check(
                level, wanted, "Mündliches Deutsch (frühere Gast-/Vertragsarbeitnehmer)"
            )
    return _level_check(f.german_level, wanted, "Deutschkenntnisse")


def check_special_achievements(ctx: Ctx) -> Check:
    return _flag(
        ctx.facts.special_integration_achievements,
        "Besondere Integrationsleistungen – erfüllt.",
        "Keine besonderen Integrationsleistungen.",
        "Besondere Integrationsleistungen",
    )


def check_naturalisation_test(ctx: Ctx) -> Check:
    if waived := _waived(ctx):
        return waived
    test = ctx.facts.knowledge_test
    if test is None:
        return Check(None, f"Einbürgerungstest: {MISSING}.")
    if test.value == "einbuergerungstest":
        return Check(True, "Einbürgerungstest bestanden – erfüllt.")
    if test.value == "leben_in_deutschland":
        # The "Leben in Deutschland" test asks the same questions; it counts for naturalisation
        # only with enough correct answers (17 of 33), which the facts do not say.
        return Check(
            None,
            "Test „Leben in Deutschland“ bestanden: er ersetzt den Einbürgerungstest nur mit "
            "mindestens 17 richtigen Antworten – Punktzahl prüfen.",
        )
    return Check(
        False, "Einbürgerungstest nicht bestanden (deutscher Schulabschluss ersetzt ihn; prüfen)."
    )


def check_capacity(ctx: Ctx) -> Check:
    birth = ctx.facts.birth_date
    age = int(ctx.params.get("capacity_age", 16))
    if birth is not None and add_years(birth, age) <= ctx.day:
        return Check(True, f"Mindestens {age} Jahre alt – handlungsfähig.")
    if birth is None:
        return Check(None, f"Handlungsfähigkeit: Geburtsdatum {MISSING}.")
    return Check(None, f"Unter {age} Jahren: Antrag durch die gesetzliche Vertretung.")


def check_note(text: str) -> Callable[[Ctx], Check]:
    def check(ctx: Ctx) -> Check:
        return Check(None, text)

    return check


CHECKS: dict[str, Callable[[Ctx], Check]] = {
    "status": check_status,
    "duldung_months": check_duldung_months,
    "residence_time": check_residence_time,
    "residence_on_cutoff": check_residence_on_cutoff,
    "age_at_application": check_age_at_application,
    "education": check_education,
    "identity_deception": check_identity_deception,
    "identity_clarified": check_identity_clarified,
    "fdgo": check_fdgo,
    "fdgo_indication": check_fdgo_indication,
    "integration_prognosis": check_integration_prognosis,
    "livelihood_education": check_livelihood_education,
    "knowledge": check_knowledge,
    "livelihood_mostly": check_livelihood_mostly,
    "oral_german": check_oral_german,
    "children_school": check_children_school,
    "criminal": check_criminal,
    "criminal_foreigner_offences": check_criminal_foreigner_offences,
    "section_60d": check_section_60d,
    "permit": check_permit,
    "livelihood_old": check_livelihood_old,
    "livelihood_naturalisation": check_livelihood_naturalisation,
    "livelihood_secured": check_livelihood_secured,
    "german_b1": check_german_level,
    "german_c1": check_german_level,
    "special_achievements": check_special_achievements,
    "naturalisation_test": check_naturalisation_test,
    "capacity": check_capacity,
    "integration_course": check_note(
        "Mit Integrationskurs genügen 7 Jahre; der Kursbesuch ist nicht erfasst."
    ),
    "values": check_note(
        "Keine Mehrehe, keine Missachtung der Gleichberechtigung, Bekenntnis zur historischen "
        "Verantwortung Deutschlands: Prüfung der Behörde."
    ),
}
UNKNOWN = check_note("Diese Voraussetzung ist nicht automatisch prüfbar; Prüfung der Behörde.")
