"""Cooperation part of the demo world: the Stadt Siegen's 2022 talks with welfare agencies.

The setting is public (the SPD motion of August 2022 asked about the state of talks with the
Träger; the administration reported on 16.11.2022). Everything below – agencies, talks,
outcomes, minutes, tasks, the staffing resolution – is fictional and marked as demo data.
Follow-up dates are relative to today so the task list stays alive. Idempotent: does nothing
once the Kreis has any talk.

In September 2022 the town offers two of its B2 posts in a call for expressions of interest
(``DEMO_CALL_TITLE``): two agencies submit, `koordination` and `siegen` score both (four-eyes
rule), and the council's decision of 14.12.2022 awards both posts to Brücke Siegerland – which
creates the Stadt Siegen → Brücke contract and moves the posts to the agency.

The pass-through schedules (Kreis → Stadt Siegen notice for B2; payments and reports on the
Brücke contract) are seeded separately, once, with dates relative to today: one Sachbericht is
overdue, one interim report received and accepted.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kim.core import uploads
from kim.organisations.demo import DEMO_TRAEGER
from kim.organisations.models import Organisation
from kim.partners import actions
from kim.partners.actions import calls
from kim.partners.models import (
    Agreement,
    AgreementKind,
    Call,
    DutyKind,
    Outcome,
    PaymentKind,
    Review,
    ServiceKind,
    Submission,
    Talk,
    TalkFormat,
)
from kim.programmes.models import Position

DECIDED_BY = "Ratsbeschluss (Demo)"
DECIDED_ON = dt.date(2022, 12, 14)  # fictional council date after the committee report

# (held on, format, agencies as indices into DEMO_TRAEGER, topics, outcome, summary)
TALKS: list[tuple[dt.date, str, tuple[int, ...], str, str, str]] = [
    (
        dt.date(2022, 5, 12),
        TalkFormat.IN_PERSON,
        (0, 2),
        "Auftakt: Umsetzung von KIM Baustein 2 in Siegen; mögliche Trägerschaft von "
        "Case-Management-Stellen; Differenz zwischen Förderpauschale und Personalkosten.",
        Outcome.OPEN,
        "Auftaktgespräch: Beide Träger haben grundsätzlich Interesse an der Trägerschaft von "
        "Case-Management-Stellen bekundet. Offen ist die Finanzierung des Eigenanteils.",
    ),
    (
        dt.date(2022, 6, 23),
        TalkFormat.VIDEO,
        (0, 1, 2),
        "Aufgabenzuschnitt der Stellen; Abgrenzung zu MBE und Flüchtlingsberatung; "
        "Eingruppierung (S 12 / E 9c).",
        Outcome.POSTPONED,
        "Vertagt: Die Träger erwarten eine verbindliche Aussage der Stadt zur Übernahme der "
        "Differenz zwischen Förderpauschale und Personalkosten. Die Verwaltung prüft dies bis "
        "September.",
    ),
    (
        dt.date(2022, 9, 14),
        TalkFormat.IN_PERSON,
        (1, 2),
        "Personalgewinnung und Qualifizierung; Bereitschaft zur Übernahme von Stellen ab 2023.",
        Outcome.DECLINED,
        "Beide Träger verzichten auf eine eigene Trägerschaft, weil sie kurzfristig keine "
        "Fachkräfte gewinnen können; sie bleiben Kooperationspartner in der Beratung.",
    ),
    (
        dt.date(2022, 11, 10),
        TalkFormat.IN_PERSON,
        (0, 2),
        "Übernahme von B2-Stellen ab 01.01.2023; Kooperationsvereinbarung; Berichtswesen "
        "gegenüber der Stadt.",
        Outcome.AGREEMENT,
        "Einigung: Brücke Siegerland übernimmt ab 01.01.2023 zwei der fünf B2-Stellen der Stadt "
        "Siegen; die übrigen drei besetzt die Stadt mit eigenem Personal. Die Stadt trägt den "
        "Eigenanteil.",
    ),
]

# agency index → (mail domain, services as (kind, description, town short names), contacts)
SERVICES: dict[int, tuple[str, list[tuple[str, str, tuple[str, ...]]], list[tuple[str, str]]]] = {
    0: (
        "bruecke-siegerland.example",
        [
            (ServiceKind.MBE, "Migrationsberatung (Demo)", ("Siegen", "Wilnsdorf", "Neunkirchen")),
            (ServiceKind.REFUGEE_COUNSELLING, "Flüchtlingsberatung (Demo)", ("Siegen",)),
            (
                ServiceKind.KIM_CASE_MANAGEMENT,
                "Zwei B2-Stellen im Auftrag der Stadt Siegen (Demo)",
                ("Siegen",),
            ),
        ],
        [("Geschäftsführung", "geschaeftsfuehrung"), ("Leitung Migrationsdienste", "migration")],
    ),
    1: (
        "lebenswege-wittgenstein.example",
        [
            (
                ServiceKind.MBE,
                "Migrationsberatung (Demo)",
                ("Bad Berleburg", "Bad Laasphe", "Erndtebrück"),
            ),
            (
                ServiceKind.REFUGEE_COUNSELLING,
                "Flüchtlingsberatung (Demo)",
                ("Bad Berleburg", "Bad Laasphe"),
            ),
        ],
        [
            ("Geschäftsführung", "info"),
            ("Bereichsleitung Migration und Integration", "integration"),
        ],
    ),
    2: (
        "nachbarschaftswerk-rothaar.example",
        [
            (ServiceKind.MBE, "Migrationsberatung (Demo)", ("Kreuztal", "Hilchenbach", "Netphen")),
            (
                ServiceKind.REFUGEE_COUNSELLING,
                "Flüchtlingsberatung (Demo)",
                ("Kreuztal", "Hilchenbach"),
            ),
        ],
        [("Vorstand", "vorstand"), ("Fachbereich Migration", "migration")],
    ),
}

MUNICIPAL_RATIONALE = (
    "Die Träger konnten 2022 keine weiteren Fachkräfte zusagen; die Stelle wird mit städtischem "
    "Personal besetzt, mit kurzen Wegen zu Sozialamt, Ausländerbehörde und Jugendamt."
)
MUNICIPAL_TASKS = (
    "Rechtskreisübergreifendes Case Management nach DGCC; Lotsenfunktion zu Jobcenter, "
    "Ausländerbehörde und Jugendamt"
)


def minutes_pdf(title: str, lines: list[str]) -> bytes:
    """A minimal, valid one-page PDF 1.4 (Helvetica, WinAnsi text), built without a library.

    1. Write the five objects (catalog, page tree, page, font, content stream), noting the
       byte offset of each.
    2. Write the cross-reference table from those offsets and the trailer pointing to it.
    """

    def text(value: str) -> bytes:
        escaped = value.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        return b"(" + escaped.encode("cp1252", "replace") + b")"

    ops = [b"BT", b"/F1 14 Tf", b"56 780 Td", text(title) + b" Tj", b"/F1 10 Tf"]
    for line in lines:
        ops += [b"0 -18 Td", text(line) + b" Tj"]
    ops.append(b"ET")
    stream = b"\n".join(ops)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _agencies() -> list[Organisation]:
    return [Organisation.objects.get(name=name) for name, *_rest in DEMO_TRAEGER]


def _services(agencies: list[Organisation], orgs: dict[str, Organisation]) -> None:
    for index, (domain, services, contacts) in SERVICES.items():
        agency = agencies[index]
        for kind, description, towns in services:
            actions.add_service(
                agency,
                acting_user=None,
                kind=kind,
                description=description,
                towns=[orgs[t] for t in towns],
            )
        for role, mailbox in contacts:
            actions.add_contact(
                agency, acting_user=None, role=role, office_email=f"{mailbox}@{domain}"
            )


def _talks(
    siegen: Organisation, agencies: list[Organisation], posts: list[Position], lead: User
) -> list[Talk]:
    talks = []
    for held_on, fmt, members, topics, outcome, summary in TALKS:
        talks.append(
            actions.record_talk(
                acting_user=lead,
                host=siegen,
                held_on=held_on,
                format=fmt,
                topics=topics,
                traeger=[agencies[i] for i in members],
                baustein="B2",
                positions=posts,
                outcome=outcome,
                outcome_summary=summary,
            )
        )
    return talks


def _follow_ups(talk: Talk, lead: User) -> None:
    today = timezone.localdate()
    tasks = [
        ("Protokoll an die beteiligten Träger versenden", talk.held_on + dt.timedelta(days=14)),
        (
            "Sachstandsbericht KIM für den Ausschuss für Soziales, Familien und Senioren "
            "aktualisieren",
            today - dt.timedelta(days=10),
        ),
        (
            "Jahresgespräch zur Kooperationsvereinbarung mit Brücke Siegerland vorbereiten",
            today + dt.timedelta(days=7),
        ),
    ]
    for number, (title, due) in enumerate(tasks):
        task = actions.add_follow_up(
            talk,
            acting_user=lead,
            title=title,
            owner=lead,
            due=due,
        )
        if number == 0:
            actions.complete_follow_up(task, acting_user=lead)


def _minutes(talk: Talk, lead: User) -> None:
    data = minutes_pdf(
        f"Protokoll Trägergespräch KIM vom {talk.held_on:%d.%m.%Y} (Demo)",
        [
            "Stadt Siegen mit Brücke Siegerland und Nachbarschaftswerk Rothaar (fiktiv).",
            "Thema: Übernahme von B2-Stellen ab 01.01.2023.",
            "Ergebnis: Einigung über zwei Stellen beim Träger, drei Stellen bei der Stadt.",
            "Demo-Daten – keine realen Vorgänge.",
        ],
    )
    upload = SimpleUploadedFile(
        f"Protokoll_{talk.held_on:%Y-%m-%d}.pdf", data, content_type="application/pdf"
    )
    checked = uploads.check_document(upload)
    actions.attach_minutes(talk, acting_user=lead, checked=checked)


def _staffing(posts: list[Position], lead: User) -> None:
    """The posts the town fills itself (those awarded to a Träger get theirs from the award)."""
    for position in posts:
        actions.record_staffing_decision(
            position,
            acting_user=lead,
            decided_on=DECIDED_ON,
            employer_type="municipal",
            rationale=MUNICIPAL_RATIONALE,
            tasks=MUNICIPAL_TASKS,
            decided_by=DECIDED_BY,
        )


PER_VZE = Decimal("57000.00")  # the B2 lump sum per full-time post and year
TOP_UP_PER_VZE = Decimal("12000.00")  # fictional: what the city adds per post and year
CENT = Decimal("0.01")


DEMO_CALL_TITLE = "Interessenbekundungsverfahren KIM-Fallmanagement Stadt Siegen 2023 (Demo)"
CALL_CRITERIA = [  # (name, what is assessed, weight in per cent)
    ("Fachliches Konzept", "Case Management nach DGCC, rechtskreisübergreifende Arbeit", 40),
    ("Personalgewinnung und Qualifikation", "Fachkräfte, Zertifizierung, Vertretung", 30),
    ("Vernetzung im Sozialraum Siegen", "Kooperation mit Ämtern, Jobcenter und Beratung", 20),
    ("Wirtschaftlichkeit", "Eigenanteil, Verwaltungskosten", 10),
]
# agency index → (received, VZÄ offered, concept, points per criterion by koordination, siegen)
CALL_SUBMISSIONS: list[tuple[int, dt.datetime, Decimal, str, list[int], list[int]]] = [
    (
        0,
        dt.datetime(2022, 10, 17, 10, 30),
        Decimal("2.00"),
        "Zwei Fallmanagerinnen/Fallmanager (S 12) ab 01.01.2023 im Familienzentrum Siegen-Mitte; "
        "enge Anbindung an Migrationsberatung und Flüchtlingsberatung des Trägers. (Demo)",
        [8, 7, 9, 6],
        [9, 8, 9, 7],
    ),
    (
        1,
        dt.datetime(2022, 10, 20, 15, 0),
        Decimal("1.00"),
        "Eine Stelle mit Außensprechstunde in Siegen; Personal aus dem Wittgensteiner Team, "
        "Start frühestens 01.04.2023. (Demo)",
        [7, 6, 4, 7],
        [7, 5, 5, 6],
    ),
]
CALL_REASON = (
    "Zuschlag für beide Stellen an Brücke Siegerland (höchste gewichtete Punktzahl; beide "
    "Stellen ab 01.01.2023 besetzbar). Lebenswege Wittgenstein konnte nur eine Stelle ab "
    "April 2023 anbieten. (Demo)"
)


def _call(siegen: Organisation, agencies: list[Organisation], offered: list[Position]) -> Call:
    """Siegen's call for two B2 posts, two submissions scored by two people, the award."""
    tz = timezone.get_current_timezone()
    lead = User.objects.get(username="siegen")
    coordination = User.objects.get(username="koordination")
    call = calls.create_call(
        acting_user=lead,
        issuer=siegen,
        title=DEMO_CALL_TITLE,
        description="Die Stadt Siegen sucht freie Träger für zwei Stellen im kommunalen "
        "Integrationsmanagement (Baustein 2) nach dem Subsidiaritätsprinzip. (Demo)",
        baustein="B2",
        area="Stadt Siegen",
        positions=offered,
        period_start=dt.date(2023, 1, 1),
        period_end=dt.date(2027, 12, 31),
        funding_per_vze=PER_VZE,
        top_up_per_vze=TOP_UP_PER_VZE,
        deadline=dt.datetime(2022, 10, 21, 12, 0, tzinfo=tz),
    )
    for name, description, weight in CALL_CRITERIA:
        calls.add_criterion(
            call, acting_user=lead, name=name, description=description, weight=weight
        )
    calls.publish_call(call, acting_user=lead, published_on=dt.date(2022, 9, 19))
    criteria = list(call.criteria.all())
    for index, received, vze, summary, by_coordination, by_lead in CALL_SUBMISSIONS:
        submission = calls.submit_interest(
            call,
            acting_user=lead,
            traeger=agencies[index],
            vze_offered=vze,
            summary=summary,
            submitted_at=received.replace(tzinfo=tz),
        )
        for user, points in ((coordination, by_coordination), (lead, by_lead)):
            calls.score_submission(
                submission,
                acting_user=user,
                points={c.pk: p for c, p in zip(criteria, points, strict=True)},
            )
    winner = Submission.objects.get(call=call, traeger=agencies[0])
    return calls.decide_call(
        call,
        acting_user=lead,
        decision="award",
        reason=CALL_REASON,
        decided_on=DECIDED_ON,
        decided_by=DECIDED_BY,
        awards={position: winner for position in offered},
    )


