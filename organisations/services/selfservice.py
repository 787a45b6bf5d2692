"""The associations' self-service: registration, edits, claims, editors and invitations, freshness.

Views and tasks call these; each checks the capability it needs again (a view that forgot would
still not let the wrong person through), validates with ``full_clean()`` and runs in a transaction.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.audit import audit_record
from portal.mail import queue_email

from ..models import ClaimRequest, ConfirmationReminder, Editorship, Invitation, Organisation
from ..permissions import can_edit_organisation, can_remove_last_editor
from ..search import refresh_search_index
from .common import (
    EDITABLE_FIELDS,
    REGISTRATION_FIELDS,
    absolute_url,
    apply_fields,
    mail_editors,
    save_with_history,
    unique_slug,
)

CONFIRMATION_SALT = "organisations.confirmation"


# Registration and editing


@transaction.atomic
def organisation_register(*, user, data: dict[str, Any]) -> Organisation:
    """A new listing from the registration form: waits for a moderator, the registrant edits it."""
    if not user.is_authenticated:
        raise PermissionDenied
    organisation = Organisation(status=Organisation.Status.PENDING)
    many_to_many = apply_fields(organisation, data, REGISTRATION_FIELDS)
    certain = Organisation.objects.likely_duplicates(
        name="",
        home_municipality=None,
        register_number=organisation.register_number,
        business_id=organisation.business_id,
    )
    if certain.exists():
        raise ValidationError(_("This association is already listed. Ask to manage the existing listing instead."))
    organisation.slug = unique_slug(organisation.name)
    save_with_history(organisation, user=user, reason="registered", many_to_many=many_to_many)
    Editorship.objects.create(organisation=organisation, user=user)
    refresh_search_index([organisation.pk])
    return organisation


@transaction.atomic
def organisation_update(*, organisation: Organisation, user, data: dict[str, Any]) -> Organisation:
    """An editor's change: published at once, recorded as a version, searchable at once."""
    if not can_edit_organisation(user, organisation):
        raise PermissionDenied
    many_to_many = apply_fields(organisation, data, EDITABLE_FIELDS)
    if "contact_consent" in data:
        if not data["contact_consent"]:
            organisation.contact_consent_at = None
        elif organisation.contact_consent_at is None:
            organisation.contact_consent_at = timezone.now()
    # Saving the whole form is looking the listing over: it confirms it as the confirm button does,
    # so it is no longer "possibly outdated".
    organisation.information_confirmed_at = timezone.now()
    save_with_history(organisation, user=user, reason="edited", many_to_many=many_to_many)
    refresh_search_index([organisation.pk])
    return organisation


# Claims


@transaction.atomic
def claim_create(
    *, organisation: Organisation, user, role: str, message: str, language: str, request: HttpRequest | None = None
) -> ClaimRequest:
    if not user.is_authenticated:
        raise PermissionDenied
    if not organisation.is_public:
        raise ValidationError(_("Only published listings can be claimed."))
    if organisation.editorships.filter(user=user).exists():
        raise ValidationError(_("You are already an editor of this association."))
    claim = ClaimRequest(organisation=organisation, user=user, role=role, message=message, language=language)
    claim.full_clean()
    try:
        with transaction.atomic():
            claim.save()
    except IntegrityError as error:
        # Two simultaneous submissions: the database constraint decides.
        raise ValidationError(_("You have already asked to manage this association.")) from error
    audit_record(
        action="organisations.claim.created",
        actor=user,
        target=claim,
        details={"organisation": organisation.slug, "role": role},
        request=request,
    )
    return claim


# Editors and invitations


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_find(token: str) -> Invitation | None:
    return Invitation.objects.select_related("organisation").filter(token_hash=_token_hash(token)).first()


@transaction.atomic
def invitation_create(
    *, organisation: Organisation, invited_by, email: str, language: str, request: HttpRequest | None = None
) -> Invitation:
    if not can_edit_organisation(invited_by, organisation):
        raise PermissionDenied
    email = email.strip()
    if organisation.editorships.filter(user__email__iexact=email).exists():
        raise ValidationError({"email": _("This person is already an editor of the association.")})
    # A new invitation replaces an earlier unanswered one (its link stops working).
    organisation.invitations.filter(email__iexact=email, accepted_at__isnull=True).delete()
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    invitation = Invitation(
        organisation=organisation,
        email=email,
        token_hash=_token_hash(token),
        invited_by=invited_by,
        created_at=now,
        expires_at=now + timedelta(days=settings.ORGANISATION_INVITATION_VALID_DAYS),
    )
    invitation.full_clean()
    invitation.save()
    audit_record(
        action="organisations.invitation.created",
        actor=invited_by,
        target=organisation,
        details={"invitation_id": invitation.pk, "email": email},
        request=request,
    )
    queue_email(
        template_name="organisations/email/invitation",
        to=[email],
        context={
            "invitation": invitation,
            "organisation": organisation,
            "inviter": invited_by,
            "accept_url": absolute_url("organisations:invitation", args=[token], language=language),
        },
        language=language,
    )
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user, request: HttpRequest | None = None) -> Editorship:
    if not user.is_authenticated:
        raise PermissionDenied
    invitation = Invitation.objects.select_for_update().select_related("organisation").get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise ValidationError(_("This invitation has already been used."))
    if invitation.is_expired:
        raise ValidationError(_("This invitation has expired. Ask the association for a new one."))
    if user.email.lower() != invitation.email.lower():
        raise ValidationError(
            _("This invitation was sent to a different e-mail address. Log in with that address to accept it.")
        )
    editorship, _created = Editorship.objects.get_or_create(organisation=invitation.organisation, user=user)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(
        action="organisations.invitation.accepted",
        actor=user,
        target=invitation.organisation,
        details={"invitation_id": invitation.pk, "email": invitation.email},
        request=request,
    )
    return editorship


