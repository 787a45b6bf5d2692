from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Prefetch

from portal.versions import bump_version, current_version

from .models import (
    BallotChoice,
    Election,
    ElectionResult,
    GroupMembership,
    Meeting,
    NewsItem,
    Nomination,
    Seat,
    SeatHolding,
    Term,
)
from .services import ballot_list


@dataclass
class SeatRow:
    seat: Seat
    member: SeatHolding | None
    deputy: SeatHolding | None
    history: list[SeatHolding] = field(default_factory=list)


def composition(term: Term) -> list[SeatRow]:
    """The term's seats with their current member and deputy, and the holdings that ended (history)."""
    holdings = SeatHolding.objects.select_related(
        "person", "person__organisation", "person__sector", "person__user"
    ).order_by("starts_on")
    rows = []
    for seat in term.seats.select_related("sector").prefetch_related(Prefetch("holdings", queryset=holdings)):
        active = {h.role: h for h in seat.holdings.all() if h.ends_on is None}
        ended = [h for h in seat.holdings.all() if h.ends_on is not None]
        rows.append(SeatRow(seat, active.get(SeatHolding.Role.MEMBER), active.get(SeatHolding.Role.DEPUTY), ended))
    return rows


def group_members():
    return (
        GroupMembership.objects.active()
        .filter(organisation__status="published")
        .select_related("organisation", "organisation__home_municipality")
    )


@dataclass
class SeatResults:
    seat: Seat
    results: list[ElectionResult]
    voters: int
    small: bool


def election_results(election: Election) -> list[SeatResults]:
    voters_by_seat = dict(
        BallotChoice.objects.filter(ballot__election=election)
        .values_list("seat_id")
        .annotate(n=Count("id"))
        .values_list("seat_id", "n")
    )
    by_seat: dict[int, list[ElectionResult]] = defaultdict(list)
    for result in election.results.select_related("nomination__background_organisation", "seat"):
        by_seat[result.seat_id].append(result)
    rows = []
    for seat in election.seats.order_by("position"):
        voters = voters_by_seat.get(seat.pk, 0)
        small = election.method == Election.Method.PORTAL and 0 < voters < settings.COUNCIL_SMALL_SEAT_VOTERS
        rows.append(SeatResults(seat, by_seat.get(seat.pk, []), voters, small))
    return rows


def turnout(election: Election) -> dict[str, Any]:
    roll = election.roll.count()
    voted = election.cast_records.count()
    return {"roll": roll, "voted": voted, "percent": round(100 * voted / roll, 1) if roll else 0}


def candidates(election: Election):
    return election.nominations.valid().select_related("seat", "background_organisation", "nominated_by")


def published_ballot_list(election: Election) -> list[tuple[str, list[tuple[int, int]]]]:
    return ballot_list(election)


def secretary_desk() -> dict[str, Any]:
    """What needs the secretary now, with counts."""
    nominations = Nomination.objects.valid().filter(election__status=Election.Status.NOMINATION)
    elections = Election.objects.needing_attention().select_related("term")
    awaiting_checkers = Meeting.objects.filter(minutes_status=Meeting.MinutesStatus.CHECKING)
    ready_to_publish = Meeting.objects.filter(minutes_status=Meeting.MinutesStatus.CHECKED)
    without_agenda = Meeting.objects.upcoming().filter(agenda_published_at__isnull=True)
    minutes_to_write = Meeting.objects.filter(
        agenda_published_at__isnull=False,
        minutes_status__in=[Meeting.MinutesStatus.NONE, Meeting.MinutesStatus.DRAFT],
        starts_at__lt=_now(),
    )
    return {
        "nominations": nominations.select_related("election", "seat", "nominated_by"),
        "nomination_count": nominations.count(),
        "elections": elections,
        "election_count": elections.count(),
        "awaiting_checkers": awaiting_checkers,
        "awaiting_checkers_count": awaiting_checkers.count(),
        "ready_to_publish": ready_to_publish,
        "ready_to_publish_count": ready_to_publish.count(),
        "without_agenda": without_agenda,
        "without_agenda_count": without_agenda.count(),
        "minutes_to_write": minutes_to_write,
        "minutes_to_write_count": minutes_to_write.count(),
    }


def _now():
    from django.utils import timezone

    return timezone.now()


HOME_VERSION_KEY = "council:home-version"


def bump_home_version() -> None:
    """Tell cached pages that the council's front-page box changed (after the change commits)."""
    bump_version(HOME_VERSION_KEY)


def home_version() -> int:
    """Moved by every saved news item and meeting: what ``home_section`` shows."""
    return current_version(HOME_VERSION_KEY)


def home_section(request) -> dict[str, Any]:
    """The front page's council box: the latest news and the next meeting."""
    return {
        "council_news": list(NewsItem.objects.published()[:3]),
        "council_next_meeting": Meeting.objects.public().upcoming().first(),
    }


NEWSLETTER_NEWS_COUNT = 5
# The first issue (no previous one) lists the news of this many days before it.
NEWSLETTER_NEWS_DAYS_WITHOUT_PREVIOUS = 30


def newsletter_council_news(*, at, since, municipalities) -> list:
    """The newsletter's "latest council news": news published since the previous issue, newest first."""
    from datetime import timedelta

    from django.utils.formats import date_format
    from django.utils.timezone import localtime

    from portal.registry import NewsletterItem

    since = since or at - timedelta(days=NEWSLETTER_NEWS_DAYS_WITHOUT_PREVIOUS)
    news = NewsItem.objects.published().filter(published_at__gt=since, published_at__lte=at)
    return [
        NewsletterItem(
            title=item.title,
            url=item.get_absolute_url(),
            detail=date_format(localtime(item.published_at), "SHORT_DATE_FORMAT"),
        )
        for item in news.order_by("-published_at", "-pk")[:NEWSLETTER_NEWS_COUNT]
    ]
