"""iCalendar (RFC 5545) for the calendar feeds and a single event, built with the icalendar library.

Times carry the Europe/Helsinki zone (TZID with its VTIMEZONE), so a calendar shows the event at
the right hour across the daylight-saving change. The remote link is never written: feeds are public.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.html import strip_tags
from icalendar import Calendar
from icalendar import Event as ICalEvent

from .models import Event

HELSINKI = ZoneInfo(settings.TIME_ZONE)


def _local(moment: datetime) -> datetime:
    return timezone.localtime(moment, HELSINKI)


def event_component(event: Event, *, url: str) -> ICalEvent:
    component = ICalEvent()
    component.add("uid", f"event-{event.pk}@{settings.SITE_URL.split('://')[-1]}")
    component.add("dtstamp", timezone.now())
    component.add("dtstart", _local(event.starts_at))
    component.add("dtend", _local(event.ends_at))
    component.add("summary", event.title)
    description = " ".join(strip_tags(event.description).split())
    component.add("description", f"{description}\n\n{url}".strip())
    component.add("url", url)
    location = event.address_line or (event.municipality.name_fi if event.municipality else "")
    if location:
        component.add("location", location)
    component.add("status", "CANCELLED" if event.status == Event.Status.CANCELLED else "CONFIRMED")
    component.add("last-modified", event.updated_at)
    return component


def calendar_bytes(events: Iterable[Event], *, url_for, name: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.PORTAL_NAME}//forums//FI")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    for event in events:
        calendar.add_component(event_component(event, url=url_for(event)))
    calendar.add_missing_timezones()
    return calendar.to_ical()
