"""Screening an uploaded list as a background job (``kim/core/jobs.py``), run by ``kim worker``.

1. ``start_screening`` (after the upload, or from the list page's button) locks the list row
   and starts the job ``screen_list`` – unless the list is done or failed, or a job for it is
   already queued or running: one job per list (``Job.kind`` + ``Job.subject`` = the list's
   code).
2. ``screen_list`` screens chunk after chunk with ``screen_next_chunk``: each chunk is one
   transaction that stores the results of its persons together with the list's new
   ``screened`` count, under the list's row lock. A job whose worker died is run again from
   the start and simply continues at the stored ``screened``: no person is screened twice or
   skipped, and ``SCREENING_LIST_SCREENED`` is written once, with the last chunk.
3. Before every chunk the task asks the access door again with the rights the job's owner has
   now (``JobRun.owner_context``): an officer who lost the role or left the authority, or a list
   deleted meanwhile, ends the job with a German message.
4. A chunk with invalid data marks the list as failed with its message (as before); the job
   fails too and points to the list page.
"""

from __future__ import annotations

from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from kim.core.jobs import JobError, JobRun, active_job, job_task, start_job
from kim.core.models import Actor, Job
from kim.screening.access import get_list_for_user
from kim.screening.actions.lists import CHUNK_SIZE, screen_next_chunk
from kim.screening.models import ListStatus, ScreeningList

KIND = "screening.list"


def list_url(screening_list: ScreeningList) -> str:
    return reverse("screening:list_detail", args=[screening_list.code])


def screening_job(screening_list: ScreeningList) -> Job | None:
    """The queued or running screening job of the list, if any."""
    return active_job(KIND, screening_list.code)


@transaction.atomic
def start_screening(screening_list: ScreeningList, *, acting_user: Actor) -> Job | None:
    """Start screening the list in the background (step 1 of the module doc); return its job,
    or None when there is nothing left to screen."""
    current = ScreeningList.objects.select_for_update().get(pk=screening_list.pk)
    if current.status in (ListStatus.DONE, ListStatus.FAILED):
        return None
    return start_job(
        screen_list,
        kind=KIND,
        subject=current.code,
        title=_("Screening of the list “%(title)s”") % {"title": current.title},
        owner=acting_user,
        args=[current.code],
        total=current.total,
        result_url=list_url(current),
    )


def _list_for_owner(run: JobRun, code: str) -> ScreeningList:
    """The list through the access door, with the owner's rights of this moment (step 3)."""
    try:
        return get_list_for_user(run.owner_context(), code)
    except Http404:
        raise JobError(
            _("The list no longer exists, or you no longer have access to it.")
        ) from None


@job_task
def screen_list(run: JobRun, code: str, chunk_size: int = CHUNK_SIZE) -> None:
    """Screen the list ``code`` chunk by chunk (steps 2–4 of the module doc)."""
    while True:
        screening_list = _list_for_owner(run, code)
        run.progress(screening_list.screened, screening_list.total)
        if screening_list.status == ListStatus.DONE:
            run.finish(_("The list has been screened."), url=list_url(screening_list))
            return
        if screening_list.status == ListStatus.FAILED:
            raise JobError(_("The screening of this list failed; the list page says why."))
        screen_next_chunk(
            screening_list,
            acting_user=run.owner,
            size=chunk_size,
            expected_screened=screening_list.screened,
        )
