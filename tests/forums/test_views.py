from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from forums import services
from forums.models import Event, Registration
from organisations.models import Municipality, Sector
from tests.organisations.factories import OrganisationFactory, UserFactory, municipal_contact_user
from tests.organisations.roles import make_editor

from .factories import EventFactory, RegistrationFactory, in_days

pytestmark = pytest.mark.django_db


def json_ld(content: str) -> dict:
    [block] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', content, re.S)
    return json.loads(block)


# --- The public calendar ---------------------------------------------------------------------------


def test_the_calendar_lists_upcoming_public_events_only(client):
    EventFactory(title="Tuleva foorumi")
    EventFactory(title="Mennyt foorumi", starts_at=in_days(-10), ends_at=in_days(-10) + timedelta(hours=2))
    EventFactory(title="Odottava ilta", status=Event.Status.PENDING)
    EventFactory(title="Hylätty ilta", status=Event.Status.REJECTED)
    content = client.get(reverse("forums:calendar")).content.decode()
    assert "Tuleva foorumi" in content
    assert "Mennyt foorumi" not in content
    assert "Odottava ilta" not in content and "Hylätty ilta" not in content
    archive = client.get(reverse("forums:archive")).content.decode()
    assert "Mennyt foorumi" in archive and "Tuleva foorumi" not in archive


def test_the_calendar_filters_by_municipality_kind_sector_and_remote(client):
    culture = Sector.objects.get(slug="kulttuuri")
    kuopio_forum = EventFactory(title="Kuopion foorumi", remote=False, remote_url="")
    iisalmi_table = EventFactory(
        title="Iisalmen kumppanuuspöytä",
        kind=Event.Kind.PARTNERSHIP_TABLE,
        municipality=Municipality.objects.get(code="140"),
    )
    iisalmi_table.sectors.set([culture])
    url = reverse("forums:calendar")

    def titles(query: str) -> set[str]:
        content = client.get(f"{url}?{query}").content.decode()
        return {title for title in ("Kuopion foorumi", "Iisalmen kumppanuuspöytä") if title in content}

    assert titles("kunta=297") == {kuopio_forum.title}
    assert titles("tyyppi=kumppanuuspoyta") == {iisalmi_table.title}
    assert titles("toimiala=kulttuuri") == {iisalmi_table.title}
    assert titles("osallistuminen=etana") == {iisalmi_table.title}
    assert titles("osallistuminen=paikan-paalla") == {kuopio_forum.title, iisalmi_table.title}


def test_an_unknown_filter_value_is_explained_with_400(client):
    response = client.get(reverse("forums:calendar") + "?kunta=999")
    assert response.status_code == 400
    assert 'id="filter-errors"' in response.content.decode()


def test_the_month_view_shows_the_month_s_events_on_their_days(client):
    start = timezone.localtime().replace(day=12, hour=18, minute=0, second=0, microsecond=0) + timedelta(days=62)
    EventFactory(title="Joulukuun foorumi", starts_at=start, ends_at=start + timedelta(hours=2))
    response = client.get(reverse("forums:month", args=[start.year, start.month]))
    content = response.content.decode()
    assert response.status_code == 200
    day = re.search(rf'<time datetime="{start:%Y-%m-%d}">.*?</li>\s*</ul>', content, re.S)
    assert day and "Joulukuun foorumi" in day.group(0)


def test_the_event_page_never_shows_the_remote_link(client):
    event = EventFactory(remote_url="https://meet.example/salainen-huone-4821")
    RegistrationFactory(event=event, participation=Registration.Participation.REMOTE)
    for url in (
        reverse("forums:detail", args=[event.slug]),
        reverse("forums:register", args=[event.slug]),
        reverse("forums:event_ics", args=[event.slug]),
        reverse("forums:feed"),
        reverse("forums:calendar"),
    ):
        assert b"salainen-huone" not in client.get(url).content, url


def test_the_event_page_has_schema_org_event_json_ld_in_local_time(client):
    start = in_days(30, hour=17)
    event = EventFactory(title="Järjestöfoorumi 2027", starts_at=start, ends_at=start + timedelta(hours=4))
    data = json_ld(client.get(reverse("forums:detail", args=[event.slug])).content.decode())
    assert data["@type"] == "Event"
    assert data["name"] == "Järjestöfoorumi 2027"
    assert data["startDate"].startswith(f"{start:%Y-%m-%d}T17:00:00+0")  # +02:00 or +03:00, Helsinki
    assert data["eventAttendanceMode"] == "https://schema.org/MixedEventAttendanceMode"
    assert "meet.example" not in json.dumps(data)


