"""Answer blocks: live figures that answer a council question, computed for a reference date.

Each block calls the query functions of the app that owns the data (programmes, partners) and
turns the result into a ``document.Block`` – text, table, optional chart, the reference date and
the sources – formatted for a German reader. Nothing is copied or stored here: a draft report
recomputes its blocks, a released one keeps the frozen copy (see ``report.py``).

The query count of a block does not depend on the number of posts, talks or calls.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from kim.cases.statistics import council as case_stats
from kim.core.formats import date_de, decimal_de, euro
from kim.organisations.models import Organisation
from kim.partners import queries as partner_queries
from kim.partners.models import Outcome, Talk
from kim.programmes import queries as programme_queries
from kim.programmes.models import (
    Baustein,
    EmployerType,
    Position,
    PositionStatus,
    PositionStatusChange,
)
from kim.steering import queries_topics as topic_queries
from kim.steering.models import TopicLevel

from .blocks import label_for
from .document import LONG_TABLE_ROWS, Block, Chart, Series, Table

ZERO = Decimal(0)
GONE = (None, PositionStatus.DISCONTINUED)


def _source(what: str, day: dt.date) -> str:
    return _("KIM-Plattform, %(what)s (as of %(day)s)") % {"what": what, "day": date_de(day)}


def _posts_on(body: Organisation, day: dt.date) -> list[tuple[Position, str | None]]:
    qs = partner_queries.posts_of_body(body).prefetch_related(
        Prefetch(
            "status_changes", queryset=PositionStatusChange.objects.order_by("valid_from", "id")
        )
    )
    return [(p, p.status_on(day)) for p in qs.select_related("home").order_by("baustein", "id")]


def positions_per_baustein(body: Organisation, day: dt.date) -> Block:
    """VZÄ per Baustein on the day: planned, established, of these filled and unfilled."""
    tallies = {b.value: programme_queries.Tally() for b in Baustein}
    total = programme_queries.Tally()
    for position, status in _posts_on(body, day):
        tallies[position.baustein].add(position, status)
        total.add(position, status)
    columns = [
        _("Baustein"),
        _("VZÄ in total"),
        _("Of these planned"),
        _("Established"),
        _("Filled"),
        _("Unfilled"),
    ]
    rows, values = [], []
    for baustein in Baustein:
        t = tallies[baustein.value]
        all_vze = t.planned + t.established
        rows.append(
            [str(baustein.label)]
            + [decimal_de(v) for v in (all_vze, t.planned, t.established, t.filled, t.unfilled)]
        )
        values.append(
            [baustein.value]
            + [str(v) for v in (all_vze, t.planned, t.established, t.filled, t.unfilled)]
        )
    grand = total.planned + total.established
    footer = [_("Total")] + [
        decimal_de(v)
        for v in (grand, total.planned, total.established, total.filled, total.unfilled)
    ]
    parts = ", ".join(
        _("%(baustein)s: %(vze)s VZÄ")
        % {
            "baustein": b.value,
            "vze": decimal_de(tallies[b.value].planned + tallies[b.value].established),
        }
        for b in Baustein
    )
    text = _(
        "On %(day)s, %(vze)s VZÄ of KIM posts fall on %(body)s (%(parts)s). %(filled)s VZÄ are "
        "filled, %(unfilled)s VZÄ are established but not filled, %(planned)s VZÄ are still "
        "planned."
    ) % {
        "day": date_de(day),
        "vze": decimal_de(grand),
        "body": body.name,
        "parts": parts,
        "filled": decimal_de(total.filled),
        "unfilled": decimal_de(total.unfilled),
        "planned": decimal_de(total.planned),
    }
    chart = Chart(
        title=_("KIM posts per Baustein on %(day)s (VZÄ)") % {"day": date_de(day)},
        alt=_("Bar chart of the VZÄ per Baustein: %(parts)s; the figures are in the table.")
        % {"parts": parts},
        categories=[b.value for b in Baustein],
        series=[
            Series(_("filled"), [float(tallies[b.value].filled) for b in Baustein]),
            Series(_("unfilled"), [float(tallies[b.value].unfilled) for b in Baustein]),
            Series(_("planned"), [float(tallies[b.value].planned) for b in Baustein]),
        ],
        unit=_("VZÄ"),
    )
    return Block(
        key="positions_per_baustein",
        title=label_for("positions_per_baustein"),
        text=text,
        as_of=date_de(day),
        sources=[_source(_("positions with their dated status history"), day)],
        table=Table(
            caption=_("KIM posts of %(body)s per Baustein on %(day)s (VZÄ)")
            % {"body": body.name, "day": date_de(day)},
            columns=columns,
            rows=rows,
            numeric=[False] + [True] * 5,
            footer=footer,
            values=values,
        ),
        chart=chart,
    )


def staffing_split(body: Organisation, day: dt.date) -> Block:
    """Per post in being on the day: who fills it by the decision in force, and the tasks."""
    posts = {p.pk: status for p, status in _posts_on(body, day)}
    in_being = partner_queries.posts_of_body(body).filter(
        pk__in=[pk for pk, status in posts.items() if status not in GONE]
    )
    lines = partner_queries.staffing_on(in_being, day)
    municipal = traeger = undecided = ZERO
    agencies: dict[str, Decimal] = {}
    tasks: dict[str, list[str]] = {"municipal": [], "traeger": []}
    rows, values = [], []
    # (order, who) → Baustein → [posts, VZÄ]: the summary of a long list.
    by_who: dict[tuple[int, str], dict[str, list[Any]]] = {}
    for line in lines:
        position, decision = line.position, line.decision
        if decision is None:
            undecided += position.vze
            who, order = _("not yet decided"), 2
        elif decision.employer_type == EmployerType.TRAEGER and decision.traeger is not None:
            traeger += position.vze
            agencies[decision.traeger.name] = (
                agencies.get(decision.traeger.name, ZERO) + position.vze
            )
            who, order = decision.traeger.name, 1
        else:
            municipal += position.vze
            who, order = _("municipal staff"), 0
        if decision is not None and decision.tasks:
            bucket = tasks[
                "traeger" if decision.employer_type == EmployerType.TRAEGER else "municipal"
            ]
            if decision.tasks not in bucket:
                bucket.append(decision.tasks)
        cell = by_who.setdefault((order, who), {}).setdefault(position.baustein, [0, ZERO])
        cell[0] += 1
        cell[1] += position.vze
        rows.append(
            [
                position.title,
                position.baustein,
                decimal_de(position.vze),
                who,
                decision.tasks if decision else "",
                date_de(decision.decided_on) if decision else "",
            ]
        )
        values.append(
            [
                position.code,
                position.baustein,
                str(position.vze),
                decision.employer_type if decision else "",
                decision.traeger.code if decision and decision.traeger else "",
                decision.decided_on.isoformat() if decision else "",
            ]
        )
    sentences = [
        _(
            "On %(day)s, of %(total)s VZÄ %(municipal)s VZÄ are filled by municipal staff and "
            "%(traeger)s VZÄ by welfare agencies; for %(undecided)s VZÄ no decision has been "
            "taken yet."
        )
        % {
            "day": date_de(day),
            "total": decimal_de(municipal + traeger + undecided),
            "municipal": decimal_de(municipal),
            "traeger": decimal_de(traeger),
            "undecided": decimal_de(undecided),
        }
    ]
    if agencies:
        sentences.append(
            _("Welfare agencies: %(list)s.")
            % {
                "list": "; ".join(
                    f"{name} ({decimal_de(vze)} VZÄ)" for name, vze in sorted(agencies.items())
                )
            }
        )
    if tasks["municipal"]:
        sentences.append(
            _("Tasks of municipal staff: %(t)s.") % {"t": "; ".join(tasks["municipal"])}
        )
    if tasks["traeger"]:
        sentences.append(
            _("Tasks of the welfare agencies: %(t)s.") % {"t": "; ".join(tasks["traeger"])}
        )
    return Block(
        key="staffing_split",
        title=label_for("staffing_split"),
        text=" ".join(sentences),
        as_of=date_de(day),
        sources=[_source(_("staffing decisions per post"), day)],
        table=Table(
            caption=_("Staffing of the KIM posts of %(body)s on %(day)s")
            % {"body": body.name, "day": date_de(day)},
            columns=[
                _("Post"),
                _("Baustein"),
                _("VZÄ"),
                _("Filled by"),
                _("Tasks"),
                _("Decided on"),
            ],
            rows=rows,
            numeric=[False, False, True, False, False, False],
            footer=[_("Total"), "", decimal_de(municipal + traeger + undecided), "", "", ""],
            values=values,
        ),
        summary=_staffing_by_employer(by_who, body, day) if len(rows) > LONG_TABLE_ROWS else None,
        attachment=pgettext("file name of a report attachment", "Staffing")
        if len(rows) > LONG_TABLE_ROWS
        else "",
    )


def _staffing_by_employer(
    by_who: dict[tuple[int, str], dict[str, list[Any]]], body: Organisation, day: dt.date
) -> Table:
    """VZÄ per employer (municipal staff, each welfare agency, not yet decided) and Baustein,
    with the number of posts: what the report prints instead of a list of more than
    ``LONG_TABLE_ROWS`` posts."""
    bausteine = [b.value for b in Baustein]
    rows, values = [], []
    column_vze = dict.fromkeys(bausteine, ZERO)
    all_posts, all_vze = 0, ZERO
    for (_order, who), cells in sorted(by_who.items()):
        vze = [cells.get(b, [0, ZERO])[1] for b in bausteine]
        posts = sum(cell[0] for cell in cells.values())
        for baustein, amount in zip(bausteine, vze, strict=True):
            column_vze[baustein] += amount
        all_posts += posts
        all_vze += sum(vze, ZERO)
        rows.append(
            [who, *(decimal_de(v) for v in vze), decimal_de(posts, 0), decimal_de(sum(vze, ZERO))]
        )
        values.append([who, *(str(v) for v in vze), posts, str(sum(vze, ZERO))])
    return Table(
        caption=_("KIM posts of %(body)s on %(day)s by employer and Baustein (VZÄ)")
        % {"body": body.name, "day": date_de(day)},
        columns=[_("Filled by"), *bausteine, _("Posts"), _("VZÄ")],
        rows=rows,
        numeric=[False] + [True] * (len(bausteine) + 2),
        footer=[
            _("Total"),
            *(decimal_de(column_vze[b]) for b in bausteine),
            decimal_de(all_posts, 0),
            decimal_de(all_vze),
        ],
        values=values,
    )


def talks(body: Organisation, day: dt.date) -> Block:
    """Talks with welfare agencies up to the day: date, agencies, outcome and its summary."""
    found = partner_queries.talks_of_body(body, day)
    rows, values = [], []
    for talk in found:
        agencies = ", ".join(o.name for o in partner_queries.traeger_participants(talk))
        rows.append(
            [
                date_de(talk.held_on),
                agencies,
                talk.get_outcome_display(),
                talk.outcome_summary,
            ]
        )
        values.append([talk.held_on.isoformat(), talk.code, talk.outcome])
    if found:
        last = found[-1]
        agreed = sum(1 for t in found if t.outcome == Outcome.AGREEMENT)
        text = ngettext(
            "Up to %(day)s, %(n)s talk with a welfare agency took place; %(agreed)s of them "
            "ended with an agreement. It was held on %(last)s and ended: %(outcome)s.",
            "Up to %(day)s, %(n)s talks with welfare agencies took place, %(agreed)s of them "
            "ended with an agreement. The latest, on %(last)s, ended: %(outcome)s.",
            len(found),
        ) % {
            "day": date_de(day),
            "n": len(found),
            "agreed": agreed,
            "last": date_de(last.held_on),
            "outcome": (last.outcome_summary or last.get_outcome_display()).rstrip("."),
        }
    else:
        text = _("Up to %(day)s, no talks with welfare agencies have been recorded.") % {
            "day": date_de(day)
        }
    long_list = len(rows) > LONG_TABLE_ROWS
    return Block(
        key="talks",
        title=label_for("talks"),
        text=text,
        as_of=date_de(day),
        sources=[_source(_("talk log"), day)],
        table=Table(
            caption=_("Talks of %(body)s with welfare agencies up to %(day)s")
            % {"body": body.name, "day": date_de(day)},
            columns=[_("Date"), _("Welfare agencies"), _("Outcome"), _("Outcome in brief")],
            rows=rows,
            numeric=[False, False, False, False],
            values=values,
        )
        if rows
        else None,
        summary=talks_by_year(found, body, day) if long_list else None,
        # The file name's stem; the full name adds the report's reference and version.
        attachment=pgettext("file name of a report attachment", "Talks") if long_list else "",
    )


def talks_by_year(found: Iterable[Talk], body: Organisation, day: dt.date) -> Table:
    """The talks counted by year (rows) and outcome (columns), with totals: what the report
    prints instead of a list of more than ``LONG_TABLE_ROWS`` talks."""
    outcomes = list(Outcome)
    counts: dict[int, dict[str, int]] = {}
    for talk in found:
        of_year = counts.setdefault(talk.held_on.year, dict.fromkeys(Outcome.values, 0))
        of_year[talk.outcome] = of_year.get(talk.outcome, 0) + 1
    rows, values = [], []
    for year, by_outcome in sorted(counts.items()):
        figures = [by_outcome.get(o.value, 0) for o in outcomes]
        rows.append([str(year), *(decimal_de(n, 0) for n in figures), decimal_de(sum(figures), 0)])
        values.append([year, *figures, sum(figures)])
    totals = [sum(c.get(o.value, 0) for c in counts.values()) for o in outcomes]
    grand = sum(totals)
    return Table(
        caption=_("Talks of %(body)s with welfare agencies up to %(day)s by year and outcome")
        % {"body": body.name, "day": date_de(day)},
        columns=[_("Year"), *(str(o.label) for o in outcomes), _("Total")],
        rows=rows,
        numeric=[False] + [True] * (len(outcomes) + 1),
        footer=[_("Total"), *(decimal_de(n, 0) for n in totals), decimal_de(grand, 0)],
        values=values,
    )


def calls(body: Organisation, day: dt.date) -> Block:
    """Calls for expressions of interest published by the day and where they stood."""
    found = partner_queries.calls_of_body(body, day)
    rows, values = [], []
    for item in found:
        call = item.call
        if item.decided:
            state = call.get_decision_display()
            if item.winners:
                state += ": " + ", ".join(item.winners)
        elif timezone_date(call.deadline) < day:
            state = _("deadline passed, not yet decided")
        else:
            state = _("open until %(date)s") % {"date": date_de(timezone_date(call.deadline))}
        rows.append(
            [
                call.title,
                date_de(call.published_on) if call.published_on else "",
                date_de(timezone_date(call.deadline)),
                decimal_de(item.offered_vze),
                str(item.submissions),
                state,
            ]
        )
        values.append(
            [
                call.code,
                str(item.offered_vze),
                item.submissions,
                call.decision if item.decided else "",
            ]
        )
    if found:
        sentences = []
        for item in found:
            sentence = _(
                "In the call “%(title)s” (%(vze)s VZÄ), %(n)s expressions of interest were "
                "received."
            ) % {
                "title": item.call.title,
                "vze": decimal_de(item.offered_vze),
                "n": item.submissions,
            }
            if item.decided and item.call.decided_on:
                # The reason stays internal: it may weigh competitors against each other.
                sentence += " " + _("Decision of %(date)s: %(decision)s%(winners)s.") % {
                    "date": date_de(item.call.decided_on),
                    "decision": item.call.get_decision_display(),
                    "winners": (" – " + ", ".join(item.winners)) if item.winners else "",
                }
            sentences.append(sentence)
        text = " ".join(sentences)
    else:
        text = _(
            "Up to %(day)s, %(body)s has not published a call for expressions of interest."
        ) % {
            "day": date_de(day),
            "body": body.name,
        }
    return Block(
        key="calls",
        title=label_for("calls"),
        text=text,
        as_of=date_de(day),
        sources=[_source(_("calls for expressions of interest"), day)],
        table=Table(
            caption=_("Calls for expressions of interest of %(body)s up to %(day)s")
            % {"body": body.name, "day": date_de(day)},
            columns=[
                _("Call"),
                _("Published"),
                _("Deadline"),
                _("VZÄ"),
                pgettext("number of expressions of interest received", "Received"),
                _("State"),
            ],
            rows=rows,
            numeric=[False, False, False, True, True, False],
            values=values,
        )
        if rows
        else None,
    )


def timezone_date(value: dt.datetime) -> dt.date:
    return timezone.localtime(value).date()


FORECAST_YEARS = 3


def funding_forecast(body: Organisation, day: dt.date) -> Block:
    """Employer cost, Land funding and municipal share for the day's year and the next two."""
    region = body if body.is_region else body.region
    assert region is not None, "a council body is a Kreis or a town of one"
    years = range(day.year, day.year + FORECAST_YEARS)
    positions = list(
        programme_queries.with_cost_history(partner_queries.posts_of_body(body).order_by("id"))
    )
    forecast = programme_queries.forecast_for(region, reader=None, years=years, positions=positions)
    rows, values = [], []
    for row in forecast.total.rows:
        rows.append(
            [str(row.year), euro(row.employer_cost), euro(row.funding), euro(row.eigenanteil)]
        )
        values.append([row.year, str(row.employer_cost), str(row.funding), str(row.eigenanteil)])
    first = forecast.total.rows[0] if forecast.total.rows else None
    text = (
        _(
            "For %(year)s the posts cost about %(cost)s; the Land funds %(funding)s, leaving a "
            "municipal share of %(share)s. The forecast assumes the posts stay filled and uses "
            "the pay tables and funding rates recorded in KIM-Plattform."
        )
        % {
            "year": first.year,
            "cost": euro(first.employer_cost),
            "funding": euro(first.funding),
            "share": euro(first.eigenanteil),
        }
        if first
        else _("No forecast is possible without posts.")
    )
    if forecast.without_pay_group_count:
        text += " " + _("%(n)s posts without a pay group are not included.") % {
            "n": forecast.without_pay_group_count
        }
    return Block(
        key="funding_forecast",
        title=label_for("funding_forecast"),
        text=text,
        as_of=date_de(day),
        sources=[_source(_("cost forecast from positions, pay tables and funding rates"), day)],
        table=Table(
            caption=_("Cost, funding and municipal share of the KIM posts of %(body)s (€)")
            % {"body": body.name},
            columns=[_("Year"), _("Employer cost"), _("Land funding"), _("Municipal share")],
            rows=rows,
            numeric=[False, True, True, True],
            values=values,
        ),
        chart=Chart(
            title=_("Cost and funding per year (€)"),
            alt=_(
                "Bar chart of employer cost and Land funding per year; the figures are in the "
                "table."
            ),
            categories=[str(r.year) for r in forecast.total.rows],
            series=[
                Series(_("employer cost"), [float(r.employer_cost) for r in forecast.total.rows]),
                Series(_("Land funding"), [float(r.funding) for r in forecast.total.rows]),
            ],
            unit="€",
        ),
    )


