"""Who may do what in the council app (on top of ``portal.permissions``).

- the **council secretary** (``is_council_secretary``) runs it: elections, meetings, minutes, news,
  documents; only the secretary publishes minutes;
- a **council member or deputy** (a ``Person`` holding a seat now, linked to the account) sees the
  meetings' remote participation links;
- a **minute checker** (a ``Person`` named on the meeting, linked to the account) approves minutes;
- an **association editor** acts for their association: joins or leaves the cooperation group,
  nominates and votes (objects are loaded through ``editable_organisations``, so another
  association's slug is a 404).
"""

from __future__ import annotations

from django.db.models import QuerySet

from organisations.permissions import editable_organisations
from portal.permissions import is_account, is_council_secretary, requires_capability

requires_secretary = requires_capability("council_secretary")


def is_secretary(user) -> bool:
    return is_council_secretary(user)


def is_current_member(user) -> bool:
    """Holds a seat (member or deputy) right now, through a person linked to the account."""
    from .models import SeatHolding, Term

    if not is_account(user):
        return False
    return SeatHolding.objects.active().filter(person__user=user, seat__term__in=Term.objects.current()).exists()


def sees_member_links(user) -> bool:
    return is_secretary(user) or is_current_member(user)


def acting_organisations(user) -> QuerySet:
    """The associations this account may act for in the council (its own listings, published)."""
    from organisations.models import Organisation

    if not is_account(user):
        return Organisation.objects.none()
    # Moderators and staff may edit any listing, but they do not nominate or vote for associations.
    return editable_organisations(user).filter(editorships__user=user).published().distinct()


def checker_person(user, meeting):
    """The checker ``Person`` this account is for ``meeting``, or None."""
    if not is_account(user):
        return None
    return meeting.checkers.filter(user=user).first()
