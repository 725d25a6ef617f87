"""Blocks of figures for a Sachbericht, computed for the funding year (decisions D-087).

A Sachbericht reports on a period – the funding year, from 1 January to 31 December (or to
today while the year runs). Its blocks are ``kim.council.document.Block`` objects, so that the
shared engine composes, fingerprints, freezes and renders them like the council's answer
blocks. Two sorts:

- **Period blocks** (here): posts and staffing over the year, pass-through agreements of the
  year, Baustein-3 screening of the year, steering of the year. They take ``(body, start, end)``.
- **Council blocks** (``kim.council.answers.COMPUTE``): talks, calls, case figures and
  structural barriers, computed for the period's last day – their own figures run "up to the
  day" (case figures: from 1 January of that year).

Aggregates only: no person, no payroll. Counts of persons (screening) are published through
the case statistics' disclosure control (``suppress_1d``): 1 or 2 shows as "< 3", a figure
that would give a small one away as "x".

Query count: fixed per block, independent of the number of posts, lists or meetings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kim.cases.statistics.suppression import suppress_1d
from kim.core.formats import date_de, decimal_de, euro
from kim.core.rls import system_access
from kim.council import answers
from kim.council.document import Block, Table
from kim.organisations.models import Organisation
from kim.partners import queries as partner_queries
from kim.partners.models import Agreement, AgreementAmount
from kim.programmes.models import Baustein, PositionStatus, PositionStatusChange
from kim.screening.models import ListStatus, ScreeningEntry, ScreeningList
from kim.steering.models import DecisionStatus, MeetingStatus, SteeringMeeting

ZERO = Decimal(0)
VACANT = frozenset({PositionStatus.APPROVED, PositionStatus.ADVERTISED, PositionStatus.VACANT})
# Outcome ranks of a screened person (``kim.screening.actions.lists``): best outcome first.
RANKS: tuple[tuple[int, Promise], ...] = (
    (0, gettext_lazy("likely now")),
    (1, gettext_lazy("likely later")),
    (2, gettext_lazy("unclear")),
    (3, gettext_lazy("unlikely")),
)

PeriodBlock = Callable[[Organisation, dt.date, dt.date], Block]


def _source(what: str, end: dt.date) -> str:
    return _("KIM-Plattform, %(what)s (as of %(day)s)") % {"what": what, "day": date_de(end)}


def _span(start: dt.date, end: dt.date) -> str:
    return f"{date_de(start)} – {date_de(end)}"


def _months(start: dt.date, end: dt.date) -> list[dt.date]:
    """The 15th of every month of the period (the day a month's state is read on, as in the
    financial statement)."""
    return [
        day
        for month in range(start.month, end.month + 1)
        if start <= (day := dt.date(start.year, month, 15)) <= end
    ]


def staffing_year(body: Organisation, start: dt.date, end: dt.date) -> Block:
    """VZÄ per Baustein on the first and the last day of the period (established, of these
    filled), and post-months filled and unfilled (each month read on the 15th)."""
    posts = list(
        partner_queries.posts_of_body(body)
        .prefetch_related(
            Prefetch(
                "status_changes",
                queryset=PositionStatusChange.objects.order_by("valid_from", "id"),
            )
        )
        .order_by("baustein", "id")
    )
    months = _months(start, end)
    columns = [
        _("Baustein"),
        _("VZÄ on %(day)s") % {"day": date_de(start)},
        _("of these filled"),
        _("VZÄ on %(day)s") % {"day": date_de(end)},
        _("of these filled"),
        _("Post-months filled"),
        _("Post-months unfilled"),
    ]
    figures: dict[str, list[Decimal]] = {b.value: [ZERO] * 6 for b in Baustein}
    for post in posts:
        line = figures[post.baustein]
        for offset, day in ((0, start), (2, end)):
            status = post.status_on(day)
            if status in VACANT or status == PositionStatus.FILLED:
                line[offset] += post.vze
                if status == PositionStatus.FILLED:
                    line[offset + 1] += post.vze
        for day in months:
            status = post.status_on(day)
            if status == PositionStatus.FILLED:
                line[4] += 1
            elif status in VACANT:
                line[5] += 1
    rows, values = [], []
    for baustein in Baustein:
        line = figures[baustein.value]
        rows.append(
            [str(baustein.label)]
            + [decimal_de(v) for v in line[:4]]
            + [decimal_de(v, 0) for v in line[4:]]
        )
        values.append([baustein.value, *(str(v) for v in line)])
    totals = [sum((figures[b.value][i] for b in Baustein), ZERO) for i in range(6)]
    footer = (
        [_("Total")] + [decimal_de(v) for v in totals[:4]] + [decimal_de(v, 0) for v in totals[4:]]
    )
    post_months = totals[4] + totals[5]
    share = decimal_de(totals[4] * 100 / post_months, 0) if post_months else decimal_de(ZERO, 0)
    text = _(
        "On %(start)s, %(vze_start)s VZÄ of KIM posts were established for %(body)s, of these "
        "%(filled_start)s VZÄ filled; on %(end)s, %(vze_end)s VZÄ, of these %(filled_end)s VZÄ "
        "filled. Over the period, %(filled)s of %(months)s post-months were filled "
        "(%(share)s %%)."
    ) % {
        "start": date_de(start),
        "end": date_de(end),
        "body": body.name,
        "vze_start": decimal_de(totals[0]),
        "filled_start": decimal_de(totals[1]),
        "vze_end": decimal_de(totals[2]),
        "filled_end": decimal_de(totals[3]),
        "filled": decimal_de(totals[4], 0),
        "months": decimal_de(post_months, 0),
        "share": share,
    }
    return Block(
        key="staffing_year",
        title=label_for("staffing_year"),
        text=text,
        as_of=date_de(end),
        sources=[_source(_("post administration, status history"), end)],
        table=Table(
            caption=_("KIM posts of %(body)s per Baustein, %(span)s")
            % {"body": body.name, "span": _span(start, end)},
            columns=columns,
            rows=rows,
            numeric=[False] + [True] * 6,
            footer=footer,
            values=values,
        ),
    )


def agreements_year(body: Organisation, start: dt.date, end: dt.date) -> Block:
    """Pass-through agreements the body granted or received that run in the period, with the
    amount (and the municipal top-up) of the period's year."""
    found = list(
        Agreement.objects.filter(
            Q(grantor=body) | Q(recipient=body), period_start__lte=end, period_end__gte=start
        )
        .select_related("grantor", "recipient")
        .prefetch_related(
            Prefetch(
                "amounts",
                queryset=AgreementAmount.objects.filter(year=start.year),
                to_attr="of_year",
            )
        )
        .order_by("period_start", "title", "id")
    )
    rows, values = [], []
    total = top_ups = ZERO
    for agreement in found:
        amount = agreement.of_year[0] if agreement.of_year else None
        rows.append(
            [
                agreement.title,
                agreement.grantor.name,
                agreement.recipient.name,
                _span(agreement.period_start, agreement.period_end),
                euro(amount.amount) if amount else "–",
                euro(amount.top_up) if amount else "–",
            ]
        )
        values.append(
            [
                agreement.code,
                str(amount.amount) if amount else None,
                str(amount.top_up) if amount else None,
            ]
        )
        if amount:
            total += amount.amount
            top_ups += amount.top_up
    if found:
        text = ngettext(
            "In %(year)s, %(n)s pass-through agreement ran; it passes on %(total)s for the year "
            "(municipal top-up: %(top_up)s).",
            "In %(year)s, %(n)s pass-through agreements ran; together they pass on %(total)s "
            "for the year (municipal top-up: %(top_up)s).",
            len(found),
        ) % {"year": start.year, "n": len(found), "total": euro(total), "top_up": euro(top_ups)}
    else:
        text = _("In %(year)s, no pass-through agreement of %(body)s ran.") % {
            "year": start.year,
            "body": body.name,
        }
    return Block(
        key="agreements_year",
        title=label_for("agreements_year"),
        text=text,
        as_of=date_de(end),
        sources=[_source(_("pass-through agreements"), end)],
        table=Table(
            caption=_("Pass-through agreements of %(body)s in %(year)s")
            % {"body": body.name, "year": start.year},
            columns=[
                _("Agreement"),
                _("Grantor"),
                _("Recipient"),
                _("Period"),
                _("Amount %(year)s") % {"year": start.year},
                _("Top-up"),
            ],
            rows=rows,
            numeric=[False, False, False, False, True, True],
            footer=[_("Total"), "", "", "", euro(total), euro(top_ups)],
            values=values,
        )
        if rows
        else None,
    )


