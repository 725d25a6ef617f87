"""What proofs of use contribute to the shell (kim/core/shell.py): the menu entry for welfare-
agency managers (not for the coordination or the towns' programme leads: their menus stay on one
line; they reach the proofs from their start card and the programme pages), the start card, the
demo steps."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kim.accounts.access import UserContext
from kim.accounts.models import Role
from kim.core.formats import date_l10n
from kim.core.shell import Card, Item, demo_step, register_nav, start_cards
from kim.organisations.demo import demo_organisations
from kim.proofs.access import can_use_proofs, coordinated_regions
from kim.proofs.demo import seed_land_sachbericht, seed_proofs
from kim.proofs.queries import start_card_proofs

LISTED = 5


def proofs_in_menu(ctx: UserContext) -> bool:
    """A menu entry for welfare-agency managers only: the coordination's and the programme
    leads' menus are full (one line each); they reach the proofs from their start card."""
    managed = ctx.organisations_with_role(Role.TRAEGER_MANAGER)
    leads = ctx.organisations_with_role(Role.PROGRAMME_LEAD)
    return bool(managed) and not leads and not coordinated_regions(ctx)


register_nav("proofs", can_use_proofs)
register_nav(
    "proofs_menu",
    proofs_in_menu,
    label=gettext_lazy("Proofs of use"),
    url_name="proofs:proof_list",
    order=42,
)


@start_cards(order=12)
def cards(ctx: UserContext, today: dt.date) -> list[Card]:
    """Proofs to prepare that are due in 60 days or overdue, and proofs waiting for my review
    (one query, only for users of the proof pages)."""
    if not can_use_proofs(ctx):
        return []
    card = Card(title=_("Proofs of use"))
    to_prepare, to_review = start_card_proofs(ctx, today)
    for proof in to_prepare[:LISTED]:
        overdue = proof.due_on < today
        values = {"due": date_l10n(proof.due_on), "proof": str(proof)}
        card.items.append(
            Item(
                (_("Overdue since %(due)s: %(proof)s") if overdue else _("Due %(due)s: %(proof)s"))
                % values,
                reverse("proofs:proof_detail", args=[proof.code]),
                "warning" if overdue else "",
            )
        )
    for proof in to_review[:LISTED]:
        card.items.append(
            Item(
                _("Waiting for your review: %(proof)s") % {"proof": str(proof)},
                reverse("proofs:proof_detail", args=[proof.code]),
            )
        )
    if not card.items:
        card.items.append(Item(_("No proof of use is due or waiting for you."), status="success"))
    card.items.append(Item(_("Open the proofs of use"), reverse("proofs:proof_list")))
    return [card]


@demo_step(order=47)
def demo() -> None:
    seed_proofs(demo_organisations())


@demo_step(order=75)
def demo_sachbericht() -> None:
    """The Sachbericht texts of the Kreis' Land proof 2025, written once every app's demo data
    exists – its figures (cases, screening, steering) would otherwise change under the texts."""
    seed_land_sachbericht(demo_organisations())
