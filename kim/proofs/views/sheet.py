"""What the proof page shows: the live statement (draft) or the statement frozen on submission
or release (``Statement.from_figures``), with the per-post actual cost and plan only where the
user may see the payroll of the post's employer."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from ..models import Proof, ProofStatus
from ..statement import Statement, statement_for

FROZEN = (
    ProofStatus.SUBMITTED,
    ProofStatus.QUERIED,
    ProofStatus.ACCEPTED,
    ProofStatus.RECLAIM,
    ProofStatus.RELEASED,
)


def is_frozen(proof: Proof) -> bool:
    return proof.status in FROZEN and "statement" in (proof.figures or {})


def shown_statement(proof: Proof) -> Statement:
    """The frozen statement once submitted or released, else the live one."""
    if is_frozen(proof):
        return Statement.from_figures(proof.figures)
    return statement_for(proof)


@dataclass(frozen=True)
class Sheet:
    frozen: bool
    income: list[tuple[str, Decimal]]
    income_total: Decimal
    expenditure: list[tuple[str, Decimal]]
    expenditure_total: Decimal
    funding_due: Decimal
    balance: Decimal
    balance_text: str
    posts_due_sum: Decimal
    posts: list[dict[str, Any]]


def build_sheet(proof: Proof, st: Statement, payroll: frozenset[str]) -> Sheet:
    posts = [
        {
            "title": p.title,
            "baustein": p.baustein,
            "home": p.home,
            "vze": p.vze,
            "months_filled": p.months_filled,
            "months_vacant": p.months_vacant,
            "months_funded": p.months_funded,
            "actual_cost": p.actual_cost if p.code in payroll else None,
            "forecast": p.forecast_cost if p.code in payroll else None,
            "passed_to": p.passed_to,
            "rate": p.rate_per_vza_year,
            "due": p.land_funding_due,
        }
        for p in st.posts
    ]
    return Sheet(
        frozen=is_frozen(proof),
        income=[
            (
                _("Land funding received") if st.kind == "land" else _("Received from the grantor"),
                st.land_received,
            ),
            (_("Own funds"), st.own_funds),
            (_("Third-party funds"), st.third_party),
        ],
        income_total=st.income_total,
        expenditure=[
            (_("Personnel cost"), st.personnel),
            (_("Workplace setup"), st.setup),
            (_("Passed on to recipients"), st.passed_on),
        ],
        expenditure_total=st.expenditure_total,
        funding_due=st.land_funding_due,
        balance=st.balance,
        balance_text=st.balance_text,
        posts_due_sum=sum((p.land_funding_due for p in st.posts), Decimal(0)),
        posts=posts,
    )