def _screening_organisations(body: Organisation) -> Q:
    """The organisations whose lists count for the body: a Kreis every organisation of its
    area (its Ausländerbehörde, the towns' authorities); a town itself and its authorities."""
    if body.is_region:
        return Q(organisation=body) | Q(organisation__region=body)
    return Q(organisation=body) | Q(organisation__parent=body)


def screening_year(body: Organisation, start: dt.date, end: dt.date) -> Block:
    """Baustein-3 screening lists uploaded in the period: how many, how many screened, and the
    persons per best outcome – aggregates only, with disclosure control."""
    tz = timezone.get_current_timezone()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    in_period = Q(uploaded_at__gte=since, uploaded_at__lt=until) & _screening_organisations(body)
    # Screening rows are behind row-level security; counts leave this block, never a row.
    with system_access("Sachbericht: screening counts"):
        lists = ScreeningList.objects.filter(in_period).aggregate(
            uploaded=Count("id"), screened=Count("id", filter=Q(status=ListStatus.DONE))
        )
        by_rank = dict(
            ScreeningEntry.objects.filter(
                screening_list__in=ScreeningList.objects.filter(in_period, status=ListStatus.DONE)
            )
            .exclude(rank=None)
            .order_by()
            .values("rank")
            .annotate(n=Count("id"))
            .values_list("rank", "n")
        )
    published = suppress_1d([by_rank.get(rank, 0) for rank, _label in RANKS])
    rows = [[str(label), str(published.cells[(index,)])] for index, (_r, label) in enumerate(RANKS)]
    values = [[rank, published.cells[(index,)].published] for index, (rank, _l) in enumerate(RANKS)]
    text = _(
        "From %(start)s to %(end)s, %(uploaded)s screening lists were uploaded and "
        "%(screened)s of them screened; %(persons)s persons were screened. Counts of 1 or 2 "
        "are shown as “< 3”, withheld figures as “x”."
    ) % {
        "start": date_de(start),
        "end": date_de(end),
        "uploaded": lists["uploaded"],
        "screened": lists["screened"],
        "persons": str(published.total),
    }
    return Block(
        key="screening_year",
        title=label_for("screening_year"),
        text=text,
        as_of=date_de(end),
        sources=[_source(_("Baustein 3 screening, counts with disclosure control"), end)],
        table=Table(
            caption=_("Screened persons by best outcome, %(span)s") % {"span": _span(start, end)},
            columns=[_("Best outcome"), _("Persons")],
            rows=rows,
            numeric=[False, True],
            footer=[_("Total"), str(published.total)],
            values=values,
        ),
    )


