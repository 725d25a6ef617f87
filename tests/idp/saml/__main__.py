"""Run the test SAML 2.0 IdP: ``python -m tests.idp.saml`` (pysaml2's ``saml2.server.Server``).

A small WSGI app: ``/sso/redirect`` takes the AuthnRequest (HTTP-Redirect binding) and shows a
login form; ``/login`` checks the password against users.json and answers with a signed
Response (HTTP-POST binding) carrying uid, givenName, sn, mail, groups and the user's
AuthnContextClassRef. KIM's SP metadata is fetched from ``IDP_SP_METADATA_URL`` at the first
request (KIM's live server serves it) and kept as a file. Started by
``tests.idp.saml.server.SamlIdp``.
"""

from __future__ import annotations

import html
import os
import secrets
import urllib.request
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, saml, xmldsig
from saml2.config import IdPConfig
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_UNSPECIFIED
from saml2.server import Server

from tests.idp.common import read_users

FOLDER = Path(os.environ["IDP_FOLDER"])
URL = f"http://127.0.0.1:{os.environ['IDP_PORT']}"
PENDING: dict[str, dict[str, Any]] = {}  # login form key → the AuthnRequest's data
_server: list[Server] = []

FORM = """<!doctype html>
<html lang="de"><head><meta charset="utf-8"><title>Amt-Login</title></head>
<body><main><h1>Amt-Login (Test-IdP, SAML)</h1>{error}
<form method="post" action="/login">
<input type="hidden" name="key" value="{key}">
<label for="u">Benutzername</label> <input id="u" name="username">
<label for="p">Kennwort</label> <input id="p" name="password" type="password">
<button type="submit">Weiter</button>
</form></main></body></html>"""


def idp() -> Server:
    if not _server:
        sp_metadata = FOLDER / "sp-metadata.xml"
        with urllib.request.urlopen(os.environ["IDP_SP_METADATA_URL"], timeout=10) as answer:  # noqa: S310
            sp_metadata.write_bytes(answer.read())
        config = IdPConfig()
        config.load(
            {
                "entityid": f"{URL}/metadata",
                "service": {
                    "idp": {
                        "name": "Amt-Login",
                        "endpoints": {
                            "single_sign_on_service": [
                                (f"{URL}/sso/redirect", BINDING_HTTP_REDIRECT)
                            ]
                        },
                        "policy": {
                            "default": {
                                "lifetime": {"minutes": 15},
                                "attribute_restrictions": None,
                                "name_form": NAME_FORMAT_URI,
                            }
                        },
                        "want_authn_requests_signed": False,
                    }
                },
                "key_file": str(FOLDER / "idp.key"),
                "cert_file": str(FOLDER / "idp.crt"),
                "metadata": {"local": [str(sp_metadata)]},
                "xmlsec_binary": "/usr/bin/xmlsec1",
                "delete_tmpfiles": True,
            }
        )
        _server.append(Server(config=config))
    return _server[0]


def sso(environ: dict[str, Any]) -> tuple[str, str]:
    query = parse_qs(environ.get("QUERY_STRING", ""))
    request = idp().parse_authn_request(query["SAMLRequest"][0], BINDING_HTTP_REDIRECT)
    key = secrets.token_urlsafe(16)
    PENDING[key] = {
        "id": request.message.id,
        "sp": request.message.issuer.text,
        "acs": request.message.assertion_consumer_service_url,
        "relay_state": query.get("RelayState", [""])[0],
    }
    return "200 OK", FORM.format(key=key, error="")


def login(environ: dict[str, Any]) -> tuple[str, str]:
    size = int(environ.get("CONTENT_LENGTH") or 0)
    form = {k: v[0] for k, v in parse_qs(environ["wsgi.input"].read(size).decode()).items()}
    pending = PENDING.get(form.get("key", ""))
    if pending is None:
        return "400 Bad Request", "unknown login"
    name = form.get("username", "")
    user = read_users(FOLDER).get(name)
    if user is None or user["password"] != form.get("password"):
        error = '<p role="alert">Benutzername oder Passwort falsch.</p>'
        return "200 OK", FORM.format(key=html.escape(form["key"]), error=error)
    del PENDING[form["key"]]
    identity = {
        "uid": [name],
        "givenName": [user["given_name"]],
        "sn": [user["family_name"]],
        "mail": [user["email"]],
        "groups": list(user["groups"]),
    }
    response = idp().create_authn_response(
        identity,
        in_response_to=pending["id"],
        destination=pending["acs"],
        sp_entity_id=pending["sp"],
        name_id=saml.NameID(format=NAMEID_FORMAT_UNSPECIFIED, text=name),
        authn={"class_ref": user["authn_context"], "authn_auth": f"{URL}/metadata"},
        sign_response=True,
        sign_assertion=True,
        sign_alg=xmldsig.SIG_RSA_SHA256,
        digest_alg=xmldsig.DIGEST_SHA256,
    )
    http_args = idp().apply_binding(
        BINDING_HTTP_POST, str(response), pending["acs"], pending["relay_state"], response=True
    )
    return "200 OK", http_args["data"]


def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    path = environ["PATH_INFO"]
    if path == "/sso/redirect":
        status, body = sso(environ)
    elif path == "/login" and environ["REQUEST_METHOD"] == "POST":
        status, body = login(environ)
    else:
        status, body = "404 Not Found", "not found"
    start_response(status, [("Content-Type", "text/html; charset=utf-8")])
    return [body.encode()]


class ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


if __name__ == "__main__":
    make_server(
        "127.0.0.1",
        int(os.environ["IDP_PORT"]),
        app,
        server_class=ThreadingServer,
        handler_class=QuietHandler,
    ).serve_forever()
