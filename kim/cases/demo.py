"""Demo case management: catalogues and rules, then fictional clients for the demo case managers.

Every client is synthetic and clearly fictional (surnames such as "Beispiel", "Muster",
"Erfunden"); the seed runs through the action functions as the responsible case manager, so
every step has its audit event, exactly as if ``cm-siegen`` had clicked through it. Dates are
relative to today so that the work lists stay alive: overdue reviews, a Duldung that expires
within the notice period, a change from AsylbLG to SGB II after recognition.

Cases per case manager:

- ``cm-siegen`` (Stadt Siegen): one case in every phase – waiting list (triaged), intake,
  assessment, planning, linking (consent for the Jobcenter, a referral; one consent revoked,
  one expired), monitoring (overdue review, expiring Duldung, recognition → SGB II), closed
  with goals met, closed after short counselling; structural barriers on two cases.
- ``cm-kreuztal`` (Stadt Kreuztal): access, monitoring with a barrier, closed.
- ``cm-traeger`` (welfare agency): intake, linking with consent and referral, monitoring.
- ``cm-netphen`` (Stadt Netphen) and ``cm-wilnsdorf`` (Gemeinde Wilnsdorf), two demo case
  managers who are not personas: thin case lists spread over this and last year, so that the
  case statistics (D-082) show visible figures next to suppressed ones ("< 3", "x").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.utils import timezone

from kim.accounts.models import Membership, Role
from kim.cases.actions import consent as consent_actions
from kim.cases.actions import lifecycle, plan, referrals, timeline
from kim.cases.actions.activities import record_activity
from kim.cases.actions.barriers import record_barrier
from kim.cases.actions.persons import register_client
from kim.cases.actions.reference import load_case_reference_data
from kim.cases.models import (
    BarrierCategory,
    Case,
    ClosingReason,
    DataCategory,
    GoalStatus,
    Indication,
    LifeArea,
    NeedLevel,
    ReferralSource,
    ReferralStatus,
    TargetGroupCriterion,
)
from kim.network import access as network_access
from kim.network.models import Service
from kim.organisations.models import Organisation, OrgKind


@dataclass
class World:
    today: dt.date
    kreis: Organisation
    authorities: dict[str, Organisation] = field(default_factory=dict)

    def day(self, days_ago: int) -> dt.date:
        return self.today - dt.timedelta(days=days_ago)

    def ahead(self, days: int) -> dt.date:
        return self.today + dt.timedelta(days=days)


def _authorities() -> dict[str, Organisation]:
    names = {
        "jobcenter": "Jobcenter Siegen-Wittgenstein",
        "agentur": "Agentur für Arbeit Siegen",
        "abh": "Ausländerbehörde Kreis Siegen-Wittgenstein",
        "sozialamt": "Sozialamt Stadt Siegen",
        "jugendamt": "Jugendamt Kreis Siegen-Wittgenstein",
        "ebb": "Einbürgerungsbehörde Kreis Siegen-Wittgenstein",
    }
    return {key: Organisation.objects.get(name=name) for key, name in names.items()}


def _demo_service(w: World, provider: Organisation, topic: str, day: dt.date) -> Service | None:
    """The demo directory's service of ``provider`` on ``topic`` valid on ``day`` (the
    directory's demo step runs before this one, order 55 < 60), else None: public services
    (those meant for clients) first, then by name and id – deterministic."""
    return (
        network_access.services_for_referral(w.kreis.pk, day)
        .filter(provider=provider, topics__key=topic)
        .order_by("-public", "name", "id")
        .first()
    )


def _case_manager(username: str) -> tuple[User, Organisation]:
    user = get_user_model().objects.get(username=username)
    membership = (
        Membership.objects.active()
        .select_related("organisation")
        .get(user=user, role=Role.CASE_MANAGER)
    )
    return user, membership.organisation


def _area(key: str) -> LifeArea:
    return LifeArea.objects.get(key=key)


def _client(
    w: World,
    user: User,
    org: Organisation,
    first: str,
    last: str,
    born: dt.date,
    *,
    referred_on: dt.date | None = None,
    source: str = ReferralSource.JOBCENTER,
    on_waiting_list: bool = False,
    town: Organisation | None = None,
) -> Case:
    return register_client(
        acting_user=user,
        organisation=org,
        first_name=first,
        last_name=last,
        birth_date=born,
        referral_source=source,
        referred_on=referred_on or w.day(200),
        on_waiting_list=on_waiting_list,
        duplicates_confirmed=True,
        languages=["ar", "de"] if first in ("Amal", "Samir", "Tarek") else ["en"],
        interpreter_needed=first in ("Amal", "Tarek"),
        # A town's clients live in the town (the statistics' `town` dimension); a welfare
        # agency's clients are left without a recorded town.
        town=town or (org if org.kind == OrgKind.KOMMUNE else None),
    )


def _to_assessment(w: World, user: User, case: Case, start: int) -> Case:
    lifecycle.start_intake(case, acting_user=user, day=w.day(start))
    return lifecycle.decide_indication(
        case,
        acting_user=user,
        indication=Indication.INDICATED,
        reason="Bedarfe in mehreren Lebensbereichen, mehrere Behörden beteiligt (Demo).",
        decided_on=w.day(start - 7),
    )


def _assess(w: World, user: User, case: Case, day: int, needs: dict[str, str]) -> Case:
    entries = {
        area: (need, f"Bedarf im Bereich {area.name} (fiktiv)", "Motiviert, gute Vernetzung")
        for area, need in ((_area(key), need) for key, need in needs.items())
    }
    return lifecycle.record_assessment(
        case, acting_user=user, entries=entries, assessed_on=w.day(day)
    )


def _planned(w: World, user: User, case: Case, start: int, goals: list[tuple[str, str]]) -> Case:
    """From access through assessment to an agreed plan (linking)."""
    case = _to_assessment(w, user, case, start)
    case = _assess(w, user, case, start - 14, {key: NeedLevel.HIGH for key, _ in goals})
    case = lifecycle.finish_assessment(case, acting_user=user, day=w.day(start - 20))
    case.refresh_from_db()
    for key, text in goals:
        plan.add_goal(
            case,
            acting_user=user,
            life_area=_area(key),
            description=text,
            due_on=w.ahead(120),
        )
    case.refresh_from_db()
    case = plan.agree_plan(
        case, acting_user=user, agreed_on=w.day(start - 30), expected_plan_version=case.plan_version
    )
    case.refresh_from_db()
    return case


def _contact(w: World, user: User, case: Case, days_ago: int, text: str, **kw: object) -> None:
    occurred = timezone.make_aware(dt.datetime.combine(w.day(days_ago), dt.time(10, 0)))
    record_activity(
        case,
        acting_user=user,
        kind=str(kw.pop("kind", "contact")),
        occurred_at=occurred,
        duration_minutes=int(kw.pop("duration", 45)),  # type: ignore[call-overload]
        channel=str(kw.pop("channel", "in_person")),
        text=text,
        **kw,  # type: ignore[arg-type]
    )


def _consent(
    w: World, user: User, case: Case, recipient: str, given: int, **kw: object
) -> consent_actions.Consent:
    return consent_actions.record_consent(
        case,
        acting_user=user,
        recipient=w.authorities[recipient],
        purpose=str(kw.pop("purpose", "Abstimmung von Leistungen und Terminen")),
        categories=kw.pop(  # type: ignore[arg-type]
            "categories", [DataCategory.MASTER_DATA, DataCategory.RESIDENCE, DataCategory.PLAN]
        ),
        given_on=w.day(given),
        valid_until=kw.pop("valid_until", w.ahead(365)),  # type: ignore[arg-type]
    )


def _barrier(
    w: World, user: User, case: Case, key: str, rechtskreis: str, org: str, text: str, remedy: str
) -> None:
    record_barrier(
        case,
        acting_user=user,
        category=BarrierCategory.objects.get(key=key),
        rechtskreis=rechtskreis,
        organisation_involved=w.authorities.get(org),
        description=text,
        suggested_remedy=remedy,
        observed_on=w.day(20),
    )


# --- cm-siegen ---------------------------------------------------------------------------------


def _siegen(w: World) -> None:
    user, org = _case_manager("cm-siegen")
    # 0 Waiting list, triaged against the Kreis' target-group criteria.
    waiting = _client(
        w,
        user,
        org,
        "Amal",
        "Beispiel",
        dt.date(1994, 3, 2),
        on_waiting_list=True,
        referred_on=w.day(12),
        source=ReferralSource.SOZIALAMT,
    )
    criteria = list(TargetGroupCriterion.objects.filter(region=w.kreis).order_by("position")[:2])
    lifecycle.triage_case(waiting, acting_user=user, criteria=criteria, on_waiting_list=True)
    # 1 Intake.
    intake = _client(w, user, org, "Dario", "Muster", dt.date(1988, 11, 20), referred_on=w.day(25))
    lifecycle.start_intake(intake, acting_user=user, day=w.day(20))
    _contact(w, user, intake, 20, "Erstgespräch, Klärung der Anliegen (fiktiv).")
    # 2 Assessment.
    assessing = _client(
        w,
        user,
        org,
        "Leyla",
        "Erfunden",
        dt.date(1979, 6, 8),
        referred_on=w.day(60),
        source=ReferralSource.AUSLAENDERBEHOERDE,
    )
    assessing = _to_assessment(w, user, assessing, 55)
    _assess(w, user, assessing, 40, {"sprache": NeedLevel.HIGH, "wohnen": NeedLevel.MEDIUM})
    # 3 Planning (goals drafted, plan not yet agreed).
    planning = _client(w, user, org, "Nour", "Fiktiv", dt.date(2001, 1, 15), referred_on=w.day(90))
    planning = _to_assessment(w, user, planning, 85)
    _assess(w, user, planning, 70, {"arbeit": NeedLevel.HIGH, "anerkennung": NeedLevel.HIGH})
    planning = lifecycle.finish_assessment(planning, acting_user=user, day=w.day(65))
    planning.refresh_from_db()
    plan.add_goal(
        planning,
        acting_user=user,
        life_area=_area("anerkennung"),
        description="Anerkennung des Berufsabschlusses beantragen",
        due_on=w.ahead(90),
    )
    # 4 Linking: consent for the Jobcenter, a referral; ABH consent revoked; Sozialamt expired.
    linking = _planned(
        w,
        user,
        _client(w, user, org, "Samir", "Probe", dt.date(1990, 9, 30), referred_on=w.day(160)),
        150,
        [
            ("arbeit", "Einstieg in eine Ausbildung als Elektroniker"),
            ("sprache", "B1-Zertifikat im Integrationskurs"),
        ],
    )
    _consent(w, user, linking, "jobcenter", 100)
    referrals.send_referral(
        linking,
        acting_user=user,
        recipient=w.authorities["jobcenter"],
        purpose="Vermittlung in eine Einstiegsqualifizierung",
        categories=[DataCategory.MASTER_DATA, DataCategory.PLAN],
        sent_on=w.day(90),
        service=_demo_service(w, w.authorities["jobcenter"], "work", w.day(90)),
    )
    revoked = _consent(w, user, linking, "abh", 100, categories=[DataCategory.RESIDENCE])
    consent_actions.revoke_consent(revoked, acting_user=user)
    _consent(
        w,
        user,
        linking,
        "sozialamt",
        400,
        valid_until=w.day(30),
        categories=[DataCategory.BENEFITS],
    )
    _barrier(
        w,
        user,
        linking,
        "wartezeit",
        "sgb_ii",
        "jobcenter",
        "Termine für die Einstiegsqualifizierung erst nach mehreren Monaten.",
        "Feste Terminkontingente für KIM-Fälle vereinbaren.",
    )
    # 5 Monitoring: overdue review, Duldung expiring soon, recognition → AsylbLG to SGB II.
    monitoring = _planned(
        w,
        user,
        _client(w, user, org, "Tarek", "Platzhalter", dt.date(1985, 4, 12), referred_on=w.day(330)),
        320,
        [
            ("aufenthalt", "Aufenthaltserlaubnis nach § 25b prüfen lassen"),
            ("wohnen", "Eigene Wohnung finden"),
        ],
    )
    lifecycle.start_monitoring(
        monitoring, acting_user=user, next_review_on=w.day(5), day=w.day(200)
    )
    timeline.record_residence_period(
        monitoring,
        acting_user=user,
        status="duldung",
        section="§ 60b",
        valid_from=w.day(300),
        valid_until=w.ahead(40),
        authority=w.authorities["abh"],
        file_reference="ABH-DEMO-4711",
    )
    timeline.record_benefit_period(
        monitoring,
        acting_user=user,
        system="asylblg",
        valid_from=w.day(300),
        authority=w.authorities["sozialamt"],
        file_reference="SOZ-DEMO-0815",
    )
    _contact(
        w,
        user,
        monitoring,
        30,
        "Begleitung zur Ausländerbehörde (fiktiv).",
        channel="accompaniment",
        duration=120,
        with_interpreter=True,
    )
    _barrier(
        w,
        user,
        monitoring,
        "schnittstelle",
        "asylblg",
        "sozialamt",
        "Wechsel vom AsylbLG ins SGB II: Leistungslücke von mehreren Wochen.",
        "Übergabeverfahren zwischen Sozialamt und Jobcenter abstimmen.",
    )
    recognised = _planned(
        w,
        user,
        _client(
            w, user, org, "Mariam", "Beispielhaft", dt.date(1996, 7, 21), referred_on=w.day(260)
        ),
        250,
        [("existenz", "Lebensunterhalt nach Anerkennung sichern")],
    )
    lifecycle.start_monitoring(
        recognised, acting_user=user, next_review_on=w.ahead(30), day=w.day(150)
    )
    timeline.record_benefit_period(
        recognised,
        acting_user=user,
        system="asylblg",
        valid_from=w.day(240),
        authority=w.authorities["sozialamt"],
    )
    timeline.record_residence_period(
        recognised,
        acting_user=user,
        status="gestattung",
        valid_from=w.day(240),
        valid_until=w.day(11),
        authority=w.authorities["abh"],
    )
    timeline.record_residence_period(
        recognised,
        acting_user=user,
        status="aufenthaltserlaubnis",
        section="§ 25 Abs. 2",
        valid_from=w.day(10),
        valid_until=w.ahead(1085),
        authority=w.authorities["abh"],
    )
    # 6 Closed with goals met.
    done = _planned(
        w,
        user,
        _client(
            w, user, org, "Jonas", "Mustermann-Demo", dt.date(1999, 2, 1), referred_on=w.day(500)
        ),
        480,
        [("sprache", "Deutschkurs B1 abschließen")],
    )
    lifecycle.start_monitoring(done, acting_user=user, next_review_on=w.day(300), day=w.day(400))
    goals = {g: GoalStatus.ACHIEVED for g in done.goals.all()}
    lifecycle.close_case(
        done,
        acting_user=user,
        reason=ClosingReason.GOALS_MET,
        closed_on=w.day(310),
        attainment=goals,
    )
    # 7 Short counselling: closed at intake, handed to the migration counselling service.
    short = _client(
        w,
        user,
        org,
        "Elif",
        "Kurzberatung-Demo",
        dt.date(1970, 12, 24),
        referred_on=w.day(45),
        source=ReferralSource.SELF,
    )
    lifecycle.start_intake(short, acting_user=user, day=w.day(44))
    lifecycle.decide_indication(
        short,
        acting_user=user,
        indication=Indication.SHORT_COUNSELLING,
        reason="Einzelanliegen (Antrag Kindergeld), Regelangebot reicht aus.",
        decided_on=w.day(40),
        handed_to=w.authorities["agentur"],
    )


def _kreuztal(w: World) -> None:
    user, org = _case_manager("cm-kreuztal")
    _client(
        w,
        user,
        org,
        "Ivan",
        "Beispielow",
        dt.date(1983, 5, 5),
        referred_on=w.day(8),
        source=ReferralSource.SCHOOL,
    )
    monitoring = _planned(
        w,
        user,
        _client(w, user, org, "Aylin", "Erfundene", dt.date(1992, 10, 10), referred_on=w.day(210)),
        200,
        [("familie", "Kita-Platz für die Tochter"), ("sprache", "Sprachkurs mit Kinderbetreuung")],
    )
    lifecycle.start_monitoring(
        monitoring, acting_user=user, next_review_on=w.ahead(14), day=w.day(100)
    )
    _barrier(
        w,
        user,
        monitoring,
        "angebot",
        "sgb_viii",
        "jugendamt",
        "Keine Integrationskurse mit Kinderbetreuung im nördlichen Kreisgebiet.",
        "Kursträger und Jugendamt: Angebot mit Kinderbetreuung einrichten.",
    )
    closed = _planned(
        w,
        user,
        _client(w, user, org, "Pavel", "Musterow", dt.date(1975, 8, 18), referred_on=w.day(420)),
        400,
        [("arbeit", "Arbeitsaufnahme im erlernten Beruf")],
    )
    lifecycle.close_case(
        closed,
        acting_user=user,
        reason=ClosingReason.MOVED_AWAY,
        closed_on=w.day(200),
        attainment={g: GoalStatus.PARTLY for g in closed.goals.all()},
    )


def _traeger(w: World) -> None:
    user, org = _case_manager("cm-traeger")
    intake = _client(
        w,
        user,
        org,
        "Hana",
        "Demoiselle",
        dt.date(1998, 4, 4),
        referred_on=w.day(9),
        source=ReferralSource.MBE_JMD,
    )
    lifecycle.start_intake(intake, acting_user=user, day=w.day(7))
    linking = _planned(
        w,
        user,
        _client(w, user, org, "Omar", "Testfall", dt.date(1987, 1, 30), referred_on=w.day(140)),
        130,
        [("wohnen", "Wohnung mit drei Zimmern finden")],
    )
    _consent(
        w,
        user,
        linking,
        "jobcenter",
        80,
        categories=[DataCategory.MASTER_DATA, DataCategory.BENEFITS],
    )
    referrals.send_referral(
        linking,
        acting_user=user,
        recipient=w.authorities["jobcenter"],
        purpose="Übernahme der Kosten der Unterkunft klären",
        categories=[DataCategory.MASTER_DATA, DataCategory.BENEFITS],
        sent_on=w.day(60),
        service=_demo_service(w, w.authorities["jobcenter"], "livelihood", w.day(60)),
    )
    referral = linking.referrals.get()
    referrals.update_referral_status(
        referral, acting_user=user, status=ReferralStatus.ACCEPTED, on=w.day(50)
    )
    monitoring = _planned(
        w,
        user,
        _client(w, user, org, "Yara", "Platzhalterin", dt.date(2003, 9, 9), referred_on=w.day(240)),
        230,
        [("bildung", "Schulabschluss an der Abendrealschule")],
    )
    lifecycle.start_monitoring(
        monitoring, acting_user=user, next_review_on=w.ahead(21), day=w.day(120)
    )


# --- more towns for the statistics ---------------------------------------------------------------

# (username, town, first and last name, (days ago referred, intake after days, outcome)): the
# outcome is "" (open), "not_indicated" (closed at the indication) or "short" (short counselling).
STATISTICS_CASES: tuple[tuple[str, str, str, str], ...] = (
    ("cm-netphen", "Netphen", "Nora", "Netzfall"),
    ("cm-wilnsdorf", "Wilnsdorf", "Willi", "Wegfall"),
)
STATISTICS_PLAN = {
    "cm-netphen": [
        (20, 6, ""),
        (45, 12, ""),
        (60, 9, "not_indicated"),
        (90, 15, ""),
        (130, 20, "short"),
        (150, 8, ""),
        (170, 30, ""),
        (200, 10, "not_indicated"),
        (260, 14, ""),
        (300, 21, "short"),
        (380, 7, ""),
        (420, 12, "not_indicated"),
        (470, 5, ""),
    ],
    "cm-wilnsdorf": [(35, 10, ""), (400, 25, "short")],
}
SPHERES = ("sgb_ii", "asylblg", "sgb_ii", "sgb_xii", "none", "sgb_ii", "sgb_iii")


def _statistics_case_manager(username: str, town: Organisation) -> User:
    from kim.accounts.actions import create_user, grant_role

    existing = get_user_model().objects.filter(username=username).first()
    if existing is not None:
        return existing
    user = create_user(
        acting_user=None,
        username=username,
        password="demo",  # noqa: S106 – demo mode only, refused in production
        first_name="Demo",
        last_name=f"Fallmanagement {town.name}",
        validate_password=False,
    )
    grant_role(acting_user=None, user=user, organisation=town, role=Role.CASE_MANAGER)
    return user


def _more_towns(w: World) -> None:
    for username, town_name, first, last in STATISTICS_CASES:
        town = Organisation.objects.get(region=w.kreis, name__endswith=town_name)
        user = _statistics_case_manager(username, town)
        for n, (ago, wait, outcome) in enumerate(STATISTICS_PLAN[username]):
            case = _client(
                w, user, town, first, f"{last}{n + 1}", dt.date(1980 + n, 1 + n % 12, 11),
                referred_on=w.day(ago), town=town,
            )  # fmt: skip
            timeline.record_benefit_period(
                case, acting_user=user, system=SPHERES[n % len(SPHERES)], valid_from=w.day(ago + 30)
            )
            lifecycle.start_intake(case, acting_user=user, day=w.day(ago - wait))
            _decide(w, user, case, ago - wait - 2, outcome)


def _decide(w: World, user: User, case: Case, day: int, outcome: str) -> None:
    if outcome == "not_indicated":
        lifecycle.decide_indication(
            case, acting_user=user, indication=Indication.NOT_INDICATED,
            reason="Kein Bedarf an Fallmanagement (Demo).", decided_on=w.day(day),
        )  # fmt: skip
    elif outcome == "short":
        lifecycle.decide_indication(
            case, acting_user=user, indication=Indication.SHORT_COUNSELLING,
            reason="Kurzberatung genügt (Demo).", decided_on=w.day(day),
            handed_to=w.authorities["jobcenter"],
        )  # fmt: skip


SEEDS: tuple[Callable[[World], None], ...] = (_siegen, _kreuztal, _traeger, _more_towns)


def seed_cases(orgs: dict[str, Organisation]) -> None:
    """Idempotent: the catalogues always; the clients only while no case exists."""
    load_case_reference_data(acting_user=None, region=orgs["kreis"])
    if Case.objects.exists():
        return
    world = World(today=timezone.localdate(), kreis=orgs["kreis"], authorities=_authorities())
    for seed in SEEDS:
        seed(world)
