"""Who may do what with associations: the organisations app's part of ``portal.permissions``.

``register()`` (called from ``OrganisationsConfig.ready``) adds the app's capabilities to the
core's registry: ``moderate`` (moderators and staff) and ``municipal_contact`` (accounts linked to
a ``MunicipalContact``). The predicates below answer questions about one listing.
"""

from __future__ import annotations

from django.db.models import Count, QuerySet

from portal.permissions import has_capability, is_staff
from portal.registry import register_capability

from .models import Municipality, Organisation, Visibility

CONTACT_FIELDS = ("contact_name", "contact_email", "contact_phone")


def is_moderator(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_perm("organisations.moderate_organisation"))


def municipal_scope(user) -> QuerySet[Municipality]:
    """The municipalities whose association lists this account may export."""
    if not (user.is_authenticated and user.is_active):
        return Municipality.objects.none()
    return Municipality.objects.filter(contacts__user=user).distinct()


def is_municipal_contact(user) -> bool:
    return municipal_scope(user).exists()


_SCOPE_ATTRIBUTE = "_municipal_scope_codes"


def request_scope_codes(request) -> list[str]:
    """The codes of the signed-in account's export municipalities, read once per request: the
    header, the directory's export links and the contact's own page all ask."""
    if not hasattr(request, _SCOPE_ATTRIBUTE):
        user = request.user
        codes = list(municipal_scope(user).values_list("code", flat=True)) if user.is_authenticated else []
        setattr(request, _SCOPE_ATTRIBUTE, codes)
    return getattr(request, _SCOPE_ATTRIBUTE)


def remember_scope(request, municipalities) -> None:
    """A view that has loaded the account's scope anyway spares ``request_scope_codes`` its query."""
    setattr(request, _SCOPE_ATTRIBUTE, [municipality.code for municipality in municipalities])


def can_moderate(user) -> bool:
    """Moderation queue: registrations, claims, reports, stale listings. Staff moderate too."""
    return has_capability(user, "moderate")


def can_edit_organisation(user, organisation: Organisation) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    if is_staff(user) or is_moderator(user):
        return True
    return organisation.editorships.filter(user=user).exists()


def can_view_organisation(user, organisation: Organisation) -> bool:
    """Unpublished listings exist only for the people who look after them."""
    return organisation.is_public or can_edit_organisation(user, organisation)


def visible_contact_fields(user, organisation: Organisation, *, as_municipal_contact: bool = False) -> set[str]:
    """The contact-person fields of ``organisation`` this account may see.

    Staff and moderators see all of them; a municipal contact sees the public and municipal-level
    ones for associations in their municipalities (pass ``as_municipal_contact`` once the scope has
    been checked); everybody else only the public ones, and only with the association's consent.
    """
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


def organisations_needing_another_editor(user) -> QuerySet[Organisation]:
    """Associations of which ``user`` is the only editor (so they may not simply leave)."""
    # Count all editors, not just the row joined by ``edited_by``: hence the ``pk__in`` detour.
    return (
        Organisation.objects.filter(pk__in=Organisation.objects.edited_by(user).values("pk"))
        .annotate(editor_count=Count("editorships"))
        .filter(editor_count=1)
        .order_by("name")
    )


def editable_organisations(user) -> QuerySet[Organisation]:
    """The listings this account may edit: edit views load through it, so another's slug is a 404."""
    if not (user.is_authenticated and user.is_active):
        return Organisation.objects.none()
    if can_moderate(user):
        return Organisation.objects.all()
    return Organisation.objects.edited_by(user)


def can_view_organisation_history(user, organisation: Organisation) -> bool:
    """Moderators, and the listing's own editors (read-only: reverting stays with moderators)."""
    return can_moderate(user) or can_edit_organisation(user, organisation)


def can_revert_organisation(user) -> bool:
    return can_moderate(user)


def can_remove_last_editor(user) -> bool:
    """Only staff may leave an association without anybody to keep its listing current."""
    return is_staff(user)


def can_export(user) -> bool:
    """Municipal contacts export their own municipalities' association lists (nobody else does)."""
    return is_municipal_contact(user)


def register() -> None:
    register_capability("moderate", lambda user: is_staff(user) or is_moderator(user), handles_personal_data=True)
    register_capability("municipal_contact", is_municipal_contact, handles_personal_data=True)
