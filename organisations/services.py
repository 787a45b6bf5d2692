"""Every write of the associations' self-service: registration, claims, editors, edits, moderation, freshness.

Views and tasks call these; each checks the capability it needs again (a view that forgot would
still not let the wrong person through), validates with ``full_clean()`` and runs in a transaction.
"""

from __future__ import annotations

import hashlib
import secrets
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
from simple_history.utils import get_m2m_reverse_field_name

from portal.mail import queue_email
from portal.permissions import can_edit_organisation, can_moderate, can_remove_last_editor, can_revert_organisation

from .models import (
    ClaimRequest,
    ConfirmationReminder,
    Editorship,
    Invitation,
    Organisation,
    OrganisationSearchEntry,
    Report,
)
from .search import bump_directory_version, refresh_search_index

# What the registration form may set; everything else (status, slug, timestamps) is the portal's.
REGISTRATION_FIELDS = (
    "name",
    "name_sv",
    "register_number",
    "business_id",
    "home_municipality",
    "sectors",
    "target_groups",
    "description",
    "website",
    "email",
    "phone",
)
# What an editor may change in a listing (and what a revert restores).
EDITABLE_FIELDS = (
    "name",
    "name_sv",
    "register_number",
    "business_id",
    "home_municipality",
    "municipalities",
    "sectors",
    "target_groups",
    "languages",
    "description",
    "website",
    "facebook_url",
    "instagram_url",
    "other_social_url",
    "email",
    "phone",
    "meeting_place",
    "street_address",
    "postal_code",
    "post_office",
    "accessibility",
    "accessibility_details",
    "contact_name",
    "contact_email",
    "contact_phone",
    "contact_name_visibility",
    "contact_email_visibility",
    "contact_phone_visibility",
    "logo",
)
M2M_FIELDS = ("municipalities", "sectors", "target_groups", "languages")
# Paths under /yhdistykset/ that a listing's slug must never shadow.
RESERVED_SLUGS = {"uusi"}
CONFIRMATION_SALT = "organisations.confirmation"


def language_for(user) -> str:
    """The language to write to this account in (the accounts app may store a preference)."""
    return getattr(user, "language", "") or settings.LANGUAGE_CODE


def _absolute_url(view_name: str, *, args: Iterable[Any] = (), language: str) -> str:
    with translation.override(language):
        return settings.SITE_URL + reverse(view_name, args=list(args))


def _require_moderator(user) -> None:
    if not can_moderate(user):
        raise PermissionDenied


def _unique_slug(name: str) -> str:
    base = slugify(name)[:200] or "yhdistys"
    slug, number = base, 2
    while slug in RESERVED_SLUGS or Organisation.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


def _apply(organisation: Organisation, data: dict[str, Any], allowed: Iterable[str]) -> dict[str, Any]:
    """Copy the allowed fields of ``data`` onto the listing; return the many-to-many values to set."""
    many_to_many = {}
    for name in allowed:
        if name not in data:
            continue
        if name in M2M_FIELDS:
            many_to_many[name] = data[name]
        else:
            # save_form_data understands a file field's "clear" (False) and "unchanged" values.
            Organisation._meta.get_field(name).save_form_data(organisation, data[name])
    return many_to_many


def _save_with_history(
    organisation: Organisation, *, user, reason: str, many_to_many: dict[str, Any] | None = None
) -> None:
    """Save the listing and its classifications, then record one version for the whole change.

    simple_history would record every many-to-many ``set()`` as a version of its own; one edit
    should be one version, so the intermediate saves skip history and a final save records it.
    """
    # The logo was validated when uploaded (forms.LogoField); re-reading the stored file on every
    # save would turn a storage hiccup into a failed edit.
    organisation.full_clean(exclude=["logo"])
    organisation.skip_history_when_saving = True
    try:
        organisation.save()
        for name, values in (many_to_many or {}).items():
            getattr(organisation, name).set(values)
    finally:
        del organisation.skip_history_when_saving
    organisation._history_user = user
    organisation._change_reason = reason
    organisation.save(update_fields=["updated_at"])


def _directory_changed(organisation: Organisation) -> None:
    # Searches are counted on the search entries, which carry the status too.
    OrganisationSearchEntry.objects.filter(organisation=organisation).update(status=organisation.status)
    # The directory caches its counts per version; bump it once the new status is visible to all.
    transaction.on_commit(bump_directory_version)


