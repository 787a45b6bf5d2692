"""Reads of the forums app: the calendar, its month grid, sections for other pages, participants."""

from __future__ import annotations

import calendar
import csv
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext

from organisations.models import Municipality, Organisation
from portal.page_cache import page_changes_at
from portal.versions import bump_version, current_version

from .models import Event, EventOrganiser, Registration

CALENDAR_VERSION_KEY = "forums:calendar-version"
FEED_CACHE_SECONDS = 600
RESULTS_CACHE_SECONDS = 60
HOME_EVENT_COUNT = 5
SECTION_EVENT_COUNT = 10
# The set is keyed by the calendar's version; the expiry only bounds how long unused ones stay.
ORGANISERS_CACHE_SECONDS = 3600


def bump_calendar_version() -> None:
    """Tell cached feeds that events changed (called after the change commits)."""
    bump_version(CALENDAR_VERSION_KEY)


def calendar_version() -> int:
    return current_version(CALENDAR_VERSION_KEY)


def cached_feed(key: str, build) -> bytes:
    """An iCalendar feed from the cache (rebuilt after any event changes, or after ten minutes).

    Building one is the icalendar library's work, some milliseconds per event; calendar
    applications poll the same few feeds over and over.
    """
    full_key = f"forums:feed:{calendar_version()}:{hashlib.sha256(key.encode()).hexdigest()}"
    body = cache.get(full_key)
    if body is None:
        body = build()
        cache.set(full_key, body, FEED_CACHE_SECONDS)
    return body


def cached_results(request, build) -> str:
    """The calendar list's results and filters as HTML, cached for a minute per address and
    language, and dropped whenever an event changes. The minute bounds how long an event that has
    just ended stays listed; everything around the fragment (the header, the CSRF token) is
    rendered per request."""
    query = sorted((key, value) for key in request.GET for value in request.GET.getlist(key))
    key = f"{get_language()}:{request.path}:{query}"
    full_key = f"forums:results:{calendar_version()}:{hashlib.sha256(key.encode()).hexdigest()}"
    html = cache.get(full_key)
    if html is None:
        html = build()
        cache.set(full_key, html, RESULTS_CACHE_SECONDS)
    return mark_safe(html)  # noqa: S308 - our own template's output


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
    section_events = list(events[:SECTION_EVENT_COUNT])
    _page_changes_when_events_end(request, section_events)
    return {"section_events": section_events, "section_municipality": municipality}


def organisation_section(request, organisation: Organisation) -> dict:
    """An association's listing: the events it organises (template forums/_event_section.html).

    Most associations organise none: those not among the organisers of upcoming events need no
    query. The list is kept per calendar version (an event or organiser added moves it); an event
    that has ended since only makes its organisers' listings ask the database again.
    """
    events: list[Event] = []
    if organisation.pk in organisers_of_upcoming_events():
        events = list(upcoming_public_events().organised_by_organisations([organisation])[:SECTION_EVENT_COUNT])
    _page_changes_when_events_end(request, events)
    return {"section_events": events, "section_organisation": organisation}


def organisers_of_upcoming_events() -> frozenset[int]:
    key = f"forums:upcoming-organisers:{calendar_version()}"
    organisers = cache.get(key)
    if organisers is None:
        upcoming = Event.objects.public().upcoming()
        organisers = frozenset(
            EventOrganiser.objects.filter(event__in=upcoming).values_list("organisation_id", flat=True)
        )
        cache.set(key, organisers, ORGANISERS_CACHE_SECONDS)
    return organisers


def _page_changes_when_events_end(request, events: list[Event]) -> None:
    # A listed event leaves the section when it ends, with no change to the calendar's version.
    if events:
        page_changes_at(request, min(event.ends_at for event in events))


class MonthEvent(NamedTuple):
    slug: str
    title: str
    status: str
    starts_at: datetime
    ends_at: datetime


@dataclass
class Day:
    date: date
    in_month: bool
    events: list[MonthEvent] = field(default_factory=list)
    events_html: str = ""


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
    # Plain rows, not model instances: a busy month has hundreds of events and only five columns matter.
    rows = events.overlapping(start, end).order_by("starts_at", "pk").values_list(*MonthEvent._fields)
    for event in map(MonthEvent._make, rows):
        first = timezone.localdate(event.starts_at)
        last = timezone.localdate(event.ends_at)
        current = max(first, weeks[0][0])
        while current <= min(last, weeks[-1][-1]):
            days[current].events.append(event)
            current += timedelta(days=1)
    _render_days(days.values())
    return [[days[day] for day in week] for week in weeks]


def _render_days(days) -> None:
    """Each day's event links as HTML, built here: a busy month has hundreds of them, and the
    template engine spent most of the month view's time on them one by one."""
    url_pattern = reverse("forums:detail", args=["slug-placeholder"])
    cancelled = gettext("Cancelled")
    for day in days:
        if not day.events:
            continue
        items = []
        for event in day.events:
            url = url_pattern.replace("slug-placeholder", event.slug)
            starts = timezone.localtime(event.starts_at)
            # A multi-day event shows its start time on its first day only.
            time_text = f"{starts:%H.%M} " if starts.date() == day.date else ""
            note = f" ({escape(cancelled)})" if event.status == Event.Status.CANCELLED else ""
            items.append(f'<li><a href="{escape(url)}">{time_text}{escape(event.title)}</a>{note}</li>')
        day.events_html = mark_safe("<ul>" + "".join(items) + "</ul>")  # noqa: S308 - every value is escaped


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


NEWSLETTER_EVENT_DAYS = 30
NEWSLETTER_EVENT_COUNT = 10


def newsletter_upcoming_events(*, at: datetime, since: datetime | None, municipalities) -> list:
    """The newsletter's "upcoming events": published events starting within 30 days of the issue.

    With ``municipalities`` (the issue's audience), only events held or organised there.
    """
    from django.utils.formats import date_format

    from portal.registry import NewsletterItem

    events = Event.objects.published().starting_between(at, at + timedelta(days=NEWSLETTER_EVENT_DAYS))
    municipalities = list(municipalities)
    if municipalities:
        events = events.filter(
            Q(municipality__in=municipalities) | Q(organiser_municipalities__in=municipalities)
        ).distinct()
    events = events.select_related("municipality").order_by("starts_at", "pk")[:NEWSLETTER_EVENT_COUNT]
    return [
        NewsletterItem(
            title=event.title,
            url=event.get_absolute_url(),
            detail=", ".join(
                part
                for part in (
                    date_format(timezone.localtime(event.starts_at), "SHORT_DATE_FORMAT"),
                    event.municipality.name if event.municipality else "",
                )
                if part
            ),
        )
        for event in events
    ]
