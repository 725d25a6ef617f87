"""Four-eyes on role grants (D-051): a role that opens case or screening data (or the right to
confirm such grants) granted by an administrator is pending until a second administrator or the
data-protection officer confirms it; nobody confirms a grant they made or received."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from kim.accounts.access import load_user_context
from kim.accounts.actions import confirm_role, create_user, grant_role, reject_role, revoke_role
from kim.accounts.models import GrantStatus, Membership, Role
from kim.audit.models import AuditEvent, EventType
from kim.cases.models import Case
from kim.organisations.models import Organisation

pytestmark = pytest.mark.django_db

LoginAs = Callable[[str], Client]


def _user(username: str) -> User:
    return get_user_model().objects.get(username=username)


def _siegen() -> Organisation:
    return Organisation.objects.get(ags="05970040")


def _kreis() -> Organisation:
    return Membership.objects.active().get(user__username="admin").organisation


def _siegen_case() -> Case:
    case = Case.objects.filter(organisation=_siegen()).order_by("id").first()
    assert case is not None
    return case


def _second_admin() -> User:
    """Another administrator, set up by the operator (system grant, active at once)."""
    other = create_user(
        acting_user=None,
        username="admin2",
        password="demo",
        validate_password=False,
        is_superuser=True,
    )
    grant_role(acting_user=None, user=other, organisation=_kreis(), role=Role.ADMINISTRATOR)
    return other


def _reauthenticated(login_as: LoginAs, username: str) -> Client:
    client = login_as(username)
    assert client.post("/konto/reauthenticate/", {"password": "demo"}).status_code == 302
    return client


def _events(membership: Membership, event_type: str) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(event_type=event_type, subject_code=membership.code).order_by(
            "id"
        )
    )


def _pending_grant(grantee: str = "cm-kreuztal", role: str = Role.TEAM_LEAD) -> Membership:
    """``admin`` grants ``grantee`` a role in Stadt Siegen."""
    return grant_role(
        acting_user=_user("admin"), user=_user(grantee), organisation=_siegen(), role=role
    )


# --- the finding: admin grants itself team lead in Siegen ------------------------------------


def test_self_granted_team_lead_sees_no_case_until_the_dpo_confirms(login_as: LoginAs) -> None:
    case = _siegen_case()
    admin = _reauthenticated(login_as, "admin")
    response = admin.post(
        "/verwaltung/accounts/membership/add/",
        {"user": _user("admin").pk, "organisation": _siegen().pk, "role": Role.TEAM_LEAD},
    )
    assert response.status_code == 302
    grant = Membership.objects.get(user__username="admin", role=Role.TEAM_LEAD)
    assert grant.status == GrantStatus.PENDING
    assert grant.granted_by == _user("admin")

    # Pending: nothing of Siegen's cases.
    assert admin.get("/fallmanagement/faelle/").status_code == 403
    assert admin.get(f"/fallmanagement/faelle/{case.code}/").status_code == 404
    # The grantor (and grantee) cannot confirm it.
    url = f"/rollen/freigaben/{grant.code}/bestaetigen/"
    assert admin.post(url).status_code == 403
    grant.refresh_from_db()
    assert grant.status == GrantStatus.PENDING
    assert _events(grant, EventType.ROLE_CONFIRMED) == []

    # The DPO confirms: now the team lead sees the case.
    assert _reauthenticated(login_as, "dsb").post(url).status_code == 302
    grant.refresh_from_db()
    assert grant.status == GrantStatus.ACTIVE
    assert grant.decided_by == _user("dsb") and grant.decided_at is not None
    assert admin.get("/fallmanagement/faelle/").status_code == 200
    assert admin.get(f"/fallmanagement/faelle/{case.code}/").status_code == 200

    granted = _events(grant, EventType.ROLE_GRANTED)
    confirmed = _events(grant, EventType.ROLE_CONFIRMED)
    assert [(e.actor_username, e.extra["status"]) for e in granted] == [("admin", "pending")]
    assert [e.actor_username for e in confirmed] == ["dsb"]
    assert confirmed[0].extra == {
        "user": str(_user("admin").pk),
        "role": Role.TEAM_LEAD,
        "granted_by": str(_user("admin").pk),
    }
    assert confirmed[0].organisation == _siegen()


def test_rejected_grant_never_gives_access_and_can_be_granted_again(login_as: LoginAs) -> None:
    case = _siegen_case()
    grant = _pending_grant("admin")
    response = _reauthenticated(login_as, "dsb").post(f"/rollen/freigaben/{grant.code}/ablehnen/")
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.status == GrantStatus.REJECTED
    assert grant.decided_by == _user("dsb")
    assert [e.actor_username for e in _events(grant, EventType.ROLE_REJECTED)] == ["dsb"]
    client = login_as("admin")
    assert client.get(f"/fallmanagement/faelle/{case.code}/").status_code == 404
    assert Role.TEAM_LEAD not in load_user_context(_user("admin")).roles
    # A rejection is final for that row; a new grant starts a new four-eyes round.
    again = _pending_grant("admin")
    assert again.pk != grant.pk and again.status == GrantStatus.PENDING


# --- who may confirm ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("admin", 403),  # granted it
        ("cm-kreuztal", 404),  # received it (and is no reviewer)
        ("dsb", 302),
        ("admin2", 302),
        ("koordination", 404),
        ("siegen", 404),
        ("cm-siegen", 404),
        ("teamlead-siegen", 404),
    ],
)
@pytest.mark.parametrize("decision", ["bestaetigen", "ablehnen"])
def test_who_may_decide_a_grant(
    login_as: LoginAs, persona: str, expected: int, decision: str
) -> None:
    _second_admin()
    grant = _pending_grant("cm-kreuztal")
    response = _reauthenticated(login_as, persona).post(
        f"/rollen/freigaben/{grant.code}/{decision}/"
    )
    assert response.status_code == expected
    grant.refresh_from_db()
    if expected == 302:
        assert grant.decided_by == _user(persona)
        assert grant.status == (
            GrantStatus.ACTIVE if decision == "bestaetigen" else GrantStatus.REJECTED
        )
    else:
        assert grant.status == GrantStatus.PENDING and grant.decided_by is None
        assert _events(grant, EventType.ROLE_CONFIRMED) == []
        assert _events(grant, EventType.ROLE_REJECTED) == []


def test_a_grantee_administrator_cannot_confirm_their_own_grant(login_as: LoginAs) -> None:
    """admin2 grants admin a role: admin (grantee) may not confirm, dsb may."""
    other = _second_admin()
    grant = grant_role(
        acting_user=other, user=_user("admin"), organisation=_siegen(), role=Role.CASE_MANAGER
    )
    url = f"/rollen/freigaben/{grant.code}/bestaetigen/"
    assert _reauthenticated(login_as, "admin").post(url).status_code == 403
    assert _reauthenticated(login_as, "admin2").post(url).status_code == 403
    grant.refresh_from_db()
    assert grant.status == GrantStatus.PENDING
    assert _reauthenticated(login_as, "dsb").post(url).status_code == 302
    grant.refresh_from_db()
    assert grant.status == GrantStatus.ACTIVE


def test_the_action_enforces_the_rule_too() -> None:
    grant = _pending_grant("cm-kreuztal")
    for actor in ("admin", "cm-kreuztal", "koordination", None):
        with pytest.raises(PermissionDenied):
            confirm_role(acting_user=_user(actor) if actor else None, membership=grant)
        with pytest.raises(PermissionDenied):
            reject_role(acting_user=_user(actor) if actor else None, membership=grant)
    confirm_role(acting_user=_user("dsb"), membership=grant)
    # Decided once: a second decision is refused.
    with pytest.raises(PermissionDenied):
        reject_role(acting_user=_second_admin(), membership=grant)
    grant.refresh_from_db()
    assert grant.status == GrantStatus.ACTIVE


def test_a_superuser_without_an_administrator_role_cannot_confirm() -> None:
    """The superuser flag is set in the user admin by one administrator alone; it gives no
    second pair of eyes."""
    puppet = create_user(acting_user=None, username="puppet", password=None, is_superuser=True)
    grant = _pending_grant("cm-kreuztal")
    with pytest.raises(PermissionDenied):
        confirm_role(acting_user=puppet, membership=grant)


def test_administrator_and_dpo_roles_granted_by_an_administrator_wait_too() -> None:
    """Otherwise an administrator could make a second confirming account for themselves."""
    puppet = create_user(acting_user=_user("admin"), username="puppet", password=None)
    for role in (Role.ADMINISTRATOR, Role.DPO):
        grant = grant_role(
            acting_user=_user("admin"), user=puppet, organisation=_kreis(), role=role
        )
        assert grant.status == GrantStatus.PENDING
    assert load_user_context(puppet).roles == frozenset()


def test_roles_without_personal_case_data_are_active_at_once() -> None:
    user = create_user(acting_user=_user("admin"), username="neu", password=None)
    grant = grant_role(
        acting_user=_user("admin"), user=user, organisation=_siegen(), role=Role.COUNCIL_MEMBER
    )
    assert grant.status == GrantStatus.ACTIVE and grant.granted_by == _user("admin")
    assert load_user_context(user).roles == {Role.COUNCIL_MEMBER}
    assert _events(grant, EventType.ROLE_GRANTED)[0].extra["status"] == "active"


# --- re-authentication ------------------------------------------------------------------------


def test_deciding_needs_a_recent_password_entry(login_as: LoginAs) -> None:
    grant = _pending_grant()
    url = f"/rollen/freigaben/{grant.code}/bestaetigen/"
    response = login_as("dsb").post(url)
    assert response.status_code == 302 and "reauthenticate" in response["Location"]
    grant.refresh_from_db()
    assert grant.status == GrantStatus.PENDING
    # After re-authentication the GET shows what is being confirmed, with the button.
    page = _reauthenticated(login_as, "dsb").get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "cm-kreuztal" in body or "Kreuztal" in body
    assert f'action="{url}"' in body


def test_grantor_sees_the_rule_instead_of_a_button(login_as: LoginAs) -> None:
    grant = _pending_grant()
    url = f"/rollen/freigaben/{grant.code}/bestaetigen/"
    page = _reauthenticated(login_as, "admin").get(url)
    assert page.status_code == 200
    assert f'action="{url}"' not in page.content.decode()


# --- the admin site ----------------------------------------------------------------------------


def test_admin_site_grants_land_in_pending_and_cannot_set_the_state(login_as: LoginAs) -> None:
    admin = login_as("admin")
    page = admin.get("/verwaltung/accounts/membership/add/").content.decode()
    assert 'name="status"' not in page and 'name="decided_by"' not in page
    response = admin.post(
        "/verwaltung/accounts/membership/add/",
        {
            "user": _user("cm-kreuztal").pk,
            "organisation": _siegen().pk,
            "role": Role.CASE_MANAGER,
            "status": GrantStatus.ACTIVE,
            "granted_by": "",
            "decided_by": _user("dsb").pk,
        },
    )
    assert response.status_code == 302
    grant = Membership.objects.get(user__username="cm-kreuztal", organisation=_siegen())
    assert grant.status == GrantStatus.PENDING
    assert grant.granted_by == _user("admin") and grant.decided_by is None
    assert [e.actor_username for e in _events(grant, EventType.ROLE_GRANTED)] == ["admin"]
    assert _siegen().pk not in load_user_context(_user("cm-kreuztal")).organisations_with_role(
        Role.CASE_MANAGER
    )


def test_revoking_a_pending_grant_is_immediate(login_as: LoginAs) -> None:
    grant = _pending_grant()
    revoke_role(acting_user=_user("admin"), membership=grant)
    grant.refresh_from_db()
    assert grant.revoked_at is not None
    assert [e.actor_username for e in _events(grant, EventType.ROLE_REVOKED)] == ["admin"]
    # A reviewer may still look at the row, but there is nothing left to confirm.
    response = _reauthenticated(login_as, "dsb").post(
        f"/rollen/freigaben/{grant.code}/bestaetigen/"
    )
    assert response.status_code == 403
    grant.refresh_from_db()
    assert grant.status == GrantStatus.PENDING and grant.decided_by is None


# --- system grants: seed and command line -----------------------------------------------------


def test_demo_personas_are_active_system_grants() -> None:
    personas = Membership.objects.filter(user__username__in=["cm-siegen", "dsb", "admin", "abh"])
    assert {m.status for m in personas} == {GrantStatus.ACTIVE}
    assert {m.granted_by_id for m in personas} == {None}


def test_the_grant_role_command_is_a_system_grant() -> None:
    create_user(acting_user=None, username="neu", password=None)
    call_command("grant_role", "neu", _siegen().code, Role.CASE_MANAGER)
    grant = Membership.objects.get(user__username="neu")
    assert grant.status == GrantStatus.ACTIVE and grant.granted_by is None
    [event] = _events(grant, EventType.ROLE_GRANTED)
    assert event.actor is None
    assert event.extra["status"] == "active" and event.extra["via"] == "command"


# --- pending memberships give no access anywhere ----------------------------------------------


def test_pending_memberships_count_nowhere(login_as: LoginAs) -> None:
    from kim.cases.actions.lifecycle import check_case_manager
    from kim.cases.queries.casefile import case_managers_of
    from kim.cases.queries.worklists import team_case_managers, team_overview
    from kim.partners.access import follow_up_owners_for_talk
    from kim.partners.models import Talk

    newcomer = create_user(
        acting_user=_user("admin"), username="neu", password="demo", validate_password=False
    )
    for role in (Role.CASE_MANAGER, Role.TEAM_LEAD, Role.B3_OFFICER):
        grant_role(acting_user=_user("admin"), user=newcomer, organisation=_siegen(), role=role)
    ctx = load_user_context(newcomer)
    assert ctx.memberships == () and not ctx.needs_mfa
    # Nor does anyone else's view of Siegen's staff count the newcomer.
    case = _siegen_case()
    assert newcomer not in case_managers_of(case)
    with pytest.raises(ValidationError):
        check_case_manager(newcomer, _siegen())
    lead = load_user_context(_user("teamlead-siegen"))
    assert newcomer not in team_case_managers(lead)
    assert newcomer.pk not in {row.user.pk for row in team_overview(lead, timezone.localdate())}
    talk = Talk.objects.filter(participants__organisation=_siegen()).first()
    assert talk is not None
    owners = follow_up_owners_for_talk(talk)
    assert _user("teamlead-siegen") in owners and newcomer not in owners
    client = login_as("neu")
    assert client.get("/fallmanagement/faelle/").status_code == 403
    assert client.get(f"/fallmanagement/faelle/{case.code}/").status_code == 404
    assert client.get("/screening/listen/").status_code == 403


def test_no_code_outside_accounts_reads_raw_memberships() -> None:
    """Authorization counts confirmed memberships only: every read outside kim/accounts goes
    through the queryset methods (``active()``; ``held()``/``pending()`` where a pending grant
    must be seen) and no query joins ``memberships__`` directly."""
    root = Path(__file__).resolve().parents[2]
    raw = re.compile(
        r"Membership\.objects\.(?!(active|held|pending)\(\))|memberships__|\.memberships\."
    )
    offenders = [
        f"{path.relative_to(root)}:{n}"
        for path in root.rglob("*.py")
        if "migrations" not in path.parts
        and "tests" not in path.parts
        and path.parts[-2:-1] != ("accounts",)
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if raw.search(line)
    ]
    assert offenders == []


# --- the pages ---------------------------------------------------------------------------------


def test_dpo_start_page_lists_pending_and_recent_grants(login_as: LoginAs) -> None:
    pending = _pending_grant("cm-kreuztal")
    decided = _pending_grant("cm-traeger", Role.CASE_MANAGER)
    confirm_role(acting_user=_user("dsb"), membership=decided)
    body = login_as("dsb").get("/").content.decode()
    assert "Rollenfreigaben" in body
    assert f"/rollen/freigaben/{pending.code}/bestaetigen/" in body
    assert f"/rollen/freigaben/{pending.code}/ablehnen/" in body
    assert f"/rollen/freigaben/{decided.code}/bestaetigen/" not in body
    assert "Bestätigt" in body
    # The grantor sees the card, but no button for their own grant.
    admin_body = login_as("admin").get("/").content.decode()
    assert "Rollenfreigaben" in admin_body
    assert f"/rollen/freigaben/{pending.code}/bestaetigen/" not in admin_body
    # Nobody else sees it.
    assert "Rollenfreigaben" not in login_as("cm-siegen").get("/").content.decode()


def test_list_page_for_reviewers_only(login_as: LoginAs, django_assert_max_num_queries) -> None:
    for grantee in ("cm-kreuztal", "cm-traeger", "koordination"):
        _pending_grant(grantee)
    client = login_as("dsb")
    with django_assert_max_num_queries(8):
        response = client.get("/rollen/freigaben/")
    assert response.status_code == 200
    assert response.content.decode().count("/bestaetigen/") == 3
    for persona in ("koordination", "cm-siegen", "teamlead-siegen", "rat"):
        assert login_as(persona).get("/rollen/freigaben/").status_code == 403, persona
    assert login_as("admin").get("/rollen/freigaben/").status_code == 200
