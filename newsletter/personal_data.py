"""The newsletter's section of "download my data": the subscription of the account's address."""

from __future__ import annotations

from typing import Any

from accounts.personal_data import isoformat_or_none, personal_data_section


@personal_data_section("newsletter")
def _newsletter(user) -> dict[str, Any] | None:
    from .models import Subscriber

    subscriber = Subscriber.objects.filter(email__iexact=user.email).first()
    if subscriber is None:
        return None
    return {
        "email": subscriber.email,
        "status": subscriber.status,
        "language": subscriber.language,
        "municipalities": [municipality.name_fi for municipality in subscriber.municipalities.all()],
        "sectors": [sector.name_fi for sector in subscriber.sectors.all()],
        "consent_requested_at": isoformat_or_none(subscriber.consent_requested_at),
        "consent_confirmed_at": isoformat_or_none(subscriber.consent_confirmed_at),
        "consent_form": subscriber.consent_form,
        "consent_wording_version": subscriber.consent_wording_version,
        "consent_wording": subscriber.consent_wording,
        "unsubscribed_at": isoformat_or_none(subscriber.unsubscribed_at),
        "issues_received": subscriber.deliveries.filter(mail__status="sent").count(),
    }
