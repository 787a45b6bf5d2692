"""Reads of the forums app: the calendar, its month grid, sections for other pages, participants."""

from __future__ import annotations

import calendar
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from organisations.models import Municipality, Organisation

from .models import Event, Registration

HOME_EVENT_COUNT = 5
SECTION_EVENT_COUNT = 10


def calendar_events(queryset: QuerySet[Event] | None = None) -> QuerySet[Event]:
    """What a calendar row shows of each event (not the long description)."""
    queryset = Event.objects.all() if queryset is None else queryset
    return queryset.defer("description", "remote_url", "rejection_reason").select_related("municipality")


def upcoming_public_events(now: datetime | None = None) -> QuerySet[Event]:
    return calendar_events(Event.objects.public().upcoming(now)).order_by("starts_at", "pk")


def past_public_events(now: datetime | None = None) -> QuerySet[Event]:
    return calendar_events(Event.objects.public().past(now)).order_by("-starts_at", "-pk")


def with_seat_counts(queryset: QuerySet[Event]) -> QuerySet[Event]:
    return queryset.annotate(
        confirmed_on_site=Count(
            "registrations",
            filter=Q(registrations__status=Registration.Status.CONFIRMED, registrations__participation="on_site"),
        ),
        waiting_count=Count("registrations", filter=Q(registrations__status=Registration.Status.WAITING)),
    )


def home_section(request) -> dict:
    """The front page's "next events" (template forums/_home_section.html)."""
    return {"upcoming_events": list(upcoming_public_events()[:HOME_EVENT_COUNT])}


def municipality_section(request, municipality: Municipality) -> dict:
    """A municipality page's events (template forums/_event_section.html)."""
    events = (
        upcoming_public_events()
        .filter(Q(municipality=municipality) | Q(organiser_municipalities=municipality))
        .distinct()
    )
    return {"section_events": list(events[:SECTION_EVENT_COUNT]), "section_municipality": municipality}


def organisation_section(request, organisation: Organisation) -> dict:
    """An association's listing: the events it organises (template forums/_event_section.html)."""
    events = upcoming_public_events().organised_by_organisations([organisation])
    return {"section_events": list(events[:SECTION_EVENT_COUNT]), "section_organisation": organisation}


@dataclass
class Day:
    date: date
    in_month: bool
    events: list[Event] = field(default_factory=list)


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    first = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    zone = timezone.get_current_timezone()
    return datetime.combine(first, time.min, zone), datetime.combine(following, time.min, zone)


def month_weeks(events: QuerySet[Event], year: int, month: int) -> list[list[Day]]:
    """Weeks (Monday first, as in Finland) of the month; each day lists the events on it.

    An event spanning several days shows on each of them within the month.
    """
    start, end = month_bounds(year, month)
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    days = {day: Day(day, day.month == month) for week in weeks for day in week}
    for event in events.filter(starts_at__lt=end, ends_at__gte=start).order_by("starts_at", "pk"):
        first = timezone.localdate(event.starts_at)
        last = timezone.localdate(event.ends_at)
        current = max(first, weeks[0][0])
        while current <= min(last, weeks[-1][-1]):
            days[current].events.append(event)
            current += timedelta(days=1)
    return [[days[day] for day in week] for week in weeks]


PARTICIPANT_COLUMNS = ("name", "email", "organisation", "participation", "status", "registered", "needs")


def participants(event: Event) -> QuerySet[Registration]:
    return event.registrations.active().select_related("delegate_of").order_by("status", "created_at", "pk")


def _cell(value: str) -> str:
    # A spreadsheet runs a cell starting with these as a formula: keep it text.
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def participants_csv(event: Event, *, headings: list[str], labels: dict[str, dict[str, str]]) -> Iterator[str]:
    """CSV lines (UTF-8 with a byte-order mark for Excel) of the event's live registrations."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headings)
    yield "\ufeff" + buffer.getvalue()
    for registration in participants(event).iterator(chunk_size=500):
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(
            [
                _cell(registration.name),
                _cell(registration.email),
                _cell(registration.organisation_name),
                labels["participation"][registration.participation],
                labels["status"][registration.status],
                timezone.localtime(registration.created_at).strftime("%Y-%m-%d %H:%M"),
                _cell(registration.needs),
            ]
        )
        yield buffer.getvalue()


def pending_events() -> QuerySet[Event]:
    return (
        Event.objects.awaiting_moderation()
        .select_related("municipality", "created_by")
        .prefetch_related("organiser_organisations")
        .order_by("created_at")
    )


def delegates_of(event: Event, organisations: QuerySet[Organisation]) -> QuerySet[Registration]:
    return event.registrations.active().filter(delegate_of__in=organisations).select_related("delegate_of")
