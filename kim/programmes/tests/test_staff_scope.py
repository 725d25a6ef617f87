"""Staff belong to the organisation that employs them (decisions D-046).

A town's programme lead keeps the records of the town's own staff only: the holder form offers
them alone, a qualification for anyone else's staff member is 404 (like a made-up code), and
nobody places a staff member on a post of another employer. KIM coordination keeps the records of
the whole Kreis.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kim.audit.models import AuditEvent, EventType
from kim.organisations.models import Organisation
from kim.programmes import actions
from kim.programmes.models import Incumbency, Position, Qualification, StaffMember

pytestmark = pytest.mark.django_db


def _siegen() -> Organisation:
    return Organisation.objects.get(ags="05970040")


def _siegen_post() -> Position:
    """A municipal B2 post of Stadt Siegen (its own programme lead edits it)."""
    return (
        Position.objects.filter(home=_siegen(), baustein="B2", employer_type="municipal")
        .order_by("id")
        .first()
    )


def _kreis_staff() -> StaffMember:
    """CO-01 holds a coordination post of the Kreis, which Siegen's programme lead cannot open."""
    return StaffMember.objects.get(pseudonym="CO-01")


def _siegen_staff() -> StaffMember:
    """The holder of that post, a Siegen employee."""
    return StaffMember.objects.filter(incumbencies__position=_siegen_post()).get()


def _qualification_url(post: Position, staff: StaffMember) -> str:
    return f"/programm/stellen/{post.code}/personal/{staff.code}/qualifikation/"


QUALIFICATION = {"state": "certified", "on": "01.10.2026", "provider": "Probe"}


def test_every_staff_member_has_an_employer_in_the_kreis() -> None:
    assert not StaffMember.objects.filter(employer__isnull=True).exists()
    for staff in StaffMember.objects.select_related("employer"):
        assert staff.employer.region_id_or_self == staff.region_id


def test_programme_lead_cannot_record_a_qualification_for_foreign_staff(login_as) -> None:
    post, foreign = _siegen_post(), _kreis_staff()
    client = login_as("siegen")
    before = AuditEvent.objects.count()
    assert client.get(_qualification_url(post, foreign)).status_code == 404
    response = client.post(_qualification_url(post, foreign), QUALIFICATION)
    assert response.status_code == 404
    assert not Qualification.objects.filter(staff=foreign, provider="Probe").exists()
    assert AuditEvent.objects.count() == before
    # The same 404 as for a code that does not exist at all.
    missing = client.get(f"/programm/stellen/{post.code}/personal/nosuchcode/qualifikation/")
    assert missing.status_code == 404
    # Its own staff member: recorded, with an audit event.
    own = _siegen_staff()
    assert client.post(_qualification_url(post, own), QUALIFICATION).status_code == 302
    assert Qualification.objects.filter(staff=own, provider="Probe").exists()
    assert AuditEvent.objects.filter(
        event_type=EventType.STAFF_QUALIFICATION_RECORDED, subject_code=own.code
    ).exists()


def test_coordination_keeps_the_records_of_the_whole_kreis(login_as) -> None:
    post = Position.objects.get(title="Koordination KIM 1")
    staff = _kreis_staff()
    response = login_as("koordination").post(_qualification_url(post, staff), QUALIFICATION)
    assert response.status_code == 302
    assert Qualification.objects.filter(staff=staff, provider="Probe").exists()


def test_holder_form_offers_only_the_posts_employer_staff(login_as) -> None:
    post = _siegen_post()
    form = login_as("siegen").get(f"/programm/stellen/{post.code}/besetzung/").context["form"]
    offered = list(form.fields["staff"].queryset)
    assert offered and {s.employer_id for s in offered} == {_siegen().pk}
    page = login_as("siegen").get(f"/programm/stellen/{post.code}/besetzung/").content.decode()
    assert "CO-01" not in page and _kreis_staff().code not in page


def _open_siegen_post() -> Position:
    """A new, approved and unfilled post of Stadt Siegen."""
    return actions.create_position(
        acting_user=None,
        region=_siegen().region,
        status="approved",
        status_from=dt.date(2026, 1, 1),
        baustein="B2",
        title="Offene CM-Stelle Siegen",
        vze=Decimal("1.0"),
        home=_siegen(),
        employer_type="municipal",
    )


