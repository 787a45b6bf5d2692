"""The council's demo: a believable council on top of the demo associations, the same for the same seed."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from council.demo import demo_data_delete, seed_demo
from council.models import Election, ElectionResult, Meeting, NewsItem, SeatHolding, Term
from organisations.demo import seed_demo as seed_organisations

pytestmark = pytest.mark.django_db


def composition() -> list[tuple]:
    return list(
        SeatHolding.objects.active()
        .filter(seat__term__in=Term.objects.current())
        .order_by("seat__position", "role")
        .values_list("seat__position", "role", "person__name", "person__organisation__name")
    )


def without_lot(rows: list[tuple]) -> list[tuple]:
    """The composition less what the lot decided: the lot is keyed on database ids, which a reseed
    does not repeat (sequences go on after the delete), so only the rest is the seed's to fix."""
    drawn = set(ElectionResult.objects.filter(decided_by_lot=True).values_list("seat__position", "outcome"))
    assert drawn
    return [row for row in rows if (row[0], row[1]) not in drawn]


def test_the_demo_council_is_complete_and_the_same_for_the_same_seed(client):
    seed_organisations(organisations=300, seed=3, with_accounts=False)
    out = io.StringIO()
    seed_demo(seed=3, stdout=out)
    current = Term.objects.current().get()
    assert current.seats.count() == 14 and Term.objects.count() == 2
    assert len(composition()) == 28  # a member and a deputy in every seat
    election = Election.objects.get()
    assert election.status == Election.Status.APPROVED
    assert ElectionResult.objects.filter(decided_by_lot=True).exists()
    assert Meeting.objects.with_published_minutes().count() == 6
    assert Meeting.objects.public().upcoming().exists()
    assert NewsItem.objects.published().count() == 4

    for url in (reverse("council:home"), election.get_absolute_url(), reverse("council:meetings")):
        assert client.get(url).status_code == 200
    assert "arvalla" in client.get(election.get_absolute_url()).content.decode()

    seed_demo(seed=3, stdout=out)
    assert "nothing added" in out.getvalue() and Term.objects.count() == 2
    first = without_lot(composition())
    demo_data_delete()
    assert not Term.objects.exists() and not Election.objects.exists()
    seed_demo(seed=3, stdout=out)
    assert without_lot(composition()) == first
