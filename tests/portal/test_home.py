"""The portal's front page."""

import pytest

from organisations.models import Organisation
from tests.organisations.directory_helpers import make_organisation

pytestmark = pytest.mark.django_db


def test_home_page_counts_the_published_associations_from_the_directory_cache(client, django_assert_num_queries):
    make_organisation("Kuopion Kuoroyhdistys ry")
    make_organisation("Tervon Kyläyhdistys ry", municipality="844")
    make_organisation("Kuopion Luonnosyhdistys ry", status=Organisation.Status.DRAFT)
    assert "The directory lists 2 associations" in client.get("/en/").content.decode()
    # Sectors and municipalities (the count is the directory's cached total), the next events, the
    # council's latest news and next meeting, the latest newsletter: one each, however many rows.
    with django_assert_num_queries(6):
        response = client.get("/en/")
    assert "The directory lists 2 associations" in response.content.decode()
    make_organisation("Iisalmen Urheiluseura ry", municipality="140")  # refreshing the index drops the cache
    assert "The directory lists 3 associations" in client.get("/en/").content.decode()
