"""Who may do what: the one place that answers it.

Roles (later apps add capabilities here, never in their views):
- association editor: an ``organisations.Editorship`` row per association;
- moderator: the ``organisations.moderate_organisation`` permission (group "Moderators");
- council secretary: the group "Council secretaries";
- municipal contact: a ``MunicipalContact`` linked to the account, scoped to its municipalities;
- staff: ``is_staff``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

if TYPE_CHECKING:
    from organisations.models import Municipality, Organisation

MODERATORS_GROUP = "Moderators"
COUNCIL_SECRETARIES_GROUP = "Council secretaries"
MUNICIPAL_CONTACTS_GROUP = "Municipal contacts"


def is_staff(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def is_moderator(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_perm("organisations.moderate_organisation"))


def is_council_secretary(user) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.groups.filter(name=COUNCIL_SECRETARIES_GROUP).exists())
    )


def municipal_scope(user) -> QuerySet[Municipality]:
    """The municipalities whose association lists this account may export."""
    from organisations.models import Municipality

    if not (user.is_authenticated and user.is_active):
        return Municipality.objects.none()
    return Municipality.objects.filter(contacts__user=user).distinct()


def can_edit_organisation(user, organisation: Organisation) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    if is_staff(user) or is_moderator(user):
        return True
    return organisation.editorships.filter(user=user).exists()


def can_view_organisation(user, organisation: Organisation) -> bool:
    """Unpublished listings exist only for the people who look after them."""
    return organisation.is_public or can_edit_organisation(user, organisation)


CONTACT_FIELDS = ("contact_name", "contact_email", "contact_phone")


def visible_contact_fields(user, organisation: Organisation, *, as_municipal_contact: bool = False) -> set[str]:
    """The contact-person fields of ``organisation`` this account may see.

    Staff and moderators see all of them; a municipal contact sees the public and municipal-level
    ones for associations in their municipalities (pass ``as_municipal_contact`` once the scope has
    been checked); everybody else only the public ones, and only with the association's consent.
    """
    from organisations.models import Visibility

    if is_staff(user) or is_moderator(user):
        return set(CONTACT_FIELDS)
    allowed = {Visibility.PUBLIC}
    if as_municipal_contact:
        allowed.add(Visibility.MUNICIPAL)
    visible = {field for field in CONTACT_FIELDS if getattr(organisation, f"{field}_visibility") in allowed}
    if organisation.contact_consent_at is None:
        # Without consent nothing personal leaves the staff's hands, whatever the visibility says.
        return set()
    return visible


def can_export(user) -> bool:
    """Municipal contacts export their own municipalities' association lists (nobody else does)."""
    return municipal_scope(user).exists()


def can_import_organisations(user) -> bool:
    """Bulk import rewrites many listings at once: staff only."""
    return is_staff(user)
