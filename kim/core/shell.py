"""The shell's registry: what each app contributes to the navigation, the start page, the demo
seed and the retention run.

``kim/core`` is the ground floor and knows no domain app (``tools/lint_layers.py``). Each app
states its contributions in one module of its own, ``kim/<app>/home.py``, with the functions
below; the top-floor app ``kim.home`` imports every installed app's ``home`` module at start-up
(``autodiscover_modules("home")`` in ``HomeConfig.ready()``) and reads the registry:

- ``register_nav(key, predicate, ...)``: a key of the ``nav`` dict every template sees (``True``
  when the predicate holds for the user), and – with a ``url_name`` – a link in the main menu.
- ``@start_cards(order)``: ``fn(ctx, today) -> list[Card]``, the app's cards on the start page.
- ``@demo_step(order)``: ``fn() -> None``, idempotent; ``kim seed_demo`` runs every step in
  order inside one transaction.
- ``@retention_step(name, order, due=..., takes_actor=...)``: ``fn(today, dry_run) ->
  RetentionReport``; ``kim retention run`` and the retention page (``kim.home.retention``) run
  every step in order and collect each report's lines and one summary line. A dry run returns
  the same lines and writes nothing. ``due(today) -> dict[str, int]``, if given, counts what
  the step would do (its report's ``counts``) in a few queries, without loading the rows;
  ``retention_due`` sums them for the start page. With ``takes_actor=True`` the step is called
  as ``fn(today, dry_run, acting_user=user)`` and records the user who started a run from the
  web (``None`` for the command line) in its audit events.

Registering the same key (or function) again from the same module replaces the entry, so a
re-imported module stays harmless; the same key from another module is a configuration error.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise

from kim.accounts.access import UserContext
from kim.core.models import Actor

# --- start-page cards ----------------------------------------------------------------------------


@dataclass
class Item:
    text: str
    url: str = ""
    status: str = ""  # "", "warning", "success"


@dataclass
class Card:
    title: str
    intro: str = ""
    items: list[Item] = field(default_factory=list)
    # For dashboard cards: a headline figure and what it counts, and a chart as SVG markup
    # (a SafeString from the app's own chart code, always next to the items as its data).
    number: str = ""
    label: str = ""
    chart: str = ""


CardsFn = Callable[[UserContext, dt.date], list[Card]]


@dataclass(frozen=True)
class CardSource:
    order: int
    fn: CardsFn

    @property
    def name(self) -> str:
        return f"{self.fn.__module__}.{self.fn.__qualname__}"


# --- navigation ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NavEntry:
    """``nav.<key>`` in templates; a main-menu link when ``url_name`` is set.

    Entries without ``url_name`` are flags for the app's own sub-navigation (``nav.calls``).
    Two menu entries may share a label when their predicates exclude each other (the case
    management link goes to the worklist or, for who sees only the barrier log, to the log).
    """

    key: str
    predicate: Callable[[UserContext], bool]
    label: str | Promise = ""
    url_name: str = ""
    order: int = 100
    module: str = ""  # the home.py that registered it

    @property
    def app_name(self) -> str:
        """The URL namespace: the menu marks its link current on every page of that app."""
        return self.url_name.partition(":")[0]


# --- demo and retention --------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoStep:
    order: int
    fn: Callable[[], None]

    @property
    def name(self) -> str:
        return f"{self.fn.__module__}.{self.fn.__qualname__}"


@dataclass(frozen=True)
class RetentionReport:
    """What one retention step did (or, in a dry run, would do).

    ``lines``: one per item, naming target, action, the row's code and dates, never a name.
    ``counts``: items per ``target:action``. ``applied``: how many were carried out (0 in a dry
    run).
    """

    lines: list[str]
    counts: dict[str, int]
    applied: int


RetentionFn = Callable[..., RetentionReport]  # fn(today, dry_run[, acting_user=...])
RetentionDueFn = Callable[[dt.date], dict[str, int]]


@dataclass(frozen=True)
class RetentionStep:
    name: str
    order: int
    fn: RetentionFn
    due: RetentionDueFn | None = None
    takes_actor: bool = False

    def run(self, today: dt.date, dry_run: bool, acting_user: Actor = None) -> RetentionReport:
        """Run the step; the acting user reaches only steps that record one."""
        if self.takes_actor:
            return self.fn(today, dry_run, acting_user=acting_user)
        return self.fn(today, dry_run)

    def count_due(self, today: dt.date) -> dict[str, int]:
        """What a run on ``today`` would do, per ``target:action``: the cheap count if the app
        registered one, else the dry run's counts."""
        return self.due(today) if self.due is not None else self.fn(today, True).counts


