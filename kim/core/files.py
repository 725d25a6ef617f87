"""Serving stored documents: only after the caller's access check, never cached."""

from __future__ import annotations

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404


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
