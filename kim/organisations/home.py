"""What the organisation directory contributes to the shell (kim/core/shell.py): the menu link
and the demo world's organisations (the first demo step: everything else hangs on them)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from kim.core.shell import demo_step, register_nav
from kim.organisations.access import can_browse_directory
from kim.organisations.demo import seed_organisations

register_nav(
    "directory",
    can_browse_directory,
    label=gettext_lazy("Organisations"),
    url_name="organisations:list",
    order=60,
)


@demo_step(order=10)
def demo() -> None:
    seed_organisations()
