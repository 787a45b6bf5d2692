"""Every write of the council app.

Each function checks again that the acting account may do it (a view that forgot would still not
let the wrong person through), validates with ``full_clean()``, runs in a transaction, and writes an
audit entry for governance actions; election actions also go to the election's public log.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from organisations.models import Organisation
from portal.audit import audit_record
from portal.mail import queue_email

from .models import (
    AgendaItem,
    Attachment,
    Ballot,
    BallotChoice,
    CastRecord,
    CouncilDocument,
    Election,
    ElectionLogEntry,
    ElectionResult,
    GroupMembership,
    Meeting,
    MinutesApproval,
    NewsItem,
    Nomination,
    Person,
    Seat,
    SeatHolding,
    Term,
    VoterRollEntry,
)
from .permissions import acting_organisations, checker_person, is_secretary
from .validators import ATTACHMENT_TYPES, extension_of, safe_filename

# Receipt codes: no 0/O, 1/I/L, so a voter can read one aloud and find it in the list.
RECEIPT_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
RECEIPT_LENGTH = 10


def _require_secretary(user) -> None:
    if not is_secretary(user):
        raise PermissionDenied


def _acting_for(user, organisation: Organisation) -> None:
    if not acting_organisations(user).filter(pk=organisation.pk).exists():
        raise PermissionDenied


def _election_log(election: Election, action: str, *, user=None, **details: Any) -> None:
    """The election's public log and the portal's audit log, in the caller's transaction."""
    details = {key: str(value) for key, value in details.items()}
    ElectionLogEntry.objects.create(election=election, action=action, details=details)
    audit_record(action=f"council.election.{action}", actor=user, target=election, details=details)


# --- The cooperation group --------------------------------------------------------------------


@transaction.atomic
def group_join(*, organisation: Organisation, user) -> GroupMembership:
    _acting_for(user, organisation)
    membership = GroupMembership.objects.active().filter(organisation=organisation).first()
    if membership:
        return membership
    membership = GroupMembership(organisation=organisation)
    membership.full_clean()
    membership.save()
    audit_record(action="council.group.joined", actor=user, target=organisation)
    return membership


@transaction.atomic
def group_leave(*, organisation: Organisation, user) -> None:
    _acting_for(user, organisation)
    updated = GroupMembership.objects.active().filter(organisation=organisation).update(left_at=timezone.now())
    if updated:
        audit_record(action="council.group.left", actor=user, target=organisation)


# --- Elections --------------------------------------------------------------------------------


@transaction.atomic
def election_open(
    *,
    user,
    term: Term,
    title: str,
    seats: Iterable[Seat],
    criteria: str,
    nomination_starts_at: datetime,
    nomination_ends_at: datetime,
    voting_starts_at: datetime,
    voting_ends_at: datetime,
    own_sectors_only: bool = False,
    method: str = Election.Method.PORTAL,
) -> Election:
    _require_secretary(user)
    seats = list(seats)
    if not seats or any(seat.term_id != term.pk or not seat.is_elected for seat in seats):
        raise ValidationError(_("Choose the elected seats of the election's term."))
    election = Election(
        term=term,
        title=title,
        criteria=criteria,
        method=method,
        own_sectors_only=own_sectors_only,
        nomination_starts_at=nomination_starts_at,
        nomination_ends_at=nomination_ends_at,
        voting_starts_at=voting_starts_at,
        voting_ends_at=voting_ends_at,
    )
    election.full_clean()
    election.save()
    election.seats.set(seats)
    _election_log(election, "opened", user=user)
    return election


