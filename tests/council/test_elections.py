"""The whole election on PostgreSQL: open, nominate, vote, close, count, tie by lot, approve."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.text import slugify

from council import services
from council.models import (
    Ballot,
    BallotChoice,
    CastRecord,
    Election,
    ElectionLogEntry,
    ElectionResult,
    Nomination,
    SeatHolding,
)
from organisations.models import Editorship
from portal.audit import audit_entries_for
from portal.permissions import COUNCIL_SECRETARIES_GROUP
from tests.council.factories import (
    SeatFactory,
    TermFactory,
    election_in_nomination,
    member_of,
    move_past_voting,
    move_to_voting_period,
    published_association,
)
from tests.organisations.factories import sector
from tests.roles import verified_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def secretary():
    user = verified_user(email="sihteeri.testi@example.org")
    user.groups.add(Group.objects.get_or_create(name=COUNCIL_SECRETARIES_GROUP)[0])
    return user


def editor_of(association, email: str):
    user = verified_user(email=email)
    Editorship.objects.create(organisation=association, user=user)
    return user


def nominate(election, association, user, seat, name, background=None):
    return services.nomination_submit(
        election=election,
        organisation=association,
        user=user,
        seat=seat,
        candidate_name=name,
        candidate_email=f"{slugify(name)}@example.org",
        background_organisation=background or association,
        presentation="Pitkä kokemus järjestötyöstä.",
        background_approves=True,
        criteria_accepted=True,
    )


@pytest.fixture
def setup(secretary):
    """Two seats, four voting associations in the group, one association outside it."""
    term = TermFactory(
        starts_on=timezone.localdate() + dt.timedelta(days=30), ends_on=timezone.localdate() + dt.timedelta(days=760)
    )
    culture = SeatFactory(term=term, position=1, label="Kulttuuri", sector=sector("kulttuuri"))
    sport = SeatFactory(term=term, position=2, label="Liikunta", sector=sector("urheilu-ja-liikunta"))
    associations = [published_association(f"Äänestäjä {i} ry", "kulttuuri") for i in range(4)]
    editors = [editor_of(a, f"aanestaja{i}@example.org") for i, a in enumerate(associations)]
    for association in associations:
        member_of(association)
    outsider = published_association("Ulkopuolinen ry", "kulttuuri")
    outsider_editor = editor_of(outsider, "ulkopuolinen@example.org")
    election = services.election_open(
        user=secretary,
        term=term,
        title="Vaali 2027",
        seats=[culture, sport],
        criteria="<p>Ehdokkaan taustaorganisaatio on sitoutunut.</p>",
        nomination_starts_at=timezone.now() - dt.timedelta(days=5),
        nomination_ends_at=timezone.now() + dt.timedelta(days=1),
        voting_starts_at=timezone.now() + dt.timedelta(days=2),
        voting_ends_at=timezone.now() + dt.timedelta(days=9),
    )
    return {
        "term": term,
        "culture": culture,
        "sport": sport,
        "associations": associations,
        "editors": editors,
        "outsider": outsider,
        "outsider_editor": outsider_editor,
        "election": election,
    }


def test_the_whole_election_from_opening_to_the_councils_composition(setup, secretary):
    s = setup
    election, culture, sport = s["election"], s["culture"], s["sport"]
    a, e = s["associations"], s["editors"]
    aino = nominate(election, a[0], e[0], culture, "Aino Ehdokas")
    bertta = nominate(election, a[1], e[1], culture, "Bertta Ehdokas")
    cecilia = nominate(election, a[2], e[2], culture, "Cecilia Ehdokas")
    rejected = nominate(election, a[3], e[3], culture, "Hylätty Ehdokas")
    services.nomination_reject(nomination=rejected, user=secretary, reason="Ei täytä kriteerejä")
    daniel = nominate(election, a[0], e[0], sport, "Daniel Ehdokas")
    eero = nominate(election, a[1], e[1], sport, "Eero Ehdokas")

    move_to_voting_period(election)
    services.election_open_voting(election=election, user=secretary)
    election.refresh_from_db()
    assert election.status == Election.Status.VOTING
    assert set(election.roll.values_list("organisation", flat=True)) == {x.pk for x in a}

    # Culture: Aino 2, Bertta 1, Cecilia 1 (a tie for the deputy's place); sport: Daniel 2, Eero 2.
    receipts = [
        services.ballot_cast(
            election=election, organisation=a[0], user=e[0], choices={culture.pk: aino.pk, sport.pk: daniel.pk}
        ),
        services.ballot_cast(
            election=election, organisation=a[1], user=e[1], choices={culture.pk: aino.pk, sport.pk: eero.pk}
        ),
        services.ballot_cast(
            election=election, organisation=a[2], user=e[2], choices={culture.pk: bertta.pk, sport.pk: daniel.pk}
        ),
        services.ballot_cast(
            election=election, organisation=a[3], user=e[3], choices={culture.pk: cecilia.pk, sport.pk: eero.pk}
        ),
    ]
    with pytest.raises(services.BallotRefused):
        services.ballot_cast(election=election, organisation=a[3], user=e[3], choices={culture.pk: aino.pk})
    with pytest.raises(services.BallotRefused):
        services.ballot_cast(election=election, organisation=a[0], user=e[0], choices={culture.pk: rejected.pk})

    move_past_voting(election)
    services.election_close(election=election, user=secretary)
    election.refresh_from_db()
    text = services.ballot_list_text(election)
    assert election.ballot_list_digest == hashlib.sha256(text.encode()).hexdigest()
    assert sorted(receipts) == [line.split()[0] for line in text.splitlines()]

    services.election_count(election=election, user=secretary)
    election.refresh_from_db()
    assert election.status == Election.Status.COUNTED
    results = {r.nomination_id: r for r in ElectionResult.objects.filter(election=election)}
    assert results[aino.pk].votes == 2 and results[aino.pk].outcome == "member"
    assert not results[aino.pk].decided_by_lot
    assert rejected.pk not in results

    # The tie is settled by the documented draw, repeatable from the published digest alone.
    def key(nomination):
        return hashlib.sha256(f"{election.ballot_list_digest}:{culture.position}:{nomination.pk}".encode()).hexdigest()

    deputy, loser = sorted([bertta, cecilia], key=key)
    assert results[deputy.pk].outcome == "deputy" and results[deputy.pk].decided_by_lot
    assert results[loser.pk].outcome == "none" and results[loser.pk].decided_by_lot
    sport_member, sport_deputy = sorted(
        [daniel, eero],
        key=lambda n: hashlib.sha256(f"{election.ballot_list_digest}:{sport.position}:{n.pk}".encode()).hexdigest(),
    )
    assert results[sport_member.pk].outcome == "member" and results[sport_deputy.pk].outcome == "deputy"

    services.election_approve(
        election=election, user=secretary, approved_on=timezone.localdate(), reference="Maakuntahallitus 12.5. § 34"
    )
    election.refresh_from_db()
    assert election.status == Election.Status.APPROVED
    holders = {(h.seat_id, h.role): h.person.name for h in SeatHolding.objects.active().filter(seat__term=s["term"])}
    assert holders == {
        (culture.pk, "member"): "Aino Ehdokas",
        (culture.pk, "deputy"): deputy.candidate_name,
        (sport.pk, "member"): sport_member.candidate_name,
        (sport.pk, "deputy"): sport_deputy.candidate_name,
    }
    log = list(ElectionLogEntry.objects.filter(election=election).values_list("action", flat=True))
    # The portal's audit log has the same actions, each with its actor.
    audit = list(audit_entries_for(election).order_by("created_at", "pk").values_list("action", "actor"))
    assert [action for action, _actor in audit] == [f"council.election.{action}" for action in log]
    assert dict(audit)["council.election.approved"] == secretary.pk
    assert dict(audit)["council.election.rejected"] == secretary.pk
    assert log == [
        "opened",
        "nominated",
        "nominated",
        "nominated",
        "nominated",
        "rejected",
        "nominated",
        "nominated",
        "voting_opened",
        "closed",
        "counted",
        "approved",
    ]


def test_the_draw_is_the_same_for_anyone_with_the_same_digest(setup):
    seat = setup["culture"]

    class N:
        def __init__(self, pk):
            self.pk = pk

    one, two, three = N(11), N(12), N(13)
    first = services.rank_seat("ab" * 32, seat, {one: 3, two: 3, three: 1})
    again = services.rank_seat("ab" * 32, seat, {three: 1, two: 3, one: 3})
    assert [r.nomination.pk for r in first] == [r.nomination.pk for r in again]
    assert [r.outcome for r in first] == ["member", "deputy", "none"]
    assert [r.decided_by_lot for r in first] == [True, True, False]


def test_an_association_outside_the_group_can_neither_nominate_nor_vote(setup, secretary):
    s = setup
    with pytest.raises(ValidationError):
        nominate(s["election"], s["outsider"], s["outsider_editor"], s["culture"], "Ulko Ehdokas")
    candidate = nominate(s["election"], s["associations"][0], s["editors"][0], s["culture"], "Aino Ehdokas")
    move_to_voting_period(s["election"])
    services.election_open_voting(election=s["election"], user=secretary)
    # Joining after voting opened does not put it on the frozen roll.
    member_of(s["outsider"])
    with pytest.raises(services.BallotRefused, match="äänioikeusluettelossa"):
        services.ballot_cast(
            election=s["election"],
            organisation=s["outsider"],
            user=s["outsider_editor"],
            choices={s["culture"].pk: candidate.pk},
        )
    assert not CastRecord.objects.exists() and not Ballot.objects.exists()


def test_only_the_associations_editor_votes_for_it(setup, secretary):
    s = setup
    candidate = nominate(s["election"], s["associations"][0], s["editors"][0], s["culture"], "Aino Ehdokas")
    move_to_voting_period(s["election"])
    services.election_open_voting(election=s["election"], user=secretary)
    with pytest.raises(PermissionDenied):
        services.ballot_cast(
            election=s["election"],
            organisation=s["associations"][1],
            user=s["editors"][0],
            choices={s["culture"].pk: candidate.pk},
        )


def test_votes_after_closing_are_refused(setup, secretary):
    s = setup
    candidate = nominate(s["election"], s["associations"][0], s["editors"][0], s["culture"], "Aino Ehdokas")
    move_to_voting_period(s["election"])
    services.election_open_voting(election=s["election"], user=secretary)
    move_past_voting(s["election"])
    # The period is over even before the secretary closes the election ...
    with pytest.raises(services.BallotRefused, match="ei ole käynnissä"):
        services.ballot_cast(
            election=s["election"],
            organisation=s["associations"][1],
            user=s["editors"][1],
            choices={s["culture"].pk: candidate.pk},
        )
    services.election_close(election=s["election"], user=secretary)
    # ... and after it, whatever the clock says.
    Election.objects.filter(pk=s["election"].pk).update(voting_ends_at=timezone.now() + dt.timedelta(days=1))
    with pytest.raises(services.BallotRefused, match="ei ole käynnissä"):
        services.ballot_cast(
            election=s["election"],
            organisation=s["associations"][1],
            user=s["editors"][1],
            choices={s["culture"].pk: candidate.pk},
        )
    assert Ballot.objects.count() == 0


def test_own_sectors_only_limits_the_seats_on_the_roll(setup, secretary):
    s = setup
    Election.objects.filter(pk=s["election"].pk).update(own_sectors_only=True)
    s["election"].refresh_from_db()
    sport_candidate = nominate(s["election"], s["associations"][0], s["editors"][0], s["sport"], "Daniel Ehdokas")
    move_to_voting_period(s["election"])
    services.election_open_voting(election=s["election"], user=secretary)
    entry = s["election"].roll.get(organisation=s["associations"][0])
    assert list(entry.seats.all()) == [s["culture"]]
    with pytest.raises(services.BallotRefused, match="ei ole sallittu"):
        services.ballot_cast(
            election=s["election"],
            organisation=s["associations"][0],
            user=s["editors"][0],
            choices={s["sport"].pk: sport_candidate.pk},
        )


def test_only_the_secretary_runs_the_election(setup):
    s = setup
    for action in (services.election_open_voting, services.election_close, services.election_count):
        with pytest.raises(PermissionDenied):
            action(election=s["election"], user=s["editors"][0])


def test_a_rejection_needs_a_reason(setup, secretary):
    nomination = nominate(
        setup["election"], setup["associations"][0], setup["editors"][0], setup["culture"], "Aino Ehdokas"
    )
    with pytest.raises(ValidationError):
        services.nomination_reject(nomination=nomination, user=secretary, reason="  ")
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.SUBMITTED


def test_the_election_log_refuses_updates_and_deletes_in_the_database(setup):
    from django.db import DatabaseError, transaction

    entry = ElectionLogEntry.objects.filter(election=setup["election"]).first()
    with pytest.raises(DatabaseError), transaction.atomic():
        ElectionLogEntry.objects.filter(pk=entry.pk).update(action="tampered")
    with pytest.raises(DatabaseError), transaction.atomic():
        ElectionLogEntry.objects.filter(pk=entry.pk).delete()


def test_results_entered_from_a_meeting_are_counted_and_drawn_the_same_way(secretary):
    term = TermFactory()
    seat = SeatFactory(term=term, position=1)
    association = published_association("Kokousyhdistys ry", "kulttuuri")
    other = published_association("Toinen Kokousyhdistys ry", "kulttuuri")
    election = election_in_nomination(term, [seat], method=Election.Method.MEETING)
    services.election_enter_meeting_results(
        election=election,
        user=secretary,
        rows=[
            services.MeetingResultRow(
                seat=seat, candidate_name="Kokous Yksi", background_organisation=association, votes=7
            ),
            services.MeetingResultRow(seat=seat, candidate_name="Kokous Kaksi", background_organisation=other, votes=9),
        ],
    )
    election.refresh_from_db()
    assert election.status == Election.Status.COUNTED
    outcomes = dict(election.results.values_list("nomination__candidate_name", "outcome"))
    assert outcomes == {"Kokous Kaksi": "member", "Kokous Yksi": "deputy"}


# --- Secrecy ----------------------------------------------------------------------------------


def test_no_column_links_a_ballot_to_its_association_or_orders_them():
    """Ballots, choices and voting records share no key, no time and no sequence."""
    from django.db import models

    from accounts.models import User
    from organisations.models import Organisation

    for model in (Ballot, BallotChoice, CastRecord):
        assert isinstance(model._meta.pk, models.UUIDField), model
        assert not [f for f in model._meta.get_fields() if isinstance(f, models.DateField | models.DateTimeField)]
    for model in (Ballot, BallotChoice):
        related = {f.related_model for f in model._meta.get_fields() if f.is_relation}
        assert not related & {Organisation, User, CastRecord}, model
    related = {f.related_model for f in CastRecord._meta.get_fields() if f.is_relation}
    assert not related & {Ballot, BallotChoice}


def test_the_admin_shows_neither_ballots_nor_voting_records():
    from django.contrib import admin

    for model in (Ballot, BallotChoice, CastRecord):
        assert model not in admin.site._registry


# --- Concurrency ------------------------------------------------------------------------------


# Real commits (two connections must see each other's rows); serialized_rollback restores the
# migrations' rows (sectors, groups, content types) for the tests after it, as the suite's other
# transactional tests do.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_editors_submitting_at_the_same_instant_cast_one_ballot(secretary):
    term = TermFactory()
    seat = SeatFactory(term=term, position=1, sector=sector("kulttuuri"))
    association = published_association("Samanaikainen ry", "kulttuuri")
    first_editor = editor_of(association, "eka@example.org")
    second_editor = editor_of(association, "toka@example.org")
    member_of(association)
    election = election_in_nomination(term, [seat])
    candidate = nominate(election, association, first_editor, seat, "Aino Ehdokas")
    move_to_voting_period(election)
    services.election_open_voting(election=election, user=secretary)

    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def submit(user):
        try:
            barrier.wait()
            outcomes.append(
                services.ballot_cast(
                    election=election, organisation=association, user=user, choices={seat.pk: candidate.pk}
                )
            )
        except services.BallotRefused:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(user,)) for user in (first_editor, second_editor)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes).count("refused") == 1, outcomes
    assert CastRecord.objects.filter(election=election).count() == 1
    assert Ballot.objects.filter(election=election).count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_database_refuses_a_second_voting_record_whatever_the_code_path():
    from django.db import IntegrityError

    term = TermFactory()
    seat = SeatFactory(term=term, position=1)
    association = published_association("Rajoitettu ry", "kulttuuri")
    election = election_in_nomination(term, [seat])
    CastRecord.objects.create(election=election, organisation=association)
    with pytest.raises(IntegrityError):
        CastRecord.objects.create(election=election, organisation=association)
