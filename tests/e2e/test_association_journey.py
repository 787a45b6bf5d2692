"""An association's journey in a real browser: sign up, register, get approved, appear, edit.

The association's secretary signs up and verifies the address from the mail that reached the SMTP
sink; the moderator, whose account is not the subject here, gets a session cookie.
"""

import pytest
from django.test import Client

from organisations.models import Organisation
from tests.e2e.helpers import signup_and_verify
from tests.organisations.roles import make_moderator

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def logged_in_context(browser, live_server, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context(base_url=live_server.url, locale="fi-FI")
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def test_association_registers_is_approved_appears_and_edits(browser, live_server, smtp_sink, assert_accessible):
    editor_context = browser.new_context(base_url=live_server.url, locale="fi-FI")
    page = editor_context.new_page()
    page.set_default_timeout(15_000)
    signup_and_verify(page, smtp_sink, "sihteeri@example.org")

    # The registration form, with its error messages showing, in Finnish and Swedish.
    for prefix, heading in (("", "Ilmoita uusi yhdistys"), ("/sv", "Registrera en ny förening")):
        page.goto(f"{prefix}/yhdistykset/uusi/")
        assert page.locator("h1").inner_text() == heading
        assert_accessible(page, f"registration form {prefix or 'fi'}")
        page.fill("#id_business_id", "1234567-2")
        page.get_by_role("button", name="Skicka för granskning" if prefix else "Lähetä tarkistettavaksi").click()
        assert page.locator(".error-summary").is_visible()
        assert page.locator("#id_business_id_error").is_visible()
        assert_accessible(page, f"registration form with errors {prefix or 'fi'}")

    page.goto("/yhdistykset/uusi/")
    page.fill("#id_name", "Pohjoisen Sieniseura ry")
    page.fill("#id_register_number", "204.117")
    page.select_option("#id_home_municipality", label="Kuopio")
    page.get_by_label("Kulttuuri", exact=True).check()
    page.fill("#id_description", "Sieniretkiä ja -kursseja.")
    page.get_by_role("button", name="Lähetä tarkistettavaksi").click()
    assert "odottaa nyt moderaattorin hyväksyntää" in page.locator("[role=status]").inner_text()
    organisation = Organisation.objects.get(name="Pohjoisen Sieniseura ry")
    assert organisation.status == Organisation.Status.PENDING

    # Not public before a moderator has looked at it.
    anonymous_context = browser.new_context(base_url=live_server.url, locale="fi-FI")
    anonymous = anonymous_context.new_page()
    anonymous.goto("/yhdistykset/")
    assert "Pohjoisen Sieniseura ry" not in anonymous.content()

    # A moderator, in a browser of their own, approves it.
    moderator_context, moderator_page = logged_in_context(browser, live_server, make_moderator())
    moderator_page.goto("/moderointi/")
    assert_accessible(moderator_page, "moderation queue")
    moderator_page.get_by_role("link", name="Pohjoisen Sieniseura ry").click()
    moderator_page.get_by_label("Hylkää").check()
    moderator_page.get_by_role("button", name="Tallenna päätös").click()
    assert moderator_page.locator("#id_reason_error").is_visible()
    assert_accessible(moderator_page, "registration decision with errors")
    moderator_page.get_by_label("Hyväksy").check()
    moderator_page.get_by_role("button", name="Tallenna päätös").click()
    assert "on nyt julkaistu" in moderator_page.locator("[role=status]").inner_text()
    moderator_context.close()
    smtp_sink.wait_for(count=2)
    [approved] = smtp_sink.to("sihteeri@example.org")[1:]
    assert approved.subject == "Pohjoisen Sieniseura ry on nyt julkaistu"

    anonymous.goto("/yhdistykset/")
    assert "Pohjoisen Sieniseura ry" in anonymous.content()
    page.goto("/oma/")
    assert_accessible(page, "my associations")
    page.goto(f"/yhdistykset/{organisation.slug}/toimittajat/")
    assert_accessible(page, "editors")

    # A resident's report form, with its errors, in both languages.
    for prefix, send in (("", "Lähetä"), ("/sv", "Skicka")):
        anonymous.goto(f"{prefix}/yhdistykset/{organisation.slug}/ilmoita/")
        anonymous.get_by_role("button", name=send, exact=True).click()
        assert anonymous.locator("#id_reason_error").is_visible()
        assert_accessible(anonymous, f"report form with errors {prefix or 'fi'}")

    # The editor changes the description; the edit form with errors is accessible in both languages.
    for prefix in ("", "/sv"):
        page.goto(f"{prefix}/yhdistykset/{organisation.slug}/muokkaa/")
        assert_accessible(page, f"edit form {prefix or 'fi'}")
        page.fill("#id_email", "ei-osoite")
        page.locator("form button[type=submit]").last.click()
        assert page.locator("#id_email_error").is_visible()
        assert_accessible(page, f"edit form with errors {prefix or 'fi'}")

    page.goto(f"/yhdistykset/{organisation.slug}/muokkaa/")
    page.fill("#id_description", "Syysretki Puijolle lauantaina.")
    page.get_by_role("button", name="Tallenna muutokset").click()
    anonymous.goto(f"/yhdistykset/{organisation.slug}/")
    assert "Syysretki Puijolle lauantaina." in anonymous.content()
    assert anonymous.get_by_role("link", name="Ilmoita vanhentuneesta tai virheellisestä tiedosta").is_visible()
    assert_accessible(anonymous, "public listing with its freshness note")
    # Close every browser before the database goes: open keep-alive connections hold sessions.
    anonymous_context.close()
    editor_context.close()
