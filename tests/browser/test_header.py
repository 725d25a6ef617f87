"""The page header stays one row, and the site has a favicon (decisions D-054).

``admin`` has the most menu items (eight). At 1280 px – a laptop, the browser size of all
browser tests – the brand, every menu item and the tools (language switch, user name, sign
out) share one row: the tools never drop below the menu, and the menu does not wrap.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _box(page: Page, selector: str) -> dict[str, float]:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return box


def _bottom(box: dict[str, float]) -> float:
    return box["y"] + box["height"]


def test_header_is_one_row_for_the_longest_menu(
    page: Page, log_in: Callable[[str], None], check_page: Callable[[str], None]
) -> None:
    counts = {}
    for persona in ("koordination", "admin"):
        log_in(persona)
        check_page(f"header-{persona}")
        page.screenshot(path=SCREENSHOTS / f"header-{persona}-top.png", clip=_box(page, "header"))
        counts[persona] = page.locator(".kim-nav li").count()
        brand, nav, tools = (
            _box(page, sel) for sel in (".kim-brand", ".kim-nav", ".kim-header__tools")
        )
        # One row: brand | menu | tools side by side, each overlapping the others vertically.
        assert brand["x"] + brand["width"] <= nav["x"]
        assert nav["x"] + nav["width"] <= tools["x"]
        for one, other in ((brand, nav), (nav, tools), (brand, tools)):
            assert one["y"] < _bottom(other) and other["y"] < _bottom(one), persona
        # The menu itself is one line: every item starts at the same height.
        tops = {round(item.bounding_box()["y"]) for item in page.locator(".kim-nav li").all()}
        assert len(tops) == 1, f"{persona}: menu wraps onto {len(tops)} lines"
        assert _box(page, "header")["height"] < 100, persona
        page.get_by_role("button", name="Abmelden").click()
    assert counts["admin"] == max(counts.values()) and counts["admin"] >= 8


@pytest.mark.parametrize("persona", ["cm-siegen", "teamlead-siegen", "traeger", "abh", "rat"])
def test_menus_with_the_service_network_link_stay_on_one_line(
    page: Page, log_in: Callable[[str], None], persona: str
) -> None:
    """The directory's menu link (D-090) goes to the menus that have room: one line still."""
    log_in(persona)
    page.screenshot(path=SCREENSHOTS / f"header-{persona}-network.png", clip=_box(page, "header"))
    assert page.locator(".kim-nav").get_by_role("link", name="Hilfenetz").count() == 1
    tops = {round(item.bounding_box()["y"]) for item in page.locator(".kim-nav li").all()}
    assert len(tops) == 1, f"{persona}: menu wraps onto {len(tops)} lines"
    assert _box(page, "header")["height"] < 100, persona


def test_favicon(page: Page, server: str) -> None:
    response = page.request.get(f"{server}/favicon.ico")
    assert response.ok and response.headers["content-type"] in (
        "image/x-icon",
        "image/vnd.microsoft.icon",
    )
    assert response.body()[:4] == b"\x00\x00\x01\x00"  # an ICO file
    page.goto(f"{server}/konto/login/")
    href = page.locator('link[rel="icon"]').first.get_attribute("href")
    assert href is not None
    icon = page.request.get(f"{server}{href}")
    assert icon.ok and icon.headers["content-type"].startswith("image/svg+xml")
