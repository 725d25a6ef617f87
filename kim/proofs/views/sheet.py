"""What the proof page shows: the live statement (draft) or the frozen figures, with the
per-post actual cost only where the user may see payroll figures."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from kim.core.formats import euro

from ..models import Proof, ProofStatus
from ..statement import Statement

FROZEN = (
    ProofStatus.SUBMITTED,
    ProofStatus.QUERIED,
    ProofStatus.ACCEPTED,
    ProofStatus.RECLAIM,
    ProofStatus.RELEASED,
)


def _d(value: Any) -> Decimal:
    return Decimal(str(value)) if value not in (None, "") else Decimal(0)


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


def _balance_text(received: Decimal, due: Decimal) -> str:
    values = {"received": euro(received), "due": euro(due), "diff": euro(abs(received - due))}
    if received > due:
        return _("%(received)s received − %(due)s due = %(diff)s to be paid back") % values
    if received < due:
        return _("%(due)s due − %(received)s received = %(diff)s still outstanding") % values
    return _("%(received)s received = %(due)s due: nothing to settle") % values


def build_sheet(proof: Proof, st: Statement, payroll: frozenset[str]) -> Sheet:
    labels_in = (_("Received from the grantor"), _("Own funds"), _("Third-party funds"))
    labels_out = (_("Personnel cost"), _("Workplace setup"), _("Passed on to recipients"))
    if proof.status in FROZEN and proof.figures:
        f = proof.figures
        inc, exp = f["income"], f["expenditure"]
        received, due = _d(inc["land_received"]), _d(f["land_funding_due"])
        posts = [
            {
                "title": p.get("title", p["code"]),
                "baustein": p["baustein"],
                "home": "",
                "vze": _d(p["vza"]),
                "months_filled": p["months_filled"],
                "months_vacant": None,
                "months_funded": p.get("months_funded"),
                "actual_cost": _d(p["actual_cost"])
                if p["actual_cost"] is not None and p["code"] in payroll
                else None,
                "forecast": None,
                "passed_to": "",
                "rate": _d(p["rate_per_vza_year"]),
                "due": _d(p["land_funding_due"]),
            }
            for p in f["posts"]
        ]
        return Sheet(
            frozen=True,
            income=list(
                zip(
                    labels_in,
                    (_d(inc["land_received"]), _d(inc["own_funds"]), _d(inc["third_party"])),
                    strict=True,
                )
            ),
            income_total=_d(inc["total"]),
            expenditure=list(
                zip(
                    labels_out,
                    (_d(exp["personnel"]), _d(exp["setup"]), _d(exp["passed_on"])),
                    strict=True,
                )
            ),
            expenditure_total=_d(exp["total"]),
            funding_due=due,
            balance=received - due,
            balance_text=_balance_text(received, due),
            posts_due_sum=sum((p["due"] for p in posts), Decimal(0)),
            posts=posts,
        )
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
        frozen=False,
        income=list(
            zip(labels_in, (st.land_received, st.own_funds, st.third_party), strict=True)
        ),
        income_total=st.income_total,
        expenditure=list(zip(labels_out, (st.personnel, st.setup, st.passed_on), strict=True)),
        expenditure_total=st.expenditure_total,
        funding_due=st.land_funding_due,
        balance=st.balance,
        balance_text=st.balance_text,
        posts_due_sum=sum((p["due"] for p in posts), Decimal(0)),
        posts=posts,
    )
