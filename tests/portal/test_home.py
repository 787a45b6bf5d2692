"""The portal's front page."""

import pytest
from django.test import TestCase

from organisations.models import Organisation
from organisations.services.moderation import organisation_archive
from tests.organisations.directory_helpers import make_organisation
from tests.organisations.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_home_page_counts_the_published_associations_from_the_directory_cache(client, django_assert_num_queries):
    make_organisation("Kuopion Kuoroyhdistys ry")
    make_organisation("Tervon Kyläyhdistys ry", municipality="844")
    make_organisation("Kuopion Luonnosyhdistys ry", status=Organisation.Status.DRAFT)
    assert "The directory lists 2 associations" in client.get("/en/").content.decode()
    # The whole page comes from the cache while no section's version moved.
    with django_assert_num_queries(0):
        response = client.get("/en/")
    assert "The directory lists 2 associations" in response.content.decode()
    make_organisation("Iisalmen Urheiluseura ry", municipality="140")  # refreshing the index drops the cache
    assert "The directory lists 3 associations" in client.get("/en/").content.decode()


def test_the_front_pages_first_render_makes_one_query_per_section(client, django_assert_num_queries):
    """The directory's total from its cells (the sector and municipality links come from the
    cached reference snapshot), then the events', the council's news and meetings' and the
    newsletter's sections: as many with every municipality linked as with one association."""
    from django.core.cache import cache

    from organisations.selectors.reference import directory_reference

    make_organisation("Kuopion Kuoroyhdistys ry")
    cache.clear()
    directory_reference()
    with django_assert_num_queries(5):
        html = client.get("/").content.decode()
    assert 'href="/kunnat/tervo/">Tervo</a>' in html
    assert 'href="/yhdistykset/?toimiala=kulttuuri">Kulttuuri</a>' in html


def test_cached_front_page_section_drops_an_archived_association_in_every_language(client):
    make_organisation("Kuopion Kuoroyhdistys ry")
    choir = make_organisation("Tervon Kyläyhdistys ry", municipality="844")
    assert "The directory lists 2 associations" in client.get("/en/").content.decode()
    assert "Hakemistossa on 2 yhdistystä" in client.get("/").content.decode()
    with TestCase.captureOnCommitCallbacks(execute=True):
        organisation_archive(organisation=choir, moderator=UserFactory(is_staff=True))
    assert "The directory lists 1 association." in client.get("/en/").content.decode()
    assert "Hakemistossa on 1 yhdistys." in client.get("/").content.decode()
