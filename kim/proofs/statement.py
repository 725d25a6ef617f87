"""The zahlenmäßiger Nachweis: income, expenditure and the funding due, from live data (D-085).

Two kinds of statement share one computation:

- ``land_statement(kreis, year)``: the Kreis' proof to the Land on all its KIM grants of the
  year (the Land issues one notice per Baustein; the statement covers them together and lists
  each notice). Received = the payments recorded on those grants.
- ``agreement_statement(agreement, year)``: a town's or welfare agency's proof to its grantor
  for a pass-through agreement. Received = the payments done under the agreement that fall due
  in the year.

The rules, step by step (``docs/proof-of-use.md`` explains them for users):

1. **Posts.** The Land proof covers every post of the Kreis whose Baustein has a grant in the
   year; an agreement proof covers the agreement's posts. A post is listed when it was funded,
   filled or had actual cost in the year.
2. **Months.** For each month the post's state on the 15th counts: *filled* when its status
   was "filled"; *funded* when the dated rule for vacancies (``FundingDueRule``) says so –
   by default only filled months count (UNCONFIRMED) – and the post was funded by KIM then.
3. **Funding due per post** = Σ over funded months of (rate per VZÄ and year valid in that
   month ÷ 12) × VZÄ, plus the workplace setup: the setup cost recorded in the year, at most
   the setup rate × VZÄ. The 0.5 Verwaltungsassistenz rate counts as rate ÷ 0.5 per VZÄ.
   Rounded to the cent once per post.
4. **Passed on.** A post listed on an agreement the prover granted (overlapping the year) is
   proven by that recipient: its funding due counts here, its actual cost does not (the
   recipient proves it). Expenditure "passed on" = payments done under those agreements that
   fall due in the year.
5. **Expenditure** = personnel (actual cost of the prover's own posts) + setup + passed on.
   **Own funds** (Eigenanteil) = expenditure − received − third-party funds (never below 0).
   **Balance** = received − funding due: above 0 a reclaim, below 0 still outstanding.

Query count: fixed, independent of the number of posts, months or payments.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, fields, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Min, QuerySet, Sum
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kim.core.formats import number_l10n
from kim.organisations.models import Organisation, OrgKind
from kim.partners.models import Agreement, Payment, PaymentKind
from kim.programmes import queries as programme_queries
from kim.programmes.models import (
    ActualCost,
    CostKind,
    DueRuleKind,
    FundingDueRule,
    FundingRate,
    FundingSource,
    Grant,
    Position,
    RateKind,
)
from kim.programmes.payroll import month_states

from .models import Proof, ProofStatus

ZERO = Decimal(0)
CENT = Decimal("0.01")
MONTHS = range(1, 13)
MISSING = "missing"  # proof_status of a recipient who has not started a proof


class NoGrant(Exception):
    """The Kreis has no KIM grant for the year."""


def money(value: Decimal) -> str:
    """Money for JSON: a string with two decimals."""
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class GrantLine:
    code: str
    baustein: str
    file_reference: str
    notice_date: dt.date
    period_start: dt.date
    period_end: dt.date
    approved_vze: Decimal
    amount: Decimal
    received: Decimal
    proof_due_on: dt.date


@dataclass(frozen=True)
class PostLine:
    code: str
    title: str
    baustein: str
    home: str
    vze: Decimal
    rate_kind: str
    filled: tuple[int, ...]  # month numbers in which the post was filled (on the 15th)
    vacant: tuple[int, ...]  # months established but not filled
    funded: tuple[int, ...]  # months for which funding is due under the rule
    actual_cost: Decimal | None  # None: proven by the recipient (``passed_to``)
    setup_cost: Decimal | None
    rate_per_vza_year: Decimal
    funding_personnel: Decimal
    funding_setup: Decimal
    forecast_cost: Decimal | None = None
    passed_to: str = ""

    @property
    def months_filled(self) -> int:
        return len(self.filled)

    @property
    def months_vacant(self) -> int:
        return len(self.vacant)

    @property
    def months_funded(self) -> int:
        return len(self.funded)

    @property
    def land_funding_due(self) -> Decimal:
        return self.funding_personnel + self.funding_setup

    @property
    def own(self) -> bool:
        return not self.passed_to


@dataclass(frozen=True)
class RecipientLine:
    name: str
    agreement_code: str
    agreement_title: str
    passed_on: Decimal
    proof_code: str
    proof_status: str  # a ProofStatus value or MISSING
    accepted: dict[str, Any] | None  # the recipient's frozen figures once accepted
    reclaim: Decimal | None

    @property
    def proof_status_label(self) -> str:
        if self.proof_status == MISSING:
            return _("not started")
        return str(ProofStatus(self.proof_status).label)


@dataclass
class Statement:
    kind: str  # "land" or "agreement"
    organisation: str
    kreis: str
    kreis_ags: str
    year: int
    grantor: str
    grant: str  # notice numbers (Land) or the agreement's title
    period_start: dt.date
    period_end: dt.date
    due_on: dt.date | None
    land_received: Decimal
    third_party: Decimal
    third_party_note: str
    personnel: Decimal
    setup: Decimal
    passed_on: Decimal
    land_funding_due: Decimal
    posts: list[PostLine]
    recipients: list[RecipientLine]
    grants: list[GrantLine] = field(default_factory=list)
    agreement_code: str = ""
    warnings: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    @property
    def expenditure_total(self) -> Decimal:
        return self.personnel + self.setup + self.passed_on

    @property
    def own_funds(self) -> Decimal:
        return max(ZERO, self.expenditure_total - self.land_received - self.third_party)

    @property
    def income_total(self) -> Decimal:
        return self.land_received + self.own_funds + self.third_party

    @property
    def balance(self) -> Decimal:
        return self.land_received - self.land_funding_due

    @property
    def balance_kind(self) -> str:
        """ "reclaim" (more received than due), "outstanding" (less) or "even"."""
        if self.balance > 0:
            return "reclaim"
        return "outstanding" if self.balance < 0 else "even"

    @property
    def balance_text(self) -> str:
        """The balance with its arithmetic, in words."""
        values = {  # in the active language's digits (the print is always German)
            "received": f"{number_l10n(self.land_received)} €",
            "due": f"{number_l10n(self.land_funding_due)} €",
            "diff": f"{number_l10n(abs(self.balance))} €",
        }
        if self.balance_kind == "reclaim":
            return _("%(received)s received − %(due)s due = %(diff)s to be paid back") % values
        if self.balance_kind == "outstanding":
            return _("%(due)s due − %(received)s received = %(diff)s still outstanding") % values
        return _("%(received)s received = %(due)s due: nothing to settle") % values

    def to_json(self) -> dict[str, Any]:
        """The machine-readable statement (the shape of ``kim land-report``)."""
        return {
            "kreis": self.kreis,
            "year": self.year,
            "grant": self.grant,
            "income": {
                "land_received": money(self.land_received),
                "own_funds": money(self.own_funds),
                "third_party": money(self.third_party),
                "total": money(self.income_total),
            },
            "expenditure": {
                "personnel": money(self.personnel),
                "setup": money(self.setup),
                "passed_on": money(self.passed_on),
                "total": money(self.expenditure_total),
            },
            "land_funding_due": money(self.land_funding_due),
            "balance": money(self.balance),
            "posts": [
                {
                    "code": p.code,
                    "baustein": p.baustein,
                    "vza": str(p.vze),
                    "months_filled": p.months_filled,
                    "actual_cost": money(p.actual_cost) if p.actual_cost is not None else None,
                    "rate_per_vza_year": money(p.rate_per_vza_year),
                    "land_funding_due": money(p.land_funding_due),
                }
                for p in self.posts
            ],
            "recipients": [
                {"name": r.name, "passed_on": money(r.passed_on), "proof_status": r.proof_status}
                for r in self.recipients
            ],
        }

    def figures(self) -> dict[str, Any]:
        """What a submission or release freezes (``Proof.figures``): the JSON of ``to_json``
        (what the grantor's statement reads: ``expenditure.total``, ``land_funding_due``,
        ``balance`` …) plus ``statement``, the whole statement for printing it again
        (``from_figures``)."""
        data = self.to_json()
        data["organisation"] = self.organisation
        data["statement"] = _to_plain(self)
        return data

    @classmethod
    def from_figures(cls, figures: dict[str, Any]) -> Statement:
        """The statement as it was frozen by ``figures``."""
        data = dict(figures["statement"])
        data["posts"] = [PostLine(**_typed(PostLine, row)) for row in data["posts"]]
        data["recipients"] = [
            RecipientLine(**_typed(RecipientLine, row)) for row in data["recipients"]
        ]
        data["grants"] = [GrantLine(**_typed(GrantLine, row)) for row in data["grants"]]
        return cls(**_typed(cls, data))


_DECIMALS = {
    "vze",
    "actual_cost",
    "setup_cost",
    "rate_per_vza_year",
    "funding_personnel",
    "funding_setup",
    "forecast_cost",
    "passed_on",
    "reclaim",
    "approved_vze",
    "amount",
    "received",
    "land_received",
    "third_party",
    "personnel",
    "setup",
    "land_funding_due",
}
_DATES = {"notice_date", "period_start", "period_end", "proof_due_on", "due_on"}
_TUPLES = {"filled", "vacant", "funded"}


def _to_plain(item: Any) -> Any:
    """A dataclass as JSON-ready data: Decimals and dates as strings, tuples as lists."""
    if hasattr(item, "__dataclass_fields__"):
        return {f.name: _to_plain(getattr(item, f.name)) for f in fields(item)}
    if isinstance(item, list | tuple):
        return [_to_plain(v) for v in item]
    if isinstance(item, dict):
        return {k: _to_plain(v) for k, v in item.items()}
    if isinstance(item, Decimal | dt.date):
        return str(item)
    return item


def _typed(cls: type, data: dict[str, Any]) -> dict[str, Any]:
    names = {f.name for f in fields(cls)}
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key not in names:
            continue
        if value is not None and key in _DECIMALS:
            value = Decimal(value)
        elif value is not None and key in _DATES:
            value = dt.date.fromisoformat(value)
        elif key in _TUPLES:
            value = tuple(value)
        out[key] = value
    return out


# --- rules -------------------------------------------------------------------------------------


class RateBook:
    """Funding rates and the rule for vacancies from the database, loaded once."""

    def __init__(self) -> None:
        self._rates = list(FundingRate.objects.order_by("valid_from", "id"))
        self._rules = list(FundingDueRule.objects.order_by("valid_from", "id"))

    def annual(self, baustein: str, kind: str, day: dt.date) -> Decimal | None:
        found = None
        for rate in self._rates:
            if rate.baustein == baustein and rate.kind == kind and rate.covers(day):
                found = rate.amount
        return found

    def per_vza_year(self, position: Position, day: dt.date) -> Decimal:
        """The rate per VZÄ and year for the post on ``day`` (the 0.5 VA rate ÷ 0.5)."""
        amount = self.annual(position.baustein, position.rate_kind, day) or ZERO
        if position.rate_kind == RateKind.VA_HALF:
            return amount / Decimal("0.5")
        return amount

    def rule_on(self, day: dt.date) -> str:
        found: str = DueRuleKind.FILLED_MONTHS
        for rule in self._rules:
            if rule.covers(day):
                found = rule.rule
        return found

    def sources(self, year: int) -> list[str]:
        """The sources of the rates and rules in force in the year (for the statement's notes)."""
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        seen: list[str] = []
        periods = [(r.valid_from, r.valid_to, r.source) for r in self._rates] + [
            (r.valid_from, r.valid_to, r.source) for r in self._rules
        ]
        for valid_from, valid_to, source in periods:
            in_force = valid_from <= end and (valid_to is None or valid_to >= start)
            if in_force and source not in seen:
                seen.append(source)
        return seen


def _months(
    position: Position, year: int, book: RateBook
) -> tuple[list[int], list[int], list[int]]:
    """Filled and vacant months (``payroll.month_states``: the status on the 15th) and the
    months the rule for vacancies funds, if KIM funded the post then."""
    filled, vacant = month_states(position, year)
    periods = list(position.funding_periods.all())
    funded = []
    for number in MONTHS:
        day = dt.date(year, number, 15)
        matching = [f for f in periods if f.covers(day)]
        by_kim = not matching or matching[-1].source == FundingSource.KIM
        counts = number in filled
        if book.rule_on(day) == DueRuleKind.FULL_YEAR:
            counts = counts or number in vacant
        if counts and by_kim:
            funded.append(number)
    return filled, vacant, funded


@dataclass(frozen=True)
class CostSums:
    """A post's actual cost in the year: personnel, setup and the first setup month."""

    personnel: Decimal = ZERO
    setup: Decimal = ZERO
    setup_from: dt.date | None = None


def cost_sums(position_ids: list[int], year: int) -> dict[int, CostSums]:
    """The year's actual cost per post, summed in the database (one query, no model rows)."""
    found: dict[int, CostSums] = {}
    rows = (
        ActualCost.objects.filter(position_id__in=position_ids, month__year=year)
        .values("position_id", "kind")
        .annotate(total=Sum("amount"), first=Min("month"))
    )
    for row in rows:
        current = found.get(row["position_id"], CostSums())
        if row["kind"] == CostKind.SETUP:
            current = replace(current, setup=row["total"], setup_from=row["first"])
        else:
            current = replace(current, personnel=row["total"])
        found[row["position_id"]] = current
    return found


def post_line(
    position: Position,
    year: int,
    book: RateBook,
    *,
    costs: CostSums | None = None,
    passed_to: str = "",
    show_cost: bool = True,
    forecast: Decimal | None = None,
) -> PostLine:
    """One post's line (``position`` loaded with ``with_cost_history``)."""
    filled, vacant, funded = _months(position, year, book)
    costs = costs or CostSums()
    personnel_cost, setup_cost = costs.personnel, costs.setup
    due = sum(
        (book.per_vza_year(position, dt.date(year, m, 15)) * position.vze / 12 for m in funded),
        ZERO,
    )
    setup_due = ZERO
    if setup_cost and costs.setup_from is not None:
        rate = book.annual(position.baustein, RateKind.WORKPLACE_SETUP, costs.setup_from)
        if rate is not None:
            setup_due = min(setup_cost, rate * position.vze)
    rate_day = dt.date(year, funded[-1] if funded else 12, 15)
    return PostLine(
        code=position.code,
        title=position.title,
        baustein=position.baustein,
        home=position.home.name,
        vze=position.vze,
        rate_kind=position.rate_kind,
        filled=tuple(filled),
        vacant=tuple(vacant),
        funded=tuple(funded),
        actual_cost=personnel_cost if show_cost else None,
        setup_cost=setup_cost if show_cost else None,
        rate_per_vza_year=cents(book.per_vza_year(position, rate_day)),
        funding_personnel=cents(due),
        funding_setup=cents(setup_due),
        forecast_cost=forecast,
        passed_to=passed_to,
    )


# --- queries -----------------------------------------------------------------------------------


def _with_year(qs: QuerySet[Position]) -> QuerySet[Position]:
    return programme_queries.with_cost_history(qs)


def _agreements_granted(organisation: Organisation, year: int) -> list[Agreement]:
    return list(
        Agreement.objects.filter(
            grantor=organisation,
            period_start__lte=dt.date(year, 12, 31),
            period_end__gte=dt.date(year, 1, 1),
        )
        .select_related("recipient")
        .prefetch_related("positions")
        .order_by("recipient__name", "id")
    )


def _paid(agreements: list[Agreement], year: int) -> dict[int, Decimal]:
    rows = (
        Payment.objects.filter(
            agreement__in=agreements,
            kind=PaymentKind.PAYMENT,
            done_on__isnull=False,
            due_on__year=year,
        )
        .values("agreement_id")
        .annotate(total=Sum("amount"))
    )
    return {row["agreement_id"]: row["total"] for row in rows}


def _recipients(agreements: list[Agreement], year: int) -> list[RecipientLine]:
    paid = _paid(agreements, year)
    proofs = {p.agreement_id: p for p in Proof.objects.filter(agreement__in=agreements, year=year)}
    lines = []
    for agreement in agreements:
        proof = proofs.get(agreement.pk)
        accepted = (
            proof.figures
            if proof is not None and proof.status in (ProofStatus.ACCEPTED, ProofStatus.RECLAIM)
            else None
        )
        lines.append(
            RecipientLine(
                name=agreement.recipient.name,
                agreement_code=agreement.code,
                agreement_title=agreement.title,
                passed_on=paid.get(agreement.pk, ZERO),
                proof_code=proof.code if proof is not None else "",
                proof_status=proof.status if proof is not None else MISSING,
                accepted=accepted,
                reclaim=proof.reclaim_amount if proof is not None else None,
            )
        )
    return lines


def _hosts_itself(position: Position, organisation: Organisation) -> bool:
    """The prover hosts the post itself: at the organisation or one of its authorities."""
    home = position.home
    return home.pk == organisation.pk or (
        home.parent_id == organisation.pk and home.kind == OrgKind.AUTHORITY
    )


def _lines(
    positions: list[Position],
    organisation: Organisation,
    agreements: list[Agreement],
    year: int,
    book: RateBook,
) -> tuple[list[PostLine], list[str]]:
    passed: dict[int, str] = {}
    for agreement in agreements:
        for position in agreement.positions.all():
            passed.setdefault(position.pk, agreement.recipient.name)
    rules = programme_queries.DatabasePayRules()
    rates = programme_queries.FundingRates()
    sums = cost_sums([p.pk for p in positions], year)
    lines, unassigned = [], defaultdict(list)
    for position in positions:
        recipient = passed.get(position.pk, "")
        forecast = None
        if not recipient:
            rows = programme_queries.position_costs(
                position, years=range(year, year + 1), rules=rules, rates=rates
            )
            forecast = rows[0].employer_cost if rows else None
        line = post_line(
            position,
            year,
            book,
            costs=sums.get(position.pk),
            passed_to=recipient,
            show_cost=not recipient,
            forecast=forecast,
        )
        if not (line.funded or line.filled or line.actual_cost or line.setup_cost):
            continue
        lines.append(line)
        if not recipient and not _hosts_itself(position, organisation):
            unassigned[position.home.name].append(position)
    warnings = []
    if unassigned:
        count = sum(len(v) for v in unassigned.values())
        warnings.append(
            ngettext(
                "%(count)d post at %(homes)s is on no pass-through agreement for %(year)d; its "
                "actual cost counts as expenditure of %(org)s.",
                "%(count)d posts at %(homes)s are on no pass-through agreement for %(year)d; "
                "their actual cost counts as expenditure of %(org)s.",
                count,
            )
            % {
                "count": count,
                "homes": ", ".join(sorted(unassigned)),
                "year": year,
                "org": organisation.name,
            }
        )
    no_cost = [p for p in lines if p.own and p.months_filled and not p.actual_cost]
    if no_cost:
        warnings.append(
            ngettext(
                "No actual personnel cost is recorded for %(count)d filled post: %(posts)s.",
                "No actual personnel cost is recorded for %(count)d filled posts: %(posts)s.",
                len(no_cost),
            )
            % {"count": len(no_cost), "posts": ", ".join(p.title for p in no_cost)}
        )
    return lines, warnings


def land_statement(kreis: Organisation, year: int, *, proof: Proof | None = None) -> Statement:
    """The Kreis' statement to the Land for ``year``; raises ``NoGrant`` without a grant."""
    grants = list(
        Grant.objects.filter(recipient=kreis, year=year)
        .select_related("grantor")
        .annotate(received=Sum("payments__amount"))
        .order_by("baustein")
    )
    if not grants:
        raise NoGrant(year)
    if proof is None:
        proof = Proof.objects.filter(organisation=kreis, year=year, agreement=None).first()
    book = RateBook()
    bausteine = {g.baustein for g in grants}
    positions = list(
        _with_year(Position.objects.filter(region=kreis, baustein__in=bausteine)).order_by(
            "baustein", "home__name", "title", "id"
        )
    )
    agreements = _agreements_granted(kreis, year)
    posts, warnings = _lines(positions, kreis, agreements, year, book)
    recipients = _recipients(agreements, year)
    lines = [
        GrantLine(
            code=g.code,
            baustein=g.baustein,
            file_reference=g.file_reference,
            notice_date=g.notice_date,
            period_start=g.period_start,
            period_end=g.period_end,
            approved_vze=g.approved_vze,
            amount=g.amount,
            received=g.received or ZERO,
            proof_due_on=g.proof_due_on,
        )
        for g in grants
    ]
    return Statement(
        kind="land",
        organisation=kreis.name,
        kreis=kreis.name,
        kreis_ags=kreis.ags,
        year=year,
        grantor=grants[0].grantor.name,
        grant="; ".join(g.file_reference or g.code for g in grants),
        period_start=min(g.period_start for g in grants),
        period_end=max(g.period_end for g in grants),
        due_on=min(g.proof_due_on for g in grants),
        land_received=sum((g.received for g in lines), ZERO),
        third_party=proof.third_party_funds if proof else ZERO,
        third_party_note=proof.third_party_note if proof else "",
        personnel=sum((p.actual_cost or ZERO for p in posts), ZERO),
        setup=sum((p.setup_cost or ZERO for p in posts), ZERO),
        passed_on=sum((r.passed_on for r in recipients), ZERO),
        land_funding_due=sum((p.land_funding_due for p in posts), ZERO),
        posts=posts,
        recipients=recipients,
        grants=lines,
        warnings=warnings,
        sources=book.sources(year),
    )


def agreement_statement(
    agreement: Agreement, year: int, *, proof: Proof | None = None
) -> Statement:
    """The recipient's statement to the grantor of ``agreement`` for ``year``."""
    if proof is None:
        proof = Proof.objects.filter(agreement=agreement, year=year).first()
    recipient = agreement.recipient
    book = RateBook()
    positions = list(
        _with_year(agreement.positions.all()).order_by("baustein", "home__name", "title", "id")
    )
    onward = _agreements_granted(recipient, year)
    posts, warnings = _lines(positions, recipient, onward, year, book)
    recipients = _recipients(onward, year)
    received = _paid([agreement], year).get(agreement.pk, ZERO)
    region = agreement.region
    start = max(agreement.period_start, dt.date(year, 1, 1))
    end = min(agreement.period_end, dt.date(year, 12, 31))
    return Statement(
        kind="agreement",
        organisation=recipient.name,
        kreis=region.name,
        kreis_ags=region.ags,
        year=year,
        grantor=agreement.grantor.name,
        grant=agreement.title,
        period_start=start,
        period_end=end,
        due_on=proof.due_on if proof else None,
        land_received=received,
        third_party=proof.third_party_funds if proof else ZERO,
        third_party_note=proof.third_party_note if proof else "",
        personnel=sum((p.actual_cost or ZERO for p in posts), ZERO),
        setup=sum((p.setup_cost or ZERO for p in posts), ZERO),
        passed_on=sum((r.passed_on for r in recipients), ZERO),
        land_funding_due=sum((p.land_funding_due for p in posts), ZERO),
        posts=posts,
        recipients=recipients,
        agreement_code=agreement.code,
        warnings=warnings,
        sources=book.sources(year),
    )


def statement_for(proof: Proof) -> Statement:
    """The live statement of a proof (the Land's or an agreement's)."""
    if proof.agreement_id is None:
        return land_statement(proof.organisation, proof.year, proof=proof)
    assert proof.agreement is not None
    return agreement_statement(proof.agreement, proof.year, proof=proof)


def years_with_grants(kreis: Organisation) -> list[int]:
    return sorted(
        set(Grant.objects.filter(recipient=kreis).values_list("year", flat=True)), reverse=True
    )


__all__ = [
    "MISSING",
    "NoGrant",
    "PostLine",
    "RateBook",
    "RecipientLine",
    "Statement",
    "agreement_statement",
    "land_statement",
    "money",
    "post_line",
    "statement_for",
    "years_with_grants",
]
