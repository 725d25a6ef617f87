"""Shared pieces of the test identity providers (tests/idp/oidc, tests/idp/saml).

Each IdP runs as a separate process on a free loopback port, with its own folder for keys,
database and a ``users.json`` – the IdP's "directory": password, names, groups and the
authentication methods it reports per user. Tests change a user's groups by rewriting that
file (``IdpProcess.set_user``); the IdP reads it at every login.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"  # KIM's live server runs on "localhost": separate cookies, as in real life

# The IdP's people. amr (OIDC) / authn_context (SAML): what the IdP says about how they signed in.
USERS: dict[str, dict[str, Any]] = {
    "anna": {
        "password": "anna-idp-2026",
        "given_name": "Anna",
        "family_name": "Becker",
        "email": "anna@kreis-si.example",
        "groups": ["kim-cm-siegen"],
        "amr": ["pwd"],
        "authn_context": "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",
    },
    "bernd": {
        "password": "bernd-idp-2026",
        "given_name": "Bernd",
        "family_name": "Schäfer",
        "email": "bernd@kreis-si.example",
        "groups": ["kim-cm-siegen"],
        "amr": ["pwd", "otp"],
        "authn_context": "urn:oasis:names:tc:SAML:2.0:ac:classes:TimeSyncToken",
    },
    "carla": {
        "password": "carla-idp-2026",
        "given_name": "Carla",
        "family_name": "Yilmaz",
        "email": "carla@kreis-si.example",
        "groups": ["sachbearbeitung"],
        "amr": ["pwd"],
        "authn_context": "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",
    },
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def read_users(folder: Path) -> dict[str, dict[str, Any]]:
    return json.loads((folder / "users.json").read_text(encoding="utf-8"))


def write_users(folder: Path, users: dict[str, dict[str, Any]]) -> None:
    tmp = folder / "users.json.tmp"
    tmp.write_text(json.dumps(users, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(folder / "users.json")


class IdpProcess:
    """Start ``python -m <module>`` with the folder and port; wait until it listens."""

    module = ""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        folder.mkdir(parents=True, exist_ok=True)
        write_users(folder, USERS)

    def environment(self) -> dict[str, str]:
        return {}

    def start(self) -> IdpProcess:
        env = {**os.environ, "IDP_FOLDER": str(self.folder), "IDP_PORT": str(self.port)}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        env.pop("DATABASE_URL", None)
        env |= self.environment()
        log = (self.folder / "idp.log").open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", self.module], cwd=ROOT, env=env, stdout=log, stderr=log
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.module} exited: {self.log()}")
            try:
                socket.create_connection((HOST, self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.module} did not listen on {self.url}: {self.log()}")

    def log(self) -> str:
        path = self.folder / "idp.log"
        return path.read_text(encoding="utf-8", errors="replace")[-3000:] if path.exists() else ""

    def set_user(self, name: str, **changes: Any) -> None:
        users = read_users(self.folder)
        users[name] |= changes
        write_users(self.folder, users)

    def reset_users(self) -> None:
        write_users(self.folder, USERS)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
            self.process = None
