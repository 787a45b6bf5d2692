import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from tests.roles import PASSWORD, add_totp, login_with_totp, totp_code, verified_user

pytestmark = pytest.mark.django_db


def test_staff_without_totp_is_sent_to_set_it_up(client):
    staff = verified_user(email="yllapito@example.org", is_staff=True)
    response = client.post(reverse("account_login"), {"login": staff.email, "password": PASSWORD})
    assert response.status_code == 302  # a password alone logs in…
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302  # …but opens no staff page
    assert response["Location"].startswith(reverse("mfa_activate_totp"))


def test_staff_with_totp_passes_after_the_totp_step(client):
    staff = verified_user(email="turvattu@example.org", is_staff=True)
    secret = add_totp(staff)
    response = client.post(reverse("account_login"), {"login": staff.email, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get(reverse("admin:index"))["Location"].startswith(reverse("account_login"))

    response = client.post(
        reverse("mfa_authenticate"), {"code": "000000" if totp_code(secret) != "000000" else "111111"}
    )
    assert response.status_code == 200  # a wrong code keeps them at the step
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_staff_session_that_skipped_the_totp_step_is_asked_for_a_code(client):
    staff = verified_user(email="ohittaja@example.org", is_staff=True)
    secret = add_totp(staff)
    client.force_login(staff)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))
    response = client.post(response["Location"], {"code": totp_code(secret)})
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    assert client.get(reverse("admin:index")).status_code == 200


def test_the_admin_login_form_goes_through_allauth(client):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_staff_cannot_remove_their_totp(client):
    staff = verified_user(email="pysyva@example.org", is_staff=True)
    secret = add_totp(staff)
    login_with_totp(client, staff, secret)
    client.post(reverse("mfa_deactivate_totp"))
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists()


def test_roles_handling_personal_data_are_offered_two_factor(client, login_as):
    login_as(client, "moderator")
    assert reverse("mfa_index") in client.get(reverse("accounts:overview")).content.decode()
    client.logout()
    login_as(client, "editor")
    assert reverse("mfa_index") not in client.get(reverse("accounts:overview")).content.decode()


# allauth announces a new authenticator after commit, so this one needs real transactions.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_new_staff_set_up_totp_and_then_reach_the_admin(client):
    from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY

    staff = verified_user(email="uusi.yllapitaja@example.org", is_staff=True)
    client.post(reverse("account_login"), {"login": staff.email, "password": PASSWORD})
    setup_url = client.get(reverse("admin:index"))["Location"]
    assert setup_url.startswith(reverse("mfa_activate_totp"))
    # allauth asks for the password once more before adding an authenticator.
    reauthenticate_url = client.get(setup_url)["Location"]
    assert reauthenticate_url.startswith(reverse("account_reauthenticate"))
    response = client.post(reauthenticate_url, {"password": PASSWORD})
    assert response["Location"] == setup_url
    assert client.get(setup_url).status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists()
    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.parametrize(
    "url_name",
    [
        "account_login",
        "account_signup",
        "account_reset_password",
        "account_email_verification_sent",
        "privacy",
    ],
)
def test_account_pages_for_visitors_carry_no_inline_script_or_style(client, url_name):
    assert_no_inline_code(client.get(reverse(url_name)))


@pytest.mark.parametrize(
    "url_name",
    [
        "accounts:overview",
        "accounts:delete",
        "account_email",
        "account_change_password",
        "account_logout",
        "mfa_index",
        "mfa_activate_totp",
        "account_reauthenticate",
    ],
)
def test_account_pages_for_users_carry_no_inline_script_or_style(client, url_name):
    user = verified_user(email="sivut@example.org", is_staff=False)
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert_no_inline_code(client.get(reverse(url_name)))


def test_recovery_codes_page_has_no_inline_script(client):
    staff = verified_user(email="koodit@example.org", is_staff=True)
    secret = add_totp(staff)
    login_with_totp(client, staff, secret)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    client.post(reverse("mfa_generate_recovery_codes"))
    assert_no_inline_code(client.get(reverse("mfa_view_recovery_codes")))


def assert_no_inline_code(response) -> None:
    import re

    assert response.status_code == 200, response.status_code
    content = response.content.decode()
    assert "<h1" in content and 'class="site-header"' in content  # the portal's own layout
    assert " style=" not in content
    assert not re.search(r"<script(?![^>]*\bsrc=)", content), "inline script"


def test_staff_views_outside_the_admin_are_guarded_too(rf):
    from django.contrib.sessions.backends.db import SessionStore
    from django.http import HttpResponse
    from django.views.decorators.http import require_GET

    from accounts.middleware import StaffTwoFactorMiddleware
    from portal.permissions import requires_capability

    @require_GET
    @requires_capability("staff")
    def staff_report(request):
        return HttpResponse("ok")

    request = rf.get("/raportti/")
    request.session = SessionStore()
    request.resolver_match = None
    request.user = verified_user(email="raportoija@example.org", is_staff=True)
    response = StaffTwoFactorMiddleware(lambda r: None).process_view(request, staff_report, (), {})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))

    request.user = verified_user(email="ei-yllapitoa@example.org")
    assert StaffTwoFactorMiddleware(lambda r: None).process_view(request, staff_report, (), {}) is None
