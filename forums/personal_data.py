"""The events' section of "download my data" (see accounts.personal_data)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from accounts.personal_data import isoformat_or_none, personal_data_section


@personal_data_section("event_registrations")
def _event_registrations(user) -> list[dict[str, Any]]:
    from .models import Registration

    # Registrations made while signed in, and those made with the account's address without signing in.
    registrations = Registration.objects.filter(Q(user=user) | Q(email__iexact=user.email)).select_related("event")
    return [
        {
            "event": registration.event.title,
            "event_starts_at": isoformat_or_none(registration.event.starts_at),
            "name": registration.name,
            "email": registration.email,
            "organisation": registration.organisation_name,
            "participation": registration.participation,
            "needs": registration.needs,
            "status": registration.status,
            "registered_at": isoformat_or_none(registration.created_at),
            "cancelled_at": isoformat_or_none(registration.cancelled_at),
        }
        for registration in registrations.order_by("created_at")
    ]
