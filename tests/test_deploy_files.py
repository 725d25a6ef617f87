"""The deployment files in deploy/ are valid and agree with the application: nginx accepts the
site, systemd the units, the environment example names every setting without holding a
secret, nginx's upload limit covers the application's, and the backup wrapper prunes only
what it wrote (docs/operations.md)."""

from __future__ import annotations

import ast
import datetime as dt
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
# Variables the units and deploy/kim-backup read (not the application).
UNIT_VARIABLES = {"KIM_BIND", "KIM_WEB_WORKERS", "KIM_BACKUP_ROOT", "KIM_BACKUP_KEEP_DAYS"}
SECRETS = {
    "SECRET_KEY",
    "KIM_FIELD_KEYS",
    "KIM_SEARCH_KEY",
    "DATABASE_URL",
    "EMAIL_HOST_PASSWORD",
    "KIM_METRICS_TOKEN",
    "KIM_S3_SECRET_ACCESS_KEY",
}


def settings_variables() -> set[str]:
    """Every variable kim/settings.py reads: the first argument of each env_*() call, and
    KIM_VAR_DIR (read from os.environ directly)."""
    tree = ast.parse((ROOT / "kim" / "settings.py").read_text(encoding="utf-8"))
    names = {"KIM_VAR_DIR"}
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id.startswith("env_")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names.add(node.args[0].value)
    return names


def example_assignments() -> dict[str, str]:
    """NAME → value of every line `NAME=value` or `#NAME=value` in kim.env.example."""
    text = (DEPLOY / "kim.env.example").read_text(encoding="utf-8")
    return dict(re.findall(r"^#?([A-Z][A-Z0-9_]*)=(.*)$", text, flags=re.MULTILINE))


def test_env_example_names_every_setting() -> None:
    shown = {name.removesuffix("_FILE") for name in example_assignments()}
    missing = sorted(settings_variables() - shown)
    assert len(settings_variables()) > 30
    assert missing == [], f"add to deploy/kim.env.example: {missing}"
    assert shown >= UNIT_VARIABLES


def test_env_example_holds_no_secret() -> None:
    assignments = example_assignments()
    inline = sorted(SECRETS & set(assignments))
    assert inline == [], f"secrets belong in files (<NAME>_FILE): {inline}"
    assert {"SECRET_KEY_FILE", "KIM_FIELD_KEYS_FILE", "KIM_SEARCH_KEY_FILE"} <= set(assignments)
    assert assignments["KIM_ENV"] == "production"
    for value in assignments.values():  # nothing that looks like a key or a password
        assert not re.fullmatch(r"[A-Za-z0-9_\-]{43}=", value), value
        assert "://" not in value or "@" not in value, value


def test_nginx_takes_the_largest_upload_the_application_accepts() -> None:
    from kim.core.uploads import MAX_BYTES as DOCUMENT_BYTES
    from kim.organisations.forms import MAX_UPLOAD_BYTES as POPULATION_BYTES
    from kim.screening.imports import MAX_BYTES as SCREENING_BYTES

    conf = (DEPLOY / "nginx" / "kim.conf").read_text(encoding="utf-8")
    sizes = re.findall(r"^\s*client_max_body_size (\d+)m;", conf, flags=re.MULTILINE)
    assert len(sizes) == 1
    nginx_bytes = int(sizes[0]) * 1024 * 1024
    largest = max(DOCUMENT_BYTES, POPULATION_BYTES, SCREENING_BYTES)
    assert largest == SCREENING_BYTES == 20 * 1024 * 1024
    # Room for the multipart envelope, but not an open door.
    assert largest + 1024 * 1024 <= nginx_bytes <= 2 * largest


