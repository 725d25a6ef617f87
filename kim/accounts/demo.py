"""The demo personas: one user per role of the fixed cast (docs/testing.md), each granted
their role through the account actions (``kim seed_demo``). Demo mode only; idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model

from kim.accounts.actions import create_user, grant_role
from kim.accounts.models import Membership, Role
from kim.organisations.demo import demo_organisations, unit


@dataclass(frozen=True)
class Persona:
    username: str
    role: str
    organisation: str  # key into the seeded organisation dict
    first_name: str
    last_name: str
    description: str
    unit: str = ""


PERSONAS = [
    Persona(
        "koordination",
        Role.KIM_COORDINATION,
        "kreis",
        "Karla",
        "Koordinatorin",
        "KIM-Koordination, Kreis Siegen-Wittgenstein",
        "ki",
    ),
    Persona(
        "siegen",
        Role.PROGRAMME_LEAD,
        "Siegen",
        "Sven",
        "Programmleitung",
        "Programmleitung KIM, Stadt Siegen",
    ),
    Persona(
        "cm-siegen",
        Role.CASE_MANAGER,
        "Siegen",
        "Clara",
        "Fallmanagerin",
        "Case Managerin, Stadt Siegen",
    ),
    Persona(
        "cm-kreuztal",
        Role.CASE_MANAGER,
        "Kreuztal",
        "Kemal",
        "Fallmanager",
        "Case Manager, Stadt Kreuztal",
    ),
    Persona(
        "cm-traeger",
        Role.CASE_MANAGER,
        "traeger",
        "Tanja",
        "Beraterin",
        "Case Managerin beim Demo-Träger",
    ),
    Persona(
        "traeger",
        Role.TRAEGER_MANAGER,
        "traeger",
        "Theo",
        "Geschäftsführer",
        "Leitung des Demo-Trägers",
    ),
    Persona(
        "teamlead-siegen",
        Role.TEAM_LEAD,
        "Siegen",
        "Tobias",
        "Teamleitung",
        "Teamleitung Case Management, Stadt Siegen",
    ),
    Persona(
        "abh",
        Role.B3_OFFICER,
        "abh_kreis",
        "Anna",
        "Behördenmitarbeiterin",
        "Baustein 3, Ausländerbehörde des Kreises",
    ),
    Persona(
        "rat", Role.COUNCIL_MEMBER, "Siegen", "Rita", "Ratsmitglied", "Ratsmitglied, Stadt Siegen"
    ),
    Persona("dsb", Role.DPO, "kreis", "Dieter", "Datenschutz", "Datenschutzbeauftragter, Kreis"),
    Persona("admin", Role.ADMINISTRATOR, "kreis", "Ada", "Admin", "Administration der Plattform"),
]
DEMO_PASSWORD = "demo"  # noqa: S105 – demo mode only, refused in production


def seed_personas() -> None:
    orgs = demo_organisations()
    user_model = get_user_model()
    ki = unit(orgs["kreis"], "Kommunales Integrationszentrum", "KI")
    for p in PERSONAS:
        user = user_model.objects.filter(username=p.username).first()
        if user is None:
            user = create_user(
                acting_user=None,
                username=p.username,
                password=DEMO_PASSWORD,
                first_name=p.first_name,
                last_name=p.last_name,
                is_superuser=p.role == Role.ADMINISTRATOR,
                validate_password=False,
            )
        org = orgs[p.organisation]
        # The seed is system-run (no acting administrator): its grants are active at once
        # and audited as such, like ``kim grant_role`` (D-051).
        if not Membership.objects.held().filter(user=user, organisation=org, role=p.role).exists():
            grant_role(
                acting_user=None,
                user=user,
                organisation=org,
                role=p.role,
                unit=ki if p.unit == "ki" else None,
            )
