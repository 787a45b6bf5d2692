"""The association council (järjestöneuvosto): its terms and seats, the cooperation group that elects
it, elections with secret ballots, meetings with minutes, news and the council's documents.

The ballot's secrecy lives in the schema: ``CastRecord`` says *that* an association voted,
``Ballot``/``BallotChoice`` say *what* somebody chose, and no column joins or orders the two (random
UUID keys, no timestamps, no foreign key either way).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from organisations.models import Organisation, Sector
from organisations.models.fields import PhoneNumberField
from portal.richtext import SanitisedHTMLField

from .validators import validate_attachment

# --- Composition -----------------------------------------------------------------------------


class TermQuerySet(models.QuerySet):
    def current(self, today=None) -> TermQuerySet:
        today = today or timezone.localdate()
        return self.filter(starts_on__lte=today, ends_on__gte=today)

    def past(self, today=None) -> TermQuerySet:
        return self.filter(ends_on__lt=today or timezone.localdate())


class Term(models.Model):
    """A council term (toimikausi)."""

    name = models.CharField(_("name"), max_length=100)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    objects = TermQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gt=models.F("starts_on")), name="term_dates_in_order")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("council:term", args=[self.pk])


class Person(models.Model):
    """A member, deputy or candidate; contact details go public only with their consent."""

    name = models.CharField(_("name"), max_length=200)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="council_people",
        verbose_name=_("background organisation"),
    )
    # For background organisations outside the directory (the regional board, the hyte team).
    organisation_name = models.CharField(_("background organisation (name)"), max_length=200, blank=True)
    sector = models.ForeignKey(
        Sector, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("sector")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="council_people",
        verbose_name=_("account"),
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = PhoneNumberField(_("phone"), max_length=40, blank=True)
    contact_consent_at = models.DateTimeField(_("consent to publish contact details"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.name

    @property
    def background(self) -> str:
        return self.organisation.localised_name if self.organisation_id else self.organisation_name

    @property
    def contact_email(self) -> str:
        return self.email or (self.user.email if self.user_id else "")


class Seat(models.Model):
    class Kind(models.TextChoices):
        SECTOR = "sector", _("Sector seat")
        MULTI_SECTOR = "multi_sector", _("Multi-sector seat (current wellbeing theme)")
        REGIONAL_BOARD = "regional_board", _("Regional board's representative")
        HYTE_TEAM = "hyte_team", _("Wellbeing team's representative")

    ELECTED_KINDS = (Kind.SECTOR, Kind.MULTI_SECTOR)

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="seats", verbose_name=_("term"))
    position = models.PositiveSmallIntegerField(_("number"))
    label = models.CharField(_("seat name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.SECTOR)
    sector = models.ForeignKey(
        Sector,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="council_seats",
        verbose_name=_("sector"),
        help_text=_("Associations of this sector may vote on the seat when voting is limited to own sectors."),
    )

    class Meta:
        ordering = ["term", "position"]
        verbose_name = _("seat")
        verbose_name_plural = _("seats")
        constraints = [models.UniqueConstraint(fields=["term", "position"], name="unique_seat_position")]

    def __str__(self) -> str:
        return f"{self.position}. {self.label}"

    @property
    def is_elected(self) -> bool:
        return self.kind in self.ELECTED_KINDS


class SeatHoldingQuerySet(models.QuerySet):
    def active(self) -> SeatHoldingQuerySet:
        return self.filter(ends_on__isnull=True)


class SeatHolding(models.Model):
    """A person holding a seat as member or deputy; a mid-term change ends one holding and starts another."""

    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        DEPUTY = "deputy", _("Deputy")

    seat = models.ForeignKey(Seat, on_delete=models.CASCADE, related_name="holdings", verbose_name=_("seat"))
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="holdings", verbose_name=_("person"))
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    end_reason = models.CharField(_("reason for ending"), max_length=200, blank=True)

    objects = SeatHoldingQuerySet.as_manager()

    class Meta:
        ordering = ["seat", "role", "starts_on"]
        verbose_name = _("seat holding")
        verbose_name_plural = _("seat holdings")
        constraints = [
            models.UniqueConstraint(
                fields=["seat", "role"], condition=Q(ends_on__isnull=True), name="one_active_holder_per_seat_role"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")), name="holding_dates_in_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.seat}: {self.person} ({self.get_role_display()})"


class WorkingGroup(models.Model):
    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="working_groups", verbose_name=_("term"))
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    members = models.ManyToManyField(Person, blank=True, related_name="working_groups", verbose_name=_("members"))

    class Meta:
        ordering = ["term", "name"]
        verbose_name = _("working group")
        verbose_name_plural = _("working groups")

    def __str__(self) -> str:
        return self.name


# --- The cooperation group --------------------------------------------------------------------


class GroupMembershipQuerySet(models.QuerySet):
    def active(self) -> GroupMembershipQuerySet:
        return self.filter(left_at__isnull=True)


class GroupMembership(models.Model):
    """An association's membership of the cooperation group (järjestöyhteistyön ryhmä); leaving keeps the row."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="council_group_memberships", verbose_name=_("association")
    )
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)
    left_at = models.DateTimeField(_("left"), null=True, blank=True)

    objects = GroupMembershipQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__name"]
        verbose_name = _("cooperation group membership")
        verbose_name_plural = _("cooperation group memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"], condition=Q(left_at__isnull=True), name="one_active_group_membership"
            )
        ]

    def __str__(self) -> str:
        return str(self.organisation)


