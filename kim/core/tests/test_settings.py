"""Production settings refuse unsafe configurations; `check --deploy` is clean with a proper one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
GOOD_KEY = "p8Zx!f3kL0qR7vN2mW9sT4yB6hJ1cD5gE8aU0iO3pK7lM2nQ9rS4tV6wX1zY5"


def run_kim(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(
            ("KIM_", "SECRET_KEY", "DEBUG", "DATABASE_URL", "ALLOWED_HOSTS", "DJANGO_")
        )
    }
    base.update(env)
    return subprocess.run(
        [sys.executable, "-m", "kim", *args],
        cwd=ROOT,
        env=base,
        capture_output=True,
        text=True,
        timeout=60,
    )


# Fixed test keys (32 bytes, URL-safe base64), as printed by `kim generate_field_key`.
FIELD_KEY = "yXlUw1ylJgWzC_5e3c9wvNfXhVvY2fA3eU0pWb7r8Ok="
OLD_FIELD_KEY = "3hJ9r0c0pX7mV2bQk8nT5sY1wZ4aD6fG9hL2jN5qR8s="
SEARCH_KEY = "Q2h8s7d6f5g4h3j2k1l0z9x8c7v6b5n4m3q2w1e0r9t="
PROD = {
    "KIM_ENV": "production",
    "ALLOWED_HOSTS": "kim.example.org",
    "SECRET_KEY": GOOD_KEY,
    "KIM_FIELD_KEYS": FIELD_KEY,
    "KIM_SEARCH_KEY": SEARCH_KEY,
}


def test_production_refuses_a_missing_secret() -> None:
    result = run_kim("check", KIM_ENV="production", ALLOWED_HOSTS="kim.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY (or SECRET_KEY_FILE) is required" in result.stderr


@pytest.mark.parametrize(
    "key",
    [
        "kim-development-secret-key-do-not-use-in-production",
        "django-insecure-abc" + "x" * 50,
        "short",
    ],
)
def test_production_refuses_a_development_secret(key: str) -> None:
    result = run_kim("check", **{**PROD, "SECRET_KEY": key})
    assert result.returncode != 0
    assert "development key or shorter than 50" in result.stderr


def test_production_refuses_debug() -> None:
    result = run_kim("check", **PROD, DEBUG="true")
    assert result.returncode != 0
    assert "DEBUG must be off in production" in result.stderr


def test_production_needs_allowed_hosts() -> None:
    result = run_kim("check", **{k: v for k, v in PROD.items() if k != "ALLOWED_HOSTS"})
    assert result.returncode != 0 and "ALLOWED_HOSTS is required" in result.stderr


def test_secret_key_file_is_read(tmp_path: Path) -> None:
    key_file = tmp_path / "secret"
    key_file.write_text(GOOD_KEY + "\n")
    env = {**PROD, "SECRET_KEY_FILE": str(key_file)}
    del env["SECRET_KEY"]
    assert run_kim("check", **env).returncode == 0


def test_check_deploy_is_clean_in_production() -> None:
    result = run_kim("check", "--deploy", "--fail-level", "WARNING", **PROD)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_invalid_environment_name_is_refused() -> None:
    result = run_kim("check", KIM_ENV="staging")
    assert result.returncode != 0 and "KIM_ENV must be one of" in result.stderr


def test_demo_refuses_to_run_in_production() -> None:
    result = run_kim("demo", "--no-serve", **PROD)
    assert result.returncode != 0
    assert "refuses to run with KIM_ENV=production" in result.stderr


@pytest.mark.parametrize("name", ["KIM_FIELD_KEYS", "KIM_SEARCH_KEY"])
def test_production_refuses_to_start_without_encryption_keys(name: str) -> None:
    env = {k: v for k, v in PROD.items() if k != name}
    result = run_kim("check", **env)
    assert result.returncode != 0
    assert f"{name} (or {name}_FILE) is required in production" in result.stderr


@pytest.mark.parametrize("value", ["too-short", FIELD_KEY + ",not-base64!", "ä" * 44])
def test_malformed_field_keys_are_refused_in_every_environment(value: str) -> None:
    result = run_kim("check", KIM_FIELD_KEYS=value)
    assert result.returncode != 0
    assert "is not 32 bytes of URL-safe base64" in result.stderr


def test_production_refuses_a_search_key_that_is_also_a_field_key() -> None:
    result = run_kim("check", **{**PROD, "KIM_SEARCH_KEY": FIELD_KEY})
    assert result.returncode != 0
    assert "KIM_SEARCH_KEY must differ" in result.stderr


def test_field_keys_file_is_read(tmp_path: Path) -> None:
    key_file = tmp_path / "field-keys"
    key_file.write_text(f"{FIELD_KEY}\n{OLD_FIELD_KEY}\n")
    env = {k: v for k, v in PROD.items() if k != "KIM_FIELD_KEYS"}
    result = run_kim(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.KIM_FIELD_KEYS)",
        **env,
        KIM_FIELD_KEYS_FILE=str(key_file),
    )
    assert result.returncode == 0, result.stderr
    assert f"['{FIELD_KEY}', '{OLD_FIELD_KEY}']" in result.stdout


@pytest.mark.parametrize(
    ("name", "value"),
    [("KIM_TASK_STALE_SECONDS", "0"), ("KIM_JOB_RETENTION_DAYS", "0"), ("KIM_TASK_BACKEND", "x")],
)
def test_task_settings_refuse_bad_values(name: str, value: str) -> None:
    result = run_kim("check", **{name: value})
    assert result.returncode != 0 and name in result.stderr
