"""The self-service's sections of "download my data" (see accounts.personal_data)."""

from __future__ import annotations

from typing import Any

from accounts.personal_data import isoformat_or_none, personal_data_section


@personal_data_section("claim_requests")
def _claim_requests(user) -> list[dict[str, Any]]:
    return [
        {
            "organisation": claim.organisation.name,
            "role": claim.role,
            "message": claim.message,
            "status": claim.status,
            "reason": claim.reason,
            "created_at": isoformat_or_none(claim.created_at),
            "decided_at": isoformat_or_none(claim.decided_at),
        }
        for claim in user.claim_requests.select_related("organisation").order_by("created_at")
    ]


@personal_data_section("invitations")
def _invitations(user) -> list[dict[str, Any]]:
    from .models import Invitation

    return [
        {
            "organisation": invitation.organisation.name,
            "email": invitation.email,
            "created_at": isoformat_or_none(invitation.created_at),
            "expires_at": isoformat_or_none(invitation.expires_at),
            "accepted_at": isoformat_or_none(invitation.accepted_at),
        }
        for invitation in Invitation.objects.filter(email__iexact=user.email)
        .select_related("organisation")
        .order_by("created_at")
    ]


@personal_data_section("listing_reports")
def _reports(user) -> list[dict[str, Any]]:
    from .models import Report

    return [
        {
            "organisation": report.organisation.name,
            "reason": report.reason,
            "message": report.message,
            "created_at": isoformat_or_none(report.created_at),
        }
        for report in Report.objects.filter(reporter=user).select_related("organisation").order_by("created_at")
    ]


@personal_data_section("listing_changes")
def _listing_changes(user) -> list[dict[str, Any]]:
    from .models import Organisation

    return [
        {"organisation": name, "at": isoformat_or_none(at), "change": reason}
        for name, at, reason in Organisation.history.filter(history_user=user)
        .order_by("history_date")
        .values_list("name", "history_date", "history_change_reason")
    ]
