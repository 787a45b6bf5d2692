import pytest

from tests.organisations.factories import OrganisationFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_directory_page_renders_in_chromium_and_is_accessible(page, live_server, assert_accessible):
    OrganisationFactory(name="Tervon Kyläyhdistys ry")
    page.goto("/yhdistykset/")
    assert page.locator("h1").inner_text() == "Yhdistykset"
    assert "Tervon Kyläyhdistys ry" in page.content()
    assert_accessible(page, "directory fi")


def test_accessibility_check_catches_a_violation(page, assert_accessible):
    # Guards the guard: an image without alternative text must make the check fail.
    page.set_content(
        '<!DOCTYPE html><html lang="fi"><head><title>t</title></head><body><main><img src="x.png"></main></body></html>'
    )
    with pytest.raises(AssertionError, match="image-alt"):
        assert_accessible(page, "known violation")
