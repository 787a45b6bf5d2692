"""A year of fictional events for the demo: the regional forum, local forums, partnership tables
and associations' own events, some of them full with a waiting list.

Uses the demo associations and municipal contacts already in the database (``organisations.demo``).
Deterministic for a seed and a day; running it again adds nothing. Every demo event says in its
description that it is made up (``DEMO_NOTE``), which is also how ``demo_events`` finds them.
"""

from __future__ import annotations

import datetime as dt
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from organisations.demo import (
    DEMO_DOMAIN_SUFFIX,
    FIRST_NAMES,
    LAST_NAMES,
    ascii_local,
    demo_municipal_contacts,
    demo_organisations,
    reproducible_random,
)
from organisations.models import Municipality, Organisation

from .models import Event, EventOrganiser, Registration

DEMO_NOTE = "Esimerkkitapahtuma: kuvitteellinen tapahtuma esittelyä varten."
PARTNERSHIP_TOWNS = ("297", "491", "140", "915", "740")  # Kuopio, Mikkeli, Iisalmi, Varkaus, Savonlinna
NEEDS = ("", "", "", "", "Gluteeniton ruokavalio", "Kasvisruoka", "Induktiosilmukka", "Pyörätuolipaikka")


def demo_events():
    return Event.objects.filter(description__contains=DEMO_NOTE)


def demo_events_delete() -> None:
    demo_events().delete()


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), timezone.get_current_timezone())


def _description(*paragraphs: str) -> str:
    return "".join(f"<p>{text}</p>" for text in (*paragraphs, DEMO_NOTE))


class _Builder:
    def __init__(self, seed: int, today: dt.date):
        self.rng = reproducible_random(f"events-{seed}")
        self.today = today
        self.slugs: set[str] = set(Event.objects.values_list("slug", flat=True))
        self.registrations: list[Registration] = []

    def slug(self, title: str, day: dt.date) -> str:
        base = f"{slugify(title)[:180]}-{day:%Y-%m-%d}"
        slug, number = base, 2
        while slug in self.slugs:
            slug, number = f"{base}-{number}", number + 1
        self.slugs.add(slug)
        return slug

    def event(self, *, title: str, kind: str, day: dt.date, hours: tuple[int, int], **fields) -> Event:
        event = Event(
            title=title,
            slug=self.slug(title, day),
            kind=kind,
            status=Event.Status.PUBLISHED,
            starts_at=_at(day, hours[0]),
            ends_at=_at(day, hours[1]),
            registration_closes_at=_at(day - timedelta(days=2), 16),
            **fields,
        )
        if event.remote and not event.remote_url:
            event.remote_url = f"https://etayhteys{DEMO_DOMAIN_SUFFIX}/{event.slug[:60]}"
        event.full_clean()
        event.save()
        return event

    def people(self, event: Event, count: int, *, confirmed_limit: int | None) -> None:
        """``count`` registrations; beyond ``confirmed_limit`` on-site they wait, as a full event's would."""
        seen: set[str] = set()
        on_site = 0
        for number in range(count):
            first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
            email = f"{ascii_local(first)}.{ascii_local(last)}{number}@osallistuja{DEMO_DOMAIN_SUFFIX}"
            if email in seen:
                continue
            seen.add(email)
            remote = event.remote and (not event.on_site or self.rng.random() < 0.3)
            participation = Registration.Participation.REMOTE if remote else Registration.Participation.ON_SITE
            status = Registration.Status.CONFIRMED
            if participation == Registration.Participation.ON_SITE:
                on_site += 1
                if confirmed_limit is not None and on_site > confirmed_limit:
                    status = Registration.Status.WAITING
            created = event.starts_at - timedelta(days=20, minutes=number * 37)
            self.registrations.append(
                Registration(
                    event=event,
                    name=f"{first} {last}",
                    email=email,
                    participation=participation,
                    needs=self.rng.choice(NEEDS),
                    status=status,
                    created_at=created,
                    confirmed_at=created if status == Registration.Status.CONFIRMED else None,
                )
            )


