"""``/favicon.ico`` answers with the platform's icon (decisions D-054), not with a 404.

Pages built on ``base.html`` link the SVG icon; browsers still ask for ``/favicon.ico`` on the
admin site, the API and downloaded files. The redirect goes to the static file, whose URL
carries a hash in production, so it is a temporary one.
"""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders
from django.test import Client


def test_favicon_redirects_to_the_static_icon(client: Client) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/kim/favicon.ico"
    path = finders.find("kim/favicon.ico")
    assert isinstance(path, str)
    with open(path, "rb") as icon:
        assert icon.read(4) == b"\x00\x00\x01\x00"  # an ICO file


@pytest.mark.django_db  # the login page lists the identity providers configured in the admin
def test_pages_link_the_svg_icon(client: Client) -> None:
    page = client.get("/konto/login/").content.decode()
    assert '<link rel="icon" href="/static/kim/favicon.svg" type="image/svg+xml">' in page
    assert finders.find("kim/favicon.svg")
