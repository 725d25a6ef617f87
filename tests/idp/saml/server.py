"""The test SAML 2.0 IdP as a process (pysaml2; no protocol mocks)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.idp.common import IdpProcess


class SamlIdp(IdpProcess):
    """Its key pair is made with ``openssl`` here, before the start; KIM trusts ``cert``."""

    module = "tests.idp.saml"

    def __init__(self, folder: Path, sp_metadata_url: str) -> None:
        super().__init__(folder)
        self.sp_metadata_url = sp_metadata_url
        self.entity_id = f"{self.url}/metadata"
        self.sso_url = f"{self.url}/sso/redirect"
        self.cert = folder / "idp.crt"
        subprocess.run(
            [
                "/usr/bin/openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=Amt-Login Test-IdP",
                "-keyout",
                str(folder / "idp.key"),
                "-out",
                str(self.cert),
            ],
            check=True,
            capture_output=True,
        )

    def environment(self) -> dict[str, str]:
        return {"IDP_SP_METADATA_URL": self.sp_metadata_url}

    def certificate(self) -> str:
        """The PEM body without the BEGIN/END lines, as python3-saml takes it."""
        lines = self.cert.read_text(encoding="ascii").strip().splitlines()
        return "".join(line for line in lines if not line.startswith("-----"))
