"""A resident finds a local forum in the calendar, registers, gets the e-mail and cancels through its link."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from forums.models import Event, Registration
from organisations.models import Municipality
from tests.forums.factories import EventFactory, in_days

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def calendar():
    start = in_days(10, hour=17)
    forum = EventFactory(
        title="Tervon järjestöfoorumi",
        slug="tervon-jarjestofoorumi",
        kind=Event.Kind.LOCAL_FORUM,
        municipality=Municipality.objects.get(code="844"),
        place="Tervon kunnantalo",
        street_address="Kuopiontie 1",
        postal_code="72210",
        post_office="Tervo",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=20,
        remote_url="https://meet.example/tervo-8842",
    )
    EventFactory(title="Kuopion kumppanuuspöytä", kind=Event.Kind.PARTNERSHIP_TABLE)
    return forum


def path_of(link: str) -> str:
    parts = urlsplit(link)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_resident_finds_a_local_forum_registers_and_cancels(page, smtp_sink, calendar, assert_accessible):
    page.goto("/")
    page.get_by_role("navigation", name="Päävalikko").get_by_role("link", name="Tapahtumat").click()
    expect(page.locator("h1")).to_have_text("Tapahtumat")
    assert_accessible(page, "calendar fi")

    page.get_by_label("Tervo").check()
    page.get_by_label("Paikallinen foorumi").check()
    page.get_by_role("button", name="Näytä tapahtumat").click()
    page.wait_for_url(re.compile(r"kunta=844.*tyyppi=paikallinen-foorumi"))
    expect(page.locator(".event-row h3")).to_have_text(["Tervon järjestöfoorumi"])
    assert_accessible(page, "filtered calendar fi")

    page.get_by_role("link", name="Kuukausinäkymä").click()
    expect(page.locator("h1")).to_contain_text("Tapahtumat:")
    assert_accessible(page, "month view fi")

    page.goto("/tapahtumat/?kunta=844")
    page.get_by_role("link", name="Tervon järjestöfoorumi").click()
    expect(page.locator("h1")).to_have_text("Tervon järjestöfoorumi")
    expect(page.locator("main")).to_contain_text("Tervon kunnantalo")
    assert "tervo-8842" not in page.content()
    assert_accessible(page, "event page fi")

    page.get_by_role("link", name="Ilmoittaudu").click()
    page.locator("main form button[type=submit]").click()  # empty form: errors first
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page, "registration form with errors fi")

    page.get_by_label("Nimi").fill("Ronja Testaaja")
    page.get_by_label("Sähköposti").fill("ronja.testaaja@example.org")
    page.get_by_label("Etänä").check()
    page.get_by_label("Erityistarpeet (vapaaehtoinen)").fill("Kirjoitustulkkaus")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("Ilmoittautuminen vastaanotettu")
    assert_accessible(page, "registration done fi")

    [mail] = smtp_sink.wait_for(1)
    assert mail.recipients == ["ronja.testaaja@example.org"]
    assert "Tervon järjestöfoorumi" in mail.subject
    assert "https://meet.example/tervo-8842" in mail.text
    [cancel_link] = [link for link in mail.links() if "/tapahtumat/peru/" in link]
    assert any(link.endswith("/tapahtumat/tervon-jarjestofoorumi/kalenteri.ics") for link in mail.links())

    page.goto(path_of(cancel_link))
    expect(page.locator("h1")).to_have_text("Peru ilmoittautuminen")
    assert Registration.objects.get(email="ronja.testaaja@example.org").status == "confirmed"
    page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("Ilmoittautuminen peruttu")
    assert Registration.objects.get(email="ronja.testaaja@example.org").status == "cancelled"

    page.goto(path_of(cancel_link))
    expect(page.locator("h1")).to_have_text("Peruutuslinkki ei toimi")


def test_calendar_event_and_registration_errors_are_accessible_in_swedish(page, calendar, assert_accessible):
    page.goto("/sv/tapahtumat/")
    expect(page.locator("h1")).to_have_text("Evenemang")
    assert_accessible(page, "calendar sv")

    page.goto("/sv/tapahtumat/kuukausi/")
    assert_accessible(page, "month view sv")

    page.goto("/sv/tapahtumat/tervon-jarjestofoorumi/")
    expect(page.locator("h1")).to_have_text("Tervon järjestöfoorumi")
    assert_accessible(page, "event page sv")

    page.get_by_role("link", name="Anmäl dig").click()
    page.get_by_label("E-post").fill("inte-en-adress")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page, "registration form with errors sv")
