"""The test OpenID Connect provider as a process (django-oauth-toolkit; no protocol mocks)."""

from __future__ import annotations

from tests.idp.common import IdpProcess

CLIENT_ID = "kim-plattform"
CLIENT_SECRET = "oidc-client-secret-for-tests"  # a throw-away test IdP


class OidcIdp(IdpProcess):
    """``server_url`` for KIM is ``<url>/o`` (discovery at /o/.well-known/openid-configuration)."""

    module = "tests.idp.oidc"

    def __init__(self, folder, redirect_uris: list[str]) -> None:  # type: ignore[no-untyped-def]
        super().__init__(folder)
        self.redirect_uris = redirect_uris
        self.server_url = f"{self.url}/o"

    def environment(self) -> dict[str, str]:
        return {
            "IDP_CLIENT_ID": CLIENT_ID,
            "IDP_CLIENT_SECRET": CLIENT_SECRET,
            "IDP_REDIRECT_URIS": " ".join(self.redirect_uris),
        }
