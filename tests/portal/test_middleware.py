"""Request-wide guards: NUL characters never reach the database; personal pages are not cached."""

import pytest
from django.urls import reverse

from organisations.models import Municipality
from tests.organisations.factories import OrganisationFactory
from tests.roles import add_totp, login_with_totp, verified_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/kunnat/%00/",
        "/sv/kunnat/%00/",
        "/yhdistykset/%00x/",
        "/yhdistykset/?kunta=%00",
        "/yhdistykset/?%00=1",
        "/kunnat/kuopio/?q=a%00b",
    ],
)
def test_nul_in_a_public_address_is_a_translated_400(client, url):
    response = client.get(url)
    assert response.status_code == 400
    heading = "Felaktig begäran" if url.startswith("/sv/") else "Virheellinen pyyntö"
    assert f"<h1>{heading}</h1>" in response.content.decode()


def test_raw_nul_in_the_query_string_is_a_400(client):
    response = client.get("/yhdistykset/", QUERY_STRING="q=a\x00b")
    assert response.status_code == 400


def test_nul_in_a_form_field_is_a_400_and_changes_nothing(client, role_user):
    user = role_user("editor")
    client.force_login(user)
    response = client.post(reverse("account_email"), {"action_add": "", "email": "uusi\x00@example.org"})
    assert response.status_code == 400
    user.refresh_from_db()
    assert user.email == "editor@example.org"


def test_nul_in_the_login_form_is_a_400(client):
    response = client.post(reverse("account_login"), {"login": "a\x00@example.org", "password": "x"})
    assert response.status_code == 400


def test_nul_in_the_session_cookie_is_a_400(client):
    client.cookies["sessionid"] = "abcdefghijk\x00lmnop"
    response = client.get(reverse("accounts:overview"))
    assert response.status_code == 400


@pytest.mark.parametrize(
    "query",
    ["status__exact=%00", "home_municipality__region__id__exact=%00", "q=%00", "sectors__id__exact=1%00"],
)
def test_nul_in_an_admin_filter_is_a_400_for_staff(client, query):
    staff = verified_user(email="admin@example.org", is_staff=True, is_superuser=True)
    login_with_totp(client, staff, add_totp(staff))
    OrganisationFactory(name="Niiralan Kuoro ry")
    changelist = reverse("admin:organisations_organisation_changelist")
    assert client.get(changelist).status_code == 200
    response = client.get(f"{changelist}?{query}")
    assert response.status_code == 400


def test_an_address_without_nul_is_unaffected(client):
    municipality = Municipality.objects.get(code="297")
    response = client.get(reverse("organisations:municipality", args=[municipality.slug]))
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("role", "url_name"),
    [
        ("editor", "accounts:overview"),
        ("editor", "account_email"),
        ("editor", "accounts:delete"),
        ("editor", "organisations:my"),
        ("moderator", "organisations:moderation"),
        ("municipal_contact", "organisations:contact_home"),
        ("staff", "admin:index"),
        ("staff", "organisations:import"),
    ],
)
def test_pages_for_a_signed_in_person_are_never_stored(client, login_as, role, url_name):
    login_as(client, role)
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives


def test_a_signed_in_persons_view_of_a_public_page_is_not_stored_either(client, login_as):
    # The header names the person ("My account", their associations): not for a shared cache.
    login_as(client, "editor")
    response = client.get(reverse("organisations:list"))
    assert "no-store" in response["Cache-Control"]


def test_a_views_own_cache_control_is_kept(client, login_as):
    login_as(client, "editor")
    response = client.get(reverse("accounts:personal_data"))
    assert response["Cache-Control"] == "no-store"


def test_anonymous_public_pages_stay_cacheable(client):
    response = client.get(reverse("organisations:list"))
    assert "no-store" not in response.get("Cache-Control", "")