def test_the_ics_parses_and_carries_the_helsinki_time_zone(client):
    start = in_days(40, hour=9)
    event = EventFactory(title="Kumppanuuspöytä", starts_at=start, ends_at=start + timedelta(hours=3))
    response = client.get(reverse("forums:event_ics", args=[event.slug]))
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    [component] = calendar.walk("VEVENT")
    assert str(component["SUMMARY"]) == "Kumppanuuspöytä"
    dtstart = component.decoded("DTSTART")
    assert component["DTSTART"].params["TZID"] == "Europe/Helsinki"
    assert str(dtstart.tzinfo) == "Europe/Helsinki"
    assert dtstart == start and dtstart.hour == 9
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == ["Europe/Helsinki"]


def test_the_feed_follows_the_calendar_filters(client):
    EventFactory(title="Kuopion ilta")
    EventFactory(title="Iisalmen ilta", municipality=Municipality.objects.get(code="140"))
    response = client.get(reverse("forums:feed") + "?kunta=140")
    calendar = Calendar.from_ical(response.content)
    assert [str(event["SUMMARY"]) for event in calendar.walk("VEVENT")] == ["Iisalmen ilta"]


# --- Registration through the pages -----------------------------------------------------------------


def test_registering_through_the_form_mails_a_confirmation_with_a_cancellation_link(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    event = EventFactory(capacity=10)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("forums:register", args=[event.slug]),
            {"name": "Liisa Testaaja", "email": "liisa@example.org", "participation": "remote", "needs": "Vegaani"},
        )
    assert response.status_code == 200
    registration = Registration.objects.get(email="liisa@example.org")
    assert registration.status == "confirmed" and registration.needs == "Vegaani"
    [message] = mailoutbox
    assert event.remote_url in message.body  # the registrant gets the link
    assert reverse("forums:event_ics", args=[event.slug]) in message.body
    # The event itself rides along for the calendar, in Helsinki time.
    [(file_name, ics_text, mimetype)] = message.attachments
    assert (file_name, mimetype) == (f"{event.slug}.ics", "text/calendar")
    [attached] = Calendar.from_ical(ics_text).walk("VEVENT")
    assert str(attached["SUMMARY"]) == event.title
    assert attached["DTSTART"].dt.tzinfo.key == "Europe/Helsinki"
    [cancel_link] = re.findall(r"https?://\S+/tapahtumat/peru/\S+/", message.body)

    path = cancel_link.split("://", 1)[1].split("/", 1)[1]
    confirm_page = client.get("/" + path)
    assert confirm_page.status_code == 200
    registration.refresh_from_db()
    assert registration.status == "confirmed"  # opening the link (a mail scanner) changes nothing
    assert client.post("/" + path).status_code == 200
    registration.refresh_from_db()
    assert registration.status == "cancelled"
    assert client.post("/" + path).status_code == 410


def test_a_tampered_cancellation_link_is_refused_by_the_page(client):
    registration = RegistrationFactory()
    token = services.cancellation_token_make(registration)
    response = client.post(reverse("forums:cancel", args=[token[:-2] + "xx"]))
    assert response.status_code == 400
    registration.refresh_from_db()
    assert registration.status == "confirmed"


def test_a_duplicate_registration_shows_an_error(client):
    event = EventFactory()
    RegistrationFactory(event=event, email="sama@example.org")
    response = client.post(
        reverse("forums:register", args=[event.slug]),
        {"name": "Sama", "email": "SAMA@example.org", "participation": "on_site"},
    )
    assert response.status_code == 400
    assert "Tällä sähköpostiosoitteella on jo ilmoittauduttu tähän tapahtumaan." in response.content.decode()
    assert event.registrations.count() == 1


def test_a_full_event_offers_the_waiting_list(client):
    event = EventFactory(capacity=1, remote=False, remote_url="")
    RegistrationFactory(event=event)
    content = client.get(reverse("forums:detail", args=[event.slug])).content.decode()
    assert reverse("forums:register", args=[event.slug]) in content
    assert "Ilmoittaudu jonoon" in content


def test_registration_is_rate_limited_per_client(client, settings):
    settings.EVENT_REGISTRATIONS_PER_HOUR = 2
    event = EventFactory()
    url = reverse("forums:register", args=[event.slug])
    for number in range(3):
        response = client.post(url, {"name": "N", "email": f"n{number}@example.org", "participation": "on_site"})
    assert response.status_code == 400
    assert event.registrations.count() == 2


