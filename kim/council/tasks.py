"""Background jobs of the council app: the PDF of a long report (decisions D-065).

WeasyPrint needs about 9 ms per table row on top of 0.4 s for the demo report (13 rows): a
Stadt with 1,000 talks and 200 posts (1,209 rows, 110 pages) took 11 s – a web worker blocked
that long, and a user staring at a spinner. A report whose tables hold more than
``PDF_JOB_ROWS`` rows (about 2 s of rendering, the council issue's PDF target) is therefore
rendered by a job: the download button becomes "prepare the PDF", which leads to the job's
page, where the file appears. DOCX and HTML stay immediate (1.4 s and 0.4 s at 1,209 rows).

The task opens the report through the same doors as the download (``get_report_for_managing``
for the draft, ``get_release_for_user`` for a version) with the owner's rights as they are when
it runs; a released version is rendered from its stored snapshot (``frozen``, D-037), so the
file is byte for byte the one the immediate download gives. Report downloads are not audit
events (no personal data), and neither is the job.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from kim.core.jobs import JobRun, job_task, owner_context
from kim.council.access import get_release_for_user, get_report_for_managing
from kim.council.document import ReportDocument
from kim.council.render import file_name, render
from kim.council.report import compose, frozen

PDF_JOB_ROWS = 150


def pdf_in_background(doc: ReportDocument) -> bool:
    """Whether the PDF of ``doc`` is rendered by a job rather than while the user waits."""
    return doc.table_rows > PDF_JOB_ROWS


@job_task
def render_report_pdf(run: JobRun, report_code: str, number: int | None) -> None:
    """The draft (``number`` None, composed now) or version ``number`` (its snapshot) as PDF."""
    ctx = owner_context(run)
    run.progress(0, 2)
    if number is None:
        doc, suffix = compose(get_report_for_managing(ctx, report_code)), "Entwurf"
    else:
        doc, suffix = frozen(get_release_for_user(ctx, report_code, number)), f"Version-{number}"
    run.progress(1)
    content, content_type, extension = render(doc, "pdf")
    run.attach(content, file_name(doc.reference, suffix, extension), content_type)
    run.finish(_("The PDF of the report is ready."))
