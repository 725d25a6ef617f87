"""``kim check --deploy`` names a missing HarfBuzz-Subset (decisions D-054, docs/configuration.md).

WeasyPrint looks for ``libharfbuzz-subset.so.0`` once, when it is imported. A process that
imported it before ``libharfbuzz-subset0`` was installed – the demo server started before
``make test`` installed the package – keeps subsetting fonts with fontTools and logs "Using
fontTools instead of HarfBuzz-Subset" for every PDF; a CLI started later does not.
"""

from __future__ import annotations

import pytest
from django.core import checks
from weasyprint.text import ffi

from kim.core.checks import pdf_font_subsetting


def test_deploy_check_is_quiet_with_harfbuzz_subset() -> None:
    assert ffi.harfbuzz_subset is not None, "apt-get install libharfbuzz-subset0"
    assert pdf_font_subsetting(None) == []


def test_deploy_check_warns_without_harfbuzz_subset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ffi, "harfbuzz_subset", None)
    (warning,) = pdf_font_subsetting(None)
    assert isinstance(warning, checks.Warning) and warning.id == "kim.W001"
    assert "libharfbuzz-subset0" in (warning.hint or "")
    assert "restart" in (warning.hint or "")


def test_the_check_runs_with_deploy_only() -> None:
    """Registered for ``check --deploy``; ordinary commands do not import WeasyPrint for it."""
    registry = checks.registry.registry
    assert pdf_font_subsetting in registry.get_checks(include_deployment_checks=True)
    assert pdf_font_subsetting not in registry.get_checks()
