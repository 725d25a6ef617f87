"""The `kim allocate` contract: formats, exact sums, and exit code 2 for every invalid input."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

BASE = [
    "--kreis",
    "05970",
    "--total",
    "14",
    "--step",
    "0.5",
    "--key",
    "population",
    "--as-of",
    "2019-12-31",
]


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("allocate", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("method", ["largest-remainder", "sainte-lague", "dhondt"])
def test_json_rows_sum_exactly_to_the_total(method: str) -> None:
    code, out, _ = run(*BASE, "--method", method, "--min", "0.5", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert [set(r) for r in rows] == [{"ags", "name", "weight", "quota", "allocated"}] * 11
    assert sum(Decimal(r["allocated"]) for r in rows) == Decimal(14)
    assert all(Decimal(r["allocated"]) % Decimal("0.5") == 0 for r in rows)
    assert all(Decimal(r["allocated"]) >= Decimal("0.5") for r in rows)


def test_largest_remainder_gives_kreuztal_one_and_a_half() -> None:
    _, out, _ = run(*BASE, "--method", "largest-remainder", "--min", "0.5", "--format", "json")
    by_ags = {r["ags"]: r for r in json.loads(out)}
    assert by_ags["05970024"]["allocated"] == "1.5"  # Kreuztal, as reported (brief § 4.4)
    assert by_ags["05970040"]["allocated"] == "5.0"  # Siegen
    assert by_ags["05970024"]["weight"] == "31122"


def test_csv_and_table_formats() -> None:
    _, out, _ = run(*BASE, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 11 and rows[0]["ags"] == "05970004"
    _, out, _ = run(*BASE)
    assert "Stadt Siegen" in out and "Summe" in out and "IT.NRW" in out


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--kreis", "05999"], "05999"),  # unknown Kreis
        (["--as-of", "2024-12-31"], "Bad Berleburg"),  # key data missing for two towns at that date
        (["--total", "14.3"], "14,3"),  # not a multiple of the step
        (["--min", "2"], "2"),  # 11 towns × 2 VZÄ > 14
        (["--min", "0.3"], "0,3"),  # minimum not a multiple of the step
        (["--step", "0"], "Schrittweite"),  # step must be positive
        (["--total", "vierzehn"], "vierzehn"),  # not a number
        (["--as-of", "31.12.2019"], "31.12.2019"),  # not an ISO date
    ],
)
def test_invalid_input_exits_with_2_and_a_message(args: list[str], needle: str) -> None:
    base = dict(zip(BASE[::2], BASE[1::2], strict=True))
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    flat = [x for pair in base.items() for x in pair]
    code, out, err = run(*flat)
    assert code == 2, (out, err)
    assert err.startswith("Fehler:") and needle in err
    assert out == ""


def test_unknown_method_is_refused_by_the_parser() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("allocate", *BASE, "--method", "losverfahren")