def case_figures(body: Organisation, day: dt.date) -> Block:
    """Case statistics of the body's area (a town: the cases its case management keeps; a
    Kreis: every case in it) from 1 January of the reference year to the day, suppressed
    exactly like the statistics page (D-082)."""
    scope = case_stats.area_scope(body)
    start = dt.date(day.year, 1, 1)
    rows, values = [], []
    for measure in case_stats.COUNCIL_MEASURES:
        if scope is None:
            entry = None
        else:
            entry = case_stats.case_table(scope, measure, (), start, day, actor=None).table.total
        rows.append([str(case_stats.MEASURES[measure].label), str(entry) if entry else "–"])
        values.append([measure, entry.published if entry else None])
    figures = {v[0]: rows[i][1] for i, v in enumerate(values)}
    text = _(
        "From %(start)s to %(day)s, %(new)s cases were newly referred to case management, "
        "%(active)s were open at some time and %(closed)s were closed. Counts of 1 or 2 are "
        "shown as “< 3”, withheld figures as “x”."
    ) % {
        "start": date_de(start),
        "day": date_de(day),
        "new": figures["new_cases"],
        "active": figures["active_cases"],
        "closed": figures["closed_cases"],
    }
    return Block(
        key="case_figures",
        title=label_for("case_figures"),
        text=text,
        as_of=date_de(day),
        sources=[_source(_("case management, statistics with disclosure control"), day)],
        table=Table(
            caption=_("Case figures of %(body)s from %(start)s to %(day)s")
            % {"body": body.name, "start": date_de(start), "day": date_de(day)},
            columns=[pgettext("statistics", "Measure"), _("Value")],
            rows=rows,
            numeric=[False, True],
            values=values,
        ),
    )