def steering_year(body: Organisation, start: dt.date, end: dt.date) -> Block:
    """Meetings of the steering bodies held in the period, their decisions and the topics on
    their agendas."""
    bodies = Q(body__region=body) if body.is_region else Q(body__organisation=body)
    meetings = list(
        SteeringMeeting.objects.filter(
            bodies, held_on__range=(start, end), status=MeetingStatus.HELD
        )
        .select_related("body")
        .annotate(
            decided=Count("decisions", distinct=True),
            done=Count("decisions", filter=Q(decisions__status=DecisionStatus.DONE), distinct=True),
            topics=Count("agenda_items__topic", distinct=True),
        )
        .order_by("held_on", "id")
    )
    rows = [
        [
            date_de(m.held_on),
            m.body.name,
            decimal_de(m.decided, 0),
            decimal_de(m.done, 0),
            decimal_de(m.topics, 0),
        ]
        for m in meetings
    ]
    values = [[m.held_on.isoformat(), m.code, m.decided, m.done, m.topics] for m in meetings]
    decided = sum(m.decided for m in meetings)
    done = sum(m.done for m in meetings)
    topics = SteeringMeeting.objects.filter(pk__in=[m.pk for m in meetings]).aggregate(
        n=Count("agenda_items__topic", distinct=True)
    )["n"]
    if meetings:
        text = ngettext(
            "From %(start)s to %(end)s, the steering bodies met %(n)s time; %(decided)s "
            "decisions were taken (%(done)s done), %(topics)s topics were on the agenda.",
            "From %(start)s to %(end)s, the steering bodies met %(n)s times; %(decided)s "
            "decisions were taken (%(done)s done), %(topics)s topics were on the agenda.",
            len(meetings),
        ) % {
            "start": date_de(start),
            "end": date_de(end),
            "n": len(meetings),
            "decided": decided,
            "done": done,
            "topics": topics,
        }
    else:
        text = _("From %(start)s to %(end)s, no steering meeting was held.") % {
            "start": date_de(start),
            "end": date_de(end),
        }
    return Block(
        key="steering_year",
        title=label_for("steering_year"),
        text=text,
        as_of=date_de(end),
        sources=[_source(_("steering bodies, meetings and decisions"), end)],
        table=Table(
            caption=_("Steering meetings, %(span)s") % {"span": _span(start, end)},
            columns=[
                _("Date"),
                _("Steering body"),
                _("Decisions"),
                _("of these done"),
                _("Topics"),
            ],
            rows=rows,
            numeric=[False, False, True, True, True],
            footer=[_("Total"), "", decimal_de(decided, 0), decimal_de(done, 0), ""],
            values=values,
        )
        if rows
        else None,
    )