@transaction.atomic
def nomination_submit(
    *,
    election: Election,
    organisation: Organisation,
    user,
    seat: Seat,
    candidate_name: str,
    candidate_email: str,
    background_organisation: Organisation,
    presentation: str,
    background_approves: bool,
    criteria_accepted: bool,
) -> Nomination:
    _acting_for(user, organisation)
    election = Election.objects.select_for_update().get(pk=election.pk)
    now = timezone.now()
    if election.status != Election.Status.NOMINATION or not (
        election.nomination_starts_at <= now < election.nomination_ends_at
    ):
        raise ValidationError(_("Nomination is not open."))
    if not GroupMembership.objects.active().filter(organisation=organisation).exists():
        raise ValidationError(_("Only associations of the cooperation group may nominate candidates."))
    if not election.seats.filter(pk=seat.pk).exists():
        raise ValidationError(_("The seat is not in this election."))
    if not (background_approves and criteria_accepted):
        raise ValidationError(_("Confirm the background organisation's approval and the criteria."))
    nomination = Nomination(
        election=election,
        seat=seat,
        nominated_by=organisation,
        nominated_by_user=user,
        candidate_name=candidate_name,
        candidate_email=candidate_email,
        background_organisation=background_organisation,
        presentation=presentation,
        background_approves=background_approves,
        criteria_accepted=criteria_accepted,
    )
    nomination.full_clean()
    nomination.save()
    _election_log(election, "nominated", user=user, organisation=organisation.name, seat=seat.position)
    return nomination


@transaction.atomic
def nomination_reject(*, nomination: Nomination, user, reason: str) -> Nomination:
    _require_secretary(user)
    nomination = Nomination.objects.select_for_update().select_related("election", "seat").get(pk=nomination.pk)
    if nomination.election.status != Election.Status.NOMINATION:
        raise ValidationError(_("Nominations can be rejected only while nomination is open."))
    if not reason.strip():
        raise ValidationError(_("Give a reason for the rejection."))
    nomination.status = Nomination.Status.REJECTED
    nomination.rejection_reason = reason.strip()
    nomination.full_clean()
    nomination.save()
    _election_log(nomination.election, "rejected", user=user, seat=nomination.seat.position, reason=reason.strip())
    return nomination


def _eligible_seats(election: Election, organisation: Organisation) -> list[Seat]:
    seats = list(election.seats.all())
    if not election.own_sectors_only:
        return seats
    sector_ids = set(organisation.sectors.values_list("pk", flat=True))
    return [seat for seat in seats if seat.sector_id is None or seat.sector_id in sector_ids]


@transaction.atomic
def election_open_voting(*, election: Election, user) -> Election:
    """Publish the candidates and freeze the voter roll: the cooperation group's published members now."""
    _require_secretary(user)
    election = Election.objects.select_for_update().get(pk=election.pk)
    if election.status != Election.Status.NOMINATION or election.method != Election.Method.PORTAL:
        raise ValidationError(_("Voting can be opened only after nomination, for an election in the portal."))
    if timezone.now() < election.nomination_ends_at:
        raise ValidationError(_("Nomination has not ended yet."))
    memberships = GroupMembership.objects.active().filter(organisation__status=Organisation.Status.PUBLISHED)
    for membership in memberships.select_related("organisation"):
        entry = VoterRollEntry.objects.create(election=election, organisation=membership.organisation)
        entry.seats.set(_eligible_seats(election, membership.organisation))
    election.status = Election.Status.VOTING
    election.save(update_fields=["status"])
    _election_log(election, "voting_opened", user=user, voters=election.roll.count())
    return election


class BallotRefused(Exception):
    """A ballot that may not be cast; ``str()`` is the reason to show."""


def _new_receipt() -> str:
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))


