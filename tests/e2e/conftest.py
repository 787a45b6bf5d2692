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


@pytest.fixture(scope="session")
def browser(django_db_setup, django_db_blocker):
    # Playwright's sync API leaves an event loop running in this thread, so Django hands out
    # context-local connections from then on. Those lack the reference data serialized at set-up,
    # and serialized_rollback would silently restore nothing after another transactional test.
    from django.db import connections

    with django_db_blocker.unblock():
        serialized = {alias: getattr(connections[alias], "_test_serialized_contents", None) for alias in connections}
    with sync_playwright() as playwright:
        with django_db_blocker.unblock():
            for alias, contents in serialized.items():
                if contents is not None:
                    connections[alias]._test_serialized_contents = contents
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


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


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Give every browser test the regions, municipalities and classifications of the migrations.

    Browser tests flush the database after themselves; the serialized rollback that should restore
    the reference rows does not when an ordinary test ran earlier in the session (seen with
    pytest-django 4.14), so the second browser test would start without municipalities.
    """
    if request.node.get_closest_marker("django_db") is None:
        return
    request.getfixturevalue("_django_db_helper")
    from django.apps import apps

    from organisations.models import Municipality
    from organisations.reference_data import load_reference_data

    if not Municipality.objects.exists():
        load_reference_data(apps)
