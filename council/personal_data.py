"""The council's sections of "download my data" (see accounts.personal_data).

Votes are not personal data of the account: a ballot names nobody, by design.
"""

from __future__ import annotations

from typing import Any

from accounts.personal_data import isoformat_or_none, personal_data_section


@personal_data_section("council_people")
def _people(user) -> list[dict[str, Any]]:
    return [
        {
            "name": person.name,
            "background_organisation": person.background,
            "email": person.email,
            "phone": person.phone,
            "contact_consent_at": isoformat_or_none(person.contact_consent_at),
            "seats": [
                {
                    "seat": str(holding.seat),
                    "term": holding.seat.term.name,
                    "role": holding.role,
                    "starts_on": holding.starts_on.isoformat(),
                    "ends_on": holding.ends_on.isoformat() if holding.ends_on else None,
                }
                for holding in person.holdings.select_related("seat__term")
            ],
        }
        for person in user.council_people.select_related("organisation")
    ]


@personal_data_section("council_nominations_made")
def _nominations(user) -> list[dict[str, Any]]:
    from .models import Nomination

    return [
        {
            "election": nomination.election.title,
            "candidate": nomination.candidate_name,
            "nominated_by": nomination.nominated_by.name,
            "created_at": isoformat_or_none(nomination.created_at),
        }
        for nomination in Nomination.objects.filter(nominated_by_user=user).select_related("election", "nominated_by")
    ]
