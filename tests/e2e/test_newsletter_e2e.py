"""The newsletter in chromium: a resident subscribes, confirms from the mail, changes preferences
and unsubscribes; the secretary composes, previews, sends and watches the progress. axe-core
checks the pages in Finnish and Swedish."""

import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from newsletter.models import Issue, Subscriber
from portal.permissions import COUNCIL_SECRETARIES_GROUP
from tests.e2e.helpers import log_in
from tests.roles import PASSWORD, verified_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path


def link_in(mail, fragment: str) -> str:
    return path_of(next(word for word in mail.text.split() if fragment in word))


def test_subscribe_confirm_compose_send_and_unsubscribe(page, smtp_sink, assert_accessible):
    page.goto("/uutiskirje/")
    expect(page.locator("h1")).to_have_text("Tilaa uutiskirje")
    assert_accessible(page, "subscribe fi")
    page.locator("#id_email").fill("lukija@example.org")
    page.get_by_label("Kuopio").check()
    page.locator("#id_consent").check()
    page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("Tarkista sähköpostisi")
    assert_accessible(page, "subscribe sent fi")

    [confirmation] = smtp_sink.wait_for(1)
    assert confirmation.recipients == ["lukija@example.org"]
    page.goto(link_in(confirmation, "/vahvista/"))
    assert_accessible(page, "confirm fi")
    page.get_by_role("button", name="Vahvista tilaus").click()
    expect(page.locator("h1")).to_have_text("Tilaus vahvistettu")
    assert Subscriber.objects.get().status == Subscriber.Status.CONFIRMED

    page.get_by_role("link", name="Muuta valintojasi").click()
    expect(page.locator("h1")).to_have_text("Uutiskirjeen asetukset")
    assert_accessible(page, "preferences fi")
    page.locator("input[name=language][value=sv]").check()
    page.get_by_role("button", name="Tallenna").click()
    expect(page.locator(".message")).to_contain_text("Asetuksesi tallennettiin.")
    assert Subscriber.objects.get().language == "sv"

    secretary = verified_user(email="sihteeri.e2e@example.org")
    secretary.groups.add(Group.objects.get(name=COUNCIL_SECRETARIES_GROUP))
    log_in(page, secretary.email, PASSWORD)
    page.goto("/uutiskirje/hallinta/uusi/")
    assert_accessible(page, "new issue fi")
    page.locator("#id_title_fi").fill("Joulukuun uutiskirje")
    editor = page.locator('.prose-editor [contenteditable="true"]').first
    editor.click()
    page.keyboard.type("Tervetuloa joulumyyjäisiin!")
    page.locator("#id_title_sv").fill("Decembers nyhetsbrev")
    swedish = page.locator('.prose-editor [contenteditable="true"]').nth(1)
    swedish.click()
    page.keyboard.type("Välkommen till julbasaren!")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("Joulukuun uutiskirje")
    assert_accessible(page, "issue fi")

    page.get_by_role("link", name="Esikatsele sähköposti").click()
    expect(page.locator("main")).to_contain_text("Tervetuloa joulumyyjäisiin!")
    assert_accessible(page, "e-mail preview fi")
    page.go_back()
    page.get_by_role("button", name="Lähetä nyt").click()
    expect(page.locator("h1")).to_contain_text("Lähetyksen eteneminen")
    expect(page.locator("[data-count=sent]")).to_have_text("1")
    expect(page.locator("[data-count=remaining]")).to_have_text("0")
    assert_accessible(page, "progress fi")
    assert Issue.objects.get().status == Issue.Status.SENT

    newsletter = smtp_sink.wait_for(2)[1]
    assert newsletter.subject == "Decembers nyhetsbrev"
    unsubscribe = link_in(newsletter, "/peru/")
    assert unsubscribe.startswith("/sv/uutiskirje/peru/")
    page.goto(unsubscribe)
    expect(page.locator("h1")).to_have_text("Avsluta prenumerationen på nyhetsbrevet")
    assert_accessible(page, "unsubscribe sv")
    page.get_by_role("button", name="Avsluta prenumerationen").click()
    expect(page.locator("h1")).to_have_text("Prenumerationen avslutad")
    assert_accessible(page, "unsubscribed sv")
    assert Subscriber.objects.get().status == Subscriber.Status.UNSUBSCRIBED

    page.goto("/sv/uutiskirje/arkisto/")
    page.get_by_role("link", name=re.compile("Decembers nyhetsbrev")).click()
    expect(page.locator("main")).to_contain_text("Välkommen till julbasaren!")
    assert_accessible(page, "archive sv")
