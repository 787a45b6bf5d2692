"""Council test data: fictional people and associations only."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from council.models import Election, GroupMembership, Meeting, Person, Seat, SeatHolding, Term
from tests.organisations.factories import OrganisationFactory, sector


class TermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Term

    name = factory.Sequence(lambda n: f"Kausi {2025 + n}-{2026 + n}")
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=30))
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=700))


class SeatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Seat

    term = factory.SubFactory(TermFactory)
    position = factory.Sequence(lambda n: n + 1)
    label = factory.Sequence(lambda n: f"Paikka {n + 1}")
    kind = Seat.Kind.SECTOR


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"Testi Henkilö {n}")
    email = factory.Sequence(lambda n: f"henkilo{n}@example.org")


def member_of(association, **kwargs) -> GroupMembership:
    return GroupMembership.objects.create(organisation=association, **kwargs)


def seat_with_holders(term: Term, position: int = 1, *, member=None, deputy=None) -> Seat:
    seat = SeatFactory(term=term, position=position)
    SeatHolding.objects.create(seat=seat, person=member or PersonFactory(), role="member", starts_on=term.starts_on)
    SeatHolding.objects.create(seat=seat, person=deputy or PersonFactory(), role="deputy", starts_on=term.starts_on)
    return seat


def published_association(name: str, *sector_slugs: str):
    return OrganisationFactory(name=name, sectors=[sector(slug) for slug in sector_slugs])


def election_in_nomination(term: Term, seats, **kwargs) -> Election:
    now = timezone.now()
    election = Election.objects.create(
        term=term,
        title="Järjestöneuvoston vaali",
        nomination_starts_at=now - dt.timedelta(days=10),
        nomination_ends_at=now + dt.timedelta(days=1),
        voting_starts_at=now + dt.timedelta(days=1),
        voting_ends_at=now + dt.timedelta(days=8),
        **kwargs,
    )
    election.seats.set(seats)
    return election


def move_to_voting_period(election: Election) -> None:
    """Time passes: nomination has ended and voting runs now."""
    now = timezone.now()
    Election.objects.filter(pk=election.pk).update(
        nomination_starts_at=now - dt.timedelta(days=10),
        nomination_ends_at=now - dt.timedelta(days=2),
        voting_starts_at=now - dt.timedelta(days=1),
        voting_ends_at=now + dt.timedelta(days=6),
    )
    election.refresh_from_db()


def move_past_voting(election: Election) -> None:
    now = timezone.now()
    Election.objects.filter(pk=election.pk).update(
        nomination_starts_at=now - dt.timedelta(days=20),
        nomination_ends_at=now - dt.timedelta(days=12),
        voting_starts_at=now - dt.timedelta(days=10),
        voting_ends_at=now - dt.timedelta(minutes=1),
    )
    election.refresh_from_db()


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    title = factory.Sequence(lambda n: f"Järjestöneuvoston kokous {n + 1}/2026")
    starts_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=14))
    location = "Maakuntasali, Kuopio"
