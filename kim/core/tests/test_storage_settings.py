"""KIM_STORAGE: the file system by default, S3-compatible storage through django-storages on
request; bad or missing values stop start-up with a message naming the variable. There is no
S3 server here: these tests check what the settings make of the environment, with a stand-in
for django-storages and boto3 where the real packages are not installed (`uv sync --extra s3`).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kim.core.tests.test_settings import run_kim

SHOW = (
    "from django.conf import settings; import json; print(json.dumps(settings.STORAGES['default']))"
)


@pytest.fixture
def s3_packages(tmp_path: Path) -> dict[str, str]:
    """Importable stand-ins for django-storages and boto3 (only their presence is checked)."""
    site = tmp_path / "site"
    for package in ("storages", "storages/backends", "boto3"):
        (site / package).mkdir(parents=True)
        (site / package / "__init__.py").write_text("")
    (site / "storages" / "backends" / "s3.py").write_text("class S3Storage: pass\n")
    return {"PYTHONPATH": str(site)}


def default_storage(**env: str) -> dict[str, object]:
    result = run_kim("shell", "--no-imports", "-c", SHOW, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_the_file_system_is_the_default() -> None:
    assert default_storage() == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_s3_without_django_storages_fails_loudly() -> None:
    result = run_kim("check", KIM_STORAGE="s3", KIM_S3_BUCKET="kim-media")
    if result.returncode == 0:  # django-storages is installed in this environment
        pytest.skip("django-storages is installed (uv sync --extra s3)")
    assert "KIM_STORAGE=s3 needs django-storages with boto3" in result.stderr
    assert "uv sync --extra s3" in result.stderr


def test_s3_needs_a_bucket(s3_packages: dict[str, str]) -> None:
    result = run_kim("check", KIM_STORAGE="s3", **s3_packages)
    assert result.returncode != 0
    assert "KIM_STORAGE=s3 needs KIM_S3_BUCKET" in result.stderr


def test_s3_options_come_from_the_environment(s3_packages: dict[str, str], tmp_path: Path) -> None:
    secret_file = tmp_path / "s3-secret"
    secret_file.write_text("s3cr3t-from-a-file\n")
    storage = default_storage(
        KIM_STORAGE="s3",
        KIM_S3_BUCKET="kim-media",
        KIM_S3_ENDPOINT_URL="https://s3.rz-kommunal.example",
        KIM_S3_REGION="eu-central-1",
        KIM_S3_ADDRESSING_STYLE="path",
        KIM_S3_ACCESS_KEY_ID="KIMACCESS",
        KIM_S3_SECRET_ACCESS_KEY_FILE=str(secret_file),
        **s3_packages,
    )
    assert storage == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": "kim-media",
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
            "endpoint_url": "https://s3.rz-kommunal.example",
            "region_name": "eu-central-1",
            "addressing_style": "path",
            "access_key": "KIMACCESS",
            "secret_key": "s3cr3t-from-a-file",
        },
    }


def test_s3_without_credentials_leaves_them_to_boto3(s3_packages: dict[str, str]) -> None:
    storage = default_storage(KIM_STORAGE="s3", KIM_S3_BUCKET="kim-media", **s3_packages)
    options = storage["OPTIONS"]
    assert isinstance(options, dict)
    assert "access_key" not in options and "secret_key" not in options
    assert "endpoint_url" not in options  # AWS itself


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"KIM_STORAGE": "ftp"}, "KIM_STORAGE must be filesystem or s3, not 'ftp'"),
        (
            {"KIM_STORAGE": "s3", "KIM_S3_BUCKET": "b", "KIM_S3_ENDPOINT_URL": "s3.example"},
            "KIM_S3_ENDPOINT_URL must start with https:// or http://",
        ),
        (
            {"KIM_STORAGE": "s3", "KIM_S3_BUCKET": "b", "KIM_S3_ADDRESSING_STYLE": "dns"},
            "KIM_S3_ADDRESSING_STYLE must be auto, path or virtual",
        ),
        (
            {"KIM_STORAGE": "s3", "KIM_S3_BUCKET": "b", "KIM_S3_ACCESS_KEY_ID": "only-one"},
            "KIM_S3_ACCESS_KEY_ID and KIM_S3_SECRET_ACCESS_KEY go together",
        ),
    ],
)
def test_bad_storage_settings_are_refused(
    s3_packages: dict[str, str], env: dict[str, str], message: str
) -> None:
    result = run_kim("check", **env, **s3_packages)
    assert result.returncode != 0
    assert message in result.stderr
