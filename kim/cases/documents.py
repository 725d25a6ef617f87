"""Case documents and signed consent forms: checked on upload, encrypted at rest, served only
after an access check.

The bytes are encrypted with the field keys (``kim.core.crypto``) before they reach the storage,
so a copy of the media folder reveals nothing; ``kim rotate_field_keys`` does not re-encrypt
files (D-040). The stored name is random (``<code>.bin``), outside the web root.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.http import Http404, HttpResponse

from kim.core.crypto import decrypt_bytes, encrypt_bytes
from kim.core.files import bytes_response, save_file
from kim.core.models import StoredDocument
from kim.core.uploads import CheckedFile


def store_document(
    document: StoredDocument, checked: CheckedFile, *, uploaded_by: User | None
) -> None:
    """Fill in the checked file's facts and save the encrypted file and the row (in an action)."""
    document.original_name, document.content_type = checked.name, checked.content_type
    document.size, document.sha256, document.uploaded_by = (
        checked.size,
        checked.sha256,
        uploaded_by,
    )
    token = encrypt_bytes(checked.data)
    save_file(document.file, f"{document.code}.bin", token)  # a refusal: ValidationError
    document.save()


def document_bytes(document: StoredDocument) -> bytes:
    with document.file.open("rb") as handle:
        return decrypt_bytes(handle.read())


def document_response(document: StoredDocument) -> HttpResponse:
    """The decrypted document as a download; never cached. 404 when the file is gone."""
    try:
        data = document_bytes(document)
    except FileNotFoundError as exc:
        raise Http404("File missing") from exc
    return bytes_response(data, filename=document.original_name, content_type=document.content_type)
