"""A file storage that refuses to write (issue 16, D-078): full, read-only or broken.

An upload is then refused with a German message next to the file field; the action's
transaction rolls back, so there is no database row (and no audit event) without its file,
and no partly written file stays behind. The "full" and "read-only" cases use a real small
tmpfs (mounting needs root); the "broken" case – the media folder is a plain file – needs
nothing and runs everywhere.
"""

from __future__ import annotations

import errno
import html
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from kim.audit.models import AuditEvent, EventType
from kim.cases.actions import lifecycle as lc
from kim.cases.models import Case, CaseDocument
from kim.cases.tests.test_lifecycle import REFERRED
from kim.core.files import STORAGE_REFUSED

pytestmark = pytest.mark.django_db

MOUNT = shutil.which("mount")
PDF = b"%PDF-1.4\n" + b"x" * 4096 + b"\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def _german(text: object) -> str:
    with translation.override("de"):
        return html.escape(translation.gettext(str(text)))


@pytest.fixture
def case(make_case: Callable[..., Case]) -> Case:
    case = make_case("cm-siegen", referred_on=REFERRED)
    lc.assign_case(case, acting_user=case.responsible, responsible=case.responsible, deputies=[])
    return case


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def _upload(case: Case, login_as: Callable[[str], Client]) -> str:
    """Upload a PDF to the case as its case manager; the page must show the form again."""
    response = login_as("cm-siegen").post(
        f"/fallmanagement/faelle/{case.code}/dokumente/neu/",
        {"doc_type": "notice", "file": SimpleUploadedFile("bescheid.pdf", PDF, "application/pdf")},
        HTTP_ACCEPT_LANGUAGE="de",
    )
    assert response.status_code == 200
    errors = response.context["form"].errors.as_data()
    assert [e.code for e in errors["file"]] == ["storage"]  # next to the file field
    return response.content.decode()


def _nothing_stored(case: Case) -> None:
    assert not CaseDocument.objects.filter(case=case).exists()
    assert not AuditEvent.objects.filter(
        event_type=EventType.CASE_DOCUMENT_ATTACHED, extra__case=case.code
    ).exists()


def test_a_broken_media_folder_refuses_the_upload_with_a_german_message(
    case: Case, login_as: Callable[[str], Client], settings: object, tmp_path: Path
) -> None:
    blocker = tmp_path / "media"
    blocker.write_text("a file where the media folder should be")
    settings.MEDIA_ROOT = blocker  # type: ignore[attr-defined]

    body = _upload(case, login_as)

    assert _german(STORAGE_REFUSED) in body and 'id="id_file_error"' in body
    _nothing_stored(case)
    # The same upload succeeds once the storage is writable again.
    settings.MEDIA_ROOT = tmp_path / "fixed"  # type: ignore[attr-defined]
    response = login_as("cm-siegen").post(
        f"/fallmanagement/faelle/{case.code}/dokumente/neu/",
        {"doc_type": "notice", "file": SimpleUploadedFile("bescheid.pdf", PDF, "application/pdf")},
    )
    assert response.status_code == 302
    (document,) = CaseDocument.objects.filter(case=case)
    assert _files(tmp_path / "fixed") == [tmp_path / "fixed" / document.file.name]


def _mount_tmpfs(target: Path, size: str) -> str | None:
    """Mount a small tmpfs on ``target``; the reason when that is not possible here."""
    if os.geteuid() != 0 or MOUNT is None:
        return "mounting a tmpfs needs root (the broken-folder test covers the rest)"
    target.mkdir()
    done = subprocess.run(
        [MOUNT, "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(target)],
        capture_output=True,
        text=True,
        check=False,
    )
    return None if done.returncode == 0 else f"mount refused: {done.stderr.strip()}"


@pytest.fixture
def small_volume(tmp_path: Path, settings: object) -> Iterator[Path]:
    """A 256 KB tmpfs as MEDIA_ROOT, unmounted afterwards."""
    target = tmp_path / "volume"
    reason = _mount_tmpfs(target, "256k")
    if reason:
        pytest.skip(reason)
    settings.MEDIA_ROOT = target  # type: ignore[attr-defined]
    try:
        yield target
    finally:
        subprocess.run([shutil.which("umount") or "/bin/umount", "-l", str(target)], check=False)


def test_a_full_volume_refuses_the_upload_and_leaves_no_partial_file(
    case: Case, login_as: Callable[[str], Client], small_volume: Path
) -> None:
    filler = small_volume / "filler"
    with filler.open("wb", buffering=0) as handle, pytest.raises(OSError) as full:
        while True:
            handle.write(b"\0" * 4096)
    assert full.value.errno == errno.ENOSPC
    body = _upload(case, login_as)

    assert _german(STORAGE_REFUSED) in body
    _nothing_stored(case)
    assert _files(small_volume) == [filler]  # the partly written document was removed


def test_a_read_only_volume_refuses_the_upload(
    case: Case, login_as: Callable[[str], Client], small_volume: Path
) -> None:
    remount = subprocess.run(
        [str(MOUNT), "-o", "remount,ro", str(small_volume)], capture_output=True, check=False
    )
    assert remount.returncode == 0, remount.stderr

    body = _upload(case, login_as)

    assert _german(STORAGE_REFUSED) in body
    _nothing_stored(case)
    assert _files(small_volume) == []