def test_programme_lead_cannot_place_foreign_staff_on_its_post(login_as) -> None:
    post, foreign = _open_siegen_post(), _kreis_staff()
    client = login_as("siegen")
    before = (Incumbency.objects.count(), AuditEvent.objects.count())
    for value in (foreign.code, foreign.pk):  # the form takes codes; ids are no way round it
        response = client.post(
            f"/programm/stellen/{post.code}/besetzung/", {"staff": value, "start": "01.12.2026"}
        )
        assert response.status_code == 200
        assert 'id="id_staff_error"' in response.content.decode()
    assert (Incumbency.objects.count(), AuditEvent.objects.count()) == before
    own = _siegen_staff()
    response = client.post(
        f"/programm/stellen/{post.code}/besetzung/", {"staff": own.code, "start": "01.12.2026"}
    )
    assert response.status_code == 302
    assert Incumbency.objects.filter(staff=own, position=post).exists()


def test_new_staff_member_is_employed_by_the_posts_home(login_as) -> None:
    post = Position.objects.get(title="Koordination KIM 4")  # the Kreis' advertised post
    response = login_as("koordination").post(
        f"/programm/stellen/{post.code}/besetzung/",
        {"new_pseudonym": "CO-09", "start": "01.12.2026"},
    )
    assert response.status_code == 302
    staff = StaffMember.objects.get(pseudonym="CO-09")
    assert staff.employer_id == post.home_id and staff.region_id == post.region_id
    event = AuditEvent.objects.get(event_type=EventType.STAFF_CREATED, subject_code=staff.code)
    assert event.organisation_id == post.home_id


def test_action_refuses_staff_of_another_employer() -> None:
    """Also for coordination and the seed: the action itself keeps staff with their employer."""
    post, foreign = _siegen_post(), _kreis_staff()
    with pytest.raises(ValidationError) as exc:
        actions.assign_incumbent(post, acting_user=None, staff=foreign, start=dt.date(2026, 12, 1))
    assert "staff" in exc.value.message_dict
    assert not Incumbency.objects.filter(staff=foreign, position=post).exists()


def test_staff_of_another_kreis_is_never_offered(login_as, stranger) -> None:
    olpe = Organisation.objects.get(ags="05966024")
    other = actions.create_staff_member(acting_user=None, employer=olpe, pseudonym="CM-01")
    post = _siegen_post()
    response = login_as("koordination").get(_qualification_url(post, other))
    assert response.status_code == 404
    with pytest.raises(ValidationError):
        actions.assign_incumbent(post, acting_user=None, staff=other, start=dt.date(2026, 12, 1))


def test_data_migration_derives_the_employer_from_the_posts_held() -> None:
    """The migration's rule: the home of the most recent post held; without one, the Kreis."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("kim.programmes.migrations.0002_staffmember_employer")
    kreis = Organisation.objects.get(ags="05970")
    unplaced = actions.create_staff_member(acting_user=None, employer=_siegen(), pseudonym="X-01")
    StaffMember.objects.update(employer=kreis)
    two_posts = _kreis_staff()
    later = Position.objects.filter(home=_siegen(), baustein="B2").order_by("id").last()
    Incumbency.objects.create(position=later, staff=two_posts, start=dt.date(2030, 1, 1))
    migration.derive_employers(apps, None)
    employers = dict(StaffMember.objects.values_list("pseudonym", "employer__name"))
    assert employers["CO-02"] == "Kreis Siegen-Wittgenstein"
    assert employers["CO-01"] == "Stadt Siegen"  # the later of its two posts
    assert employers["B3-01"] == "Ausländerbehörde Kreis Siegen-Wittgenstein"
    assert employers["X-01"] == "Kreis Siegen-Wittgenstein"  # no post held: its Kreis
    for staff in StaffMember.objects.exclude(pk=unplaced.pk).exclude(pk=two_posts.pk):
        latest = staff.incumbencies.order_by("-start", "-id").first()
        assert staff.employer_id == latest.position.home_id, staff.pseudonym


def test_holder_employed_elsewhere_gets_no_qualification_link(login_as) -> None:
    """A post that changed hands may show a holder employed by another organisation: the page
    names them (pseudonym) but offers no link to a record the reader does not keep."""
    post, foreign = _open_siegen_post(), _kreis_staff()
    Incumbency.objects.create(position=post, staff=foreign, start=dt.date(2026, 2, 1))  # test data
    link = _qualification_url(post, foreign)
    siegen = login_as("siegen")
    page = siegen.get(f"/programm/stellen/{post.code}/").content.decode()
    assert "CO-01" in page and link not in page
    assert siegen.get(link).status_code == 404
    coordination = login_as("koordination")
    assert link in coordination.get(f"/programm/stellen/{post.code}/").content.decode()
    assert coordination.get(link).status_code == 200
