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


PROD = {"KIM_ENV": "production", "ALLOWED_HOSTS": "kim.example.org", "SECRET_KEY": GOOD_KEY}


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
    result = run_kim("check", KIM_ENV="production", SECRET_KEY=GOOD_KEY)
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
