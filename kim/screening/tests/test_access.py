"""Who may see uploaded lists: the Baustein-3 officers of the list's authority, nobody else.

Strangers get 404 on every list and entry URL (exactly like a missing list, also before any
password prompt) and 403 on the index and the upload page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from kim.accounts.access import load_user_context
from kim.accounts.actions import create_user, grant_role
from kim.audit.models import AuditEvent, EventType
from kim.organisations.models import Organisation
from kim.screening.access import (
    can_manage_list,
    can_use_screening,
    get_entry_for_user,
    get_list_for_user,
    lists_for_user,
)
from kim.screening.models import ScreeningList
from kim.screening.tests.test_lists import reauthenticated, screened_list

pytestmark = pytest.mark.django_db

OTHERS: tuple[str, ...] = (
    *("koordination", "siegen", "cm-siegen", "cm-kreuztal", "cm-traeger", "traeger"),
    *("teamlead-siegen", "rat", "dsb", "admin"),
)


def list_urls(code: str) -> list[str]:
    base = f"/screening/listen/{code}/"
    return [
        base,
        f"{base}export/csv/",
        f"{base}export/xlsx/",
        f"{base}loeschen/",
        f"{base}personen/1/",
        f"{base}personen/1/einladung/",
    ]


@pytest.fixture
def other_officer(db: None) -> Client:
    """A Baustein-3 officer of another authority (the Stadt Siegen's foreigners' office)."""
    from django.contrib.auth import get_user_model

    authority = Organisation.objects.get(name="Ausländerbehörde Stadt Siegen")
    user = create_user(acting_user=None, username="abh-stadt", password=None)
    grant_role(acting_user=None, user=user, organisation=authority, role="b3_officer")
    client = Client()
    client.force_login(get_user_model().objects.get(pk=user.pk))
    return client


def test_only_the_officer_uses_index_and_upload(login_as: Any) -> None:
    for url in ("/screening/listen/", "/screening/listen/hochladen/"):
        assert login_as("abh").get(url).status_code == 200, url
        for persona in OTHERS:
            assert login_as(persona).get(url).status_code == 403, (persona, url)


def test_lists_and_entries_are_404_for_everyone_else(login_as: Any, other_officer: Client) -> None:
    screening_list = screened_list(2)
    abh = reauthenticated("abh")
    for url in list_urls(screening_list.code):
        assert abh.get(url).status_code == 200, url
        assert other_officer.get(url).status_code == 404, url
        for persona in OTHERS:
            assert login_as(persona).get(url).status_code == 404, (persona, url)
    post = f"/screening/listen/{screening_list.code}/pruefen/"
    assert other_officer.post(post).status_code == 404
    assert login_as("cm-siegen").post(post).status_code == 404
    progress = f"/screening/listen/{screening_list.code}/fortschritt/"
    for client in (other_officer, login_as("cm-siegen"), login_as("dsb")):
        assert client.get(progress, HTTP_HX_REQUEST="true").status_code == 404
    # Not even a reauthenticated stranger learns anything, and nothing of theirs is audited.
    assert reauthenticated("dsb").get(list_urls(screening_list.code)[1]).status_code == 404
    exports = AuditEvent.objects.filter(
        event_type=EventType.SCREENING_LIST_EXPORTED, subject_code=screening_list.code
    )
    assert set(exports.values_list("actor_username", flat=True)) == {"abh"}
    assert abh.get(f"/screening/listen/{screening_list.code}/personen/3/").status_code == 404


def test_the_other_authority_sees_only_its_own_lists(login_as: Any, other_officer: Client) -> None:
    screening_list = screened_list(2)
    index = other_officer.get("/screening/listen/").content.decode()
    assert screening_list.title not in index
    assert screening_list.title in login_as("abh").get("/screening/listen/").content.decode()


def test_predicates_and_the_door(other_officer: Client) -> None:
    from django.contrib.auth import get_user_model
    from django.http import Http404

    screening_list = screened_list(1)
    users = get_user_model().objects
    abh = load_user_context(users.get(username="abh"))
    other = load_user_context(users.get(username="abh-stadt"))
    dsb = load_user_context(users.get(username="dsb"))
    assert can_use_screening(abh) and can_use_screening(other) and not can_use_screening(dsb)
    assert can_manage_list(abh, screening_list) and not can_manage_list(other, screening_list)
    assert screening_list in lists_for_user(abh)
    assert not lists_for_user(other).exists() and not lists_for_user(dsb).exists()
    assert get_list_for_user(abh, screening_list.code) == screening_list
    assert get_entry_for_user(abh, screening_list.code, 1).ref == "AZ-0000"
    for ctx in (other, dsb):
        with pytest.raises(Http404):
            get_list_for_user(ctx, screening_list.code)
        with pytest.raises(Http404):
            get_entry_for_user(ctx, screening_list.code, 1)
    assert ScreeningList.objects.filter(pk=screening_list.pk).exists()


def test_navigation_shows_screening_to_the_officer_only(login_as: Any) -> None:
    assert 'href="/screening/listen/"' in login_as("abh").get("/").content.decode()
    assert 'href="/screening/listen/"' not in login_as("cm-siegen").get("/").content.decode()
