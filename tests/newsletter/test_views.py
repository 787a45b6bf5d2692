"""The newsletter's pages through Django's test client."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from newsletter.models import Issue, Subscriber
from portal.models import OutgoingMail

from .factories import IssueFactory, SubscriberFactory

pytestmark = pytest.mark.django_db


def test_one_click_unsubscribe_works_without_cookies_or_csrf_token_and_answers_200():
    subscriber = SubscriberFactory()
    mail_client = Client(enforce_csrf_checks=True)  # a mail provider's server: no session, no token
    response = mail_client.post(
        subscriber.get_unsubscribe_url(),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200 and "Location" not in response
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED and subscriber.unsubscribed_at is not None


def test_opening_the_unsubscribe_link_only_shows_a_button(client):
    subscriber = SubscriberFactory()
    response = client.get(subscriber.get_unsubscribe_url())
    assert response.status_code == 200
    assert b'<form method="post">' in response.content
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED
    # The button on that page unsubscribes.
    assert client.post(subscriber.get_unsubscribe_url()).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED


def test_one_click_unsubscribe_is_the_only_csrf_exempt_post_in_the_portal():
    def exempt(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from exempt(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and getattr(pattern.callback, "csrf_exempt", False):
                yield pattern.name

    assert set(exempt(get_resolver().url_patterns)) == {"unsubscribe"}


def test_the_subscribe_form_answers_alike_for_new_and_subscribed_addresses(client):
    SubscriberFactory(email="jo@example.org")
    answers = [
        client.post(reverse("newsletter:subscribe"), {"email": email, "language": "fi", "consent": "on"})
        for email in ("jo@example.org", "uusi@example.org")
    ]
    assert [(answer.status_code, answer["Location"]) for answer in answers] == [
        (302, reverse("newsletter:subscribe_sent"))
    ] * 2
    assert Subscriber.objects.get(email="jo@example.org").status == Subscriber.Status.CONFIRMED
    assert Subscriber.objects.get(email="uusi@example.org").status == Subscriber.Status.PENDING


def test_subscribing_needs_the_consent_and_is_rate_limited(client, settings):
    settings.NEWSLETTER_SUBSCRIBE_PER_HOUR = 2
    url = reverse("newsletter:subscribe")
    response = client.post(url, {"email": "a@example.org", "language": "fi"})
    assert response.status_code == 200 and not Subscriber.objects.exists()
    client.post(url, {"email": "b@example.org", "language": "fi", "consent": "on"})
    response = client.post(url, {"email": "c@example.org", "language": "fi", "consent": "on"})
    assert response.status_code == 429
    assert list(Subscriber.objects.values_list("email", flat=True)) == ["b@example.org"]


def test_confirming_by_link_shows_a_button_first(client):
    client.post(reverse("newsletter:subscribe"), {"email": "vahvistaja@example.org", "language": "fi", "consent": "on"})
    mail = OutgoingMail.objects.get()
    link = next(word for word in mail.text.split() if "/vahvista/" in word)
    path = link.split("8000", 1)[1]
    assert client.get(path).status_code == 200
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING
    assert client.post(path).status_code == 200
    assert Subscriber.objects.get().status == Subscriber.Status.CONFIRMED


def test_preferences_change_by_the_token(client):
    subscriber = SubscriberFactory()
    response = client.post(subscriber.get_preferences_url(), {"language": "sv", "municipalities": ["297"]})
    assert response.status_code == 200, response.content.decode()[:500]  # an unknown choice is refused
    response = client.post(subscriber.get_preferences_url(), {"language": "sv"})
    assert response.status_code == 302
    subscriber.refresh_from_db()
    assert subscriber.language == "sv"


def test_the_archive_shows_published_issues_only(client):
    sent = IssueFactory(title_fi="Lokakuun kirje", status=Issue.Status.SENT, published_at=timezone.now())
    IssueFactory(title_fi="Luonnos")
    response = client.get(reverse("newsletter:archive"))
    assert b"Lokakuun kirje" in response.content and b"Luonnos" not in response.content
    assert client.get(sent.get_absolute_url()).status_code == 200


def test_the_secretary_composes_previews_tests_and_sends(client, login_as, django_capture_on_commit_callbacks):
    secretary = login_as(client, "council_secretary")
    SubscriberFactory.create_batch(3)
    response = client.post(
        reverse("newsletter:issue_create"),
        {
            "title_fi": "Joulukuun uutiset",
            "body_fi": '<p>Hei <script>alert(1)</script><a href="javascript:x()">linkki</a></p>',
            "title_sv": "",
            "body_sv": "",
        },
    )
    assert response.status_code == 302
    issue = Issue.objects.get()
    assert "<script>" not in issue.body_fi and "javascript:" not in issue.body_fi
    detail = client.get(reverse("newsletter:issue_detail", args=[issue.pk]))
    assert "3" in detail.content.decode()
    preview = client.get(reverse("newsletter:issue_preview", args=[issue.pk]))
    assert b"Joulukuun uutiset" in preview.content
    email_preview = client.get(reverse("newsletter:issue_preview_email", args=[issue.pk]))
    assert b"/uutiskirje/peru/" in email_preview.content

    client.post(reverse("newsletter:issue_send_test", args=[issue.pk]))
    [test_mail] = OutgoingMail.objects.filter(label=f"newsletter.test.{issue.pk}")
    assert test_mail.to == [secretary.email] and test_mail.subject == "[TEST] Joulukuun uutiset"
    assert Issue.objects.get().status == Issue.Status.DRAFT

    later = timezone.localtime() + timezone.timedelta(days=1)
    client.post(
        reverse("newsletter:issue_schedule", args=[issue.pk]), {"scheduled_at": later.strftime("%Y-%m-%dT%H:%M")}
    )
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SCHEDULED and issue.scheduled_at > timezone.now()

    with django_capture_on_commit_callbacks(execute=True):  # Celery is eager here
        client.post(reverse("newsletter:issue_schedule", args=[issue.pk]), {"now": "1"})
    progress = client.get(reverse("newsletter:issue_progress_json", args=[issue.pk])).json()
    assert progress["total"] == 3 and progress["remaining"] + progress["sent"] + progress["failed"] == 3
    assert client.get(reverse("newsletter:issue_progress", args=[issue.pk])).status_code == 200
