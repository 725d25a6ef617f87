"""Checking uploaded documents: allowed types by content (not only by name) and size."""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass
from io import BytesIO

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

MAX_BYTES = 10 * 1024 * 1024
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
PDF = "application/pdf"
EXTENSIONS = {".pdf": PDF, ".docx": DOCX, ".odt": ODT}


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content_type: str
    size: int
    sha256: str
    data: bytes


def _sniff(data: bytes) -> str | None:
    """The real type from the bytes: PDF magic, or a ZIP with the markers of DOCX / ODT."""
    if data.startswith(b"%PDF-"):
        return PDF
    if not data.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "word/document.xml" in names:
                return DOCX
            if "mimetype" in names and archive.read("mimetype").strip() == ODT.encode():
                return ODT
    except zipfile.BadZipFile:
        return None
    return None


def check_document(upload: UploadedFile) -> CheckedFile:
    """Accept PDF, DOCX or ODT up to 10 MB whose content matches its name; else a German error."""
    name = (upload.name or "").rsplit("/", 1)[-1][:200]
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in EXTENSIONS:
        raise ValidationError(_("Please upload a PDF, DOCX or ODT file."), code="type")
    if upload.size is None or upload.size > MAX_BYTES:
        raise ValidationError(_("The file is larger than 10 MB."), code="size")
    data = upload.read()
    if not data:
        raise ValidationError(_("The file is empty."), code="empty")
    if _sniff(data) != EXTENSIONS[extension]:
        raise ValidationError(
            _("The content of the file does not match its type %(ext)s.") % {"ext": extension},
            code="content",
        )
    return CheckedFile(
        name, EXTENSIONS[extension], len(data), hashlib.sha256(data).hexdigest(), data
    )
