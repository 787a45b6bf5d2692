"""What the portal holds about one account, gathered for the "download my data" page.

Each app that stores data tied to an account registers a section here (``@personal_data_section``
in its own module, imported from its ``AppConfig.ready``), so the export grows with the portal
instead of forgetting a table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils import timezone

Section = Callable[[Any], Any]
SECTIONS: dict[str, Section] = {}


def personal_data_section(name: str) -> Callable[[Section], Section]:
    def register(func: Section) -> Section:
        SECTIONS[name] = func
        return func

    return register


def personal_data_collect(user) -> dict[str, Any]:
    return {
        "exported_at": timezone.now().isoformat(),
        **{name: section(user) for name, section in SECTIONS.items()},
    }


def isoformat_or_none(value) -> str | None:
    """Dates in the download as ISO 8601 text; the sections of other apps use it too."""
    return value.isoformat() if value else None


@personal_data_section("account")
def _account(user) -> dict[str, Any]:
    return {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "date_joined": isoformat_or_none(user.date_joined),
        "last_login": isoformat_or_none(user.last_login),
        "is_staff": user.is_staff,
        "groups": sorted(user.groups.values_list("name", flat=True)),
    }


@personal_data_section("email_addresses")
def _email_addresses(user) -> list[dict[str, Any]]:
    from allauth.account.models import EmailAddress

    return [
        {"email": address.email, "verified": address.verified, "primary": address.primary}
        for address in EmailAddress.objects.filter(user=user).order_by("email")
    ]


@personal_data_section("two_factor_authenticators")
def _authenticators(user) -> list[dict[str, Any]]:
    from allauth.mfa.models import Authenticator

    # The type and dates only: the secrets themselves never leave the server.
    return [
        {
            "type": authenticator.type,
            "created_at": isoformat_or_none(authenticator.created_at),
            "last_used_at": isoformat_or_none(authenticator.last_used_at),
        }
        for authenticator in Authenticator.objects.filter(user=user).order_by("created_at")
    ]


@personal_data_section("editorships")
def _editorships(user) -> list[dict[str, Any]]:
    return [
        {
            "organisation": editorship.organisation.name,
            "slug": editorship.organisation.slug,
            "since": isoformat_or_none(editorship.created_at),
        }
        for editorship in user.editorships.select_related("organisation").order_by("organisation__name")
    ]


@personal_data_section("municipal_contacts")
def _municipal_contacts(user) -> list[dict[str, Any]]:
    return [
        {
            "name": contact.name,
            "title": contact.title,
            "email": contact.email,
            "phone": contact.phone,
            "municipalities": [municipality.name_fi for municipality in contact.municipalities.all()],
        }
        for contact in user.municipal_contacts.prefetch_related("municipalities").order_by("name")
    ]


@personal_data_section("sign_ins")
def _sign_ins(user) -> dict[str, Any]:
    from axes.models import AccessAttempt, AccessLog

    return {
        "successful": [
            {"at": isoformat_or_none(log.attempt_time), "ip_address": log.ip_address, "user_agent": log.user_agent}
            for log in AccessLog.objects.filter(username__iexact=user.email).order_by("-attempt_time")
        ],
        "failed": [
            {
                "at": isoformat_or_none(attempt.attempt_time),
                "ip_address": attempt.ip_address,
                "failures": attempt.failures_since_start,
            }
            for attempt in AccessAttempt.objects.filter(username__iexact=user.email).order_by("-attempt_time")
        ],
    }


@personal_data_section("audit_log")
def _audit_log(user) -> list[dict[str, Any]]:
    from portal.audit import audit_entries_by

    # What the account did that the audit log recorded; entries about it made by others (a
    # moderator's decision) are the portal's record and appear with the thing they concern.
    return [
        {"at": isoformat_or_none(at), "action": action, "target": target, "client_address": address}
        for at, action, target, address in audit_entries_by(user).values_list(
            "created_at", "action", "target_label", "client_address"
        )
    ]


@personal_data_section("emails")
def _emails(user) -> list[dict[str, Any]]:
    from portal.models import OutgoingMail

    address = user.email.lower()
    # The outbox keeps sent messages for OUTBOX_RETENTION_DAYS; what it still holds is listed.
    return [
        {
            "subject": mail.subject,
            "status": mail.status,
            "created_at": isoformat_or_none(mail.created_at),
            "sent_at": isoformat_or_none(mail.sent_at),
        }
        for mail in OutgoingMail.objects.addressed_to(address).order_by("created_at", "pk")
        if address in (recipient.lower() for recipient in mail.to)
    ]
