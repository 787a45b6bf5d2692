"""A believable, fictional council for the demo (``manage.py seed_demo`` calls ``seed_demo``).

Built on the demo associations already in the database: the current term with its 14 seats, a past
term, working groups, the cooperation group, a closed and approved election whose counting needed
one draw by lot, a year of meetings with published minutes, news and the council's documents. The
same seed gives the same council; running it again adds nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from typing import TextIO

from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from organisations.demo import FIRST_NAMES, LAST_NAMES, demo_organisations, reproducible_random
from organisations.models import Organisation, Sector

from . import services
from .models import (
    AgendaItem,
    Ballot,
    BallotChoice,
    CastRecord,
    CouncilDocument,
    Election,
    ElectionLogEntry,
    ElectionResult,
    GroupMembership,
    Meeting,
    NewsItem,
    Nomination,
    Person,
    Seat,
    SeatHolding,
    Term,
    VoterRollEntry,
    WorkingGroup,
)

DEMO_TERM_PREFIX = "Demo "
# (label, kind, sector slug or None)
SEATS = (
    ("Sosiaali- ja terveys: lapset ja perheet", Seat.Kind.SECTOR, "sosiaali-ja-terveys"),
    ("Sosiaali- ja terveys: nuoret", Seat.Kind.SECTOR, "sosiaali-ja-terveys"),
    ("Sosiaali- ja terveys: eläkeläiset", Seat.Kind.SECTOR, "sosiaali-ja-terveys"),
    ("Sosiaali- ja terveys: mielenterveys ja päihteet", Seat.Kind.SECTOR, "sosiaali-ja-terveys"),
    ("Sosiaali- ja terveys: potilas- ja vammaisjärjestöt", Seat.Kind.SECTOR, "sosiaali-ja-terveys"),
    ("Urheilu ja liikunta", Seat.Kind.SECTOR, "urheilu-ja-liikunta"),
    ("Kulttuuri", Seat.Kind.SECTOR, "kulttuuri"),
    ("Kylä- ja asukastoiminta", Seat.Kind.SECTOR, "asukas-ja-kylatoiminta"),
    ("Vapaa-aika ja harrastukset", Seat.Kind.SECTOR, "vapaa-aika"),
    ("Ympäristö", Seat.Kind.SECTOR, "ymparisto"),
    ("Monialainen paikka: yksinäisyyden vähentäminen", Seat.Kind.MULTI_SECTOR, None),
    ("Maakuntahallituksen edustaja", Seat.Kind.REGIONAL_BOARD, None),
    ("Maakuntahallituksen edustaja", Seat.Kind.REGIONAL_BOARD, None),
    ("Hyvinvoinnin ja terveyden edistämisen tiimin edustaja", Seat.Kind.HYTE_TEAM, None),
)
WORKING_GROUPS = (
    ("Puheenjohtajisto", "Valmistelee kokoukset ja edustaa neuvostoa."),
    ("Viestintä", "Vastaa viestintäsuunnitelman toteutuksesta."),
    ("Järjestöfoorumi", "Järjestää vuosittaisen maakunnallisen järjestöfoorumin."),
    ("Kunta-hyte-yhteistyö", "Pitää yhteyttä kuntien järjestöyhteyshenkilöihin ja hyte-koordinaattoreihin."),
)
AGENDA = (
    "Kokouksen avaus ja laillisuus",
    "Ajankohtaiset kuulumiset toimialoilta",
    "Järjestöstrategian toimeenpano",
    "Järjestöfoorumin valmistelu",
    "Lausunto maakunnan hyvinvointisuunnitelmasta",
    "Muut asiat ja kokouksen päättäminen",
)
NEWS = (
    (
        "Järjestöneuvoston uusi kokoonpano vahvistettiin",
        "Maakuntahallitus hyväksyi järjestöneuvoston uuden kokoonpanon.",
    ),
    ("Järjestöfoorumi kokoaa yhdistykset syksyllä", "Vuoden järjestöfoorumin teemana on yksinäisyyden vähentäminen."),
    (
        "Lausunto hyvinvointisuunnitelmasta annettu",
        "Järjestöneuvosto antoi lausuntonsa maakunnan hyvinvointisuunnitelmasta.",
    ),
    ("Liity järjestöyhteistyön ryhmään", "Kaikki alueen yhdistykset voivat liittyä ryhmään portaalissa."),
)
DOCUMENTS = {
    CouncilDocument.Kind.STRATEGY: (
        "<h2>Järjestöstrategia</h2><p>Yhteiset linjaukset vaikuttamiseen ja kehittämiseen.</p>"
    ),
    CouncilDocument.Kind.PROGRAMME: (
        "<h2>Yhdistysohjelma</h2><p>Yhteiset tavoitteet ja aikataulutetut toimenpiteet.</p>"
    ),
    CouncilDocument.Kind.CRITERIA: (
        "<h2>Jäsenten ja varajäsenten kriteerit</h2><ul><li>Taustaorganisaatio hyväksyy osallistumisen.</li>"
        "<li>Edustaja viestii omalle toimialalleen.</li><li>Sitoutuminen koko toimikaudeksi.</li></ul>"
    ),
    CouncilDocument.Kind.COMMUNICATION: "<h2>Viestintäsuunnitelma</h2><p>Viestinnän vastuut sidosryhmittäin.</p>",
}


def demo_terms():
    return Term.objects.filter(name__startswith=DEMO_TERM_PREFIX)


def _person_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def _email(name: str, n: int) -> str:
    local = name.lower().replace(" ", ".").translate(str.maketrans("äöåé", "aoae"))
    return f"{local}.{n}@neuvosto.example"


def _associations_of(sector_slug: str | None) -> list[Organisation]:
    queryset = demo_organisations().published().order_by("pk")
    if sector_slug:
        queryset = queryset.filter(sectors__slug=sector_slug)
    return list(queryset[:60])


def _make_person(
    rng: random.Random, n: int, organisation: Organisation | None, sector: Sector | None, *, name_of: str = ""
):
    name = _person_name(rng)
    return Person.objects.create(
        name=name,
        organisation=organisation,
        organisation_name=name_of,
        sector=sector,
        email=_email(name, n),
        contact_consent_at=timezone.now() if rng.random() < 0.6 else None,
    )


def _fill_term(rng: random.Random, term: Term, *, elected: bool) -> list[Seat]:
    """Seats for ``term``; appointed seats always get holders, elected ones only when ``elected``."""
    seats = []
    for position, (label, kind, sector_slug) in enumerate(SEATS, start=1):
        sector = Sector.objects.filter(slug=sector_slug).first() if sector_slug else None
        seat = Seat.objects.create(term=term, position=position, label=label, kind=kind, sector=sector)
        seats.append(seat)
        if seat.is_elected and not elected:
            continue
        for role in (SeatHolding.Role.MEMBER, SeatHolding.Role.DEPUTY):
            if seat.is_elected:
                organisation = rng.choice(_associations_of(sector_slug) or _associations_of(None))
                person = _make_person(rng, position * 10 + len(role), organisation, sector)
            else:
                body = "Maakuntahallitus" if kind == Seat.Kind.REGIONAL_BOARD else "Hyvinvointialueen hyte-tiimi"
                person = _make_person(rng, position * 10 + len(role), None, None, name_of=body)
            SeatHolding.objects.create(seat=seat, person=person, role=role, starts_on=term.starts_on)
    return seats


def _election(rng: random.Random, term: Term, seats: list[Seat], voters: list[Organisation]) -> Election:
    """A portal election, already closed, counted and approved; one seat's deputy decided by lot."""
    elected = [seat for seat in seats if seat.is_elected]
    start = dt.datetime.combine(term.starts_on, dt.time(9), tzinfo=timezone.get_current_timezone())
    election = Election.objects.create(
        term=term,
        title=f"Järjestöneuvoston vaali {term.name.removeprefix(DEMO_TERM_PREFIX)}",
        criteria=DOCUMENTS[CouncilDocument.Kind.CRITERIA],
        nomination_starts_at=start - dt.timedelta(days=70),
        nomination_ends_at=start - dt.timedelta(days=45),
        voting_starts_at=start - dt.timedelta(days=44),
        voting_ends_at=start - dt.timedelta(days=30),
        status=Election.Status.VOTING,
    )
    election.seats.set(elected)
    log = [("opened", {})]
    candidates: dict[int, list[Nomination]] = {}
    for seat in elected:
        pool = _associations_of(seat.sector.slug if seat.sector else None) or voters
        for _ in range(3):
            organisation = rng.choice(pool)
            name = _person_name(rng)
            nomination = Nomination.objects.create(
                election=election,
                seat=seat,
                nominated_by=organisation,
                candidate_name=name,
                candidate_email=_email(name, seat.position),
                background_organisation=organisation,
                presentation=f"{name} on toiminut yhdistyksessä {organisation.name} vuosia.",
                background_approves=True,
                criteria_accepted=True,
            )
            candidates.setdefault(seat.pk, []).append(nomination)
            log.append(("nominated", {"organisation": organisation.name, "seat": str(seat.position)}))
    for organisation in voters:
        VoterRollEntry.objects.create(election=election, organisation=organisation).seats.set(elected)
    log.append(("voting_opened", {"voters": str(len(voters))}))
    # Votes: the first seat is a tie between its second and third candidates (3 + 3), settled by lot.
    tie_seat = elected[0]
    for index, organisation in enumerate(voters):
        if index >= 14 and rng.random() < 0.25:
            continue  # did not vote (the first 14 always do: they make the tie)
        CastRecord.objects.create(election=election, organisation=organisation)
        receipt = "".join(rng.choice(services.RECEIPT_ALPHABET) for _ in range(services.RECEIPT_LENGTH))
        ballot = Ballot.objects.create(election=election, receipt=receipt)
        for seat in elected:
            options = candidates[seat.pk]
            if seat == tie_seat:
                choice = options[0] if index < 8 else options[1] if index < 11 else options[2] if index < 14 else None
            else:
                choice = rng.choices(options, weights=(5, 3, 2))[0] if rng.random() < 0.9 else None
            if choice:
                BallotChoice.objects.create(ballot=ballot, seat=seat, nomination=choice)
    election.ballot_list_digest = hashlib.sha256(services.ballot_list_text(election).encode()).hexdigest()
    election.status = Election.Status.CLOSED
    election.closed_at = election.voting_ends_at
    election.save()
    log.append(("closed", {"ballots": str(election.ballots.count()), "digest": election.ballot_list_digest}))
    counts = {}
    for seat in elected:
        counts[seat] = {
            n: BallotChoice.objects.filter(ballot__election=election, nomination=n).count() for n in candidates[seat.pk]
        }
    draws = services._store_results(election, counts)
    log.append(("counted", {"draws": str(draws)}))
    election.status = Election.Status.APPROVED
    election.counted_at = election.voting_ends_at + dt.timedelta(days=1)
    election.approved_on = term.starts_on - dt.timedelta(days=14)
    election.approval_reference = f"Maakuntahallitus {election.approved_on:%-d.%-m.%Y} § {rng.randint(20, 120)}"
    election.save()
    log.append(
        ("approved", {"approved_on": election.approved_on.isoformat(), "reference": election.approval_reference})
    )
    times = [election.nomination_starts_at + dt.timedelta(hours=i * 7) for i in range(len(log))]
    times[-4:] = [
        election.voting_starts_at,
        election.voting_ends_at,
        election.counted_at,
        election.counted_at + dt.timedelta(days=13),
    ]
    ElectionLogEntry.objects.bulk_create(
        ElectionLogEntry(election=election, action=action, details=details, at=at)
        for (action, details), at in zip(log, times, strict=True)
    )
    for result in election.results.exclude(outcome="none").select_related("nomination", "seat"):
        person = Person.objects.create(
            name=result.nomination.candidate_name,
            organisation=result.nomination.background_organisation,
            sector=result.seat.sector,
            email=result.nomination.candidate_email,
            contact_consent_at=timezone.now() if rng.random() < 0.6 else None,
        )
        SeatHolding.objects.create(seat=result.seat, person=person, role=result.outcome, starts_on=term.starts_on)
    return election


