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

Metrics: every worker counts its own requests; ``/metrics`` must report the node's sum. The
master points prometheus-client's multiprocess mode at ``PROMETHEUS_MULTIPROC_DIR`` (default
``KIM_VAR_DIR/metrics``, one directory per node) and empties it at start, *before* the
preloaded application imports prometheus-client (which picks its mode at import). Each worker
then keeps its counters in files there, a scrape merges them (``kim/core/metrics.py``), and a
worker that exits keeps counting in the sum (its files stay until the next start).
"""

from __future__ import annotations

import gc
import os
from pathlib import Path
from typing import Any

# Imported before the fork, so that the frozen objects are shared pages.
preload_app = True


def _metrics_dir() -> Path:
    """Create and empty the node's metrics directory; once, when the master reads this file."""
    var_dir = Path(os.environ.get("KIM_VAR_DIR") or Path(__file__).resolve().parent.parent / "var")
    path = Path(os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(var_dir / "metrics")))
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):  # prometheus-client's files of the previous run
        stale.unlink()
    return path


METRICS_DIR = _metrics_dir()


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


def child_exit(server: Any, worker: Any) -> None:
    """In the master, after a worker exited: drop its live-gauge files (its counters stay)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid, str(METRICS_DIR))
