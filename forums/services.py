"""Every write of the forums app: events, their moderation, registrations and the waiting list.

Capacity: a registration locks its event row (``SELECT … FOR UPDATE``) before counting the
confirmed registrations, so concurrent registrations for the last seat are served one after the
other and exactly one of them gets it; the rest are wait-listed. Cancellations take the same lock
and promote the first on the waiting list. The partial unique index on (event, lower(email))
catches a duplicate even on a path that forgot to check.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from organisations.models import Municipality, Organisation, Sector
from portal.audit import audit_record
from portal.mail import queue_email

from . import permissions, selectors
from .ics import calendar_bytes
from .models import Event, EventOrganiser, Registration

CANCELLATION_SALT = "forums.registration.cancel"
RESERVED_SLUGS = {"kuukausi", "arkisto", "uusi", "omat", "moderointi", "peru", "kalenteri.ics"}


class RegistrationError(Exception):
    """A registration that cannot be taken; ``code`` says why (for the form's message)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


class CancellationLinkError(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _absolute_url(view_name: str, *, args: Iterable[Any] = (), language: str) -> str:
    with translation.override(language):
        return settings.SITE_URL + reverse(view_name, args=list(args))


def _unique_slug(title: str, starts_at: datetime, exclude_pk: int | None = None) -> str:
    base = f"{slugify(title)[:180] or 'tapahtuma'}-{timezone.localtime(starts_at):%Y-%m-%d}"
    slug, number = base, 2
    others = Event.objects.exclude(pk=exclude_pk) if exclude_pk else Event.objects.all()
    while slug in RESERVED_SLUGS or others.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


# --- Events -------------------------------------------------------------------------------------

EVENT_FIELDS = (
    "title",
    "kind",
    "description",
    "starts_at",
    "ends_at",
    "place",
    "street_address",
    "postal_code",
    "post_office",
    "municipality",
    "on_site",
    "remote",
    "remote_url",
    "language",
    "accessibility",
    "accessibility_details",
    "organised_by_council",
    "registration_required",
    "capacity",
    "remote_capacity",
    "registration_opens_at",
    "registration_closes_at",
)


@dataclass(frozen=True)
class EventOrganisers:
    organisations: tuple[Organisation, ...] = ()
    municipalities: tuple[Municipality, ...] = ()


def _check_scope(*, user, kind: str, municipality: Municipality | None, organisers: EventOrganisers) -> None:
    """The service's own check of what the form offered: kinds and organisers within the account's scope."""
    if kind not in permissions.allowed_kinds(user):
        raise PermissionDenied("kind")
    if permissions.publishes_directly(user):
        return
    own_municipalities = set(permissions.event_municipalities(user).values_list("pk", flat=True))
    own_organisations = set(permissions.event_organisations(user).values_list("pk", flat=True))
    if any(m.pk not in own_municipalities for m in organisers.municipalities):
        raise PermissionDenied("municipality")
    if any(o.pk not in own_organisations for o in organisers.organisations):
        raise PermissionDenied("organisation")
    if kind in permissions.MUNICIPAL_KINDS:
        if municipality is None or municipality.pk not in own_municipalities:
            raise PermissionDenied("municipality")
    elif not organisers.organisations:
        # An editor's event is always some association's event: that is what a moderator checks.
        raise ValidationError({"organiser_organisations": _("Choose the organising association.")})


def _calendar_changed() -> None:
    # After the commit: a feed rebuilt before it would cache the old state.
    transaction.on_commit(selectors.bump_calendar_version)


def _apply(event: Event, fields: dict[str, Any]) -> None:
    for name in EVENT_FIELDS:
        if name in fields:
            setattr(event, name, fields[name])
    if not event.remote:
        event.remote_url = ""
        event.remote_capacity = None


def _set_relations(event: Event, *, organisers: EventOrganisers, sectors: Iterable[Sector]) -> None:
    event.sectors.set(list(sectors))
    event.organiser_municipalities.set(list(organisers.municipalities))
    EventOrganiser.objects.filter(event=event).exclude(organisation__in=list(organisers.organisations)).delete()
    for organisation in organisers.organisations:
        EventOrganiser.objects.get_or_create(event=event, organisation=organisation)


@transaction.atomic
def event_create(
    *,
    user,
    fields: dict[str, Any],
    organisers: EventOrganisers,
    sectors: Iterable[Sector] = (),
) -> Event:
    """Publish an event, or submit it for moderation when ``user`` may not publish it directly."""
    if not permissions.can_create_events(user):
        raise PermissionDenied
    _check_scope(user=user, kind=fields["kind"], municipality=fields.get("municipality"), organisers=organisers)
    event = Event(created_by=user)
    _apply(event, fields)
    event.slug = _unique_slug(event.title, event.starts_at)
    event.status = Event.Status.PENDING if permissions.needs_moderation(user, event) else Event.Status.PUBLISHED
    event.full_clean()
    event.save()
    _set_relations(event, organisers=organisers, sectors=sectors)
    _calendar_changed()
    action = "forums.event.published" if event.status == Event.Status.PUBLISHED else "forums.event.submitted"
    audit_record(action=action, actor=user, target=event, details={"kind": event.kind})
    return event


@transaction.atomic
def event_update(
    *,
    user,
    event: Event,
    fields: dict[str, Any],
    organisers: EventOrganisers,
    sectors: Iterable[Sector] = (),
) -> Event:
    """Change an event; a change by someone who may not publish it sends it back to moderation."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    if not permissions.manageable_events(user).filter(pk=event.pk).exists():
        raise PermissionDenied
    _check_scope(
        user=user, kind=fields.get("kind", event.kind), municipality=fields.get("municipality"), organisers=organisers
    )
    _apply(event, fields)
    if event.status in (Event.Status.PUBLISHED, Event.Status.REJECTED) and permissions.needs_moderation(user, event):
        event.status = Event.Status.PENDING
    event.full_clean()
    event.save()
    _set_relations(event, organisers=organisers, sectors=sectors)
    _calendar_changed()
    audit_record(action="forums.event.changed", actor=user, target=event, details={"status": event.status})
    # More seats (or fewer people) may let the waiting list in.
    _promote_waiting(event)
    return event


def _notify_submitter(event: Event, template: str) -> None:
    submitter = event.created_by
    if submitter is None or not submitter.is_active:
        return
    language = getattr(submitter, "language", "") or settings.LANGUAGE_CODE
    queue_email(
        template_name=f"forums/email/{template}",
        to=[submitter.email],
        context={"event": event, "event_url": _absolute_url("forums:detail", args=[event.slug], language=language)},
        language=language,
    )


@transaction.atomic
def event_approve(*, moderator, event: Event) -> Event:
    if not permissions.can_moderate_events(moderator):
        raise PermissionDenied
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.status != Event.Status.PENDING:
        raise ValidationError(_("Only events awaiting moderation can be approved."))
    event.status = Event.Status.PUBLISHED
    event.decided_by, event.decided_at, event.rejection_reason = moderator, timezone.now(), ""
    event.full_clean()
    event.save()
    _calendar_changed()
    audit_record(action="forums.event.approved", actor=moderator, target=event)
    _notify_submitter(event, "event_approved")
    return event


@transaction.atomic
def event_reject(*, moderator, event: Event, reason: str) -> Event:
    if not permissions.can_moderate_events(moderator):
        raise PermissionDenied
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.status != Event.Status.PENDING:
        raise ValidationError(_("Only events awaiting moderation can be rejected."))
    event.status = Event.Status.REJECTED
    event.decided_by, event.decided_at, event.rejection_reason = moderator, timezone.now(), reason
    event.full_clean()
    event.save()
    audit_record(action="forums.event.rejected", actor=moderator, target=event, details={"reason": reason})
    _notify_submitter(event, "event_rejected")
    return event


@transaction.atomic
def event_cancel(*, user, event: Event) -> Event:
    """Call the event off; everybody registered is told."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    if not permissions.manageable_events(user).filter(pk=event.pk).exists():
        raise PermissionDenied
    if event.status == Event.Status.CANCELLED:
        return event
    event.status = Event.Status.CANCELLED
    event.save(update_fields=["status", "updated_at"])
    for registration in event.registrations.active():
        _mail_registration(registration, "event_cancelled")
    _calendar_changed()
    audit_record(action="forums.event.cancelled", actor=user, target=event)
    return event


# --- Registrations ------------------------------------------------------------------------------


def cancellation_token_make(registration: Registration) -> str:
    return signing.dumps({"r": registration.pk, "k": registration.key}, salt=CANCELLATION_SALT, compress=True)


def cancellation_token_read(token: str) -> Registration:
    max_age = timedelta(days=settings.EVENT_CANCELLATION_LINK_MAX_AGE_DAYS)
    try:
        payload = signing.loads(token, salt=CANCELLATION_SALT, max_age=max_age)
    except signing.SignatureExpired as error:
        raise CancellationLinkError("expired") from error
    except signing.BadSignature as error:
        raise CancellationLinkError("invalid") from error
    registration = (
        Registration.objects.select_related("event").filter(pk=payload.get("r"), key=payload.get("k")).first()
    )
    if registration is None:
        raise CancellationLinkError("invalid")
    return registration


def _mail_context(registration: Registration, language: str) -> dict[str, Any]:
    event = registration.event
    confirmed = registration.status == Registration.Status.CONFIRMED
    return {
        "registration": registration,
        "event": event,
        "event_url": _absolute_url("forums:detail", args=[event.slug], language=language),
        "ics_url": _absolute_url("forums:event_ics", args=[event.slug], language=language),
        "cancel_url": _absolute_url("forums:cancel", args=[cancellation_token_make(registration)], language=language),
        # The remote link is for confirmed remote participants: never the public page, never the waiting list.
        "remote_url": event.remote_url
        if confirmed and registration.participation == Registration.Participation.REMOTE
        else "",
    }


# A seat (confirmed or promoted from the waiting list) comes with the event for the calendar.
CALENDAR_ATTACHED_TO = {"registration_confirmed", "registration_promoted"}


def _mail_registration(registration: Registration, template: str) -> None:
    language = registration.language or settings.LANGUAGE_CODE
    context = _mail_context(registration, language)
    attachments = ()
    if template in CALENDAR_ATTACHED_TO:
        event = registration.event
        ics_file = calendar_bytes([event], url_for=lambda _event: context["event_url"], name=event.title)
        attachments = ((f"{event.slug}.ics", ics_file.decode(), "text/calendar"),)
    queue_email(
        template_name=f"forums/email/{template}",
        to=[registration.email],
        context=context,
        language=language,
        label=f"forums.{template}",
        attachments=attachments,
    )


def _seats_taken(event: Event, participation: str) -> int:
    return event.registrations.confirmed().filter(participation=participation).count()


def _has_seat(event: Event, participation: str) -> bool:
    limit = event.limit_for(participation)
    return limit is None or _seats_taken(event, participation) < limit


@transaction.atomic
def registration_create(
    *,
    event: Event,
    name: str,
    email: str,
    participation: str,
    organisation_name: str = "",
    needs: str = "",
    user=None,
    registered_by=None,
    delegate_of: Organisation | None = None,
    language: str | None = None,
    now: datetime | None = None,
) -> Registration:
    """Register one person: confirmed while seats are left, wait-listed after that.

    Raises ``RegistrationError`` with code ``closed``, ``participation`` or ``duplicate``.
    """
    now = now or timezone.now()
    # The lock serialises every registration and cancellation of this event: the count below is
    # then exact, and the last seat goes to exactly one of those racing for it.
    event = Event.objects.select_for_update().get(pk=event.pk)
    if not event.registration_is_open(now):
        raise RegistrationError("closed")
    if not event.offers(participation):
        raise RegistrationError("participation")
    email = email.strip()
    if event.registrations.active().filter(email__iexact=email).exists():
        raise RegistrationError("duplicate")
    confirmed = _has_seat(event, participation)
    registration = Registration(
        event=event,
        name=name.strip(),
        email=email,
        organisation_name=organisation_name.strip() or (delegate_of.name if delegate_of else ""),
        participation=participation,
        needs=needs.strip(),
        user=user if user is not None and user.is_authenticated else None,
        registered_by=registered_by,
        delegate_of=delegate_of,
        language=(language or translation.get_language() or settings.LANGUAGE_CODE)[:2],
        status=Registration.Status.CONFIRMED if confirmed else Registration.Status.WAITING,
        confirmed_at=now if confirmed else None,
        created_at=now,
    )
    registration.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            registration.save()
    except IntegrityError as error:
        raise RegistrationError("duplicate") from error
    _mail_registration(registration, "registration_confirmed" if confirmed else "registration_waiting")
    return registration


def _promote_waiting(event: Event) -> list[Registration]:
    """Confirm waiting registrations, first come first served, while seats are free (event locked)."""
    promoted = []
    now = timezone.now()
    for participation in Registration.Participation.values:
        limit = event.limit_for(participation)
        waiting = event.registrations.in_waiting_order().filter(participation=participation)
        if limit is not None:
            free = limit - _seats_taken(event, participation)
            if free <= 0:
                continue
            waiting = waiting[:free]
        for registration in waiting:
            registration.status = Registration.Status.CONFIRMED
            registration.confirmed_at = now
            registration.save(update_fields=["status", "confirmed_at"])
            _mail_registration(registration, "registration_promoted")
            promoted.append(registration)
    return promoted


@transaction.atomic
def registration_cancel(*, registration: Registration, by=None) -> list[Registration]:
    """Cancel a registration; a freed seat goes to the first on the waiting list. Returns those promoted."""
    event = Event.objects.select_for_update().get(pk=registration.event_id)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status == Registration.Status.CANCELLED:
        return []
    registration.status = Registration.Status.CANCELLED
    registration.cancelled_at = timezone.now()
    registration.save(update_fields=["status", "cancelled_at"])
    if by is not None and by != registration.user:
        audit_record(
            action="forums.registration.cancelled",
            actor=by,
            target=event,
            details={"registration": registration.pk},
        )
    if event.status != Event.Status.PUBLISHED or event.is_past:
        return []
    return _promote_waiting(event)


@transaction.atomic
def registration_cancel_by_link(*, token: str) -> Registration:
    """Cancel through the e-mailed link: a tampered, expired or used link changes nothing."""
    registration = cancellation_token_read(token)
    if registration.status == Registration.Status.CANCELLED:
        raise CancellationLinkError("used")
    registration_cancel(registration=registration)
    registration.refresh_from_db()
    return registration


@dataclass(frozen=True)
class Delegate:
    name: str
    email: str
    participation: str
    needs: str = ""


@dataclass
class DelegateResult:
    registered: list[Registration]
    duplicates: list[str]


@transaction.atomic
def delegates_register(
    *, user, event: Event, organisation: Organisation, delegates: Iterable[Delegate], language: str | None = None
) -> DelegateResult:
    """An association's editor registers several delegates at once (each wait-listed once full)."""
    if not permissions.event_organisations(user).filter(pk=organisation.pk).exists():
        raise PermissionDenied
    result = DelegateResult(registered=[], duplicates=[])
    for delegate in delegates:
        try:
            registration = registration_create(
                event=event,
                name=delegate.name,
                email=delegate.email,
                participation=delegate.participation,
                needs=delegate.needs,
                registered_by=user,
                delegate_of=organisation,
                language=language,
            )
        except RegistrationError as error:
            if error.code != "duplicate":
                raise
            result.duplicates.append(delegate.email)
        else:
            result.registered.append(registration)
    return result


# --- Periodic work --------------------------------------------------------------------------------


def _reminder_send(registration_id: int, now: datetime) -> bool:
    with transaction.atomic():
        # SKIP LOCKED: a second run racing this one leaves the row to whoever holds it. Only this
        # row ("self"): locking the joined event too would make a racing run skip the event's
        # other registrations while this one is being sent, and nobody would come back for them.
        registration = (
            Registration.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("event")
            .filter(pk=registration_id, status=Registration.Status.CONFIRMED, reminder_sent_at__isnull=True)
            .first()
        )
        if registration is None:
            return False
        registration.reminder_sent_at = now
        registration.save(update_fields=["reminder_sent_at"])
        # In the same transaction as the mark: both happen, or neither.
        _mail_registration(registration, "registration_reminder")
        return True


def event_reminders_send(*, now: datetime | None = None) -> int:
    """Remind confirmed registrants of events starting within EVENT_REMINDER_HOURS. Safe to run twice."""
    now = now or timezone.now()
    events = Event.objects.published().starting_between(now, now + timedelta(hours=settings.EVENT_REMINDER_HOURS))
    due = Registration.objects.needing_reminder().filter(event__in=events).values_list("pk", flat=True)
    return sum(_reminder_send(pk, now) for pk in list(due))


@transaction.atomic
def registration_needs_purge(*, now: datetime | None = None) -> int:
    """Delete participants' needs EVENT_NEEDS_RETENTION_DAYS after their event ended."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.EVENT_NEEDS_RETENTION_DAYS)
    events = Event.objects.filter(ends_at__lt=cutoff, needs_purged_at__isnull=True)
    count = Registration.objects.filter(event__in=events).with_needs().update(needs="")
    events.update(needs_purged_at=now)
    return count
