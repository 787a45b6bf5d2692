"""A resident finds an association in a real browser, in Finnish and in Swedish, accessibly."""

import re

import pytest
from playwright.sync_api import expect

from tests.organisations.directory_helpers import make_organisation

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def directory():
    make_organisation(
        "Kuopion Kamarikuoro ry",
        sectors=("kulttuuri",),
        target_groups=("nuoret",),
        languages=("fi",),
        name_sv="Kuopio kammarkör rf",
        description="Laulamme kuoromusiikkia joka tiistai.",
        email="kuoro@example.org",
        meeting_place="Musiikkikeskus",
    )
    make_organisation("Kuopion Hiihtoseura ry", sectors=("urheilu-ja-liikunta",))
    make_organisation("Kuopion Teatteriyhdistys ry", sectors=("kulttuuri",))
    make_organisation("Iisalmen Kuoro ry", municipality="140", sectors=("kulttuuri",))
    make_organisation("Tervon Kyläyhdistys ry", municipality="844", sectors=("asukas-ja-kylatoiminta",))


def results(page) -> list[str]:
    return page.locator(".result h3 a").all_inner_texts()


def test_resident_filters_searches_and_opens_a_listing(page, directory, assert_accessible):
    page.goto("/yhdistykset/")
    expect(page.locator("h1")).to_have_text("Yhdistykset")
    assert len(results(page)) == 5
    assert_accessible(page, "directory fi")

    # Filter by municipality and sector with the plain form: checkboxes and a submit button.
    page.get_by_label(re.compile(r"^Kuopio \(3\)$")).check()
    page.get_by_label(re.compile(r"^Kulttuuri \(\d+\)$")).check()
    page.get_by_role("button", name="Näytä tulokset").click()
    page.wait_for_url(re.compile(r"kunta=297.*toimiala=kulttuuri"))
    assert sorted(results(page)) == ["Kuopion Kamarikuoro ry", "Kuopion Teatteriyhdistys ry"]
    expect(page.locator("#results-heading")).to_have_text("2 yhdistystä")
    assert_accessible(page, "filtered directory fi")

    # Search within the filtered view: an inflected word finds the compound name.
    page.get_by_label("Hakusanat").fill("kuorojen")
    page.get_by_label("Hakusanat").press("Enter")
    page.wait_for_url(re.compile(r"q=kuorojen"))
    assert results(page) == ["Kuopion Kamarikuoro ry"]
    assert "kunta=297" in page.url

    page.get_by_role("link", name="Kuopion Kamarikuoro ry").click()
    expect(page.locator("h1")).to_have_text("Kuopion Kamarikuoro ry")
    expect(page.locator("main")).to_contain_text("Musiikkikeskus")
    assert_accessible(page, "listing fi")

    page.get_by_role("link", name="Kuopio", exact=True).click()
    expect(page.locator("h1")).to_have_text("Kuopio")
    expect(page.locator("#sector-kulttuuri")).to_contain_text("Kulttuuri (2)")
    assert_accessible(page, "municipality fi")


def test_swedish_pages_are_accessible(page, directory, assert_accessible):
    page.goto("/sv/yhdistykset/?kunta=297")
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.locator("h1")).to_have_text("Föreningar")
    assert_accessible(page, "directory sv")

    page.get_by_label("Sökord").fill("kammarkör")
    page.get_by_role("button", name="Visa resultat").click()
    page.wait_for_url(re.compile(r"q=kammark%C3%B6r"))
    page.get_by_role("link", name="Kuopio kammarkör rf").click()
    expect(page.locator("h1")).to_have_text("Kuopio kammarkör rf")
    assert_accessible(page, "listing sv")

    page.goto("/sv/kunnat/kuopio/")
    expect(page.locator("h1")).to_have_text("Kuopio")
    assert_accessible(page, "municipality sv")
    page.goto("/sv/kunnat/")
    assert_accessible(page, "municipalities sv")


def test_garbage_in_the_address_shows_the_form_not_an_error(page, directory, assert_accessible):
    response = page.goto("/yhdistykset/?kunta=999&page=abc&q=%27%22%29%3A*%26%7C%21")
    assert response.status == 400
    expect(page.get_by_role("alert")).to_contain_text("Palvelussa ei ole kuntaa, jonka koodi on 999.")
    expect(page.get_by_role("button", name="Näytä tulokset")).to_be_visible()
    assert_accessible(page, "directory with errors fi")
