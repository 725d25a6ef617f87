"""What steering contributes to the shell (docs/architecture.md § Floors): navigation, start
cards, demo step."""

# --- topics ---------------------------------------------------------------------------------

from django.utils.translation import gettext_lazy

from kim.core.shell import demo_step, register_nav
from kim.organisations.demo import demo_organisations
from kim.steering.access import can_view_topics
from kim.steering.demo_topics import seed_topics

register_nav(
    "topics",
    can_view_topics,
    label=gettext_lazy("Topics"),
    url_name="steering:topic_board",
    order=12,
)


@demo_step(order=66)
def demo_topics() -> None:
    """Three demo topics at different levels, proposed from the demo barriers."""
    seed_topics(demo_organisations()["kreis"])
