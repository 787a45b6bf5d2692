import pytest
from django.urls import reverse

from organisations.models import Municipality, Organisation
from tests.organisations.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_reference_data_covers_pohjois_savo_and_etela_savo():
    assert Municipality.objects.filter(region__code="11").count() == 19
    assert Municipality.objects.filter(region__code="10").count() == 11
    assert Municipality.objects.get(code="297").name_fi == "Kuopio"


def test_published_listing_is_public(client):
    organisation = OrganisationFactory(name="Kuopion Kyläyhdistys ry")
    response = client.get(organisation.get_absolute_url())
    assert response.status_code == 200
    assert "Kuopion Kyläyhdistys ry" in response.content.decode()


@pytest.mark.parametrize(
    "status", [Organisation.Status.DRAFT, Organisation.Status.PENDING, Organisation.Status.ARCHIVED]
)
def test_unpublished_listing_is_404_to_the_public(client, status):
    organisation = OrganisationFactory(status=status)
    assert client.get(organisation.get_absolute_url()).status_code == 404


def test_unpublished_listing_is_visible_to_its_editor(client):
    organisation = OrganisationFactory(status=Organisation.Status.DRAFT)
    editor = UserFactory()
    organisation.editorships.create(user=editor)
    client.force_login(editor)
    response = client.get(organisation.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert organisation.name in html
    # The editor sees that the public does not see it yet.
    assert "Tätä esittelyä ei ole julkaistu" in html


def test_unpublished_listing_is_404_to_another_account(client):
    organisation = OrganisationFactory(status=Organisation.Status.DRAFT)
    client.force_login(UserFactory())
    assert client.get(organisation.get_absolute_url()).status_code == 404


def test_finnish_is_default_and_swedish_under_prefix(client):
    finnish = client.get(reverse("organisations:list"))
    assert finnish.status_code == 200
    assert '<html lang="fi">' in finnish.content.decode()
    swedish = client.get("/sv/yhdistykset/")
    assert swedish.status_code == 200
    assert '<html lang="sv">' in swedish.content.decode()


def test_pages_carry_a_content_security_policy_without_inline_scripts(client):
    response = client.get(reverse("organisations:list"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_robots_and_sitemap(client):
    organisation = OrganisationFactory()
    robots = client.get("/robots.txt")
    assert robots.status_code == 200
    assert "Sitemap: http://testserver/sitemap.xml" in robots.content.decode()
    index = client.get("/sitemap.xml")
    assert index.status_code == 200
    assert "http://testserver/sitemap-organisations.xml" in index.content.decode()
    sitemap = client.get("/sitemap-organisations.xml")
    assert sitemap.status_code == 200
    assert organisation.get_absolute_url() in sitemap.content.decode()
