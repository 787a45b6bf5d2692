"""Who may do what with events.

- **staff** and the **council secretary** publish any kind of event directly and manage every
  event (the secretary runs the regional forum and the council's events).
- **municipal contacts** publish local forums and partnership tables in their own municipalities
  directly, and manage the events of those municipalities that they convene (organising
  municipality in their scope).
- **association editors** submit their associations' events; a moderator approves them before
  they are shown. They manage the events their associations organise; any change they make to a
  published event sends it back to moderation.
- **moderators** (and staff) approve or reject submitted events. Approving does not make a
  moderator an organiser: participants' needs are for the organisers only.

Organisers of an event see its participants, their needs and the remote link, and export them.
Views load events through ``manageable_events(user)`` so another's event is a 404.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from organisations.permissions import can_moderate, municipal_scope
from portal.permissions import is_account, is_council_secretary, is_staff

from .models import Event, EventOrganiser

if TYPE_CHECKING:
    from organisations.models import Municipality, Organisation


MUNICIPAL_KINDS = (Event.Kind.LOCAL_FORUM, Event.Kind.PARTNERSHIP_TABLE)


def publishes_directly(user) -> bool:
    return is_staff(user) or is_council_secretary(user)


def event_municipalities(user) -> QuerySet[Municipality]:
    """The municipalities for which this account convenes local forums."""
    return municipal_scope(user)


def event_organisations(user) -> QuerySet[Organisation]:
    """The associations whose events this account submits (as their editor)."""
    from organisations.models import Organisation

    if not is_account(user):
        return Organisation.objects.none()
    return Organisation.objects.edited_by(user).exclude(status=Organisation.Status.ARCHIVED)


def can_create_events(user) -> bool:
    return publishes_directly(user) or event_municipalities(user).exists() or event_organisations(user).exists()


def allowed_kinds(user) -> list[str]:
    if publishes_directly(user):
        return list(Event.Kind.values)
    kinds: list[str] = []
    if event_municipalities(user).exists():
        kinds += list(MUNICIPAL_KINDS)
    if event_organisations(user).exists():
        kinds += [Event.Kind.ASSOCIATION_EVENT, Event.Kind.OTHER]
    return [kind for kind in Event.Kind.values if kind in kinds]


def manageable_events(user) -> QuerySet[Event]:
    """The events this account organises: edit, participants and exports load through it."""
    if not is_account(user):
        return Event.objects.none()
    if publishes_directly(user):
        return Event.objects.all()
    condition = Q(created_by=user)
    municipalities = event_municipalities(user)
    if municipalities.exists():
        condition |= Q(organiser_municipalities__in=municipalities)
    organisations = event_organisations(user)
    condition |= Q(pk__in=EventOrganiser.objects.filter(organisation__in=organisations).values("event_id"))
    return Event.objects.filter(pk__in=Event.objects.filter(condition).values("pk"))


def visible_events(user) -> QuerySet[Event]:
    """Public events for everybody; unpublished ones for their organisers and moderators."""
    if can_moderate(user):
        return Event.objects.all()
    public = Event.objects.public()
    if not is_account(user):
        return public
    return Event.objects.filter(Q(pk__in=public.values("pk")) | Q(pk__in=manageable_events(user).values("pk")))


def needs_moderation(user, event: Event) -> bool:
    """Whether a change by ``user`` must be approved before the event is (again) public."""
    if publishes_directly(user):
        return False
    convened_locally = event.kind in MUNICIPAL_KINDS and event.municipality_id is not None
    return not (convened_locally and event_municipalities(user).filter(pk=event.municipality_id).exists())


def can_moderate_events(user) -> bool:
    return can_moderate(user)
