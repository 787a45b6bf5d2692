"""Steps of browser journeys that other journeys reuse (sign up, verify, log in)."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import Page, expect

DEFAULT_PASSWORD = "Kallavesi-melonta-2026"


def fill_signup(page: Page, email: str, password: str, password_again: str | None = None) -> None:
    page.locator("#id_email").fill(email)
    page.locator("#id_password1").fill(password)
    page.locator("#id_password2").fill(password if password_again is None else password_again)
    page.locator("main form button[type=submit]").click()


def signup_and_verify(page: Page, smtp_sink, email: str, password: str = DEFAULT_PASSWORD, prefix: str = "") -> None:
    """Create an account in the browser and open the link from the mail that reached the SMTP sink.

    Leaves the browser signed in on the account page: the link was opened in the browser that
    signed up.
    """
    before = len(smtp_sink.messages)
    page.goto(f"{prefix}/tili/signup/")
    fill_signup(page, email, password)
    smtp_sink.wait_for(count=before + 1)
    mail = smtp_sink.to(email)[-1]
    [link] = [link for link in mail.links() if "/confirm-email/" in link]
    # The mail names the portal's SITE_URL; the journey runs on the test server.
    page.goto(urlsplit(link).path)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{page.url.split('/tili/')[0]}/tili/")


def log_in(page: Page, email: str, password: str = DEFAULT_PASSWORD, prefix: str = "") -> None:
    page.goto(f"{prefix}/tili/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()