def _pass_through(
    kreis: Organisation, siegen: Organisation, brucke: Organisation, posts: list[Position]
) -> None:
    """Kreis → Siegen notice and Siegen → Brücke contract with schedules relative to today."""
    today = timezone.localdate()
    years = list(
        range((today - dt.timedelta(days=120)).year, (today + dt.timedelta(days=120)).year + 1)
    )
    start, end = dt.date(years[0], 1, 1), dt.date(years[-1], 12, 31)
    lead = User.objects.get(username="siegen")
    coordination = User.objects.get(username="koordination")
    all_vze = sum((p.vze for p in posts), Decimal(0))
    brucke_vze = sum((p.vze for p in posts if p.home_id == brucke.pk), Decimal(0))
    notice = actions.create_agreement(
        acting_user=coordination,
        grantor=kreis,
        recipient=siegen,
        kind=AgreementKind.NOTICE,
        title="Weiterleitungsbescheid KIM Baustein 2 an die Stadt Siegen (Demo)",
        signed_on=start - dt.timedelta(days=30),
        period_start=start,
        period_end=end,
        amounts=[(year, (PER_VZE * all_vze).quantize(CENT), Decimal(0)) for year in years],
        positions=posts,
    )
    # The Stadt Siegen → Brücke contract comes from the award of the demo call.
    contract = Agreement.objects.get(grantor=siegen, recipient=brucke)
    for agreement, user, vze in ((notice, coordination, all_vze), (contract, lead, brucke_vze)):
        quarter = (PER_VZE * vze / 4).quantize(CENT)
        for offset, kind, done in (
            (-100, PaymentKind.CALL_FOR_FUNDS, True),
            (-90, PaymentKind.PAYMENT, True),
            (20, PaymentKind.CALL_FOR_FUNDS, False),
            (35, PaymentKind.PAYMENT, False),
        ):
            due = today + dt.timedelta(days=offset)
            payment = actions.add_payment(
                agreement, acting_user=user, kind=kind, due_on=due, amount=quarter
            )
            if done:
                actions.mark_payment_done(payment, acting_user=user, done_on=due)
    interim = actions.add_reporting_duty(
        contract, acting_user=lead, kind=DutyKind.INTERIM, due_on=today - dt.timedelta(days=45)
    )
    actions.record_report_received(
        interim, acting_user=lead, received_on=today - dt.timedelta(days=47)
    )
    actions.record_review(interim, acting_user=lead, review=Review.ACCEPTED)
    actions.add_reporting_duty(
        contract,
        acting_user=lead,
        kind=DutyKind.SACHBERICHT,
        due_on=today - dt.timedelta(days=14),
        note="Sachbericht zum Zwischenstand; erinnert (Demo)",
    )
    actions.add_reporting_duty(
        contract,
        acting_user=lead,
        kind=DutyKind.VERWENDUNGSNACHWEIS,
        due_on=today + dt.timedelta(days=75),
    )
    actions.add_reporting_duty(
        notice,
        acting_user=coordination,
        kind=DutyKind.INTERIM,
        due_on=today + dt.timedelta(days=50),
    )


