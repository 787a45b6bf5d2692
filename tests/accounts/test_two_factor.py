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
