"""Sign-up gives nothing away by the work it does; password re-checks are throttled like login."""

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from accounts.models import User
from tests.accounts.hashers import CountingPasswordHasher
from tests.roles import PASSWORD, verified_user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Kallavesi-melonta-2026"
WRONG = "väärä-salasana-123"


@pytest.fixture
def counting_hasher(settings):
    settings.PASSWORD_HASHERS = ["tests.accounts.hashers.CountingPasswordHasher"]
    CountingPasswordHasher.computed = 0
    return CountingPasswordHasher


def _sign_up(client, email, mailoutbox, django_capture_on_commit_callbacks, counting_hasher):
    hashes_before, mails_before = counting_hasher.computed, len(mailoutbox)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_signup"), {"email": email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
        )
    assert response.status_code == 302
    return response, counting_hasher.computed - hashes_before, len(mailoutbox) - mails_before


def test_signup_does_the_same_work_for_a_registered_and_a_new_address(
    client, mailoutbox, django_capture_on_commit_callbacks, counting_hasher
):
    verified_user(email="varattu@example.org")
    existing, existing_hashes, existing_mails = _sign_up(
        client, "varattu@example.org", mailoutbox, django_capture_on_commit_callbacks, counting_hasher
    )
    new, new_hashes, new_mails = _sign_up(
        client, "uusi@example.org", mailoutbox, django_capture_on_commit_callbacks, counting_hasher
    )
    assert existing["Location"] == new["Location"]
    # One password hash and one mail on each path: the answer's timing tells nothing.
    assert (existing_hashes, existing_mails) == (new_hashes, new_mails) == (1, 1)
    assert [message.to for message in mailoutbox] == [["varattu@example.org"], ["uusi@example.org"]]
    assert User.objects.filter(email="varattu@example.org").count() == 1
    assert User.objects.filter(email="uusi@example.org").exists()


def _signed_in(client, email):
    user = verified_user(email=email)
    client.force_login(user)
    return user


def _from(address):
    return {"REMOTE_ADDR": address}


def test_account_deletion_allows_only_a_few_wrong_passwords_from_any_address(client):
    user = _signed_in(client, "poistettava@example.org")
    # A stolen session moving between addresses: django-axes (per address and client) alone
    # would allow five guesses from each.
    for attempt in range(4):
        response = client.post(reverse("accounts:delete"), {"password": WRONG}, **_from(f"198.51.100.{attempt}"))
        assert response.status_code == 200
        assert "Salasana ei ole oikein." in response.content.decode()
    response = client.post(reverse("accounts:delete"), {"password": WRONG}, **_from("198.51.100.9"))
    assert response.status_code == 429
    assert "Liian monta väärää salasanaa" in response.content.decode()

    # Even the right password is refused now, and the account stays.
    response = client.post(reverse("accounts:delete"), {"password": PASSWORD}, **_from("203.0.113.7"))
    assert response.status_code == 429
    assert User.objects.filter(pk=user.pk).exists()


def test_account_deletion_lockout_page_is_translated(client):
    _signed_in(client, "ruotsiksi@example.org")
    swedish_url = "/sv" + reverse("accounts:delete")
    for attempt in range(5):
        response = client.post(swedish_url, {"password": WRONG}, **_from(f"198.51.100.{attempt}"))
    assert response.status_code == 429
    assert "För många felaktiga lösenord" in response.content.decode()


def test_a_right_password_resets_the_count(client):
    user = _signed_in(client, "unohtelija@example.org")
    for _attempt in range(4):
        client.post(reverse("account_change_password"), {"oldpassword": WRONG, "password1": "x", "password2": "x"})
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    for attempt in range(4):
        response = client.post(reverse("accounts:delete"), {"password": WRONG}, **_from(f"198.51.100.{attempt}"))
        assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_the_email_change_password_step_is_throttled_too(client):
    user = _signed_in(client, "vaihtaja@example.org")
    response = client.post(reverse("account_email"), {"action_add": "", "email": "uusi@example.org"})
    reauthenticate_url = response["Location"]
    assert reauthenticate_url.startswith(reverse("account_reauthenticate"))
    for attempt in range(4):
        response = client.post(reauthenticate_url, {"password": WRONG}, **_from(f"198.51.100.{attempt}"))
        assert response.status_code == 200
    response = client.post(reauthenticate_url, {"password": WRONG}, **_from("198.51.100.9"))
    assert response.status_code == 429
    response = client.post(reauthenticate_url, {"password": PASSWORD}, **_from("203.0.113.7"))
    assert response.status_code == 429
    assert not EmailAddress.objects.filter(user=user, email="uusi@example.org").exists()


def test_the_password_change_is_throttled_too(client):
    user = _signed_in(client, "arvaaja@example.org")
    data = {"oldpassword": WRONG, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    for attempt in range(4):
        assert (
            client.post(reverse("account_change_password"), data, **_from(f"198.51.100.{attempt}")).status_code == 200
        )
    assert client.post(reverse("account_change_password"), data, **_from("198.51.100.9")).status_code == 429
    data["oldpassword"] = PASSWORD
    assert client.post(reverse("account_change_password"), data, **_from("203.0.113.7")).status_code == 429
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_one_accounts_lockout_does_not_touch_another(client):
    _signed_in(client, "lukittu@example.org")
    for attempt in range(5):
        client.post(reverse("accounts:delete"), {"password": WRONG}, **_from(f"198.51.100.{attempt}"))
    other = _signed_in(client, "toinen@example.org")
    response = client.post(reverse("accounts:delete"), {"password": PASSWORD})
    assert response.status_code == 302
    assert not User.objects.filter(pk=other.pk).exists()
