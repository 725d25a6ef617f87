"""The platform's own system checks, run by ``kim check --deploy`` (README, installation).

``pdf_font_subsetting`` (``kim.W001``): WeasyPrint subsets the fonts it embeds with
HarfBuzz-Subset (``libharfbuzz-subset0``). It looks for the library once, when it is imported;
without it, it falls back to fontTools and logs "Using fontTools instead of HarfBuzz-Subset"
for every PDF. A server started before the package was installed keeps the fallback until it
is restarted, while a command started afterwards does not (docs/configuration.md, "PDF
printing"; decisions D-054).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.core import checks


@checks.register(checks.Tags.compatibility, deploy=True)
def pdf_font_subsetting(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[checks.CheckMessage]:
    # Imported here: WeasyPrint loads Pango through cffi, which only PDF printing needs.
    from weasyprint.text import ffi

    if ffi.harfbuzz_subset is not None and ffi.harfbuzz.hb_version_atleast(4, 1, 0):
        return []
    return [
        checks.Warning(
            "WeasyPrint found no HarfBuzz-Subset (>= 4.1): PDFs embed fonts subset by the "
            "fontTools fallback, and every PDF logs a warning.",
            hint="apt-get install libharfbuzz-subset0, then restart the application server "
            "(WeasyPrint looks for the library only when a process starts).",
            id="kim.W001",
        )
    ]
