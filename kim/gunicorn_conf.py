"""gunicorn settings for KIM-Plattform: ``gunicorn -c python:kim.gunicorn_conf kim.wsgi``.

Only what the application needs from the server; workers, bind address and logging stay on
the command line (see README, "Production deployment").

Garbage collection: a Django worker holds some 100 MB of long-lived objects (modules,
templates, URL patterns, translations). CPython's full collections walk all of them – 90–130 ms
each on the benchmark machine, every few dozen requests – which shows as a p95 tail far above
the median (benchmarks/README.md). After the fork each worker moves everything loaded so far
into the permanent generation (``gc.freeze``) and collects the young generation less often.
Memory per worker grows by at most ~20 MB (measured).

Report rendering: python-docx, matplotlib and WeasyPrint take ≈ 2 s to import. The master
imports them once before it forks, so no worker makes the first download of a report wait.
WeasyPrint decides at that import whether it subsets fonts with HarfBuzz-Subset; when the
library is missing, the master logs it once at start (``kim.W001``).
"""

from __future__ import annotations

import gc
from typing import Any

# Imported before the fork, so that the frozen objects are shared pages.
preload_app = True


def post_fork(server: Any, worker: Any) -> None:
    gc.freeze()
    gc.set_threshold(20_000, 10, 10)


def when_ready(server: Any) -> None:
    """In the master, after start-up and before the workers are forked."""
    import docx  # noqa: F401
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.backends.backend_agg
    import matplotlib.figure
    import weasyprint  # noqa: F401

    # WeasyPrint looked for HarfBuzz-Subset just now, once for the master and all workers:
    # say so here if it is missing, not in a warning per PDF (docs/configuration.md).
    from kim.core.checks import pdf_font_subsetting

    for message in pdf_font_subsetting(None):
        server.log.warning("%s (%s) %s", message.msg, message.id, message.hint)
