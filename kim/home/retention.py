"""One retention run over every app's step (``@retention_step`` in each ``home.py``): the
command ``kim retention run`` and the retention page's jobs (kim/home/tasks.py) both call
``run_retention_steps``, so the timer, the operator and the web do exactly the same.

Nothing here decides what is due – each step does, from its own dated rules. The lines name
target, action, a row's random code and dates, never a name, a reference or a file number
(kim/cases/retention.py ``RetentionItem.line``, kim/screening/retention.py); that is why the
page offers them as a text file (decisions D-066).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from kim.core.models import Actor
from kim.core.shell import retention_steps


@dataclass(frozen=True)
class RetentionSummary:
    today: dt.date
    dry_run: bool
    lines: list[str]
    counts: dict[str, int]  # items per ``target:action``
    applied: int

    @property
    def summary(self) -> str:
        """The command's last line (English, like the rest of its output)."""
        counts = ", ".join(f"{key} {n}" for key, n in self.counts.items()) or "nothing due"
        mode = "dry run, nothing changed" if self.dry_run else f"{self.applied} applied"
        return f"Retention {self.today.isoformat()}: {len(self.lines)} items ({counts}); {mode}."

    def text(self) -> str:
        """Every line and the summary, as the command prints them."""
        return "".join(f"{line}\n" for line in [*self.lines, self.summary])


def run_retention_steps(
    today: dt.date,
    dry_run: bool,
    *,
    acting_user: Actor = None,
    progress: Callable[[int, int], None] | None = None,
) -> RetentionSummary:
    """Run every registered step in order (``progress(done, total)`` after each step)."""
    from kim.core.rls import system_access

    steps = retention_steps()
    lines: list[str] = []
    counts: dict[str, int] = {}
    applied = 0
    # Every organisation's case and screening data: system work past row-level security, an
    # audit event even for the plan (D-076).
    with system_access("retention plan" if dry_run else "retention", actor=acting_user):
        for done, step in enumerate(steps, start=1):
            report = step.run(today, dry_run, acting_user)
            lines += report.lines
            applied += report.applied
            counts |= report.counts
            if progress is not None:
                progress(done, len(steps))
    return RetentionSummary(today, dry_run, lines, counts, applied)
