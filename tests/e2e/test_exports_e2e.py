import pytest
from django.test import Client
from playwright.sync_api import expect

from organisations.models import MunicipalContact, Municipality
from organisations.search import refresh_search_index
from tests.organisations.factories import OrganisationFactory, municipal_contact_user, sector
from tests.roles import add_totp, login_with_totp, verified_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def log_in(page, live_server, user) -> None:
    """Share a Django session with the browser; staff sign in with their second factor."""
    client = Client()
    if user.is_staff:
        login_with_totp(client, user, add_totp(user))
    else:
        client.force_login(user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


def test_municipal_contacts_page_is_accessible(page, live_server, assert_accessible):
    contact = MunicipalContact.objects.create(name="Testi Yhteyshenkilö", email="testi@example.org")
    contact.municipalities.set([Municipality.objects.get(code="297")])
    page.goto("/kunnat/yhteyshenkilot/")
    assert page.locator("h1").inner_text() == "Kuntien järjestöyhteyshenkilöt"
    assert_accessible(page, "municipal contacts")
    page.goto("/kunnat/297/")
    assert "Testi Yhteyshenkilö" in page.content()
    assert_accessible(page, "municipality with contacts")


def test_contact_exports_from_the_directory_and_keeps_a_filter(page, live_server, assert_accessible):
    kuopio = OrganisationFactory(name="Kuopion Kuoro ry", sectors=[sector("kulttuuri")])
    log_in(page, live_server, municipal_contact_user("297"))
    iisalmi = OrganisationFactory(
        name="Iisalmen Kuoro ry", home_municipality=Municipality.objects.get(code="140"), sectors=[sector("kulttuuri")]
    )
    refresh_search_index([kuopio.pk, iisalmi.pk])
    page.goto("/yhdistykset/?toimiala=kulttuuri")
    # Before the click: how many of the list the export holds (Kuopio's, not Iisalmi's), above the results.
    export_heading = page.get_by_role("heading", name="Vie 1 yhdistys (Kuopio)")
    expect(export_heading).to_be_visible()
    expect(page.locator("#results-heading")).to_have_text("2 yhdistystä")
    assert export_heading.bounding_box()["y"] < page.locator(".result").first.bounding_box()["y"]
    # The header leads to the contact's own page.
    expect(page.get_by_role("navigation", name="Päävalikko").get_by_role("link", name="Omat kunnat")).to_be_visible()
    assert_accessible(page, "directory with export links")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Excel (XLSX)").click()
    assert download_info.value.suggested_filename.endswith(".xlsx")
    page.get_by_label("Tallenna suodattimet nimellä").fill("Kuorot")
    page.get_by_role("button", name="Tallenna", exact=True).click()
    page.wait_for_url("**/oma/kunta/")
    assert page.get_by_role("link", name="Kuorot").is_visible()
    assert "Excel (XLSX)" in page.content()
    # The export log names the filters instead of their codes.
    expect(page.locator("table")).to_contain_text("Toimiala: Kulttuuri")
    assert_accessible(page, "contact home")


def test_staff_import_dry_run_and_confirm_in_the_browser(page, live_server, assert_accessible, tmp_path):
    log_in(page, live_server, verified_user(is_staff=True))
    sheet = tmp_path / "lista.csv"
    sheet.write_text("nimi;kotikunta\nKuopion Uusi Seura ry;Kuopio\nHukassa ry;Atlantis\n", encoding="utf-8")
    page.goto("/yllapito/tuonti/")
    assert_accessible(page, "import upload")
    page.get_by_label("Taulukko (CSV tai XLSX)").set_input_files(str(sheet))
    page.get_by_role("button", name="Tarkista tiedosto").click()
    assert "Atlantis" in page.content()
    assert_accessible(page, "import report")
    page.get_by_role("button", name="Vahvista ja tuo").click()
    assert "Yhdistykset tuotiin." in page.content()
    page.goto("/yhdistykset/kuopion-uusi-seura-ry/")
    assert page.locator("h1").inner_text() == "Kuopion Uusi Seura ry"
