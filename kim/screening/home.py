"""What Baustein-3 screening contributes to the shell (kim/core/shell.py): the menu link, the
start-page card of each residence-law authority the user works for and the officer's screening
results in numbers (persons likely now and within six months, per list, each linking to the
list's filtered results), the demo list and consents, and the deletion of expired screening
lists in ``kim retention run``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db.models import Q
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kim.accounts.access import UserContext
from kim.accounts.models import Role
from kim.core.shell import (
    Card,
    Item,
    RetentionReport,
    demo_step,
    register_nav,
    retention_step,
    start_cards,
)
from kim.organisations.demo import demo_organisations
from kim.organisations.models import Organisation, ResponsibilityPeriod
from kim.screening.access import can_use_screening
from kim.screening.demo import seed_screening
from kim.screening.demo_letters import seed_letter_texts
from kim.screening.models import ListStatus
from kim.screening.queries.lists import ListCounts, list_counts
from kim.screening.retention import count_expired, purge_expired

register_nav(
    "screening",
    can_use_screening,
    label=gettext_lazy("Screening"),
    url_name="screening:list_index",
    order=20,
)


def _authority_card(org_id: int, today: dt.date) -> Card:
    org = Organisation.objects.get(pk=org_id)
    served = (
        ResponsibilityPeriod.objects.filter(authority_id=org_id, valid_from__lte=today)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .select_related("kommune")
        .order_by("kommune__name")
    )
    names = [p.kommune.name for p in served]
    card = Card(title=_("Baustein 3 – %(org)s") % {"org": org.name})
    card.items.append(
        Item(
            _("Serves today: %(towns)s") % {"towns": ", ".join(names)}
            if names
            else _("No towns assigned today."),
            reverse("organisations:detail", args=[org.code]),
        )
    )
    return card


SOON_MONTHS = 6
LISTS_SHOWN = 5


def _n(value: int) -> str:
    """A count in the active language's format (German ``1.234``, English ``1,234``)."""
    return number_format(value, use_l10n=True, force_grouping=True)


def _results_cards(ctx: UserContext, today: dt.date) -> list[Card]:
    """Persons likely now and likely within six months over the screened lists (one query);
    per list a link to its results filtered the same way. Lists still being screened are
    counted apart: their results page shows the progress, not results."""
    lists = list_counts(ctx, today, SOON_MONTHS)
    done = [c for c in lists if c.screening_list.status == ListStatus.DONE]
    pending = len(lists) - len(done)
    index = reverse("screening:list_index")
    now = _results_card(
        done,
        _("Screening: likely now"),
        lambda c: c.likely_now,
        "?show=now",
        lambda n: ngettext("person likely to qualify now", "persons likely to qualify now", n),
    )
    soon = _results_card(
        done,
        _("Screening: likely within %(months)s months") % {"months": SOON_MONTHS},
        lambda c: c.likely_soon,
        f"?show=soon&months={SOON_MONTHS}",
        lambda n: (
            ngettext(
                "person likely to qualify within %(months)s months",
                "persons likely to qualify within %(months)s months",
                n,
            )
            % {"months": SOON_MONTHS}
        ),
    )
    for card in (now, soon):
        if len(done) > LISTS_SHOWN:
            card.items.append(
                Item(
                    ngettext(
                        "%(n)s older screened list",
                        "%(n)s older screened lists",
                        len(done) - LISTS_SHOWN,
                    )
                    % {"n": _n(len(done) - LISTS_SHOWN)},
                    index,
                )
            )
    if pending:
        now.items.append(
            Item(
                ngettext(
                    "%(n)s list not yet screened (not counted)",
                    "%(n)s lists not yet screened (not counted)",
                    pending,
                )
                % {"n": _n(pending)},
                index,
                "warning",
            )
        )
    now.items.append(Item(_("All screening lists"), index))
    return [now, soon]


def _results_card(
    done: list[ListCounts],
    title: str,
    count: Callable[[ListCounts], int],
    query: str,
    label: Callable[[int], str],
) -> Card:
    total = sum(count(c) for c in done)
    card = Card(
        title=title,
        number=_n(total),
        label=label(total),
        intro=ngettext("Across %(n)s screened list.", "Across %(n)s screened lists.", len(done))
        % {"n": _n(len(done))},
    )
    for c in done[:LISTS_SHOWN]:
        url = reverse("screening:list_detail", args=[c.screening_list.code]) + query
        card.items.append(Item(f"{c.screening_list.title}: {_n(count(c))}", url))
    return card


@start_cards(order=40)
def cards(ctx: UserContext, today: dt.date) -> list[Card]:
    """One card per authority the user screens for, in the order of the memberships, then the
    results of the user's lists."""
    authorities = dict.fromkeys(
        m.organisation_id for m in ctx.memberships if m.role == Role.B3_OFFICER
    )
    found = [_authority_card(org_id, today) for org_id in authorities]
    if can_use_screening(ctx):
        found += _results_cards(ctx, today)
    return found


@demo_step(order=70)
def demo() -> None:
    seed_screening(demo_organisations())


@demo_step(order=71)
def demo_letter_texts() -> None:
    """The demo Kreis' English, Arabic and Ukrainian invitation letter texts (demo texts)."""
    seed_letter_texts(demo_organisations()["kreis"])


@retention_step("screening_lists", order=20, due=count_expired)
def retention(today: dt.date, dry_run: bool) -> RetentionReport:
    return purge_expired(today, dry_run)
