"""Browser tests: Debian's Chromium (never `playwright install`), the demo world, axe, screenshots."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results"
PASSWORD = "demo"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    executable = shutil.which("chromium")
    if executable is None:
        pytest.skip("Chromium is not installed (apt-get install -y chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": executable,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    # A German browser on a laptop-sized screen: what a Kreis employee has in front of them.
    return {
        **browser_context_args,
        "locale": "de-DE",
        "viewport": {"width": 1280, "height": 900},
    }


@pytest.fixture
def demo_world(transactional_db: None) -> None:
    """Transactional tests flush the database after each test, the session seed included."""
    from kim.home.demo import seed_demo

    seed_demo()


@pytest.fixture
def server(live_server: Any, demo_world: None) -> str:
    return str(live_server.url)


@pytest.fixture(autouse=True)
def _page_timeouts(page: Page) -> None:
    page.set_default_timeout(10_000)
    expect.set_options(timeout=10_000)


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


@pytest.fixture
def check_page(page: Page, axe: Axe) -> Callable[[str], None]:
    """Assert axe finds nothing on the current page and save a full-page screenshot."""

    SCREENSHOTS.mkdir(exist_ok=True)

    def _check(name: str) -> None:
        page.wait_for_load_state("networkidle")
        results = axe.run(page)
        page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
        assert results.response["passes"], f"axe did not run on {page.url}"
        assert results.violations_count == 0, f"{name} ({page.url}):\n{results.generate_report()}"

    return _check


@pytest.fixture
def log_in(page: Page, server: str) -> Callable[[str], None]:
    """Sign in through the real login form."""

    def _log_in(username: str) -> None:
        page.goto(f"{server}/konto/login/")
        page.get_by_label("Anmeldename").fill(username)
        page.get_by_label("Passwort").fill(PASSWORD)
        page.get_by_role("button", name="Anmelden").click()
        expect(page).to_have_url(f"{server}/")

    return _log_in