@transaction.atomic
def editorship_remove(*, editorship: Editorship, removed_by, request: HttpRequest | None = None) -> None:
    """Remove an editor; the last one only by staff, so no listing is orphaned by accident."""
    organisation = Organisation.objects.select_for_update().get(pk=editorship.organisation_id)
    if not can_edit_organisation(removed_by, organisation):
        raise PermissionDenied
    if organisation.editorships.count() <= 1 and not can_remove_last_editor(removed_by):
        raise ValidationError(
            _(
                "An association must always have at least one editor. Invite another editor first, "
                "or ask the portal staff to remove the last one."
            )
        )
    audit_record(
        action="organisations.editor.removed",
        actor=removed_by,
        target=organisation,
        details={"user_id": editorship.user_id, "email": editorship.user.email},
        request=request,
    )
    editorship.delete()


# Keeping listings current


class ConfirmationLinkError(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # "expired", "invalid" or "used"


@dataclass(frozen=True)
class ConfirmationTicket:
    organisation: Organisation
    user: Any
    issued_at: datetime


def confirmation_token_make(*, organisation: Organisation, user, now: datetime | None = None) -> str:
    issued = int((now or timezone.now()).timestamp())
    return signing.dumps({"o": organisation.pk, "u": user.pk, "t": issued}, salt=CONFIRMATION_SALT)


def confirmation_token_read(token: str) -> ConfirmationTicket:
    """The listing and editor a one-click link stands for, or ConfirmationLinkError."""
    max_age = timedelta(days=settings.ORGANISATION_CONFIRMATION_LINK_MAX_AGE_DAYS)
    try:
        payload = signing.loads(token, salt=CONFIRMATION_SALT, max_age=max_age)
    except signing.SignatureExpired as error:
        raise ConfirmationLinkError("expired") from error
    except signing.BadSignature as error:
        raise ConfirmationLinkError("invalid") from error
    if not isinstance(payload, dict) or not all(isinstance(payload.get(key), int) for key in ("o", "u", "t")):
        raise ConfirmationLinkError("invalid")
    editorship = (
        Editorship.objects.select_related("organisation", "user")
        .filter(organisation_id=payload["o"], user_id=payload["u"], user__is_active=True)
        .exclude(organisation__status=Organisation.Status.ARCHIVED)
        .first()
    )
    if editorship is None:
        # The editor has been removed or the listing archived since the e-mail was sent.
        raise ConfirmationLinkError("invalid")
    issued_at = datetime.fromtimestamp(payload["t"], tz=timezone.get_current_timezone())
    return ConfirmationTicket(organisation=editorship.organisation, user=editorship.user, issued_at=issued_at)


@transaction.atomic
def organisation_confirm(*, organisation: Organisation, user) -> Organisation:
    """An editor says the listing is still correct."""
    if not can_edit_organisation(user, organisation):
        raise PermissionDenied
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    organisation.information_confirmed_at = timezone.now()
    save_with_history(organisation, user=user, reason="confirmed")
    return organisation


@transaction.atomic
def organisation_confirm_by_link(*, token: str) -> Organisation:
    """Confirm through an e-mailed link; a link already used (or overtaken by a later confirmation) does nothing."""
    ticket = confirmation_token_read(token)
    confirmed_at = ticket.organisation.information_confirmed_at
    if confirmed_at is not None and confirmed_at >= ticket.issued_at:
        raise ConfirmationLinkError("used")
    return organisation_confirm(organisation=ticket.organisation, user=ticket.user)


def _reminder_stage(due_on, today) -> int | None:
    """The latest reminder stage reached by ``today`` (earlier missed stages are not sent late)."""
    overdue = (today - due_on).days
    reached = [stage for stage, days in enumerate(settings.ORGANISATION_CONFIRMATION_REMINDER_DAYS) if overdue >= days]
    return reached[-1] if reached else None


@transaction.atomic
def confirmation_reminder_send(*, organisation_id: int, now: datetime | None = None) -> bool:
    """E-mail the listing's editors if a reminder stage is due and not yet sent; True when sent."""
    now = now or timezone.now()
    organisation = Organisation.objects.select_for_update().filter(pk=organisation_id).first()
    if organisation is None or not organisation.is_public:
        return False
    interval = timedelta(days=settings.ORGANISATION_CONFIRMATION_INTERVAL_DAYS)
    due_on = timezone.localdate(organisation.last_confirmed_at + interval)
    stage = _reminder_stage(due_on, timezone.localdate(now))
    if stage is None:
        return False
    _reminder, created = ConfirmationReminder.objects.get_or_create(
        organisation=organisation, due_on=due_on, stage=stage, defaults={"sent_at": now}
    )
    if not created:
        return False

    def personal(user, language: str) -> dict[str, Any]:
        token = confirmation_token_make(organisation=organisation, user=user, now=now)
        return {
            "is_repeat": stage > 0,
            "confirm_url": absolute_url("organisations:confirm_link", args=[token], language=language),
        }

    mail_editors(organisation, "organisations/email/confirmation_reminder", personal)
    return True


def confirmation_reminders_send(*, now: datetime | None = None) -> int:
    """Ask the editors of every listing that is due to confirm it. Safe to run twice."""
    now = now or timezone.now()
    due = Organisation.objects.confirmation_due(now).values_list("pk", flat=True)
    return sum(confirmation_reminder_send(organisation_id=pk, now=now) for pk in list(due))