def _siegen_b2(kreis: Organisation, siegen: Organisation, brucke: Organisation) -> list[Position]:
    """Siegen's B2 posts: those at the town and the two placed with Brücke Siegerland."""
    return list(
        Position.objects.filter(region=kreis, baustein="B2", home__in=[siegen, brucke]).order_by(
            "id"
        )
    )


def seed_agreements(orgs: dict[str, Organisation]) -> None:
    """Idempotent: does nothing once the Kreis has passed funds on by notice."""
    kreis, siegen = orgs["kreis"], orgs["Siegen"]
    if Agreement.objects.filter(region=kreis, kind=AgreementKind.NOTICE).exists():
        return
    brucke = _agencies()[0]
    _pass_through(kreis, siegen, brucke, _siegen_b2(kreis, siegen, brucke))


def seed_partners(orgs: dict[str, Organisation]) -> None:
    """Idempotent: does nothing once the Kreis has any talk (agreements: once, separately)."""
    kreis, siegen = orgs["kreis"], orgs["Siegen"]
    if Talk.objects.filter(region=kreis).exists():
        seed_agreements(orgs)
        return
    agencies = _agencies()
    brucke = agencies[0]
    lead = User.objects.get(username="siegen")
    # Siegen's B2 posts; the first two are offered in the call and go to Brücke Siegerland.
    posts = _siegen_b2(kreis, siegen, brucke)
    _services(agencies, orgs)
    talks = _talks(siegen, agencies, posts, lead)
    agreement = talks[-1]
    _follow_ups(agreement, lead)
    _minutes(agreement, lead)
    _call(siegen, agencies, posts[:2])
    _staffing(posts[2:], lead)
    seed_agreements(orgs)