# --- the registry --------------------------------------------------------------------------------

_NAV: dict[str, NavEntry] = {}
_CARDS: dict[str, CardSource] = {}
_DEMO: dict[str, DemoStep] = {}
_RETENTION: dict[str, RetentionStep] = {}


def _module_of(value: object) -> str:
    if isinstance(value, NavEntry):
        return value.module
    fn = getattr(value, "fn", None)
    return str(getattr(fn, "__module__", ""))


def _register[T](registry: dict[str, T], key: str, value: T) -> T:
    existing = registry.get(key)
    if existing is not None and _module_of(existing) != _module_of(value):
        raise ImproperlyConfigured(
            f"{key!r} is registered by {_module_of(existing)} and {_module_of(value)}"
        )
    registry[key] = value
    return value


def register_nav(
    key: str,
    predicate: Callable[[UserContext], bool],
    *,
    label: str | Promise = "",
    url_name: str = "",
    order: int = 100,
) -> NavEntry:
    """Register ``nav.<key>``, remembering the registering module (the caller's)."""
    if url_name and not label:
        raise ImproperlyConfigured(f"nav entry {key!r} links to {url_name} without a label")
    module = str(sys._getframe(1).f_globals.get("__name__", ""))
    entry = NavEntry(key, predicate, label, url_name, order, module)
    return _register(_NAV, key, entry)


def start_cards(order: int) -> Callable[[CardsFn], CardsFn]:
    def decorator(fn: CardsFn) -> CardsFn:
        source = CardSource(order, fn)
        _register(_CARDS, source.name, source)
        return fn

    return decorator


def demo_step(order: int) -> Callable[[Callable[[], None]], Callable[[], None]]:
    def decorator(fn: Callable[[], None]) -> Callable[[], None]:
        step = DemoStep(order, fn)
        _register(_DEMO, step.name, step)
        return fn

    return decorator


def retention_step(
    name: str, order: int, *, due: RetentionDueFn | None = None, takes_actor: bool = False
) -> Callable[[RetentionFn], RetentionFn]:
    def decorator(fn: RetentionFn) -> RetentionFn:
        _register(_RETENTION, name, RetentionStep(name, order, fn, due, takes_actor))
        return fn

    return decorator


def nav_entries() -> list[NavEntry]:
    return sorted(_NAV.values(), key=lambda e: (e.order, e.key))


def card_sources() -> list[CardSource]:
    return sorted(_CARDS.values(), key=lambda s: (s.order, s.name))


def demo_steps() -> list[DemoStep]:
    return sorted(_DEMO.values(), key=lambda s: (s.order, s.name))


def retention_steps() -> list[RetentionStep]:
    return sorted(_RETENTION.values(), key=lambda s: (s.order, s.name))


def retention_due(today: dt.date) -> dict[str, int]:
    """Items a retention run on ``today`` would delete or anonymise, per ``target:action``,
    over every registered step (writes nothing). Counts over every organisation: system work
    past row-level security, unrecorded because only numbers leave the database and the start
    page shows them at every visit (D-076)."""
    from kim.core.rls import system_access

    due: dict[str, int] = {}
    with system_access("retention counts", audit=False):
        for step in retention_steps():
            for key, n in step.count_due(today).items():
                due[key] = due.get(key, 0) + n
    return due
