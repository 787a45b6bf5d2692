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

    # Filter by municipality and sector: each tick applies at once (directory.js), no button to find.
    expect(page.get_by_role("button", name="Näytä tulokset")).to_be_hidden()
    page.get_by_label(re.compile(r"^Kuopio \(3\)$")).check()
    page.wait_for_url(re.compile(r"kunta=297"))
    expect(page.locator("#results-heading")).to_have_text("3 yhdistystä")
    page.get_by_label(re.compile(r"^Kulttuuri \(\d+\)$")).check()
    page.wait_for_url(re.compile(r"kunta=297.*toimiala=kulttuuri"))
    expect(page.locator("#results-heading")).to_have_text("2 yhdistystä")
    assert sorted(results(page)) == ["Kuopion Kamarikuoro ry", "Kuopion Teatteriyhdistys ry"]
    # The focus stays on the box just ticked, and the new count is announced.
    assert page.evaluate("document.activeElement.id") == "toimiala-kulttuuri"
    expect(page.locator("#directory-status")).to_have_text("2 yhdistystä")
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
    page.get_by_role("button", name="Sök", exact=True).click()
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
    expect(page.get_by_label("Hakusanat")).to_be_visible()
    expect(page.get_by_label(re.compile(r"^Kuopio \(\d+\)$"))).to_be_visible()
    assert_accessible(page, "directory with errors fi")


PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser, live_server):
    """A 390 by 844 phone with JavaScript."""
    context = browser.new_context(base_url=live_server.url, locale="fi-FI", viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def phone_without_javascript(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="fi-FI", viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def assert_first_result_in_view(page) -> None:
    assert page.evaluate("window.scrollY") == 0
    box = page.locator(".result").first.bounding_box()
    assert box is not None
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], box


def test_phone_shows_results_first_and_filters_apply_as_they_are_ticked(phone, directory, assert_accessible):
    page = phone
    page.goto("/yhdistykset/")
    # A compact header: the title and the menu button on one line, the menu closed.
    header = page.locator(".site-header").bounding_box()
    assert header["height"] <= 80, header
    expect(page.get_by_role("navigation", name="Päävalikko")).to_be_hidden()
    # The filters are a closed panel on a phone.
    expect(page.get_by_label(re.compile(r"^Kuopio \(3\)$"))).to_be_hidden()
    assert_first_result_in_view(page)
    assert_accessible(page, "directory fi 390 px")

    page.get_by_label("Hakusanat").fill("kuoro")
    page.get_by_label("Hakusanat").press("Enter")
    page.wait_for_url(re.compile(r"q=kuoro"))
    assert sorted(results(page)) == ["Iisalmen Kuoro ry", "Kuopion Kamarikuoro ry"]
    assert_first_result_in_view(page)

    page.get_by_text("Rajaa yhdistyksiä").click()
    page.get_by_label(re.compile(r"^Kuopio \(\d+\)$")).check()
    page.wait_for_url(re.compile(r"q=kuoro.*kunta=297"))
    expect(page.locator("#results-heading")).to_have_text("1 yhdistys")
    assert results(page) == ["Kuopion Kamarikuoro ry"]
    expect(page.get_by_role("link", name="Poista suodatin: Kuopio")).to_be_visible()
    assert_accessible(page, "filtered directory fi 390 px")

    # A chip removes its filter; the search words stay.
    page.get_by_role("link", name="Poista suodatin: Kuopio").click()
    page.wait_for_url(lambda url: "q=kuoro" in url and "kunta" not in url)
    assert len(results(page)) == 2

    # The header's menu opens with a tap.
    page.get_by_text("Valikko", exact=True).click()
    expect(page.get_by_role("link", name="Kirjaudu sisään")).to_be_visible()
    assert_accessible(page, "header menu fi 390 px")
    # Escape closes it again and leaves the focus on its button.
    page.get_by_role("link", name="Kirjaudu sisään").focus()
    page.keyboard.press("Escape")
    expect(page.get_by_role("link", name="Kirjaudu sisään")).to_be_hidden()
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"


def test_phone_without_javascript_filters_with_the_button(phone_without_javascript, directory):
    page = phone_without_javascript
    page.goto("/yhdistykset/?q=kuoro")
    assert_first_result_in_view(page)
    page.get_by_text("Rajaa yhdistyksiä").click()
    page.get_by_label(re.compile(r"^Iisalmi \(\d+\)$")).check()
    # Nothing happens until the form is sent.
    assert "kunta" not in page.url
    page.get_by_role("button", name="Näytä tulokset").click()
    page.wait_for_url(re.compile(r"q=kuoro.*kunta=140"))
    assert results(page) == ["Iisalmen Kuoro ry"]
    page.get_by_role("link", name="Poista suodatin: Iisalmi").click()
    page.wait_for_url(lambda url: "q=kuoro" in url and "kunta" not in url)
    assert len(results(page)) == 2


def test_swedish_phone_pages_are_accessible(phone, directory, assert_accessible):
    page = phone
    page.goto("/sv/yhdistykset/?kunta=297&toimiala=kulttuuri")
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    assert_first_result_in_view(page)
    assert_accessible(page, "directory sv 390 px")
    page.get_by_text("Meny", exact=True).click()
    assert_accessible(page, "header menu sv 390 px")
    page.goto("/sv/")
    assert_accessible(page, "front page sv 390 px")
