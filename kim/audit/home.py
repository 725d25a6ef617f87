"""What the audit trail contributes to the shell (kim/core/shell.py): the menu link and the
data-protection card with last week's events."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kim.accounts.access import UserContext
from kim.audit.access import can_view_audit
from kim.audit.models import AuditEvent, EventType
from kim.core.shell import Card, Item, register_nav, start_cards

register_nav(
    "audit",
    can_view_audit,
    label=gettext_lazy("Audit trail"),
    url_name="audit:list",
    order=70,
)


def _audit_card() -> Card:
    since = timezone.now() - dt.timedelta(days=7)
    counts = dict(
        AuditEvent.objects.filter(created_at__gte=since)
        .values_list("event_type")
        .annotate(n=Count("id"))
        .values_list("event_type", "n")
    )
    total = sum(counts.values())
    failed = counts.get(EventType.LOGIN_FAILED, 0)
    card = Card(
        title=_("Data protection"), intro=_("Audit events in the last 7 days: %(n)d") % {"n": total}
    )
    card.items.append(Item(_("Open the audit trail"), reverse("audit:list")))
    card.items.append(
        Item(
            _("Failed logins in the last 7 days: %(n)d") % {"n": failed},
            reverse("audit:list") + "?event_type=" + EventType.LOGIN_FAILED,
            "warning" if failed else "",
        )
    )
    return card


@start_cards(order=80)
def cards(ctx: UserContext, today: dt.date) -> list[Card]:
    return [_audit_card()] if can_view_audit(ctx) else []