def structural_barriers(body: Organisation, day: dt.date) -> Block:
    """Topics (generative themes) of the body's Kreis up to the day: title, category, level on
    the day, status, working group, level changes and the decisions taken on them."""
    region_id = body.pk if body.is_region else body.region_id
    found = topic_queries.council_topics(region_id, day) if region_id else []
    rows, values, sentences = [], [], []
    for item in found:
        topic = item.topic
        moves = "; ".join(
            f"{date_de(c.changed_on)}: {c.get_from_level_display()} → {c.get_to_level_display()}"
            for c in item.changes
        )
        decisions = "; ".join(
            _("%(text)s (%(status)s, due %(due)s)")
            % {
                "text": d.text,
                "status": d.get_status_display(),
                "due": date_de(d.due_on) if d.due_on else "–",
            }
            for d in item.decisions
        )
        level = str(dict(TopicLevel.choices)[item.level])
        rows.append(
            [
                topic.title,
                topic.category.name,
                level,
                topic.get_status_display(),
                topic.working_group.name if topic.working_group else "–",
                moves or "–",
                decisions or "–",
            ]
        )
        values.append([topic.code, topic.category.key, item.level, topic.status])
    if found:
        by_level: dict[str, int] = {}
        for item in found:
            by_level[item.level] = by_level.get(item.level, 0) + 1
        sentences.append(
            ngettext(
                "Up to %(day)s, the KIM coordination took up %(n)s topic from the structural "
                "barriers reported by case management (%(levels)s).",
                "Up to %(day)s, the KIM coordination took up %(n)s topics from the structural "
                "barriers reported by case management (%(levels)s).",
                len(found),
            )
            % {
                "day": date_de(day),
                "n": len(found),
                "levels": ", ".join(
                    f"{label}: {by_level[value]}"
                    for value, label in TopicLevel.choices
                    if value in by_level
                ),
            }
        )
        decided = sum(len(item.decisions) for item in found)
        if decided:
            sentences.append(
                ngettext(
                    "%(n)s decision has been taken on them.",
                    "%(n)s decisions have been taken on them.",
                    decided,
                )
                % {"n": decided}
            )
    else:
        sentences.append(
            _("Up to %(day)s, no topic has been taken up from the structural barriers.")
            % {"day": date_de(day)}
        )
    return Block(
        key="structural_barriers",
        title=label_for("structural_barriers"),
        text=" ".join(sentences),
        as_of=date_de(day),
        sources=[_source(_("topics from the barrier log, their levels and decisions"), day)],
        table=Table(
            caption=_("Topics of the Kreis up to %(day)s") % {"day": date_de(day)},
            columns=[
                _("Topic"),
                _("Category"),
                _("Level"),
                _("Status"),
                _("Working group"),
                _("Level changes"),
                _("Decisions"),
            ],
            rows=rows,
            numeric=[False] * 7,
            values=values,
        )
        if rows
        else None,
    )


COMPUTE: dict[str, Callable[[Organisation, dt.date], Block]] = {
    "positions_per_baustein": positions_per_baustein,
    "staffing_split": staffing_split,
    "talks": talks,
    "calls": calls,
    "funding_forecast": funding_forecast,
    "case_figures": case_figures,
    "structural_barriers": structural_barriers,
}


def compute(key: str, body: Organisation, day: dt.date) -> Block:
    """The block ``key`` for ``body`` on ``day``; a KeyError for a key without a computation."""
    return COMPUTE[key](body, day)