def voting_is_open(election: Election, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return election.status == Election.Status.VOTING and election.voting_starts_at <= now < election.voting_ends_at


def ballot_cast(*, election: Election, organisation: Organisation, user, choices: dict[int, int]) -> str:
    """Cast ``organisation``'s one ballot; ``choices`` maps seat ids to nomination ids. Returns the receipt.

    What is stored: a ``CastRecord`` (this association voted) and an unlinked ``Ballot`` (somebody
    chose these). The receipt is returned, never stored with the voter.
    """
    _acting_for(user, organisation)
    try:
        with transaction.atomic():
            # Closing takes the same lock, so no ballot commits after the election closed.
            election = Election.objects.select_for_update().get(pk=election.pk)
            if not voting_is_open(election):
                raise BallotRefused(_("Voting is not open."))
            entry = VoterRollEntry.objects.filter(election=election, organisation=organisation).first()
            if entry is None:
                raise BallotRefused(_("The association is not on the voter roll of this election."))
            if CastRecord.objects.filter(election=election, organisation=organisation).exists():
                raise BallotRefused(_("The association has already voted."))
            allowed_seats = {seat.pk: seat for seat in entry.seats.all()}
            valid = {
                nomination.pk: nomination for nomination in election.nominations.valid().filter(seat__in=allowed_seats)
            }
            for seat_id, nomination_id in choices.items():
                nomination = valid.get(nomination_id)
                if seat_id not in allowed_seats or nomination is None or nomination.seat_id != seat_id:
                    raise BallotRefused(_("The ballot has a choice that is not allowed."))
            CastRecord.objects.create(election=election, organisation=organisation)
            ballot = Ballot.objects.create(election=election, receipt=_new_receipt())
            BallotChoice.objects.bulk_create(
                BallotChoice(ballot=ballot, seat_id=seat_id, nomination_id=nomination_id)
                for seat_id, nomination_id in choices.items()
            )
            return ballot.receipt
    except IntegrityError as error:
        # The unique constraint is the last word on a double vote whatever the code path.
        raise BallotRefused(_("The association has already voted.")) from error


def ballot_list(election: Election) -> list[tuple[str, list[tuple[int, int]]]]:
    """The published anonymous ballot list: (receipt, [(seat number, candidate number), …]) by receipt."""
    rows: dict[str, list[tuple[int, int]]] = {}
    for ballot in election.ballots.order_by("receipt"):
        rows[ballot.receipt] = []
    for receipt, position, nomination_id in BallotChoice.objects.filter(ballot__election=election).values_list(
        "ballot__receipt", "seat__position", "nomination_id"
    ):
        rows[receipt].append((position, nomination_id))
    return [(receipt, sorted(choices)) for receipt, choices in rows.items()]


def ballot_list_text(election: Election) -> str:
    """The canonical text of the ballot list, one line a ballot: ``RECEIPT seat:candidate seat:candidate``."""
    return "".join(
        f"{receipt} {' '.join(f'{seat}:{candidate}' for seat, candidate in choices)}\n"
        for receipt, choices in ballot_list(election)
    )


@transaction.atomic
def election_close(*, election: Election, user) -> Election:
    _require_secretary(user)
    election = Election.objects.select_for_update().get(pk=election.pk)
    if election.status != Election.Status.VOTING:
        raise ValidationError(_("Only an election in voting can be closed."))
    if timezone.now() < election.voting_ends_at:
        raise ValidationError(_("The voting period has not ended yet."))
    election.ballot_list_digest = hashlib.sha256(ballot_list_text(election).encode()).hexdigest()
    election.status = Election.Status.CLOSED
    election.closed_at = timezone.now()
    election.save(update_fields=["ballot_list_digest", "status", "closed_at"])
    _election_log(election, "closed", user=user, ballots=election.ballots.count(), digest=election.ballot_list_digest)
    return election


def draw_key(digest: str, seat_position: int, nomination_id: int) -> str:
    """The lot of one candidate: SHA-256 of ``"<digest>:<seat number>:<candidate number>"`` in hex.

    Among candidates with equal votes the smaller key ranks first. The digest is fixed when voting
    closes and published with the ballot list, so anybody can repeat the draw and nobody can steer it.
    """
    return hashlib.sha256(f"{digest}:{seat_position}:{nomination_id}".encode()).hexdigest()


@dataclass(frozen=True)
class Ranked:
    nomination: Nomination
    votes: int
    key: str
    rank: int
    outcome: str
    decided_by_lot: bool


def rank_seat(digest: str, seat: Seat, counts: dict[Nomination, int]) -> list[Ranked]:
    ordered = sorted(counts.items(), key=lambda item: (-item[1], draw_key(digest, seat.position, item[0].pk)))
    outcomes = [ElectionResult.Outcome.MEMBER, ElectionResult.Outcome.DEPUTY]
    ranked = []
    for index, (nomination, votes) in enumerate(ordered):
        outcome = outcomes[index] if index < len(outcomes) else ElectionResult.Outcome.NONE
        ranked.append((nomination, votes, index + 1, outcome))
    result = []
    for nomination, votes, rank, outcome in ranked:
        # The lot decided this candidate's fate if someone with the same votes ended up differently.
        tied_outcomes = {o for _n, v, _r, o in ranked if v == votes}
        result.append(
            Ranked(
                nomination=nomination,
                votes=votes,
                key=draw_key(digest, seat.position, nomination.pk),
                rank=rank,
                outcome=outcome,
                decided_by_lot=len(tied_outcomes) > 1,
            )
        )
    return result


def _store_results(election: Election, counts_by_seat: dict[Seat, dict[Nomination, int]]) -> int:
    draws = 0
    for seat, counts in counts_by_seat.items():
        for row in rank_seat(election.ballot_list_digest, seat, counts):
            ElectionResult.objects.create(
                election=election,
                seat=seat,
                nomination=row.nomination,
                votes=row.votes,
                rank=row.rank,
                outcome=row.outcome,
                draw_key=row.key,
                decided_by_lot=row.decided_by_lot,
            )
            draws += row.decided_by_lot
    return draws


@transaction.atomic
def election_count(*, election: Election, user) -> Election:
    _require_secretary(user)
    election = Election.objects.select_for_update().get(pk=election.pk)
    if election.status != Election.Status.CLOSED:
        raise ValidationError(_("Only a closed election can be counted."))
    votes = dict(
        BallotChoice.objects.filter(ballot__election=election)
        .values_list("nomination_id")
        .annotate(n=Count("id"))
        .values_list("nomination_id", "n")
    )
    counts_by_seat: dict[Seat, dict[Nomination, int]] = {}
    for seat in election.seats.order_by("position"):
        counts_by_seat[seat] = {
            nomination: votes.get(nomination.pk, 0) for nomination in election.nominations.valid().filter(seat=seat)
        }
    draws = _store_results(election, counts_by_seat)
    election.status = Election.Status.COUNTED
    election.counted_at = timezone.now()
    election.save(update_fields=["status", "counted_at"])
    # Each tied pair counts once per candidate; the log says how many candidates the lot placed.
    _election_log(election, "counted", user=user, draws=draws)
    return election


@dataclass(frozen=True)
class MeetingResultRow:
    seat: Seat
    candidate_name: str
    background_organisation: Organisation
    votes: int


@transaction.atomic
def election_enter_meeting_results(*, election: Election, user, rows: list[MeetingResultRow]) -> Election:
    """Results of an election held at a meeting: the candidates and their votes, counted as in the portal."""
    _require_secretary(user)
    election = Election.objects.select_for_update().get(pk=election.pk)
    if election.method != Election.Method.MEETING or election.status != Election.Status.NOMINATION:
        raise ValidationError(_("Results can be entered once, for an election held at a meeting."))
    seats = {seat.pk: seat for seat in election.seats.all()}
    counts_by_seat: dict[Seat, dict[Nomination, int]] = {}
    for row in rows:
        if row.seat.pk not in seats:
            raise ValidationError(_("The seat is not in this election."))
        nomination = Nomination(
            election=election,
            seat=row.seat,
            nominated_by=row.background_organisation,
            nominated_by_user=user,
            candidate_name=row.candidate_name,
            candidate_email="",
            background_organisation=row.background_organisation,
            presentation="",
            background_approves=True,
            criteria_accepted=True,
        )
        nomination.full_clean(exclude=["candidate_email", "presentation"])
        nomination.save()
        counts_by_seat.setdefault(row.seat, {})[nomination] = row.votes
    text = "".join(
        f"{seat.position}:{nomination.pk}:{votes}\n"
        for seat, counts in counts_by_seat.items()
        for nomination, votes in counts.items()
    )
    election.ballot_list_digest = hashlib.sha256(text.encode()).hexdigest()
    draws = _store_results(election, counts_by_seat)
    election.status = Election.Status.COUNTED
    election.closed_at = election.counted_at = timezone.now()
    election.save(update_fields=["ballot_list_digest", "status", "closed_at", "counted_at"])
    _election_log(election, "meeting_results", user=user, draws=draws)
    return election


@transaction.atomic
def election_approve(*, election: Election, user, approved_on: date, reference: str) -> Election:
    """Record the regional board's approval; the elected become the term's members and deputies."""
    _require_secretary(user)
    election = Election.objects.select_for_update().select_related("term").get(pk=election.pk)
    if election.status != Election.Status.COUNTED:
        raise ValidationError(_("Only counted results can be approved."))
    if not reference.strip():
        raise ValidationError(_("Give the decision's reference."))
    starts_on = max(election.term.starts_on, approved_on)
    for result in election.results.exclude(outcome=ElectionResult.Outcome.NONE).select_related("nomination", "seat"):
        nomination = result.nomination
        SeatHolding.objects.active().filter(seat=result.seat, role=result.outcome).update(
            ends_on=max(starts_on - timedelta(days=1), election.term.starts_on), end_reason="election"
        )
        person = Person.objects.create(
            name=nomination.candidate_name,
            organisation=nomination.background_organisation,
            sector=result.seat.sector,
            email=nomination.candidate_email,
        )
        holding = SeatHolding(seat=result.seat, person=person, role=result.outcome, starts_on=starts_on)
        holding.full_clean()
        holding.save()
    election.status = Election.Status.APPROVED
    election.approved_on = approved_on
    election.approval_reference = reference.strip()
    election.full_clean()
    election.save()
    _election_log(election, "approved", user=user, approved_on=approved_on.isoformat(), reference=reference.strip())
    return election


# --- Composition ------------------------------------------------------------------------------


@transaction.atomic
def seat_deputy_steps_in(*, seat: Seat, user, on: date, reason: str) -> SeatHolding:
    """The member leaves mid-term and the deputy takes the seat; both old holdings stay as history."""
    _require_secretary(user)
    holdings = {h.role: h for h in SeatHolding.objects.select_for_update().active().filter(seat=seat)}
    member, deputy = holdings.get(SeatHolding.Role.MEMBER), holdings.get(SeatHolding.Role.DEPUTY)
    if member is None or deputy is None:
        raise ValidationError(_("The seat needs both a member and a deputy for the deputy to step in."))
    for holding in (member, deputy):
        holding.ends_on = on
        holding.end_reason = reason
        holding.full_clean()
        holding.save()
    new = SeatHolding(seat=seat, person=deputy.person, role=SeatHolding.Role.MEMBER, starts_on=on)
    new.full_clean()
    new.save()
    audit_record(action="council.seat.deputy_stepped_in", actor=user, target=seat, details={"reason": reason})
    return new


# --- Meetings and minutes ---------------------------------------------------------------------


def council_recipients(term: Term | None = None) -> list[str]:
    """The current members' and deputies' addresses, each once."""
    term = term or Term.objects.current().first()
    if term is None:
        return []
    people = Person.objects.filter(holdings__seat__term=term, holdings__ends_on__isnull=True).select_related("user")
    return sorted({person.contact_email for person in people if person.contact_email})


def _home_changed() -> None:
    # The front page's council box (news, next meeting) is cached whole; moved after the commit so
    # a page rendered before it is not kept under the new version.
    from .selectors import bump_home_version

    transaction.on_commit(bump_home_version)


@transaction.atomic
def meeting_save(*, meeting: Meeting, user) -> Meeting:
    _require_secretary(user)
    meeting.full_clean()
    meeting.save()
    _home_changed()
    return meeting


@transaction.atomic
def agenda_item_add(*, meeting: Meeting, user, title: str, description: str = "") -> AgendaItem:
    _require_secretary(user)
    position = (meeting.agenda_items.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    item = AgendaItem(meeting=meeting, position=position, title=title, description=description)
    item.full_clean()
    item.save()
    _home_changed()
    return item


@transaction.atomic
def attachment_add(*, meeting: Meeting, user, title: str, file, agenda_item: AgendaItem | None = None) -> Attachment:
    _require_secretary(user)
    filename = safe_filename(file.name)
    extension = extension_of(filename)
    attachment = Attachment(
        meeting=meeting,
        agenda_item=agenda_item,
        title=title,
        file=file,
        filename=filename,
        content_type=ATTACHMENT_TYPES.get(extension, ("application/octet-stream", ""))[0],
        size=file.size,
    )
    attachment.full_clean()
    attachment.save()
    return attachment


@transaction.atomic
def agenda_publish(*, meeting: Meeting, user) -> Meeting:
    """Publish the agenda and mail it to the members and deputies (through the outbox)."""
    _require_secretary(user)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.agenda_published_at:
        return meeting
    if not meeting.agenda_items.exists():
        raise ValidationError(_("Add agenda items before publishing the agenda."))
    meeting.agenda_published_at = timezone.now()
    meeting.save(update_fields=["agenda_published_at"])
    _home_changed()
    context = {"meeting": meeting, "items": list(meeting.agenda_items.all())}
    for address in council_recipients():
        queue_email(template_name="council/email/agenda", to=[address], context=context)
    audit_record(action="council.meeting.agenda_published", actor=user, target=meeting)
    return meeting


@transaction.atomic
def minutes_save(*, meeting: Meeting, user, minutes: str, decisions: dict[int, str] | None = None) -> Meeting:
    _require_secretary(user)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.minutes_status == Meeting.MinutesStatus.PUBLISHED:
        raise ValidationError(_("Published minutes are not changed."))
    meeting.minutes = minutes
    # Any change sends the minutes back to draft: checkers approve the text they read.
    meeting.minutes_status = Meeting.MinutesStatus.DRAFT
    meeting.full_clean()
    meeting.save()
    meeting.minutes_approvals.all().delete()
    for item in meeting.agenda_items.all():
        if decisions and item.pk in decisions:
            item.decision = decisions[item.pk]
            item.full_clean()
            item.save(update_fields=["decision"])
    return meeting


@transaction.atomic
def minutes_send_for_checking(*, meeting: Meeting, user) -> Meeting:
    _require_secretary(user)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.minutes_status != Meeting.MinutesStatus.DRAFT or not meeting.minutes.strip():
        raise ValidationError(_("Write the minutes before sending them to the checkers."))
    if not meeting.checkers.exists():
        raise ValidationError(_("Name the minute checkers first."))
    meeting.minutes_status = Meeting.MinutesStatus.CHECKING
    meeting.save(update_fields=["minutes_status"])
    for checker in meeting.checkers.select_related("user"):
        if checker.contact_email:
            queue_email(
                template_name="council/email/minutes_check", to=[checker.contact_email], context={"meeting": meeting}
            )
    audit_record(action="council.minutes.sent_for_checking", actor=user, target=meeting)
    return meeting


@transaction.atomic
def minutes_approve(*, meeting: Meeting, user) -> MinutesApproval:
    """A minute checker approves the minutes; when all have, they are ready to publish."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    person = checker_person(user, meeting)
    if person is None:
        raise PermissionDenied
    if meeting.minutes_status != Meeting.MinutesStatus.CHECKING:
        raise ValidationError(_("The minutes are not awaiting checking."))
    approval, _created = MinutesApproval.objects.get_or_create(meeting=meeting, person=person)
    if not meeting.checkers.exclude(pk__in=meeting.minutes_approvals.values("person")).exists():
        meeting.minutes_status = Meeting.MinutesStatus.CHECKED
        meeting.save(update_fields=["minutes_status"])
    audit_record(action="council.minutes.approved", actor=user, target=meeting, details={"checker": person.name})
    return approval


@transaction.atomic
def minutes_publish(*, meeting: Meeting, user) -> Meeting:
    _require_secretary(user)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.minutes_status != Meeting.MinutesStatus.CHECKED:
        raise ValidationError(_("The minute checkers have not approved the minutes yet."))
    meeting.minutes_status = Meeting.MinutesStatus.PUBLISHED
    meeting.minutes_published_at = timezone.now()
    meeting.save(update_fields=["minutes_status", "minutes_published_at"])
    audit_record(action="council.minutes.published", actor=user, target=meeting)
    return meeting


# --- News and documents -----------------------------------------------------------------------


@transaction.atomic
def news_save(*, item: NewsItem, user, publish: bool) -> NewsItem:
    _require_secretary(user)
    if not item.slug:
        base = slugify(item.title)[:200] or "uutinen"
        slug, n = base, 1
        while NewsItem.objects.filter(slug=slug).exclude(pk=item.pk).exists():
            n += 1
            slug = f"{base}-{n}"
        item.slug = slug
    if publish and item.published_at is None:
        item.published_at = timezone.now()
    if not publish:
        item.published_at = None
    item.full_clean()
    item.save()
    _home_changed()
    return item


@transaction.atomic
def document_save(*, kind: str, user, body: str) -> CouncilDocument:
    _require_secretary(user)
    # Not get_or_create: that would save an empty first version.
    document = CouncilDocument.objects.select_for_update().filter(kind=kind).first() or CouncilDocument(kind=kind)
    document.body = body
    document.updated_at = timezone.now()
    document._history_user = user
    document.full_clean()
    document.save()
    audit_record(action="council.document.changed", actor=user, target=document)
    return document
