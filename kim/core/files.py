"""Stored documents: written through ``save_file`` (a refusing storage is a form error, not a
half-saved row); served only after the caller's access check, never cached."""

from __future__ import annotations

import contextlib
import logging

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy

logger = logging.getLogger("kim.files")


def file_response(
    stored: FieldFile, *, filename: str, content_type: str, as_attachment: bool = True
) -> FileResponse:
    """The file as a download (or inline), 404 if it has gone missing from the storage."""
    try:
        handle = stored.open("rb")
    except FileNotFoundError as exc:
        raise Http404("File missing") from exc
    response = FileResponse(
        handle, as_attachment=as_attachment, filename=filename, content_type=content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response


def bytes_response(data: bytes, *, filename: str, content_type: str) -> HttpResponse:
    """Generated or decrypted bytes as a download (the file name safely encoded), never cached."""
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=True, filename=filename) or "attachment"
    )
    response["Cache-Control"] = "private, no-store"
    return response


# Where an action puts the storage's refusal: ``add_action_errors`` shows it next to the form's
# file field, whatever that field is called (file, signed_form, document, upload).
FILE_FIELD = "__file__"
STORAGE_REFUSED = gettext_lazy(
    "The file could not be stored: the file storage is full or not writable. Nothing was "
    "saved. Please try again later; if this persists, tell your IT."
)


def save_file(stored: FieldFile, name: str, data: bytes) -> None:
    """Write ``data`` to the storage as ``stored``'s file, before its row is saved (issue 16).

    The caller saves the row afterwards in the same transaction. When the storage refuses
    the file (disk full, read-only, gone: an ``OSError``), a partly written file is removed
    and a ``ValidationError`` for the form's file field is raised, so that the action's
    transaction rolls back: no row without its file, and a German message next to the field
    instead of an error page. (A row that fails after its file was written leaves a file
    without a row – encrypted, unreachable, harmless.)"""
    target = stored.field.generate_filename(stored.instance, name)
    try:
        stored.save(name, ContentFile(data), save=False)
    except OSError as exc:
        logger.error(
            "The file storage refused a file (%s, errno %s)", type(exc).__name__, exc.errno
        )
        with contextlib.suppress(OSError):
            if stored.storage.exists(target):
                stored.storage.delete(target)
        refusal = ValidationError(STORAGE_REFUSED, code="storage")
        raise ValidationError({FILE_FIELD: refusal}) from exc
