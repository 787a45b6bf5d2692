import io

import pytest
from django.db.models import Count, Q

from forums.demo import demo_events, seed_demo
from forums.models import Event, Registration
from organisations.demo import seed_demo as seed_organisations

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_living_calendar_and_a_second_run_adds_nothing():
    seed_organisations(organisations=80, seed=3, with_accounts=False)
    out = io.StringIO()
    seed_demo(seed=3, stdout=out)

    kinds = set(demo_events().values_list("kind", flat=True))
    assert kinds == {
        Event.Kind.REGIONAL_FORUM,
        Event.Kind.LOCAL_FORUM,
        Event.Kind.PARTNERSHIP_TABLE,
        Event.Kind.ASSOCIATION_EVENT,
    }
    assert demo_events().upcoming().count() >= 30
    assert demo_events().past().exists()
    full = demo_events().annotate(
        waiting=Count("registrations", filter=Q(registrations__status=Registration.Status.WAITING)),
        seated=Count(
            "registrations",
            filter=Q(registrations__status=Registration.Status.CONFIRMED, registrations__participation="on_site"),
        ),
    )
    assert any(event.waiting and event.seated == event.capacity for event in full)
    assert all(event.seated <= event.capacity for event in full if event.capacity)
    # Local forums are convened by the municipalities of the demo contacts.
    assert demo_events().filter(kind=Event.Kind.LOCAL_FORUM, organiser_municipalities__contacts__isnull=False).exists()

    count = demo_events().count()
    seed_demo(seed=3, stdout=io.StringIO())
    assert demo_events().count() == count
