"""Whole directory pages for anonymous visitors, cached under the directory's version."""

import pytest
from django.test import TestCase
from django.urls import reverse

from organisations.services.moderation import organisation_archive
from tests.organisations.directory_helpers import make_organisation
from tests.organisations.factories import UserFactory, municipal_contact_user

pytestmark = pytest.mark.django_db

URL = reverse("organisations:list")


def test_anonymous_directory_page_is_served_from_the_cache_until_the_directory_changes(
    client, django_assert_num_queries
):
    make_organisation("Kuopion Kuoroyhdistys ry", sectors=("kulttuuri",))
    choir = make_organisation("Kuopion Laulajat ry", sectors=("kulttuuri",))
    first = client.get(URL, {"toimiala": "kulttuuri"})
    assert "Kuopion Laulajat ry" in first.content.decode()
    with django_assert_num_queries(0):
        cached = client.get(URL, {"toimiala": "kulttuuri"})
    assert cached.content == first.content
    assert "Cookie" in cached["Vary"]
    with TestCase.captureOnCommitCallbacks(execute=True):
        organisation_archive(organisation=choir, moderator=UserFactory(is_staff=True))
    html = client.get(URL, {"toimiala": "kulttuuri"}).content.decode()
    assert "Kuopion Laulajat ry" not in html
    assert "1 yhdistys" in html
    assert "Kuopion Laulajat ry" not in client.get("/sv" + URL, {"toimiala": "kulttuuri"}).content.decode()


def test_each_address_and_language_is_a_page_of_its_own(client):
    make_organisation("Kuopion Kuoroyhdistys ry", sectors=("kulttuuri",))
    make_organisation("Kuopion Urheiluseura ry", sectors=("urheilu-ja-liikunta",))
    assert "Kuopion Urheiluseura ry" not in client.get(URL, {"toimiala": "kulttuuri"}).content.decode()
    assert "Kuopion Urheiluseura ry" in client.get(URL, {"toimiala": "urheilu-ja-liikunta"}).content.decode()
    assert "Föreningar" in client.get("/sv" + URL).content.decode()
    assert "Yhdistykset" in client.get(URL).content.decode()


def test_a_signed_in_visitor_never_gets_the_anonymous_page(client):
    make_organisation("Kuopion Kuoroyhdistys ry")
    client.get(URL)
    client.get(URL)  # cached for anonymous visitors
    client.force_login(municipal_contact_user("297"))
    html = client.get(URL).content.decode()
    assert 'id="export-heading"' in html
    assert "Kirjaudu ulos" in html


def test_an_invalid_filter_is_not_cached(client):
    # A cached answer would come back as 200: the unknown code must keep being explained.
    assert client.get(URL, {"kunta": "999"}).status_code == 400
    assert client.get(URL, {"kunta": "999"}).status_code == 400
