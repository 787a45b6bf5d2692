import pytest

from tests.organisations.factories import OrganisationFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_directory_page_renders_in_chromium_and_is_accessible(page, live_server, assert_accessible):
    OrganisationFactory(name="Tervon Kyläyhdistys ry")
    page.goto("/yhdistykset/")
    assert page.locator("h1").inner_text() == "Yhdistykset"
    assert "Tervon Kyläyhdistys ry" in page.content()
    assert_accessible(page, "directory fi")