def _self_signed(directory: Path) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kim.kreis-beispiel.de")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    (directory / "fullchain.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (directory / "privkey.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


def nginx_test(tmp_path: Path, site: str) -> subprocess.CompletedProcess[str]:
    """`nginx -t` of the site inside a minimal main configuration, every path under tmp_path."""
    nginx = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if nginx is None:
        pytest.skip("nginx is not installed (apt-get install nginx-light)")
    for sub in ("certs", "logs", "var/static", "acme", "body"):
        (tmp_path / sub).mkdir(parents=True)
    _self_signed(tmp_path / "certs")
    for original, replacement in (
        ("/etc/ssl/kim/", f"{tmp_path}/certs/"),
        ("/var/log/nginx/", f"{tmp_path}/logs/"),
        ("/var/lib/kim", f"{tmp_path}/var"),
        ("/var/www/acme", f"{tmp_path}/acme"),
    ):
        site = site.replace(original, replacement)
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\n"
        f"error_log {tmp_path}/logs/error.log;\n"
        "events {}\n"
        "http {\n"
        f"    client_body_temp_path {tmp_path}/body;\n"
        f"    include {tmp_path}/site.conf;\n"
        "}\n"
    )
    return subprocess.run(
        [nginx, "-t", "-e", "stderr", "-p", f"{tmp_path}/", "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_nginx_accepts_the_site(tmp_path: Path) -> None:
    site = (DEPLOY / "nginx" / "kim.conf").read_text(encoding="utf-8")
    result = nginx_test(tmp_path, site)
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr
    assert "[warn]" not in result.stderr, result.stderr


def test_nginx_check_catches_a_broken_site(tmp_path: Path) -> None:
    site = (DEPLOY / "nginx" / "kim.conf").read_text(encoding="utf-8")
    result = nginx_test(tmp_path, site.replace("proxy_read_timeout 125s;", "proxy_read_timeout;"))
    assert result.returncode != 0
    assert "invalid number of arguments" in result.stderr


def test_nginx_site_restricts_metrics_and_sets_the_proxy_headers() -> None:
    conf = (DEPLOY / "nginx" / "kim.conf").read_text(encoding="utf-8")
    metrics = conf[conf.index("location = /metrics") :]
    metrics = metrics[: metrics.index("}")]
    assert "allow " in metrics and "deny all;" in metrics
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in conf
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in conf
    assert "return 301 https://$host$request_uri;" in conf
    assert len(re.findall(r"^\s*server \S+:8000", conf, flags=re.MULTILINE)) == 2


def test_systemd_units_verify(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    units = sorted((DEPLOY / "systemd").iterdir())
    assert {u.name for u in units} == {
        "kim-web.service",
        "kim-worker.service",
        "kim-retention.service",
        "kim-retention.timer",
        "kim-backup.service",
        "kim-backup.timer",
    }
    for unit in units:  # the checkout stands in for /opt/kim, so the commands exist
        (tmp_path / unit.name).write_text(unit.read_text().replace("/opt/kim", str(ROOT)))
    result = subprocess.run(
        [analyze, "verify", "--man=no", *sorted(str(p) for p in tmp_path.iterdir())],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "kim" not in result.stderr, result.stderr  # no unknown keys or bad values


def test_units_start_what_the_runbook_says() -> None:
    web = (DEPLOY / "systemd" / "kim-web.service").read_text()
    assert "gunicorn -c python:kim.gunicorn_conf kim.wsgi" in web
    assert "EnvironmentFile=/etc/kim/kim.env" in web
    for hardening in ("NoNewPrivileges=yes", "ProtectSystem=strict", "PrivateTmp=yes"):
        assert hardening in web
    assert "ReadWritePaths=/var/lib/kim" in web
    assert (
        "ExecStart=/opt/kim/.venv/bin/kim worker"
        in (DEPLOY / "systemd" / "kim-worker.service").read_text()
    )
    assert "kim retention run" in (DEPLOY / "systemd" / "kim-retention.service").read_text()
    assert "OnCalendar=*-*-* 02:30:00" in (DEPLOY / "systemd" / "kim-retention.timer").read_text()
    assert (
        "ExecStart=/opt/kim/deploy/kim-backup"
        in (DEPLOY / "systemd" / "kim-backup.service").read_text()
    )


def test_backup_wrapper_writes_verifies_and_prunes_only_its_own_old_backups(
    tmp_path: Path,
) -> None:
    root = tmp_path / "backups"
    root.mkdir()
    calls = tmp_path / "calls"
    fake_kim = tmp_path / "kim"
    fake_kim.write_text(
        "#!/bin/sh\n"
        f'echo "$*" >> {calls}\n'
        'if [ "$2" = create ]; then mkdir -p "$4" && echo m > "$4/manifest.json"; fi\n'
    )
    fake_kim.chmod(0o755)
    old, recent = root / "2020-01-01T011500Z", root / "2099-01-01T011500Z"
    foreign = root / "keep-me"
    for directory in (old, recent, foreign):
        directory.mkdir()
    month_ago = time.time() - 30 * 86400
    for directory in (old, foreign):
        os.utime(directory, (month_ago, month_ago))
    result = subprocess.run(
        [str(DEPLOY / "kim-backup")],
        env={**os.environ, "KIM": str(fake_kim), "KIM_BACKUP_ROOT": str(root)},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    create, verify = calls.read_text().splitlines()
    target = create.split(" --out ")[1]
    assert create.startswith("backup create --out ") and verify == f"backup verify {target}"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d{6}Z", Path(target).name)
    assert sorted(p.name for p in root.iterdir()) == sorted(
        [recent.name, foreign.name, Path(target).name]
    )


def test_backup_wrapper_stops_when_the_backup_fails(tmp_path: Path) -> None:
    failing = tmp_path / "kim"
    failing.write_text("#!/bin/sh\necho 'pg_dump failed' >&2\nexit 1\n")
    failing.chmod(0o755)
    result = subprocess.run(
        [str(DEPLOY / "kim-backup")],
        env={**os.environ, "KIM": str(failing), "KIM_BACKUP_ROOT": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 1 and "pg_dump failed" in result.stderr
    assert "written and verified" not in result.stdout