PERIOD_COMPUTE: dict[str, PeriodBlock] = {
    "staffing_year": staffing_year,
    "agreements_year": agreements_year,
    "screening_year": screening_year,
    "steering_year": steering_year,
}

# The blocks a Sachbericht section may show, in display order: its own period blocks and the
# council blocks it shares (computed for the period's last day).
SACHBERICHT_BLOCKS: tuple[tuple[str, Promise], ...] = (
    ("staffing_year", gettext_lazy("Posts and staffing over the year (VZÄ, post-months)")),
    ("agreements_year", gettext_lazy("Pass-through agreements of the year with amounts")),
    ("talks", gettext_lazy("Talks with welfare agencies and their outcomes")),
    ("calls", gettext_lazy("Calls for expressions of interest and their decisions")),
    ("case_figures", gettext_lazy("Case figures (Fallzahlen)")),
    ("screening_year", gettext_lazy("Baustein 3: screening lists and outcomes of the year")),
    ("structural_barriers", gettext_lazy("Structural hurdles: topics, levels and decisions")),
    ("steering_year", gettext_lazy("Steering: meetings and decisions of the year")),
)
KEYS = frozenset(key for key, _label in SACHBERICHT_BLOCKS)


def label_for(key: str) -> str:
    return next((str(label) for k, label in SACHBERICHT_BLOCKS if k == key), key)


def compute(key: str, body: Organisation, start: dt.date, end: dt.date) -> Block | None:
    """The block ``key`` for the period; None for a key without a computation (old data)."""
    if key in PERIOD_COMPUTE:
        return PERIOD_COMPUTE[key](body, start, end)
    if key in KEYS and key in answers.COMPUTE:
        return answers.compute(key, body, end)
    return None