def _meetings(rng: random.Random, term: Term, today: dt.date) -> None:
    members = list(Person.objects.filter(holdings__seat__term=term, holdings__role="member").distinct()[:6])
    tz = timezone.get_current_timezone()
    for n in range(6, -1, -1):
        day = today - dt.timedelta(days=60 * n + 5) if n else today + dt.timedelta(days=21)
        starts_at = dt.datetime.combine(day, dt.time(13), tzinfo=tz)
        meeting = Meeting.objects.create(
            title=f"Järjestöneuvoston kokous {day:%-d.%-m.%Y}",
            starts_at=starts_at,
            location="Maakuntasali, Kuopio",
            remote_link="https://kokous.example/jarjestoneuvosto",
            agenda_published_at=starts_at - dt.timedelta(days=7),
        )
        for position, title in enumerate(rng.sample(AGENDA[1:-1], 3), start=2):
            AgendaItem.objects.create(meeting=meeting, position=position, title=title, decision="Merkittiin tiedoksi.")
        AgendaItem.objects.create(
            meeting=meeting, position=1, title=AGENDA[0], decision="Kokous todettiin lailliseksi."
        )
        AgendaItem.objects.create(meeting=meeting, position=5, title=AGENDA[-1], decision="Kokous päätettiin klo 15.")
        if members:
            meeting.checkers.set(rng.sample(members, min(2, len(members))))
        if n:
            meeting.minutes = (
                f"<p>Läsnä {rng.randint(10, 16)} jäsentä tai varajäsentä.</p>"
                f"<p>Keskusteltiin järjestöstrategian toimeenpanosta ja sovittiin seuraavista askelista.</p>"
            )
            meeting.minutes_status = Meeting.MinutesStatus.PUBLISHED
            meeting.minutes_published_at = starts_at + dt.timedelta(days=10)
            meeting.save()