@transaction.atomic
def seed_demo(*, seed: int, stdout=None, today: dt.date | None = None) -> None:
    """Add the demo events unless they exist; prints one line to ``stdout``."""
    if demo_events().exists():
        if stdout is not None:
            stdout.write(f"Demo events already exist ({demo_events().count()}); nothing added.")
        return
    today = today or timezone.localdate()
    build = _Builder(seed, today)
    rng = build.rng
    kuopio = Municipality.objects.filter(code="297").first()
    served = list(Municipality.objects.served().order_by("code"))
    if not served:
        return

    # The regional forum: once a year, last year's in the archive.
    for offset, year_label in ((-300, "edellinen"), (95, "tuleva")):
        day = today + timedelta(days=offset)
        forum = build.event(
            title=f"Maakunnallinen järjestöfoorumi {day.year}",
            kind=Event.Kind.REGIONAL_FORUM,
            day=day,
            hours=(9, 16),
            description=_description(
                "Maakunnan yhdistysten yhteinen foorumi: järjestöneuvoston katsaus, työpajat ja verkostoitumista.",
                "Etäosallistujat voivat seurata puheenvuoroja ja osallistua työpajoihin verkossa.",
            ),
            place="Kuopion kaupungintalo",
            street_address="Suokatu 42",
            postal_code="70100",
            post_office="Kuopio",
            municipality=kuopio,
            on_site=True,
            remote=True,
            capacity=150,
            accessibility=Organisation.Accessibility.ACCESSIBLE,
            accessibility_details="Hissi ja induktiosilmukka; esteetön wc.",
            organised_by_council=True,
        )
        build.people(forum, 60 if year_label == "tuleva" else 120, confirmed_limit=150)

    # Local forums, convened by the municipalities' contacts (twice a year each).
    contact_towns = {m for contact in demo_municipal_contacts() for m in contact.municipalities.all()}
    for municipality in sorted(contact_towns, key=lambda m: m.code):
        for offset in (rng.randrange(-50, 40), rng.randrange(150, 300)):
            day = today + timedelta(days=offset)
            forum = build.event(
                title=f"Järjestöfoorumi: {municipality.name_fi}",
                kind=Event.Kind.LOCAL_FORUM,
                day=day,
                hours=(17, 19),
                description=_description(
                    "Kunnan ja paikallisten yhdistysten yhteinen ilta: ajankohtaiset avustukset, "
                    "tilat ja yhteiset tapahtumat.",
                    "Kahvitarjoilu. Myös pienet yhdistykset ja kyläyhdistykset ovat tervetulleita.",
                ),
                place="Kunnantalon valtuustosali",
                municipality=municipality,
                on_site=True,
                remote=rng.random() < 0.6,
                capacity=rng.choice((20, 30, 40)),
                accessibility=Organisation.Accessibility.ACCESSIBLE,
            )
            forum.organiser_municipalities.set([municipality])
            full = rng.random() < 0.25
            build.people(
                forum, forum.capacity + 6 if full else rng.randrange(5, forum.capacity), confirmed_limit=forum.capacity
            )

    # Partnership tables: four a year in the larger towns.
    for code in PARTNERSHIP_TOWNS:
        municipality = Municipality.objects.filter(code=code).first()
        if municipality is None:
            continue
        for quarter in range(4):
            day = today + timedelta(days=-40 + quarter * 91 + rng.randrange(0, 20))
            table = build.event(
                title=f"Kumppanuuspöytä: {municipality.name_fi}",
                kind=Event.Kind.PARTNERSHIP_TABLE,
                day=day,
                hours=(13, 15),
                description=_description(
                    "Kunnan, hyvinvointialueen ja järjestöjen kumppanuuspöytä: hyte-yhteistyö ja yhteiset hankkeet."
                ),
                place="Kaupungintalo, kokoushuone 2",
                municipality=municipality,
                on_site=True,
                remote=True,
                capacity=16,
            )
            table.organiser_municipalities.set([municipality])
            build.people(table, rng.randrange(6, 22), confirmed_limit=16)

    # Associations' own events.
    associations = list(demo_organisations().published().filter(home_municipality__in=served).order_by("pk")[:400])
    titles = (
        "Avoimet ovet",
        "Syyskokous",
        "Kevätkonsertti",
        "Luontoretki",
        "Vertaistukiryhmän ilta",
        "Kyläillan tanssit",
        "Lasten liikuntapäivä",
        "Kirpputori ja kahvila",
    )
    for number in range(min(70, len(associations))):
        association = rng.choice(associations)
        day = today + timedelta(days=rng.randrange(-60, 330))
        title = rng.choice(titles)
        event = build.event(
            title=f"{title}: {association.name}",
            kind=Event.Kind.ASSOCIATION_EVENT,
            day=day,
            hours=rng.choice(((10, 13), (17, 20), (18, 21))),
            description=_description(f"{association.name} kutsuu kaikki mukaan. Vapaa pääsy."),
            place=association.meeting_place or "Seurantalo",
            municipality=association.home_municipality,
            on_site=True,
            remote=number % 7 == 0,
            capacity=rng.choice((None, 25, 40, 60)),
        )
        EventOrganiser.objects.create(event=event, organisation=association)
        event.sectors.set(association.sectors.all())
        if event.capacity:
            full = rng.random() < 0.15
            build.people(
                event, event.capacity + 4 if full else rng.randrange(0, event.capacity), confirmed_limit=event.capacity
            )

    Registration.objects.bulk_create(build.registrations, batch_size=1000)
    # Past events' needs are deleted as the nightly job would have done.
    from .services import registration_needs_purge

    registration_needs_purge()
    if stdout is not None:
        stdout.write(f"Created {demo_events().count()} demo events with {len(build.registrations)} registrations.")
