from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from forums.models import Event, Registration
from organisations.models import Municipality


def in_days(days: float, hour: int = 18) -> timezone.datetime:
    moment = timezone.localtime() + timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Järjestöilta {n}")
    slug = factory.Sequence(lambda n: f"jarjestoilta-{n}")
    kind = Event.Kind.LOCAL_FORUM
    status = Event.Status.PUBLISHED
    description = "<p>Tervetuloa keskustelemaan kunnan ja yhdistysten yhteistyöstä.</p>"
    starts_at = factory.LazyFunction(lambda: in_days(14))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))
    place = "Kulttuurikeskus"
    street_address = "Kauppakatu 1"
    postal_code = "70100"
    post_office = "Kuopio"
    municipality = factory.LazyFunction(lambda: Municipality.objects.get(code="297"))
    on_site = True
    remote = True
    remote_url = "https://meet.example/salainen-huone-4821"
    capacity = 30


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Osallistuja {n}")
    email = factory.Sequence(lambda n: f"osallistuja{n}@example.org")
    participation = Registration.Participation.ON_SITE
    status = Registration.Status.CONFIRMED
