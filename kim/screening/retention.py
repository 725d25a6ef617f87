"""Automatic deletion of uploaded screening lists once ``delete_after`` has passed.

``kim retention run`` runs ``purge_expired`` after the case-management rules (the retention
step in ``kim/screening/home.py``). A list is due on the day after its ``delete_after`` date
(the date shown to the officer is the last day it exists). Each list is deleted in its own
transaction with a ``SCREENING_LIST_DELETED`` event (reason "retention"); a dry run reports the
same lines and writes nothing.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from kim.core.shell import RetentionReport
from kim.screening.actions.lists import delete_list
from kim.screening.models import ScreeningList


def expired_lists(today: dt.date) -> QuerySet[ScreeningList]:
    return ScreeningList.objects.filter(delete_after__lt=today).order_by("delete_after", "id")


def purge_expired(today: dt.date, dry_run: bool) -> RetentionReport:
    """Delete (or, in a dry run, only name) every expired list.

    One line per list, naming its code, its date and the number of persons, never a title or
    a name; ``kim retention run`` prints them and counts them in its summary line.
    """
    due = list(expired_lists(today).select_related("organisation"))
    lines = []
    for screening_list in due:
        lines.append(
            f"screening_list delete {screening_list.code} "
            f"(delete after {screening_list.delete_after.isoformat()}, "
            f"{screening_list.total} persons)"
        )
        if not dry_run:
            delete_list(screening_list, acting_user=None, reason="retention")
    counts = {"screening_list:delete": len(due)} if due else {}
    return RetentionReport(lines, counts, 0 if dry_run else len(due))


def count_expired(today: dt.date) -> dict[str, int]:
    """What ``purge_expired(today, …)`` would delete, counted (one query)."""
    n = expired_lists(today).count()
    return {"screening_list:delete": n} if n else {}
