import json

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from accounts.services import sign_in_records_purge, user_delete
from organisations.models import Editorship
from tests.organisations.factories import OrganisationFactory
from tests.roles import PASSWORD, verified_user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Kallavesi-melonta-2026"


def test_signup_form_is_finnish_with_labels_and_autocomplete(client):
    response = client.get(reverse("account_signup"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Luo tili</h1>" in content
    assert 'autocomplete="email"' in content
    assert content.count('autocomplete="new-password"') == 2
    assert '<label for="id_email">' in content


def test_signup_errors_are_tied_to_their_fields(client):
    response = client.post(reverse("account_signup"), {"email": "", "password1": "a", "password2": "b"})
    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_email_error"' in content
    assert (
        'aria-describedby="id_email_error"' in content
        or 'aria-describedby="id_email_helptext id_email_error"' in content
    )
    assert 'aria-invalid="true"' in content
    assert not User.objects.exists()


def test_signup_in_swedish(client):
    response = client.get("/sv" + reverse("account_signup"))
    assert "<h1>Skapa ett konto</h1>" in response.content.decode()


def test_signup_with_a_taken_address_looks_the_same_and_tells_only_the_owner(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    verified_user(email="varattu@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_signup"),
            {"email": "varattu@example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert User.objects.filter(email="varattu@example.org").count() == 1
    [message] = mailoutbox
    assert message.to == ["varattu@example.org"]


def test_password_reset_answers_alike_for_known_and_unknown_addresses(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    verified_user(email="tunnettu@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(reverse("account_reset_password"), {"email": "tunnettu@example.org"})
        unknown = client.post(reverse("account_reset_password"), {"email": "tuntematon@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert sorted(message.to[0] for message in mailoutbox) == ["tunnettu@example.org", "tuntematon@example.org"]


def test_unverified_account_cannot_log_in(client):
    user = User.objects.create_user("vahvistamaton@example.org", PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_login_is_by_email(client):
    user = verified_user(email="kirjautuja@example.org")
    response = client.post(reverse("account_login"), {"login": "Kirjautuja@Example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_repeated_wrong_passwords_lock_the_account_out_with_a_clear_message(client):
    user = verified_user(email="arvattava@example.org")
    for _attempt in range(4):
        response = client.post(reverse("account_login"), {"login": user.email, "password": "väärä-salasana"})
        assert response.status_code == 200
    response = client.post(reverse("account_login"), {"login": user.email, "password": "väärä-salasana"})
    assert response.status_code == 429
    assert "Liian monta epäonnistunutta kirjautumista" in response.content.decode()
    # Locked out, even the right password does not open the account: first allauth's own short
    # rate limit answers, and once that window has passed (its counters live in the cache) the
    # lockout recorded in the database still holds.
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    cache.clear()
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_changing_the_email_asks_for_the_password_again(client):
    user = verified_user(email="vaihtaja@example.org")
    client.force_login(user)  # a session with no recent authentication
    response = client.post(reverse("account_email"), {"action_add": "", "email": "uusi@example.org"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not EmailAddress.objects.filter(email="uusi@example.org").exists()

    # The right password resumes the interrupted change: the new address waits for verification.
    response = client.post(response["Location"], {"password": PASSWORD})
    assert response.status_code == 302
    assert EmailAddress.objects.filter(user=user, email="uusi@example.org", verified=False).exists()


def test_password_change(client):
    user = verified_user(email="salasana@example.org")
    client.force_login(user)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_personal_data_download_holds_the_accounts_data_and_no_secrets(client, association):
    user = verified_user(email="omat.tiedot@example.org", first_name="Aino")
    Editorship.objects.create(organisation=association, user=user)
    client.force_login(user)
    response = client.get(reverse("accounts:personal_data"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["account"]["email"] == "omat.tiedot@example.org"
    assert data["account"]["first_name"] == "Aino"
    assert data["editorships"] == [
        {"organisation": association.name, "slug": association.slug, "since": data["editorships"][0]["since"]}
    ]
    assert data["email_addresses"] == [{"email": "omat.tiedot@example.org", "verified": True, "primary": True}]
    assert "password" not in response.content.decode()


def test_account_deletion_needs_the_password(client):
    user = verified_user(email="poistuja@example.org")
    client.force_login(user)
    response = client.post(reverse("accounts:delete"), {"password": "väärin"})
    assert response.status_code == 200
    assert "Salasana ei ole oikein." in response.content.decode()
    assert User.objects.filter(pk=user.pk).exists()

    response = client.post(reverse("accounts:delete"), {"password": PASSWORD})
    assert response.status_code == 302
    assert not User.objects.filter(pk=user.pk).exists()
    assert not EmailAddress.objects.filter(email="poistuja@example.org").exists()
    assert "_auth_user_id" not in client.session


def test_the_last_editor_cannot_delete_their_account(client, association):
    user = verified_user(email="ainoa@example.org")
    Editorship.objects.create(organisation=association, user=user)
    client.force_login(user)
    page = client.get(reverse("accounts:delete")).content.decode()
    assert "Kutsu ensin toinen muokkaaja" in page
    assert association.name in page
    response = client.post(reverse("accounts:delete"), {"password": PASSWORD})
    assert "Kutsu ensin toinen muokkaaja" in response.content.decode()
    assert User.objects.filter(pk=user.pk).exists()


def test_an_editor_with_a_co_editor_may_leave(client, association):
    user = verified_user(email="lahtija@example.org")
    co_editor = verified_user(email="jatkaja@example.org")
    Editorship.objects.create(organisation=association, user=user)
    Editorship.objects.create(organisation=association, user=co_editor)
    client.force_login(user)
    assert client.post(reverse("accounts:delete"), {"password": PASSWORD}).status_code == 302
    assert list(association.editorships.values_list("user__email", flat=True)) == ["jatkaja@example.org"]


def test_staff_may_delete_the_last_editor():
    user = verified_user(email="viimeinen@example.org")
    organisation = OrganisationFactory()
    Editorship.objects.create(organisation=organisation, user=user)
    user_delete(user=user, by_staff=True)
    assert not User.objects.filter(pk=user.pk).exists()
    assert not organisation.editorships.exists()


def test_old_sign_in_records_are_purged(client):
    from datetime import timedelta

    from axes.models import AccessLog
    from django.utils import timezone

    old = AccessLog.objects.create(
        username="vanha@example.org", ip_address="127.0.0.1", user_agent="x", http_accept="", path_info="/"
    )
    AccessLog.objects.filter(pk=old.pk).update(attempt_time=timezone.now() - timedelta(days=91))
    recent = AccessLog.objects.create(
        username="uusi@example.org", ip_address="127.0.0.1", user_agent="x", http_accept="", path_info="/"
    )
    assert sign_in_records_purge(older_than_days=90) == 1
    assert list(AccessLog.objects.values_list("pk", flat=True)) == [recent.pk]


@pytest.mark.parametrize(
    ("prefix", "heading"), [("", "Tietosuojaseloste"), ("/sv", "Dataskyddsbeskrivning"), ("/en", "Privacy notice")]
)
def test_privacy_notice_in_each_language(client, prefix, heading):
    response = client.get(prefix + reverse("privacy"))
    assert response.status_code == 200
    assert f"<h1>{heading}</h1>" in response.content.decode()
    assert "tietosuoja@example.org" in response.content.decode()


def test_header_offers_login_to_visitors_and_my_account_to_users(client):
    assert reverse("account_login") in client.get(reverse("home")).content.decode()
    client.force_login(verified_user(email="otsake@example.org"))
    content = client.get(reverse("home")).content.decode()
    assert reverse("accounts:overview") in content
    assert reverse("account_logout") in content


ACCOUNT_PAGES = ["accounts:overview", "accounts:personal_data", "accounts:delete", "privacy"]


def account_page_queries(client, url_names) -> dict[str, int]:
    counts = {}
    for url_name in url_names:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(url_name))
        assert response.status_code == 200, url_name
        counts[url_name] = len(queries)
    return counts


def test_account_pages_keep_their_query_counts_flat(client):
    """Session, user, editorships with their associations, role checks, one query per section: none per row.

    Exact counts would break on harmless changes; the risk is a query per association, so the
    pages are measured with one association and again with six, and must cost the same.
    """
    user = verified_user(email="monta@example.org")
    Editorship.objects.create(organisation=OrganisationFactory(name="Monen yhdistys 0 ry"), user=user)
    client.force_login(user)
    account_page_queries(client, ACCOUNT_PAGES)  # warm the per-process caches (reference data, sites)
    with_one = account_page_queries(client, ACCOUNT_PAGES)
    for number in range(1, 6):
        Editorship.objects.create(organisation=OrganisationFactory(name=f"Monen yhdistys {number} ry"), user=user)
    with_six = account_page_queries(client, ACCOUNT_PAGES)
    assert with_six == with_one
    assert "Monen yhdistys 5 ry" in client.get(reverse("accounts:overview")).content.decode()
