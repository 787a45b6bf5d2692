from __future__ import annotations

import factory
from django.utils import timezone

from newsletter.models import Issue, Subscriber
from newsletter.services import CONSENT_WORDING, CONSENT_WORDING_VERSION


class SubscriberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscriber

    email = factory.Sequence(lambda n: f"tilaaja{n}@example.org")
    language = "fi"
    status = Subscriber.Status.CONFIRMED
    consent_requested_at = factory.LazyFunction(timezone.now)
    consent_confirmed_at = factory.LazyFunction(timezone.now)
    consent_form = "subscribe"
    consent_wording_version = CONSENT_WORDING_VERSION
    consent_wording = CONSENT_WORDING


class IssueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Issue

    title_fi = factory.Sequence(lambda n: f"Uutiskirje {n}")
    body_fi = "<p>Tervetuloa syksyn tapahtumiin!</p>"
    include_new_organisations = False


def scheduled_issue(**kwargs) -> Issue:
    return IssueFactory(status=Issue.Status.SCHEDULED, scheduled_at=timezone.now(), **kwargs)
