"""Who may see and change council records: persona × state matrices (200 / 403 / 404).

Managers of the Stadt Siegen's council business: its programme lead (``siegen``), the Kreis's
KIM coordination and administrators. The council member ``rat`` reads released papers and
public meetings only. Everyone else – and the coordinator of another Kreis (``stranger``) –
gets 403 on the lists and the same 404 as for a missing row on every record.
"""

from __future__ import annotations

import pytest
from django.test import Client

from kim.accounts.access import load_user_context
from kim.council import access, actions
from kim.council.models import Paper
from kim.council.tests import factories as f

pytestmark = pytest.mark.django_db

PERSONAS = [
    "koordination",
    "siegen",
    "rat",
    "admin",
    "teamlead-siegen",
    "cm-siegen",
    "cm-kreuztal",
    "traeger",
    "abh",
    "dsb",
]
MANAGERS = {"koordination", "siegen", "admin"}
LIST_READERS = MANAGERS | {"rat"}


def _main(response) -> str:
    """The page's main content (the header carries per-request nonces and tokens)."""
    body = response.content.decode()
    return body[body.index("<main") : body.index("</main>")]


def _motion(released: bool) -> Paper:
    motion = f.new_motion(release=released)
    actions.attach_file(motion, acting_user=None, checked=f.pdf(), role="main")
    return motion


def _expected_read(persona: str, released: bool) -> int:
    if persona in MANAGERS or (persona == "rat" and released):
        return 200
    return 404


def _expected_change(persona: str, released: bool) -> int:
    read = _expected_read(persona, released)
    return 200 if persona in MANAGERS else (403 if read == 200 else 404)


