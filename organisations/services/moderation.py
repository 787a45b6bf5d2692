"""Moderation: decisions on registrations and claims, archiving, reverting, residents' reports.

Each service checks again that its caller may moderate, validates and runs in a transaction.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.utils import get_m2m_reverse_field_name

from portal.audit import audit_record
from portal.mail import queue_email

from ..models import ClaimRequest, Editorship, Organisation, Report
from ..permissions import can_revert_organisation
from ..search import refresh_search_index
from .common import (
    EDITABLE_FIELDS,
    M2M_FIELDS,
    absolute_url,
    directory_changed,
    mail_editors,
    require_moderator,
    save_with_history,
)

# New listings


@transaction.atomic
def organisation_approve(*, organisation: Organisation, moderator, request: HttpRequest | None = None) -> Organisation:
    require_moderator(moderator)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if organisation.status != Organisation.Status.PENDING:
        raise ValidationError(_("This listing is not waiting for moderation."))
    organisation.status = Organisation.Status.PUBLISHED
    # The registrant has just written the information: it counts as confirmed.
    organisation.information_confirmed_at = timezone.now()
    save_with_history(organisation, user=moderator, reason="approved")
    audit_record(action="organisations.registration.approved", actor=moderator, target=organisation, request=request)
    directory_changed(organisation)
    mail_editors(organisation, "organisations/email/registration_approved", {})
    return organisation


@transaction.atomic
def organisation_reject(
    *, organisation: Organisation, moderator, reason: str, request: HttpRequest | None = None
) -> Organisation:
    require_moderator(moderator)
    if not reason.strip():
        raise ValidationError({"reason": _("Tell the association why the listing was not accepted.")})
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if organisation.status != Organisation.Status.PENDING:
        raise ValidationError(_("This listing is not waiting for moderation."))
    organisation.status = Organisation.Status.ARCHIVED
    save_with_history(organisation, user=moderator, reason=f"rejected: {reason}"[:100])
    audit_record(
        action="organisations.registration.rejected",
        actor=moderator,
        target=organisation,
        details={"reason": reason},
        request=request,
    )
    directory_changed(organisation)
    mail_editors(organisation, "organisations/email/registration_rejected", {"reason": reason})
    return organisation


@transaction.atomic
def organisation_archive(*, organisation: Organisation, moderator, request: HttpRequest | None = None) -> Organisation:
    """Take a listing off the directory (typically one nobody has confirmed for years)."""
    require_moderator(moderator)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if organisation.status == Organisation.Status.ARCHIVED:
        raise ValidationError(_("This listing is already archived."))
    organisation.status = Organisation.Status.ARCHIVED
    save_with_history(organisation, user=moderator, reason="archived")
    audit_record(action="organisations.listing.archived", actor=moderator, target=organisation, request=request)
    directory_changed(organisation)
    return organisation


# Earlier versions


@transaction.atomic
def organisation_revert(
    *, organisation: Organisation, history_id: int, user, request: HttpRequest | None = None
) -> Organisation:
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
    save_with_history(organisation, user=user, reason=f"reverted to {when}", many_to_many=many_to_many)
    audit_record(
        action="organisations.listing.reverted",
        actor=user,
        target=organisation,
        details={"history_id": history_id, "version": when},
        request=request,
    )
    refresh_search_index([organisation.pk])
    return organisation


# Claims


def _claim_decide(*, claim: ClaimRequest, moderator, status: str, reason: str) -> ClaimRequest:
    require_moderator(moderator)
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
def claim_approve(
    *, claim: ClaimRequest, moderator, reason: str = "", request: HttpRequest | None = None
) -> ClaimRequest:
    claim = _claim_decide(claim=claim, moderator=moderator, status=ClaimRequest.Status.APPROVED, reason=reason)
    audit_record(
        action="organisations.claim.approved",
        actor=moderator,
        target=claim,
        details={"organisation": claim.organisation.slug, "role": claim.role},
        request=request,
    )
    Editorship.objects.get_or_create(organisation=claim.organisation, user=claim.user)
    queue_email(
        template_name="organisations/email/claim_approved",
        to=[claim.user.email],
        context={
            "claim": claim,
            "organisation": claim.organisation,
            "edit_url": absolute_url("organisations:edit", args=[claim.organisation.slug], language=claim.language),
        },
        language=claim.language,
    )
    return claim


@transaction.atomic
def claim_reject(*, claim: ClaimRequest, moderator, reason: str, request: HttpRequest | None = None) -> ClaimRequest:
    if not reason.strip():
        raise ValidationError({"reason": _("Tell the person why the request was rejected.")})
    claim = _claim_decide(claim=claim, moderator=moderator, status=ClaimRequest.Status.REJECTED, reason=reason)
    audit_record(
        action="organisations.claim.rejected",
        actor=moderator,
        target=claim,
        details={"organisation": claim.organisation.slug, "reason": reason},
        request=request,
    )
    queue_email(
        template_name="organisations/email/claim_rejected",
        to=[claim.user.email],
        context={"claim": claim, "organisation": claim.organisation},
        language=claim.language,
    )
    return claim


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
def report_resolve(*, report: Report, moderator, resolution: str = "", request: HttpRequest | None = None) -> Report:
    require_moderator(moderator)
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.resolved_at is not None:
        raise ValidationError(_("This report has already been resolved."))
    report.resolved_at = timezone.now()
    report.resolved_by = moderator
    report.resolution = resolution
    report.full_clean()
    report.save()
    audit_record(
        action="organisations.report.resolved",
        actor=moderator,
        target=report,
        details={"organisation_id": report.organisation_id, "resolution": resolution},
        request=request,
    )
    return report
