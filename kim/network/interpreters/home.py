"""Shell contributions of the interpreters (kim/core/shell.py).

- ``nav.interpreters`` (a flag, no menu link: the menus stay on one line): case managers and
  team leads reach the pool and the monthly list from the case file's interpreter section
  and their work list; the coordination from its start card.
- A start card for the coordination, who maintains the pool (no query).
- The demo pool (order 56, before the demo cases book from it).
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from kim.accounts.access import UserContext
from kim.core.shell import Card, Item, demo_step, register_nav, start_cards
from kim.network.access import can_maintain_pool, can_use_interpreters
from kim.network.interpreters.demo import seed_pool
from kim.organisations.demo import demo_organisations

register_nav("interpreters", can_use_interpreters)


@start_cards(order=58)
def cards(ctx: UserContext, today: dt.date) -> list[Card]:
    """The coordination's way to the pool and to the consent form texts it maintains."""
    if not can_maintain_pool(ctx):
        return []
    card = Card(
        title=_("Clients' languages"),
        intro=_("Interpreters case managers of the Kreis can book, with languages and rates."),
    )
    card.items += [
        Item(_("Open the interpreter pool"), reverse("network:interpreter_list")),
        Item(_("Add an interpreter"), reverse("network:interpreter_add")),
        # The cost per organisation of the Kreis (sums only, kim/cases/views/bookings.py).
        Item(_("Interpreter cost per organisation"), reverse("cases:interpreter_month")),
        # The Kreis' consent form texts: the same people maintain them (the coordination,
        # kim/cases/access.py can_maintain_form_texts), linked by URL name only.
        Item(_("Consent form texts in the clients' languages"), reverse("cases:formtext_list")),
    ]
    return [card]


@demo_step(order=56)
def demo() -> None:
    seed_pool(demo_organisations()["kreis"])
