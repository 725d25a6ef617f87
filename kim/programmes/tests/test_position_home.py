"""Editing a post keeps it in its Kreis, like creating one (decisions D-050: edit forms follow
the create path's rules). The host organisation can change only to one the editor could create
the post at, inside the post's Kreis; a refused change saves nothing and writes no event."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.forms.models import model_to_dict
from django.test import Client
from django.utils import formats

from kim.audit.models import AuditEvent, EventType
from kim.organisations.models import Organisation
from kim.programmes.models import Position

pytestmark = pytest.mark.django_db


def _form_data(position: Position, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "baustein": position.baustein,
        "title": position.title,
        "vze": formats.localize_input(position.vze),
        "home": position.home_id,
        "employer_type": position.employer_type,
        "rate_kind": position.rate_kind,
        "tasks": position.tasks,
        "pay_group": position.pay_group,
        "entry_step": position.entry_step,
        "step_since": formats.localize_input(position.step_since) if position.step_since else "",
        "version": position.version,
    }
    data.update(changes)
    return data


def _siegen_post() -> Position:
    post = Position.objects.filter(home__name="Stadt Siegen", employer_type="municipal").first()
    assert post is not None
    return post


def _refused(client: Client, position: Position, **changes: object) -> None:
    before = model_to_dict(Position.objects.get(pk=position.pk))
    events = AuditEvent.objects.count()
    url = f"/programm/stellen/{position.code}/bearbeiten/"
    response = client.post(url, _form_data(position, **changes))
    assert response.status_code == 200, changes
    assert 'id="id_home_error"' in response.content.decode(), changes
    assert model_to_dict(Position.objects.get(pk=position.pk)) == before
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("persona", ["koordination", "siegen", "admin"])
def test_a_post_does_not_move_to_another_kreis(
    login_as: Callable[[str], Client], stranger: Client, persona: str
) -> None:
    olpe = Organisation.objects.get(name="Stadt Olpe")
    _refused(login_as(persona), _siegen_post(), home=olpe.pk)


def test_a_town_moves_no_post_to_another_town(login_as: Callable[[str], Client]) -> None:
    kreuztal = Organisation.objects.get(name="Stadt Kreuztal")
    _refused(login_as("siegen"), _siegen_post(), home=kreuztal.pk)


def test_coordination_moves_a_post_inside_its_kreis(login_as: Callable[[str], Client]) -> None:
    kreuztal = Organisation.objects.get(name="Stadt Kreuztal")
    post = _siegen_post()
    url = f"/programm/stellen/{post.code}/bearbeiten/"
    response = login_as("koordination").post(url, _form_data(post, home=kreuztal.pk))
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.home == kreuztal
    event = AuditEvent.objects.latest("id")
    assert (event.event_type, event.extra) == (EventType.POSITION_UPDATED, {"fields": ["home"]})