# --- Organisers ---------------------------------------------------------------------------------------


def test_organisers_export_participants_with_needs_as_csv(client):
    association = OrganisationFactory()
    editor = make_editor(association)
    event = EventFactory(kind=Event.Kind.ASSOCIATION_EVENT)
    event.organiser_links.create(organisation=association)
    RegistrationFactory(event=event, name="=Kaava", email="kaava@example.org", needs="Laktoositon")
    RegistrationFactory(event=event, name="Peruttu", status=Registration.Status.CANCELLED)
    client.force_login(editor)
    response = client.get(reverse("forums:participants_csv", args=[event.slug]))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][0] == "Nimi"
    assert rows[1][0] == "'=Kaava" and rows[1][-1] == "Laktoositon"
    assert len(rows) == 2


def test_the_needs_are_not_on_the_public_page(client):
    event = EventFactory()
    RegistrationFactory(event=event, needs="Pähkinäallergia")
    assert "Pähkinäallergia" not in client.get(reverse("forums:detail", args=[event.slug])).content.decode()


def test_a_municipal_contact_creates_a_local_forum_published_at_once(client):
    contact = municipal_contact_user("297")
    client.force_login(contact)
    start = in_days(21)
    response = client.post(
        reverse("forums:create"),
        {
            "title": "Tervon kyläparlamentti",
            "kind": "local_forum",
            "description": "<p>Kylien ja kunnan yhteinen ilta.</p>",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "municipality": Municipality.objects.get(code="297").pk,
            "organiser_municipalities": [Municipality.objects.get(code="297").pk],
            "on_site": "on",
            "accessibility": "accessible",
            "registration_required": "on",
            "capacity": "25",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    event = Event.objects.get(title="Tervon kyläparlamentti")
    assert event.status == Event.Status.PUBLISHED
    assert event.created_by == contact


def test_an_editor_s_event_form_offers_only_their_associations(client):
    mine = OrganisationFactory(name="Oma Yhdistys ry")
    OrganisationFactory(name="Vieras Yhdistys ry")
    client.force_login(make_editor(mine))
    content = client.get(reverse("forums:create")).content.decode()
    assert "Oma Yhdistys ry" in content and "Vieras Yhdistys ry" not in content
    assert 'value="local_forum"' not in content


def test_a_cached_feed_shows_an_event_published_after_it(client, django_capture_on_commit_callbacks):
    feed = reverse("forums:feed")
    assert Calendar.from_ical(client.get(feed).content).walk("VEVENT") == []
    secretary = UserFactory(is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.event_create(
            user=secretary,
            fields={
                "title": "Uusi foorumi",
                "kind": Event.Kind.REGIONAL_FORUM,
                "starts_at": in_days(5),
                "ends_at": in_days(5) + timedelta(hours=2),
                "on_site": True,
            },
            organisers=services.EventOrganisers(),
        )
    assert [str(e["SUMMARY"]) for e in Calendar.from_ical(client.get(feed).content).walk("VEVENT")] == ["Uusi foorumi"]


def test_the_month_view_shows_a_multi_day_event_on_each_of_its_days(client):
    start = (timezone.localtime() + timedelta(days=70)).replace(day=10, hour=9, minute=0, second=0, microsecond=0)
    EventFactory(title="Leiri", starts_at=start, ends_at=start + timedelta(days=2, hours=6))
    content = client.get(reverse("forums:month", args=[start.year, start.month])).content.decode()
    cells = content.split('<li class="day')[1:]
    with_camp = [re.search(r'datetime="([\d-]+)"', cell).group(1) for cell in cells if "Leiri" in cell]
    assert with_camp == [f"{start:%Y-%m}-10", f"{start:%Y-%m}-11", f"{start:%Y-%m}-12"]


def test_the_cached_calendar_shows_a_change_made_after_it(client, django_capture_on_commit_callbacks):
    event = EventFactory(title="Alkuperäinen nimi")
    url = reverse("forums:calendar")
    assert "Alkuperäinen nimi" in client.get(url).content.decode()
    secretary = UserFactory(is_staff=True)
    fields = {
        "title": "Uusi nimi",
        "kind": event.kind,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "on_site": True,
        "municipality": event.municipality,
    }
    with django_capture_on_commit_callbacks(execute=True):
        services.event_update(user=secretary, event=event, fields=fields, organisers=services.EventOrganisers())
    content = client.get(url).content.decode()
    assert "Uusi nimi" in content and "Alkuperäinen nimi" not in content
