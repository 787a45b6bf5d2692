"""Subscribing, confirming, preferences and unsubscribing through the services and the outbox."""

from __future__ import annotations

import re

import pytest
from django.db import IntegrityError, transaction

from newsletter import services
from newsletter.models import Delivery, Subscriber
from newsletter.services_sending import issue_send_start
from organisations.models import Municipality, Sector
from portal.models import OutgoingMail
from tests.newsletter.factories import SubscriberFactory, scheduled_issue

pytestmark = pytest.mark.django_db


def confirm_link(mail: OutgoingMail) -> str:
    return re.search(r"https?://\S+/vahvista/(\S+?)/", mail.text).group(1)


def test_subscribing_mails_a_link_and_confirming_keeps_the_consent_as_evidence():
    kuopio = Municipality.objects.get(code="297")
    services.subscription_request(email="Uusi.Tilaaja@Example.org ", language="sv", municipalities=[kuopio])
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "uusi.tilaaja@example.org"
    assert subscriber.status == Subscriber.Status.PENDING
    assert subscriber.consent_requested_at is not None and subscriber.consent_confirmed_at is None
    [mail] = OutgoingMail.objects.filter(label="newsletter.subscription")
    assert mail.to == ["uusi.tilaaja@example.org"] and mail.language == "sv"

    confirmed = services.subscription_confirm(token=confirm_link(mail))

    assert confirmed.status == Subscriber.Status.CONFIRMED
    assert confirmed.consent_confirmed_at >= confirmed.consent_requested_at
    assert confirmed.consent_form == "subscribe"
    assert confirmed.consent_wording_version == services.CONSENT_WORDING_VERSION
    assert "unsubscribe" in confirmed.consent_wording
    assert list(confirmed.municipalities.all()) == [kuopio]


def test_a_forged_or_foreign_confirmation_token_confirms_nobody():
    subscriber = SubscriberFactory(status=Subscriber.Status.PENDING, consent_confirmed_at=None)
    token = services.confirmation_token(subscriber)
    with pytest.raises(services.ConfirmationLinkError):
        services.subscription_confirm(token=token[:-2] + "xx")
    subscriber.email = "toinen@example.org"
    subscriber.save()
    with pytest.raises(services.ConfirmationLinkError):
        services.subscription_confirm(token=token)
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.PENDING


def test_subscribing_an_already_subscribed_address_changes_nothing_and_tells_the_owner():
    sector = Sector.objects.first()
    subscriber = SubscriberFactory(email="jo@example.org", language="fi")
    services.subscription_request(email="jo@example.org", language="sv", sectors=[sector])
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED
    assert subscriber.language == "fi" and not subscriber.sectors.exists()
    [mail] = OutgoingMail.objects.all()
    assert f"/uutiskirje/asetukset/{subscriber.token}/" in mail.text


def test_one_subscription_per_address_whatever_the_case():
    SubscriberFactory(email="sama@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        Subscriber.objects.bulk_create([Subscriber(email="SAMA@example.org")])


def test_an_old_confirmation_link_does_not_resubscribe_after_unsubscribing():
    services.subscription_request(email="peru@example.org", language="fi")
    token = confirm_link(OutgoingMail.objects.get())
    subscriber = services.subscription_confirm(token=token)
    services.subscription_unsubscribe(token=subscriber.token)
    with pytest.raises(services.ConfirmationLinkError):
        services.subscription_confirm(token=token)


def test_unsubscribing_cancels_the_messages_still_waiting():
    subscriber = SubscriberFactory()
    issue = scheduled_issue()
    assert issue_send_start(issue_id=issue.pk) == 1
    services.subscription_unsubscribe(token=subscriber.token)
    mail = Delivery.objects.get(issue=issue).mail
    assert mail.status == OutgoingMail.Status.FAILED
    assert mail.last_error == services.UNSUBSCRIBED_ERROR


def test_repeated_permanent_failures_suspend_the_subscription(settings):
    settings.NEWSLETTER_SUSPEND_AFTER_HARD_FAILURES = 2
    subscriber = SubscriberFactory()
    services.subscriber_record_hard_failure(subscriber_id=subscriber.pk, error="550 No such user")
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED
    services.subscriber_record_hard_failure(subscriber_id=subscriber.pk, error="550 No such user")
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.SUSPENDED and subscriber.hard_failures == 2


def test_an_issue_for_nobody_is_archived_and_finished_at_once():
    SubscriberFactory(status=Subscriber.Status.UNSUBSCRIBED)
    issue = scheduled_issue()
    assert issue_send_start(issue_id=issue.pk) == 0
    issue.refresh_from_db()
    assert issue.status == issue.Status.SENT and issue.published_at is not None


@pytest.mark.parametrize("create", ["_create_deliveries_in_sql", "_create_deliveries_in_python"])
def test_both_ways_of_creating_the_deliveries_write_the_same_messages(create):
    from django.conf import settings
    from django.utils import timezone

    from newsletter import services_sending

    finnish = SubscriberFactory(language="fi")
    swedish = SubscriberFactory(language="sv")
    SubscriberFactory(status=Subscriber.Status.PENDING, consent_confirmed_at=None)
    issue = scheduled_issue(title_fi="Syksyn uutiset", title_sv="Höstens nyheter", body_sv="<p>Hej!</p>")
    rendered = {language: services_sending.render_issue(issue, language) for language in ("fi", "sv")}
    now = timezone.now()
    audience = Subscriber.objects.for_audience(issue)
    count = getattr(services_sending, create)(issue, audience, rendered, now=now, next_attempt=now)

    assert count == 2
    for subscriber in (finnish, swedish):
        mail = Delivery.objects.get(issue=issue, subscriber=subscriber).mail
        subject, text, html = rendered[subscriber.language]
        assert mail.to == [subscriber.email] and mail.language == subscriber.language
        assert mail.subject == subject and mail.label == issue.label and mail.status == OutgoingMail.Status.QUEUED
        assert mail.text == text.replace(services_sending.TOKEN_PLACEHOLDER, subscriber.token)
        assert mail.html == html.replace(services_sending.TOKEN_PLACEHOLDER, subscriber.token)
        assert mail.headers == services_sending.list_headers(subscriber.token, subscriber.language)
        assert mail.from_email == settings.NEWSLETTER_FROM_EMAIL and mail.attempts == 0
        assert mail.message_id.startswith("<") and mail.message_id.endswith(">")
    assert OutgoingMail.objects.filter(label=issue.label).values("message_id").distinct().count() == 2
