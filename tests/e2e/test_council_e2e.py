"""The council in a real browser: minutes published and found, a vote with its receipt, and axe-core
on the council pages, the ballot and the results in Finnish and Swedish."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from council import services
from council.models import AgendaItem, Ballot, Meeting, NewsItem, Nomination
from organisations.models import Editorship
from portal.permissions import COUNCIL_SECRETARIES_GROUP
from tests.council.factories import (
    MeetingFactory,
    PersonFactory,
    SeatFactory,
    TermFactory,
    election_in_nomination,
    member_of,
    move_past_voting,
    move_to_voting_period,
    published_association,
    seat_with_holders,
)
from tests.roles import verified_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def log_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


def secretary_user():
    user = verified_user(email="sihteeri.selain@example.org")
    user.groups.add(Group.objects.get_or_create(name=COUNCIL_SECRETARIES_GROUP)[0])
    return user


def test_the_secretary_publishes_minutes_and_a_resident_finds_them_in_the_archive(
    page, browser, live_server, assert_accessible
):
    secretary = secretary_user()
    checker = PersonFactory(user=verified_user(email="tarkastaja.selain@example.org"))
    meeting = MeetingFactory(
        title="Kevätkokous 2/2026",
        starts_at=timezone.now() - dt.timedelta(days=10),
        agenda_published_at=timezone.now() - dt.timedelta(days=20),
    )
    AgendaItem.objects.create(meeting=meeting, position=1, title="Kalastusalueiden yhteistyö")
    meeting.checkers.set([checker])
    services.minutes_save(meeting=meeting, user=secretary, minutes="<p>Päätettiin perustaa kalastustyöryhmä.</p>")
    services.minutes_send_for_checking(meeting=meeting, user=secretary)
    services.minutes_approve(meeting=meeting, user=checker.user)

    log_in(page, live_server, secretary)
    page.goto("/oma/sihteeri/")
    assert_accessible(page, "secretary's desk")
    page.get_by_role("region", name="Julkaistavat tarkastetut pöytäkirjat").get_by_role(
        "link", name="Kevätkokous 2/2026"
    ).click()
    # Check the page with the editor started (its toolbar included), not the bare textarea.
    page.get_by_role("textbox", name="Pöytäkirja").wait_for()
    assert_accessible(page, "minutes form")
    page.get_by_role("button", name="Julkaise pöytäkirja").click()
    expect(page.get_by_text("Pöytäkirja julkaistiin.")).to_be_visible()
    meeting.refresh_from_db()
    assert meeting.minutes_status == Meeting.MinutesStatus.PUBLISHED

    resident = browser.new_context(base_url=live_server.url, locale="fi-FI").new_page()
    resident.goto("/")
    resident.get_by_role("link", name="Järjestöneuvosto", exact=True).first.click()
    resident.get_by_role("link", name="Kokoukset ja pöytäkirjat").first.click()
    resident.get_by_label("Hae pöytäkirjoista").fill("kalastustyöryhmä")
    resident.locator("main form[role=search] button[type=submit]").click()
    assert_accessible(resident, "minutes archive")
    resident.get_by_role("link", name="Kevätkokous 2/2026").click()
    expect(resident.get_by_text("Päätettiin perustaa kalastustyöryhmä.")).to_be_visible()
    assert_accessible(resident, "published minutes")
    resident.goto(f"/sv/neuvosto/kokoukset/{meeting.pk}/")
    expect(resident.get_by_role("heading", name="Protokoll")).to_be_visible()
    assert_accessible(resident, "published minutes in Swedish")
    resident.context.close()


def test_an_editor_votes_and_sees_the_receipt_and_the_results_are_accessible(page, live_server, assert_accessible):
    secretary = secretary_user()
    term = TermFactory()
    seat = SeatFactory(term=term, position=1, label="Kulttuuri")
    association = published_association("Selainäänestäjät ry", "kulttuuri")
    editor = verified_user(email="aanestaja.selain@example.org")
    Editorship.objects.create(organisation=association, user=editor)
    member_of(association)
    election = election_in_nomination(term, [seat], criteria="<p>Sitoutuminen toimikaudeksi.</p>")
    for name in ("Ilona Ehdokas", "Juho Ehdokas"):
        Nomination.objects.create(
            election=election,
            seat=seat,
            nominated_by=association,
            candidate_name=name,
            candidate_email="ehdokas@example.org",
            background_organisation=association,
            presentation="Kulttuurin asialla.",
            background_approves=True,
            criteria_accepted=True,
        )
    move_to_voting_period(election)
    services.election_open_voting(election=election, user=secretary)

    log_in(page, live_server, editor)
    page.goto(f"/neuvosto/vaalit/{election.pk}/")
    assert_accessible(page, "election while voting")
    page.get_by_role("link", name="Äänestä yhdistyksen Selainäänestäjät ry puolesta").click()
    assert_accessible(page, "ballot")
    page.goto(f"/sv/neuvosto/vaalit/{election.pk}/aanesta/{association.slug}/")
    assert_accessible(page, "ballot in Swedish")
    page.goto(f"/neuvosto/vaalit/{election.pk}/aanesta/{association.slug}/")
    page.get_by_label("Ilona Ehdokas (Selainäänestäjät ry)").check()
    page.get_by_role("button", name="Jätä äänestyslippu").click()
    expect(page.get_by_role("heading", name="Äänestyslippusi on jätetty")).to_be_visible()
    receipt = page.locator("#receipt").inner_text()
    assert receipt == Ballot.objects.get().receipt
    assert_accessible(page, "receipt")

    move_past_voting(election)
    services.election_close(election=election, user=secretary)
    services.election_count(election=election, user=secretary)
    page.goto(f"/neuvosto/vaalit/{election.pk}/")
    expect(page.get_by_role("heading", name="Tulokset")).to_be_visible()
    expect(page.get_by_role("heading", name="Vaaliloki")).to_be_visible()
    assert_accessible(page, "results")
    page.get_by_role("link", name="Julkaistu äänestyslippujen luettelo").first.click()
    expect(page.get_by_text(receipt)).to_be_visible()
    assert_accessible(page, "ballot list")
    page.goto(f"/sv/neuvosto/vaalit/{election.pk}/")
    expect(page.get_by_role("heading", name="Resultat")).to_be_visible()
    assert_accessible(page, "results in Swedish")


@pytest.mark.parametrize("prefix", ["", "/sv"])
def test_the_council_pages_are_accessible(page, live_server, assert_accessible, prefix):
    secretary = secretary_user()
    term = TermFactory(name="2026-2027")
    seat_with_holders(term, member=PersonFactory(contact_consent_at=timezone.now()))
    member_of(published_association("Ryhmäläiset ry", "kulttuuri"))
    services.news_save(item=NewsItem(title="Foorumi syksyllä", body="<p>Tervetuloa!</p>"), user=secretary, publish=True)
    services.document_save(kind="jarjestostrategia", user=secretary, body="<h2>Linjaukset</h2><p>Teksti.</p>")
    MeetingFactory(agenda_published_at=timezone.now())
    news = NewsItem.objects.get()
    for path in (
        "/neuvosto/",
        "/neuvosto/kaudet/",
        f"/neuvosto/kaudet/{term.pk}/",
        "/neuvosto/yhteistyoryhma/",
        "/neuvosto/vaalit/",
        "/neuvosto/kokoukset/",
        "/neuvosto/ajankohtaista/",
        f"/neuvosto/ajankohtaista/{news.slug}/",
        "/neuvosto/asiakirjat/jarjestostrategia/",
    ):
        page.goto(prefix + path)
        assert page.locator("h1").count() == 1
        assert_accessible(page, prefix + path)
