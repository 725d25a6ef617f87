"""What the audit trail contributes to the shell (kim/core/shell.py): the menu link and the
data-protection officer's start-page cards (also shown to administrators, who read the trail
too):

- last week's events and failed logins;
- the state of the hash chain: the latest ``AUDIT_VERIFIED`` event (written by ``kim audit
  verify`` and by the web verification) with its result, or "never verified";
- refused disclosures and Art. 15 exports this month, each linking to the trail filtered by
  event type and the same dates;
- retention: what a run today would delete or anonymise (each app's count of its retention
  step, ``kim.core.shell.retention_due``; nothing is loaded or written) and the latest
  ``RETENTION_RUN`` event.

Six queries whatever the size of the trail (decisions D-057; the sixth counts the finished
background jobs due for deletion, D-063).
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kim.accounts.access import UserContext, can_view_retention
from kim.audit.access import audit_events_for_user, can_view_audit
from kim.audit.models import AuditEvent, EventType
from kim.audit.queries import DpoCounts, dpo_counts, latest_events
from kim.core.shell import Card, Item, register_nav, retention_due, start_cards

register_nav(
    "audit",
    can_view_audit,
    label=gettext_lazy("Audit trail"),
    url_name="audit:list",
    order=70,
)


def _n(value: int) -> str:
    """A count in the active language's format (German ``1.234``, English ``1,234``)."""
    return formats.number_format(value, use_l10n=True, force_grouping=True)


def _when(event: AuditEvent) -> str:
    return formats.date_format(timezone.localtime(event.created_at), "SHORT_DATETIME_FORMAT")


def _trail(
    event_type: str, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> str:
    """The audit trail filtered by event type (and dates, ISO: valid in every language)."""
    url = f"{reverse('audit:list')}?event_type={event_type}"
    if date_from and date_to:
        url += f"&date_from={date_from.isoformat()}&date_to={date_to.isoformat()}"
    return url


def _week_card(counts: DpoCounts) -> Card:
    card = Card(
        title=_("Data protection"),
        intro=_("Audit events in the last 7 days: %(n)s") % {"n": _n(counts.week_total)},
    )
    card.items.append(Item(_("Open the audit trail"), reverse("audit:list")))
    failed = counts.week_failed_logins
    card.items.append(
        Item(
            _("Failed logins in the last 7 days: %(n)s") % {"n": _n(failed)},
            _trail(EventType.LOGIN_FAILED),
            "warning" if failed else "",
        )
    )
    return card


def _chain_card(last: AuditEvent | None) -> Card:
    """The result of the latest verification, as recorded; the chain is not walked here."""
    card = Card(title=_("Audit chain"))
    if last is None:
        card.number, card.label = "–", _("never verified")
        card.items.append(
            Item(_("The hash chain has never been verified."), reverse("audit:verify"), "warning")
        )
    else:
        ok = bool(last.extra.get("ok"))
        checked = int(last.extra.get("checked", 0))
        card.number = formats.date_format(timezone.localtime(last.created_at), "SHORT_DATE_FORMAT")
        card.label = _("last verified: intact") if ok else _("last verified: BROKEN")
        text = (
            _("Verified %(when)s: intact, %(n)s events checked.")
            if ok
            else _("Verified %(when)s: broken after %(n)s intact events.")
        )
        card.items.append(
            Item(
                text % {"when": _when(last), "n": _n(checked)},
                reverse("audit:detail", args=[last.code]),
                "success" if ok else "warning",
            )
        )
    card.items.append(Item(_("Verify the chain now"), reverse("audit:verify")))
    card.items.append(Item(_("All verifications"), _trail(EventType.AUDIT_VERIFIED)))
    return card


def _month_cards(counts: DpoCounts) -> list[Card]:
    since = formats.date_format(counts.month_start, "SHORT_DATE_FORMAT")
    refused = Card(
        title=_("Refused disclosures"),
        number=_n(counts.refused),
        label=ngettext(
            "refused this month (since %(day)s)",
            "refused this month (since %(day)s)",
            counts.refused,
        )
        % {"day": since},
    )
    refused.items.append(
        Item(
            _("Show them in the audit trail"),
            _trail(EventType.DISCLOSURE_REFUSED, counts.month_start, counts.today),
        )
    )
    exports = Card(
        title=_("Art. 15 exports"),
        number=_n(counts.exports),
        label=ngettext(
            "export this month (since %(day)s)",
            "exports this month (since %(day)s)",
            counts.exports,
        )
        % {"day": since},
    )
    exports.items.append(
        Item(
            _("Show them in the audit trail"),
            _trail(EventType.CASE_EXPORTED, counts.month_start, counts.today),
        )
    )
    return [refused, exports]


def _retention_card(ctx: UserContext, today: dt.date, last_run: AuditEvent | None) -> Card:
    """What ``kim retention run`` would do today, counted (keys as the run prints them and as
    its ``RETENTION_RUN`` event records them), the latest run, and the retention page (its
    plan, and the run for administrators; D-066)."""
    due = retention_due(today)
    total = sum(due.values())
    card = Card(
        title=_("Retention"),
        number=_n(total),
        label=ngettext(
            "item a retention run today would delete or anonymise",
            "items a retention run today would delete or anonymise",
            total,
        ),
    )
    if due:
        card.items.append(
            Item(
                _("Due today: %(counts)s")
                % {"counts": ", ".join(f"{key} {_n(n)}" for key, n in due.items())},
                status="warning",
            )
        )
    else:
        card.items.append(Item(_("Nothing is due today."), status="success"))
    if can_view_retention(ctx):
        card.items.append(Item(_("Plan or start a retention run"), reverse("home:retention")))
    if last_run is None:
        card.items.append(
            Item(_("No retention run recorded yet."), _trail(EventType.RETENTION_RUN), "warning")
        )
    else:
        applied = int(last_run.extra.get("applied", 0))
        card.items.append(
            Item(
                _("Last retention run %(when)s: %(n)s applied")
                % {"when": _when(last_run), "n": _n(applied)},
                _trail(EventType.RETENTION_RUN),
            )
        )
    return card


@start_cards(order=80)
def cards(ctx: UserContext, today: dt.date) -> list[Card]:
    if not can_view_audit(ctx):
        return []
    events = audit_events_for_user(ctx)
    counts = dpo_counts(events, today, timezone.now() - dt.timedelta(days=7))
    latest = latest_events(events, EventType.AUDIT_VERIFIED, EventType.RETENTION_RUN)
    return [
        _week_card(counts),
        _chain_card(latest.get(EventType.AUDIT_VERIFIED)),
        *_month_cards(counts),
        _retention_card(ctx, today, latest.get(EventType.RETENTION_RUN)),
    ]
