"""What accounts contribute to the shell (kim/core/shell.py): the administrator's card and the
demo personas."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from kim.accounts.access import (
    UserContext,
    can_rotate_keys,
    can_use_admin_site,
    is_administrator,
)
from kim.accounts.demo import seed_personas
from kim.accounts.models import Membership
from kim.core.shell import Card, Item, demo_step, start_cards


def _admin_card(ctx: UserContext) -> Card:
    users = Membership.objects.active().values("user").distinct().count()
    card = Card(
        title=_("Administration"), intro=_("Active users with a role: %(n)d") % {"n": users}
    )
    if can_use_admin_site(ctx):
        card.items.append(Item(_("Manage users and roles (admin site)"), reverse("admin:index")))
    if can_rotate_keys(ctx):
        card.items.append(
            Item(_("Re-encrypt with a new key (key rotation)"), reverse("key_rotation"))
        )
    return card


@start_cards(order=90)
def cards(ctx: UserContext, today: dt.date) -> list[Card]:
    return [_admin_card(ctx)] if is_administrator(ctx) else []


@demo_step(order=20)
def demo() -> None:
    seed_personas()
