"""Shell contributions of the directory (kim/core/shell.py): the ``network`` flag, a menu link
for those whose menu has room, the maintainer's start card and the demo step."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kim.accounts.access import UserContext
from kim.accounts.models import Role
from kim.core.formats import date_l10n
from kim.core.shell import Card, Item, demo_step, register_nav, start_cards
from kim.network.access import can_maintain_directory, can_use_directory, unconfirmed_services

LISTED = 5
# The menu link is for the daily users: case work, welfare agencies, Baustein 3, the council.
# The coordination's and the programme leads' menus are full (one line,
# tests/browser/test_header.py), and administrators and data-protection officers have their
# own long menus: they all reach the directory from a start card.
MENU_ROLES = (
    Role.CASE_MANAGER,
    Role.TEAM_LEAD,
    Role.TRAEGER_MANAGER,
    Role.B3_OFFICER,
    Role.COUNCIL_MEMBER,
)
NO_MENU_ROLES = (Role.KIM_COORDINATION, Role.PROGRAMME_LEAD, Role.ADMINISTRATOR, Role.DPO)

register_nav("network", can_use_directory)


def directory_in_menu(ctx: UserContext) -> bool:
    return (
        can_use_directory(ctx)
        and ctx.has_role(*MENU_ROLES)
        and not ctx.has_role(*NO_MENU_ROLES)
        and not ctx.is_superuser
    )


register_nav(
    "network_menu",
    directory_in_menu,
    label=gettext_lazy("Service network"),
    url_name="network:service_list",
    order=55,
)


def _unconfirmed_card(ctx: UserContext, today: dt.date) -> Card:
    """The maintainer's entries not confirmed for 12 months, oldest first (one query)."""
    rows = list(
        unconfirmed_services(ctx, today)
        .order_by("confirmed_on", "name")
        .values_list("code", "name", "confirmed_on")
    )
    card = Card(title=_("Service network"))
    if rows:
        card.number = str(len(rows))
        card.label = ngettext(
            "entry not confirmed for 12 months",
            "entries not confirmed for 12 months",
            len(rows),
        )
        for code, name, confirmed_on in rows[:LISTED]:
            card.items.append(
                Item(
                    _("%(name)s (confirmed %(day)s)")
                    % {"name": name, "day": date_l10n(confirmed_on)},
                    reverse("network:service_detail", args=[code]),
                    "warning",
                )
            )
        if len(rows) > LISTED:
            card.items.append(
                Item(_("All entries to confirm"), reverse("network:service_list") + "?due=on")
            )
    else:
        card.items.append(
            Item(_("Every entry you maintain has been confirmed in the last 12 months."))
        )
    card.items.append(Item(_("Open the service network"), reverse("network:service_list")))
    return card


@start_cards(order=16)
def cards(ctx: UserContext, today: dt.date) -> list[Card]:
    """For maintainers (coordination, welfare-agency managers) the entries to confirm (one
    query); for the other users without a menu link (programme leads, administrators, DPOs) a
    link (no query)."""
    if not can_use_directory(ctx):
        return []
    if can_maintain_directory(ctx):
        return [_unconfirmed_card(ctx, today)]
    if not directory_in_menu(ctx):
        card = Card(title=_("Service network"))
        card.items.append(Item(_("Open the service network"), reverse("network:service_list")))
        return [card]
    return []


@demo_step(order=55)
def demo() -> None:
    from kim.network.directory.demo import seed_directory

    seed_directory()
