"""The portal's own account mails: its name, its address (SITE_URL), the reader's language."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.roles import PASSWORD, verified_user

pytestmark = pytest.mark.django_db

SITE_URL = "https://jarjestotori.example"
NEW_PASSWORD = "Kallavesi-melonta-2026"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE_URL


@pytest.fixture
def mails(mailoutbox, django_capture_on_commit_callbacks):
    """Run ``action`` and return the messages it queued (after commit, as in production)."""

    def collect(action):
        before = len(mailoutbox)
        with django_capture_on_commit_callbacks(execute=True):
            action()
        return mailoutbox[before:]

    return collect


def links(message) -> list[str]:
    return re.findall(r"https?://[^\s<>\"]+", message.body)


def assert_portal_mail(message):
    assert message.subject.startswith("[Järjestötori] ")
    assert "Järjestötori" in message.body
    # Every link leads to the portal's public address, never to the host the request came in on.
    assert links(message)
    assert all(link.startswith(SITE_URL + "/") for link in links(message)), links(message)
    assert "testserver" not in message.body
    assert "127.0.0.1" not in message.body


def sign_up(client, email, prefix=""):
    return client.post(
        prefix + reverse("account_signup"), {"email": email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )


def confirmation_path(message) -> str:
    [link] = [link for link in links(message) if "/confirm-email/" in link]
    return link.removeprefix(SITE_URL)


def test_confirming_the_address_in_the_signup_browser_signs_the_new_user_in(client, mails):
    [message] = mails(lambda: sign_up(client, "uusi.jasen@example.org"))
    assert_portal_mail(message)
    assert message.subject == "[Järjestötori] Vahvista sähköpostiosoitteesi"
    assert "Järjestötori toivottaa sinut tervetulleeksi!" in message.body

    path = confirmation_path(message)
    assert client.get(path).status_code == 200
    response = client.post(path)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:overview")
    assert "_auth_user_id" in client.session
    assert client.get(reverse("accounts:overview")).status_code == 200


def test_confirming_in_another_browser_asks_to_log_in(client, mails):
    [message] = mails(lambda: sign_up(client, "toinen.selain@example.org"))
    other_browser = Client()
    response = other_browser.post(confirmation_path(message))
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login")
    assert "_auth_user_id" not in other_browser.session


@pytest.mark.parametrize(
    ("prefix", "subject", "welcome"),
    [
        ("/sv", "Bekräfta din e-postadress", "Välkommen till Järjestötori!"),
        ("/en", "Confirm your e-mail address", "Welcome to Järjestötori!"),
    ],
)
def test_signup_mail_speaks_the_language_of_the_signup(client, mails, prefix, subject, welcome):
    [message] = mails(lambda: sign_up(client, "kielitaitoinen@example.org", prefix=prefix))
    assert_portal_mail(message)
    assert message.subject == f"[Järjestötori] {subject}"
    assert welcome in message.body
    assert f"{SITE_URL}{prefix}/tili/confirm-email/" in message.body


def test_signup_with_a_registered_address_mails_its_owner_a_notice(client, mails):
    verified_user(email="varattu@example.org")
    [message] = mails(lambda: sign_up(client, "varattu@example.org"))
    assert_portal_mail(message)
    assert message.subject == "[Järjestötori] Sinulla on jo tili"
    assert f"{SITE_URL}/tili/password/reset/" in message.body


@pytest.mark.parametrize(
    ("email", "subject", "link"),
    [
        ("tunnettu@example.org", "Aseta uusi salasana", "/tili/password/reset/key/"),
        ("tuntematon@example.org", "Salasanan vaihto: osoitteella ei ole tiliä", "/tili/signup/"),
    ],
)
def test_password_reset_mails(client, mails, email, subject, link):
    verified_user(email="tunnettu@example.org")
    [message] = mails(lambda: client.post(reverse("account_reset_password"), {"email": email}))
    assert_portal_mail(message)
    assert message.subject == f"[Järjestötori] {subject}"
    assert f"{SITE_URL}{link}" in message.body


def test_password_change_notice_says_when_and_how_to_react(client, mails):
    user = verified_user(email="vaihtaja@example.org")
    client.force_login(user)
    data = {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    url = "/sv" + reverse("account_change_password")
    [message] = mails(lambda: client.post(url, data, REMOTE_ADDR="198.51.100.20"))
    assert_portal_mail(message)
    assert message.subject == "[Järjestötori] Ditt lösenord har ändrats"
    assert "IP-adress: 198.51.100.20" in message.body
    assert f"{SITE_URL}/sv/tili/password/reset/" in message.body
