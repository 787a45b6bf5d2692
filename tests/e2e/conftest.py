"""Real-browser fixtures: Playwright drives Debian's chromium (never a downloaded browser)."""

import os
import shutil

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
# The machine has no internet: keep chromium from trying to reach Google at start-up.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="package")
def browser(django_db_setup):
    """Debian's chromium for the browser tests of this package, then gone.

    Playwright's sync API keeps an event loop running in the test thread while it is started,
    and Django refuses database calls from a thread with a running loop unless
    ``DJANGO_ALLOW_ASYNC_UNSAFE`` is set. The calls are in fact synchronous (the tests' own ORM
    use), so the variable is set here, for exactly as long as Playwright runs: package scope
    stops it after the last browser test, and the rest of the suite runs with Django's check on.
    (The test database's reference data across these tests: see ``django_db_setup`` in
    tests/conftest.py.)
    """
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="fi-FI")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture(scope="session")
def axe():
    return Axe()


@pytest.fixture
def assert_accessible(axe):
    """Fail with axe-core's report if the page has any WCAG 2.1 A/AA violation."""

    def check(page, label: str = "") -> None:
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_21_AA}})
        assert results.violations_count == 0, f"{label or page.url}\n{results.generate_report()}"

    return check