@pytest.mark.parametrize("released", [False, True], ids=["draft", "released"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_motion_matrix(login_as, persona: str, released: bool) -> None:
    motion = _motion(released)
    question = motion.questions.first()
    file = motion.files.get()
    client = login_as(persona)
    read, change = _expected_read(persona, released), _expected_change(persona, released)
    assert client.get(f"/rat/antraege/{motion.code}/").status_code == read
    assert client.get(f"/rat/dokumente/{file.code}/").status_code == read
    for url in (
        f"/rat/antraege/{motion.code}/status/",
        f"/rat/antraege/{motion.code}/fragen/neu/",
        f"/rat/antraege/{motion.code}/dokumente/neu/",
        f"/rat/fragen/{question.code}/antwortbausteine/",
    ):
        assert client.get(url).status_code == change, url
    if persona not in MANAGERS:
        response = client.post(f"/rat/antraege/{motion.code}/freigabe/")
        assert response.status_code == change
        motion.refresh_from_db()
        assert motion.released is released


@pytest.mark.parametrize("persona", PERSONAS)
def test_list_pages(login_as, persona: str) -> None:
    client = login_as(persona)
    expected = 200 if persona in LIST_READERS else 403
    for url in ("/rat/antraege/", "/rat/sitzungen/", "/rat/gremien/"):
        assert client.get(url).status_code == expected, url
    expected_create = 200 if persona in MANAGERS else 403
    for url in ("/rat/antraege/neu/", "/rat/sitzungen/neu/", "/rat/gremien/neu/"):
        assert client.get(url).status_code == expected_create, url


def test_council_member_reads_released_motions_only(login_as) -> None:
    draft, released = f.new_motion(), f.new_motion(reference="T-2/2026", release=True)
    listed = login_as("rat").get("/rat/antraege/").context["motions"]
    assert released in listed and draft not in listed
    assert all(m.released for m in listed)
    assert login_as("rat").get(f"/rat/antraege/{draft.code}/").status_code == 404
    staff = login_as("siegen").get("/rat/antraege/").context["motions"]
    assert {draft, released} <= set(staff)


def test_council_member_page_has_no_management_buttons(login_as) -> None:
    motion = f.new_motion(release=True)
    page = login_as("rat").get(f"/rat/antraege/{motion.code}/").content.decode()
    assert f"/rat/antraege/{motion.code}/status/" not in page
    assert f"/rat/fragen/{motion.questions.first().code}/" not in page
    manager_page = login_as("siegen").get(f"/rat/antraege/{motion.code}/").content.decode()
    assert f"/rat/antraege/{motion.code}/status/" in manager_page


@pytest.mark.parametrize(
    ("persona", "public", "expected"),
    [
        ("siegen", False, 200),
        ("koordination", False, 200),
        ("rat", False, 404),
        ("rat", True, 200),
        ("cm-siegen", True, 404),
        ("traeger", True, 404),
    ],
)
def test_meeting_matrix(login_as, persona: str, public: bool, expected: int) -> None:
    meeting = f.new_meeting(public=public)
    client = login_as(persona)
    assert client.get(f"/rat/sitzungen/{meeting.code}/").status_code == expected
    add = client.get(f"/rat/sitzungen/{meeting.code}/tagesordnung/neu/").status_code
    assert add == (200 if persona in MANAGERS else (403 if expected == 200 else 404))
    listed = login_as(persona).get("/rat/sitzungen/")
    if listed.status_code == 200:
        assert (meeting in listed.context["meetings"]) is (expected == 200)


def test_council_member_sees_public_agenda_items_only(login_as) -> None:
    meeting = f.new_meeting()
    actions.add_agenda_item(meeting, acting_user=None, number="1", name="Öffentlicher Punkt")
    actions.add_agenda_item(
        meeting, acting_user=None, number="2", name="Vertraulicher Punkt", public=False
    )
    rat = login_as("rat").get(f"/rat/sitzungen/{meeting.code}/").content.decode()
    assert "Öffentlicher Punkt" in rat and "Vertraulicher Punkt" not in rat
    staff = login_as("siegen").get(f"/rat/sitzungen/{meeting.code}/").content.decode()
    assert "Vertraulicher Punkt" in staff


def test_stranger_sees_nothing_of_siegen(stranger: Client, login_as) -> None:
    motion = _motion(released=True)
    meeting = f.new_meeting()
    # The same URLs work for an allowed persona: the failure below is about the user.
    assert login_as("koordination").get(f"/rat/antraege/{motion.code}/status/").status_code == 200
    missing = stranger.get("/rat/antraege/aaaaaaaaaaaaaaaa/")
    for url in (
        f"/rat/antraege/{motion.code}/",
        f"/rat/antraege/{motion.code}/status/",
        f"/rat/dokumente/{motion.files.get().code}/",
        f"/rat/fragen/{motion.questions.first().code}/antwortbausteine/",
        f"/rat/sitzungen/{meeting.code}/",
    ):
        response = stranger.get(url)
        assert response.status_code == 404, url
        assert _main(response) == _main(missing)  # the very page a missing row gets
    response = stranger.get("/rat/antraege/")
    assert response.status_code == 200  # a coordinator, but of another Kreis
    assert response.context["motions"] == []
    assert stranger.get("/rat/antraege/neu/").status_code == 403  # no body of its own


def test_coordination_manages_every_town_of_its_kreis(login_as) -> None:
    kreuztal = f.kreuztal_body()
    ctx = load_user_context(f.user("koordination"))
    assert access.can_manage_body(ctx, kreuztal)
    assert not access.can_manage_body(load_user_context(f.user("siegen")), kreuztal)
    assert not access.can_read_body(load_user_context(f.user("rat")), kreuztal)
    assert access.can_read_body(load_user_context(f.user("rat")), f.siegen())
    managed = set(access.bodies_for_managing(ctx))
    assert managed == {kreuztal, f.siegen()}


def test_predicates_run_no_queries(django_assert_num_queries) -> None:
    body = f.siegen()
    ctx = load_user_context(f.user("siegen"))
    with django_assert_num_queries(0):
        assert access.can_manage_body(ctx, body)
        assert access.can_read_body(ctx, body)
        assert access.can_use_council(ctx)
