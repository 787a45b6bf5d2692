"""The issue's automatic sections: upcoming events (forums) and the latest council news (council),
found through the registry and shown in the e-mail (HTML and text), the preview and the archive."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from council.models import NewsItem
from newsletter.demo import seed_demo
from newsletter.models import Issue
from newsletter.selectors import issue_sections
from newsletter.services_sending import render_issue
from organisations.models import Municipality
from portal.registry import newsletter_section
from tests.forums.factories import EventFactory, in_days
from tests.newsletter.factories import IssueFactory

pytestmark = pytest.mark.django_db


def news(title: str, slug: str, *, days_ago: float) -> NewsItem:
    return NewsItem.objects.create(
        title=title, slug=slug, body="<p>Uutinen.</p>", published_at=timezone.now() - timedelta(days=days_ago)
    )


@pytest.fixture
def world():
    kuopio, mikkeli = Municipality.objects.get(code="297"), Municipality.objects.get(code="491")
    EventFactory(title="Kuopion järjestöilta", slug="kuopion-jarjestoilta", starts_at=in_days(5), municipality=kuopio)
    EventFactory(title="Mikkelin messut", slug="mikkelin-messut", starts_at=in_days(6), municipality=mikkeli)
    EventFactory(title="Kaukainen kevätilta", slug="kaukainen", starts_at=in_days(45), municipality=kuopio)
    EventFactory(title="Peruttu ilta", slug="peruttu", starts_at=in_days(7), status="cancelled", municipality=kuopio)
    # The previous issue went out ten days ago: only the news published since then are new.
    IssueFactory(status=Issue.Status.SENT, started_at=timezone.now() - timedelta(days=10), published_at=timezone.now())
    news("Vanha uutinen", "vanha-uutinen", days_ago=20)
    news("Avustushaku avautui", "avustushaku-avautui", days_ago=2)
    issue = IssueFactory(title_fi="Marraskuun uutiskirje", title_sv="Novembers nyhetsbrev", body_sv="<p>Hej!</p>")
    issue.municipalities.set([kuopio])
    return issue


def test_the_apps_register_the_sections_the_newsletter_lists():
    assert newsletter_section("upcoming_events") is not None
    assert newsletter_section("council_news") is not None


def test_the_email_lists_the_upcoming_events_of_the_audience_and_the_news_since_the_previous_issue(world, settings):
    _subject, text, html = render_issue(world, "fi")
    assert "Tulevat tapahtumat" in html and "Järjestöneuvoston uusimmat uutiset" in html
    assert "Kuopion järjestöilta</a>" in html
    for part in (text, html):
        assert "Kuopion järjestöilta" in part
        assert "Avustushaku avautui" in part
        # Elsewhere, too late, cancelled, or already in the previous issue:
        for absent in ("Mikkelin messut", "Kaukainen kevätilta", "Peruttu ilta", "Vanha uutinen"):
            assert absent not in part
    assert f"{settings.SITE_URL}{NewsItem.objects.get(slug='avustushaku-avautui').get_absolute_url()}" in text


def test_the_swedish_email_has_swedish_headings_and_links(world):
    _subject, text, html = render_issue(world, "sv")
    assert "Kommande evenemang" in html and "Organisationsrådets senaste nyheter" in html
    assert "/sv/" in text.split("Kuopion järjestöilta", 1)[1].splitlines()[0]


def test_switched_off_sections_are_left_out(world):
    Issue.objects.filter(pk=world.pk).update(include_upcoming_events=False, include_council_news=False)
    world.refresh_from_db()
    assert issue_sections(world) == []
    _subject, text, html = render_issue(world, "fi")
    assert "Kuopion järjestöilta" not in text and "Avustushaku avautui" not in html


def test_the_preview_and_the_archive_show_the_sections(world, client, login_as):
    login_as(client, "council_secretary")
    for language in ("fi", "sv"):
        page = client.get(reverse("newsletter:issue_preview", args=[world.pk]), {"kieli": language}).content.decode()
        assert "Kuopion järjestöilta" in page and "Avustushaku avautui" in page
    client.logout()
    Issue.objects.filter(pk=world.pk).update(
        status=Issue.Status.SENT, started_at=timezone.now(), published_at=timezone.now()
    )
    page = client.get(world.get_absolute_url()).content.decode()
    assert "Tulevat tapahtumat" in page and "Kuopion järjestöilta" in page and "Avustushaku avautui" in page
    assert "Mikkelin messut" not in page and "Vanha uutinen" not in page


def test_the_demo_issues_show_the_events_and_news_of_their_time(client):
    seed_demo(seed=1, stdout=io.StringIO(), subscribers=20)
    latest = Issue.objects.published().order_by("-started_at").first()
    assert latest.include_upcoming_events and latest.include_council_news
    EventFactory(title="Demon syysilta", slug="demon-syysilta", starts_at=latest.started_at + timedelta(days=3))
    news("Demon uutinen", "demon-uutinen", days_ago=(timezone.now() - latest.started_at).days + 1)
    page = client.get(latest.get_absolute_url()).content.decode()
    assert "Demon syysilta" in page and "Demon uutinen" in page