# --- Elections --------------------------------------------------------------------------------


class ElectionQuerySet(models.QuerySet):
    def needing_attention(self) -> ElectionQuerySet:
        """Elections whose next step is the secretary's: voting to open, to close, votes to count."""
        now = timezone.now()
        return self.filter(
            Q(status=Election.Status.NOMINATION, nomination_ends_at__lte=now)
            | Q(status=Election.Status.VOTING, voting_ends_at__lte=now)
            | Q(status=Election.Status.CLOSED)
            | Q(status=Election.Status.COUNTED)
        )


class Election(models.Model):
    class Status(models.TextChoices):
        NOMINATION = "nomination", _("Nomination open")
        VOTING = "voting", _("Voting open")
        CLOSED = "closed", _("Voting closed")
        COUNTED = "counted", _("Counted")
        APPROVED = "approved", _("Approved by the regional board")

    class Method(models.TextChoices):
        PORTAL = "portal", _("Ballot in the portal")
        MEETING = "meeting", _("Held at a meeting")

    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="elections", verbose_name=_("term"))
    title = models.CharField(_("title"), max_length=200)
    seats = models.ManyToManyField(Seat, related_name="elections", verbose_name=_("seats"))
    criteria = SanitisedHTMLField(_("criteria for candidates"), blank=True)
    method = models.CharField(_("method"), max_length=10, choices=Method.choices, default=Method.PORTAL)
    own_sectors_only = models.BooleanField(
        _("associations vote only on their own sectors' seats"),
        default=False,
        help_text=_("Seats without a sector stay open to every voter."),
    )
    nomination_starts_at = models.DateTimeField(_("nomination starts"))
    nomination_ends_at = models.DateTimeField(_("nomination ends"))
    voting_starts_at = models.DateTimeField(_("voting starts"))
    voting_ends_at = models.DateTimeField(_("voting ends"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NOMINATION)
    # Fixed at closing: SHA-256 of the published ballot list; the seed of every draw by lot.
    ballot_list_digest = models.CharField(_("digest of the ballot list"), max_length=64, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    counted_at = models.DateTimeField(_("counted"), null=True, blank=True)
    approved_on = models.DateField(_("approved by the regional board on"), null=True, blank=True)
    approval_reference = models.CharField(_("regional board's decision reference"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ElectionQuerySet.as_manager()

    class Meta:
        ordering = ["-voting_starts_at"]
        verbose_name = _("election")
        verbose_name_plural = _("elections")
        # Held by the group "Council secretaries": lets templates show the desk link from the
        # permissions Django has already loaded for the page, without asking for the groups again.
        permissions = [("run_council", _("Can run the association council"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(nomination_ends_at__gt=models.F("nomination_starts_at"))
                & Q(voting_starts_at__gte=models.F("nomination_ends_at"))
                & Q(voting_ends_at__gt=models.F("voting_starts_at")),
                name="election_periods_in_order",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("council:election", args=[self.pk])

    @property
    def candidates_public(self) -> bool:
        return self.status != self.Status.NOMINATION

    @property
    def results_public(self) -> bool:
        return self.status in (self.Status.COUNTED, self.Status.APPROVED)


class NominationQuerySet(models.QuerySet):
    def valid(self) -> NominationQuerySet:
        return self.filter(status=Nomination.Status.SUBMITTED)


class Nomination(models.Model):
    """A candidate for a seat, nominated by an association of the cooperation group."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        REJECTED = "rejected", _("Rejected")

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="nominations")
    seat = models.ForeignKey(Seat, on_delete=models.PROTECT, related_name="nominations", verbose_name=_("seat"))
    nominated_by = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="council_nominations", verbose_name=_("nominated by")
    )
    nominated_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    candidate_name = models.CharField(_("candidate's name"), max_length=200)
    candidate_email = models.EmailField(_("candidate's e-mail"), help_text=_("Not published."))
    background_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("background organisation"),
    )
    presentation = models.TextField(_("short presentation"), max_length=1500)
    background_approves = models.BooleanField(_("the background organisation approves the candidacy"))
    criteria_accepted = models.BooleanField(_("the candidate meets and accepts the criteria"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = NominationQuerySet.as_manager()

    class Meta:
        ordering = ["seat__position", "candidate_name"]
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        constraints = [
            models.CheckConstraint(
                condition=Q(background_approves=True) & Q(criteria_accepted=True), name="nomination_confirmed"
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""), name="rejection_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.candidate_name} ({self.seat})"


class VoterRollEntry(models.Model):
    """The voter roll, frozen from the cooperation group when voting opens."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="roll")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="council_roll_entries")
    seats = models.ManyToManyField(Seat, related_name="+")

    class Meta:
        verbose_name = _("voter roll entry")
        verbose_name_plural = _("voter roll")
        constraints = [models.UniqueConstraint(fields=["election", "organisation"], name="unique_roll_entry")]

    def __str__(self) -> str:
        return str(self.organisation)


class CastRecord(models.Model):
    """That an association has voted in an election: nothing about when, nothing about what.

    The unique constraint makes a second ballot impossible whatever the code path.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="cast_records")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="council_cast_records")

    class Meta:
        verbose_name = _("record of voting")
        verbose_name_plural = _("records of voting")
        constraints = [models.UniqueConstraint(fields=["election", "organisation"], name="one_ballot_per_association")]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.election}"


class Ballot(models.Model):
    """An anonymous ballot: a random key and a receipt code, never a voter, never a time."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="ballots")
    receipt = models.CharField(_("receipt code"), max_length=16, unique=True)

    class Meta:
        # Listed by receipt, which is random: never in the order ballots were cast.
        ordering = ["receipt"]
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")

    def __str__(self) -> str:
        return self.receipt


class BallotChoice(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="choices")
    seat = models.ForeignKey(Seat, on_delete=models.PROTECT, related_name="+")
    nomination = models.ForeignKey(Nomination, on_delete=models.PROTECT, related_name="ballot_choices")

    class Meta:
        ordering = ["seat__position"]
        constraints = [models.UniqueConstraint(fields=["ballot", "seat"], name="one_choice_per_seat")]

    def __str__(self) -> str:
        return f"{self.seat_id}: {self.nomination_id}"


class ElectionResult(models.Model):
    """One candidate's count in one seat, as counted (or entered from a meeting)."""

    class Outcome(models.TextChoices):
        MEMBER = "member", _("Member")
        DEPUTY = "deputy", _("Deputy")
        NONE = "none", _("Not elected")

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="results")
    seat = models.ForeignKey(Seat, on_delete=models.PROTECT, related_name="+")
    nomination = models.ForeignKey(Nomination, on_delete=models.PROTECT, related_name="results")
    votes = models.PositiveIntegerField(_("votes"))
    rank = models.PositiveSmallIntegerField(_("rank"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    draw_key = models.CharField(_("draw key"), max_length=64)
    decided_by_lot = models.BooleanField(_("decided by lot"), default=False)

    class Meta:
        ordering = ["seat__position", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["election", "nomination"], name="one_result_per_candidate"),
            models.UniqueConstraint(fields=["election", "seat", "rank"], name="unique_rank_per_seat"),
        ]

    def __str__(self) -> str:
        return f"{self.nomination}: {self.votes}"


class ElectionLogEntry(models.Model):
    """The election's public, append-only log (the database refuses updates and deletes on PostgreSQL)."""

    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="log")
    at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=40)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("election log entry")
        verbose_name_plural = _("election log")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"

    @property
    def description(self) -> str:
        """The entry in the reader's language (stored as an action and its parameters, not as text)."""
        template = LOG_MESSAGES.get(self.action)
        return str(template) % self.details if template else self.action


LOG_MESSAGES = {
    "opened": _("The election was opened for nominations."),
    "nominated": _("%(organisation)s nominated a candidate for seat %(seat)s."),
    "rejected": _("A nomination for seat %(seat)s was rejected: %(reason)s"),
    "voting_opened": _("Voting opened; the voter roll was frozen with %(voters)s associations."),
    "closed": _("Voting closed with %(ballots)s ballots; digest of the ballot list %(digest)s."),
    "counted": _("The votes were counted; %(draws)s ties were settled by lot."),
    "meeting_results": _(
        "The results of the election held at a meeting were entered; %(draws)s ties were settled by lot."
    ),
    "approved": _(
        "The regional board approved the result on %(approved_on)s (%(reference)s); the council was updated."
    ),
}


# --- Meetings, minutes, news, documents ------------------------------------------------------


class MeetingQuerySet(models.QuerySet):
    def upcoming(self) -> MeetingQuerySet:
        return self.filter(starts_at__gte=timezone.now()).order_by("starts_at")

    def with_published_minutes(self) -> MeetingQuerySet:
        return self.filter(minutes_status=Meeting.MinutesStatus.PUBLISHED)

    def public(self) -> MeetingQuerySet:
        return self.filter(agenda_published_at__isnull=False)

    def visible_to(self, user) -> MeetingQuerySet:
        from .permissions import is_secretary

        return self if is_secretary(user) else self.public()


class Meeting(models.Model):
    class MinutesStatus(models.TextChoices):
        NONE = "none", _("Not started")
        DRAFT = "draft", _("Draft")
        CHECKING = "checking", _("Awaiting the minute checkers")
        CHECKED = "checked", _("Checked")
        PUBLISHED = "published", _("Published")

    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts"))
    location = models.CharField(_("place"), max_length=300)
    remote_link = models.URLField(_("remote participation link"), blank=True, help_text=_("Shown to members only."))
    agenda_published_at = models.DateTimeField(_("agenda published"), null=True, blank=True)
    minutes = SanitisedHTMLField(_("minutes"), blank=True)
    minutes_status = models.CharField(
        _("minutes"), max_length=10, choices=MinutesStatus.choices, default=MinutesStatus.NONE
    )
    minutes_published_at = models.DateTimeField(_("minutes published"), null=True, blank=True)
    checkers = models.ManyToManyField(
        Person, blank=True, related_name="checked_meetings", verbose_name=_("minute checkers")
    )

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("council:meeting", args=[self.pk])

    @property
    def minutes_public(self) -> bool:
        return self.minutes_status == self.MinutesStatus.PUBLISHED


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    decision = models.TextField(
        _("decision"), blank=True, help_text=_("Written into the minutes; public once they are.")
    )

    class Meta:
        ordering = ["meeting", "position"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        constraints = [models.UniqueConstraint(fields=["meeting", "position"], name="unique_agenda_position")]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


def attachment_path(instance: Attachment, filename: str) -> str:
    # The stored name is ours (random); the uploaded name is kept only for the download header.
    return f"council/attachments/{uuid.uuid4().hex}{instance.extension}"


class Attachment(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attachments")
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="attachments"
    )
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=attachment_path, validators=[validate_attachment])
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["meeting", "title"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.title

    @property
    def extension(self) -> str:
        return "." + self.filename.rsplit(".", 1)[-1].lower() if "." in self.filename else ""


class MinutesApproval(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="minutes_approvals")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "person"], name="one_approval_per_checker")]

    def __str__(self) -> str:
        return f"{self.person}: {self.meeting}"


class NewsItemQuerySet(models.QuerySet):
    def published(self) -> NewsItemQuerySet:
        return self.filter(published_at__isnull=False, published_at__lte=timezone.now())


class NewsItem(models.Model):
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("address name"), max_length=220, unique=True)
    body = SanitisedHTMLField(_("text"))
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = NewsItemQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-created_at"]
        verbose_name = _("news item")
        verbose_name_plural = _("news")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("council:news_detail", args=[self.slug])


class CouncilDocument(models.Model):
    """The council's standing documents, edited in the browser; every save is a version."""

    class Kind(models.TextChoices):
        STRATEGY = "jarjestostrategia", _("Association strategy")
        PROGRAMME = "yhdistysohjelma", _("Programme")
        CRITERIA = "kriteerit", _("Criteria for members and deputies")
        COMMUNICATION = "viestintasuunnitelma", _("Communication plan")

    kind = models.CharField(_("document"), max_length=30, choices=Kind.choices, unique=True)
    body = SanitisedHTMLField(_("text"), blank=True)
    updated_at = models.DateTimeField(_("last changed"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["kind"]
        verbose_name = _("council document")
        verbose_name_plural = _("council documents")

    def __str__(self) -> str:
        return self.get_kind_display()

    def get_absolute_url(self) -> str:
        return reverse("council:document", args=[self.kind])