def _mail_editors(organisation: Organisation, template_name: str, context: dict[str, Any]) -> None:
    for editorship in organisation.editorships.select_related("user"):
        user = editorship.user
        if not user.is_active:
            continue
        language = language_for(user)
        queue_email(
            template_name=template_name,
            to=[user.email],
            context={
                "organisation": organisation,
                "user": user,
                "listing_url": _absolute_url("organisations:detail", args=[organisation.slug], language=language),
                "edit_url": _absolute_url("organisations:edit", args=[organisation.slug], language=language),
                **context,
            },
            language=language,
        )


# Registration and moderation of new listings


@transaction.atomic
def organisation_register(*, user, data: dict[str, Any]) -> Organisation:
    """A new listing from the registration form: waits for a moderator, the registrant edits it."""
    if not user.is_authenticated:
        raise PermissionDenied
    organisation = Organisation(status=Organisation.Status.PENDING)
    many_to_many = _apply(organisation, data, REGISTRATION_FIELDS)
    certain = Organisation.objects.likely_duplicates(
        name="",
        home_municipality=None,
        register_number=organisation.register_number,
        business_id=organisation.business_id,
    )
    if certain.exists():
        raise ValidationError(_("This association is already listed. Ask to manage the existing listing instead."))
    organisation.slug = _unique_slug(organisation.name)
    _save_with_history(organisation, user=user, reason="registered", many_to_many=many_to_many)
    Editorship.objects.create(organisation=organisation, user=user)
    refresh_search_index([organisation.pk])
    return organisation


@transaction.atomic
def organisation_approve(*, organisation: Organisation, moderator) -> Organisation:
    _require_moderator(moderator)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if organisation.status != Organisation.Status.PENDING:
        raise ValidationError(_("This listing is not waiting for moderation."))
    organisation.status = Organisation.Status.PUBLISHED
    # The registrant has just written the information: it counts as confirmed.
    organisation.information_confirmed_at = timezone.now()
    _save_with_history(organisation, user=moderator, reason="approved")
    _directory_changed(organisation)
    _mail_editors(organisation, "organisations/email/registration_approved", {})
    return organisation


@transaction.atomic
def organisation_reject(*, organisation: Organisation, moderator, reason: str) -> Organisation:
    _require_moderator(moderator)
    if not reason.strip():
        raise ValidationError({"reason": _("Tell the association why the listing was not accepted.")})
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if organisation.status != Organisation.Status.PENDING:
        raise ValidationError(_("This listing is not waiting for moderation."))
    organisation.status = Organisation.Status.ARCHIVED
    _save_with_history(organisation, user=moderator, reason=f"rejected: {reason}"[:100])
    _directory_changed(organisation)
    _mail_editors(organisation, "organisations/email/registration_rejected", {"reason": reason})
    return organisation


@transaction.atomic
def organisation_archive(*, organisation: Organisation, moderator) -> Organisation:
    """Take a listing off the directory (typically one nobody has confirmed for years)."""
    _require_moderator(moderator)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if organisation.status == Organisation.Status.ARCHIVED:
        raise ValidationError(_("This listing is already archived."))
    organisation.status = Organisation.Status.ARCHIVED
    _save_with_history(organisation, user=moderator, reason="archived")
    _directory_changed(organisation)
    return organisation


# Editing


@transaction.atomic
def organisation_update(*, organisation: Organisation, user, data: dict[str, Any]) -> Organisation:
    """An editor's change: published at once, recorded as a version, searchable at once."""
    if not can_edit_organisation(user, organisation):
        raise PermissionDenied
    many_to_many = _apply(organisation, data, EDITABLE_FIELDS)
    if "contact_consent" in data:
        if not data["contact_consent"]:
            organisation.contact_consent_at = None
        elif organisation.contact_consent_at is None:
            organisation.contact_consent_at = timezone.now()
    _save_with_history(organisation, user=user, reason="edited", many_to_many=many_to_many)
    refresh_search_index([organisation.pk])
    return organisation


@transaction.atomic
def organisation_revert(*, organisation: Organisation, history_id: int, user) -> Organisation:
    """Restore the content of an earlier version; status and confirmation stay as they are now."""
    if not can_revert_organisation(user):
        raise PermissionDenied
    version = organisation.history.get(history_id=history_id)
    data: dict[str, Any] = {}
    for name in EDITABLE_FIELDS:
        if name in M2M_FIELDS:
            target = get_m2m_reverse_field_name(Organisation._meta.get_field(name))
            data[name] = [getattr(row, f"{target}_id") for row in getattr(version, name).all()]
        elif name == "home_municipality":
            data[name] = version.home_municipality_id
        else:
            data[name] = getattr(version, name)
    many_to_many = {name: data.pop(name) for name in M2M_FIELDS}
    for name, value in data.items():
        setattr(organisation, Organisation._meta.get_field(name).attname, value)
    when = timezone.localtime(version.history_date).strftime("%Y-%m-%d %H:%M")
    _save_with_history(organisation, user=user, reason=f"reverted to {when}", many_to_many=many_to_many)
    refresh_search_index([organisation.pk])
    return organisation