@transaction.atomic
def seed_demo(*, seed: int, stdout: TextIO | None = None, today: dt.date | None = None) -> None:
    if demo_terms().exists():
        if stdout:
            stdout.write("The council's demo data exists; nothing added.\n")
        return
    if not demo_organisations().published().exists():
        if stdout:
            stdout.write("No demo associations: load them first; the council was not created.\n")
        return
    rng = reproducible_random(f"council-{seed}")
    today = today or timezone.localdate()
    past = Term.objects.create(
        name=f"{DEMO_TERM_PREFIX}{today.year - 3}\N{EN DASH}{today.year - 2}",
        starts_on=dt.date(today.year - 3, 1, 1),
        ends_on=dt.date(today.year - 2, 12, 31),
    )
    _fill_term(rng, past, elected=True)
    current = Term.objects.create(
        name=f"{DEMO_TERM_PREFIX}{today.year - 1}\N{EN DASH}{today.year}",
        starts_on=dt.date(today.year - 1, 1, 1),
        ends_on=dt.date(today.year, 12, 31),
    )
    seats = _fill_term(rng, current, elected=False)
    voters = list(demo_organisations().published().order_by("pk")[:40])
    for organisation in voters:
        GroupMembership.objects.create(organisation=organisation, joined_at=timezone.now() - dt.timedelta(days=500))
    _election(rng, current, seats, voters)
    people = list(Person.objects.filter(holdings__seat__term=current).distinct())
    for name, description in WORKING_GROUPS:
        group = WorkingGroup.objects.create(term=current, name=name, description=description)
        group.members.set(rng.sample(people, min(4, len(people))))
    _meetings(rng, current, today)
    for days_ago, (title, text) in zip((200, 120, 45, 10), NEWS, strict=True):
        NewsItem.objects.create(
            title=title,
            slug=slugify(f"demo {days_ago} {title}")[:200],
            body=f"<p>{text}</p>",
            published_at=timezone.now() - dt.timedelta(days=days_ago),
        )
    for kind, body in DOCUMENTS.items():
        if not CouncilDocument.objects.filter(kind=kind).exists():
            CouncilDocument.objects.create(kind=kind, body=body)
    if stdout:
        stdout.write(f"The council: 2 terms, {len(SEATS)} seats a term, {len(voters)} associations in the group.\n")


def demo_data_delete() -> None:
    """Delete the council's demo data (before the demo associations it refers to are deleted).

    The election log refuses row deletes on PostgreSQL, so there the council's tables are emptied
    with TRUNCATE: the demo is the only council a demo database holds.
    """
    if connection.vendor == "postgresql":
        from django.apps import apps

        models = apps.get_app_config("council").get_models(include_auto_created=True)
        tables = [model._meta.db_table for model in models]
        with connection.cursor() as cursor:
            # Deferred foreign-key checks still pending in this transaction would block TRUNCATE.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
        return
    for model in (ElectionLogEntry, ElectionResult, BallotChoice, Ballot, CastRecord, VoterRollEntry):
        model.objects.all().delete()
    Election.objects.all().delete()
    Meeting.objects.all().delete()
    NewsItem.objects.all().delete()
    demo_terms().delete()
    GroupMembership.objects.filter(organisation__in=demo_organisations()).delete()
    Person.objects.filter(holdings__isnull=True).delete()