# Claims


@transaction.atomic
def claim_create(*, organisation: Organisation, user, role: str, message: str, language: str) -> ClaimRequest:
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
    return claim


def _claim_decide(*, claim: ClaimRequest, moderator, status: str, reason: str) -> ClaimRequest:
    _require_moderator(moderator)
    claim = ClaimRequest.objects.select_for_update().select_related("organisation", "user").get(pk=claim.pk)
    if claim.status != ClaimRequest.Status.PENDING:
        raise ValidationError(_("This request has already been decided."))
    claim.status = status
    claim.reason = reason
    claim.decided_by = moderator
    claim.decided_at = timezone.now()
    claim.full_clean()
    claim.save()
    return claim


@transaction.atomic
def claim_approve(*, claim: ClaimRequest, moderator, reason: str = "") -> ClaimRequest:
    claim = _claim_decide(claim=claim, moderator=moderator, status=ClaimRequest.Status.APPROVED, reason=reason)
    Editorship.objects.get_or_create(organisation=claim.organisation, user=claim.user)
    queue_email(
        template_name="organisations/email/claim_approved",
        to=[claim.user.email],
        context={
            "claim": claim,
            "organisation": claim.organisation,
            "edit_url": _absolute_url("organisations:edit", args=[claim.organisation.slug], language=claim.language),
        },
        language=claim.language,
    )
    return claim


@transaction.atomic
def claim_reject(*, claim: ClaimRequest, moderator, reason: str) -> ClaimRequest:
    if not reason.strip():
        raise ValidationError({"reason": _("Tell the person why the request was rejected.")})
    claim = _claim_decide(claim=claim, moderator=moderator, status=ClaimRequest.Status.REJECTED, reason=reason)
    queue_email(
        template_name="organisations/email/claim_rejected",
        to=[claim.user.email],
        context={"claim": claim, "organisation": claim.organisation},
        language=claim.language,
    )
    return claim


# Editors and invitations


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_find(token: str) -> Invitation | None:
    return Invitation.objects.select_related("organisation").filter(token_hash=_token_hash(token)).first()


@transaction.atomic
def invitation_create(*, organisation: Organisation, invited_by, email: str, language: str) -> Invitation:
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
    queue_email(
        template_name="organisations/email/invitation",
        to=[email],
        context={
            "invitation": invitation,
            "organisation": organisation,
            "inviter": invited_by,
            "accept_url": _absolute_url("organisations:invitation", args=[token], language=language),
        },
        language=language,
    )
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user) -> Editorship:
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
    return editorship


@transaction.atomic
def editorship_remove(*, editorship: Editorship, removed_by) -> None:
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
    editorship.delete()


# Reports from residents


@transaction.atomic
def report_create(*, organisation: Organisation, reason: str, message: str, reporter=None) -> Report:
    report = Report(
        organisation=organisation,
        reason=reason,
        message=message,
        reporter=reporter if reporter is not None and reporter.is_authenticated else None,
    )
    report.full_clean()
    report.save()
    return report


@transaction.atomic
def report_resolve(*, report: Report, moderator, resolution: str = "") -> Report:
    _require_moderator(moderator)
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.resolved_at is not None:
        raise ValidationError(_("This report has already been resolved."))
    report.resolved_at = timezone.now()
    report.resolved_by = moderator
    report.resolution = resolution
    report.full_clean()
    report.save()
    return report


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
    _save_with_history(organisation, user=user, reason="confirmed")
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
    for editorship in organisation.editorships.select_related("user"):
        user = editorship.user
        if not user.is_active:
            continue
        language = language_for(user)
        token = confirmation_token_make(organisation=organisation, user=user, now=now)
        queue_email(
            template_name="organisations/email/confirmation_reminder",
            to=[user.email],
            context={
                "organisation": organisation,
                "user": user,
                "is_repeat": stage > 0,
                "confirm_url": _absolute_url("organisations:confirm_link", args=[token], language=language),
                "edit_url": _absolute_url("organisations:edit", args=[organisation.slug], language=language),
            },
            language=language,
        )
    return True


def confirmation_reminders_send(*, now: datetime | None = None) -> int:
    """Ask the editors of every listing that is due to confirm it. Safe to run twice."""
    now = now or timezone.now()
    due = Organisation.objects.confirmation_due(now).values_list("pk", flat=True)
    return sum(confirmation_reminder_send(organisation_id=pk, now=now) for pk in list(due))
