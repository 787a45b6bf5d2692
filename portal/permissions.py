"""Who may do what: the one place that answers it.

Roles (later apps add capabilities here, never in their views):

- **anonymous visitor**: reads published listings and public pages; nothing else.
- **account** (any signed-in, active user with a verified e-mail): manages their own account
  (``/tili/``), downloads their data, deletes the account (unless they are an association's last
  editor), registers or claims associations.
- **association editor**: an ``organisations.Editorship`` row per association; an account may edit
  several associations and an association may have several editors. Sees its own drafts; another
  association's objects are a 404, exactly like missing ones.
- **moderator**: the ``organisations.moderate_organisation`` permission (group "Moderators"):
  reviews registrations, claims and reports; edits any listing; sees all contact-person fields.
- **council secretary**: the group "Council secretaries": runs the association council.
- **municipal contact**: a ``MunicipalContact`` linked to the account, scoped to its
  municipalities (exports and municipal-level contact details there only). The group
  "Municipal contacts" marks the role for administrators; the scope comes from the link.
- **staff**: ``is_staff``: the admin and staff pages, and everything a moderator may do.

Moderators, council secretaries and municipal contacts handle personal data and may turn on
two-factor authentication (TOTP); staff must, and must have used it in the current session before
any staff page opens (``staff_needs_two_factor``, enforced by ``accounts.middleware``).

Views declare the capability they need with ``@requires_capability("...")``; capabilities are the
keys of ``CAPABILITIES``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
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


def is_account(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


def is_municipal_contact(user) -> bool:
    return municipal_scope(user).exists()


def handles_personal_data(user) -> bool:
    """Roles that see other people's personal data, and so are offered two-factor authentication."""
    return is_staff(user) or is_moderator(user) or is_council_secretary(user) or is_municipal_contact(user)


def has_two_factor(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()


def staff_needs_two_factor(request) -> str | None:
    """Why a staff account may not open a staff page yet: ``"setup"``, ``"verify"`` or ``None``.

    Owning a TOTP authenticator is not enough: the session must have passed the TOTP step, so a
    password alone (a session opened some other way) never reaches staff pages.
    """
    from allauth.account.authentication import get_authentication_records

    user = request.user
    if not is_staff(user):
        return None
    if not has_two_factor(user):
        return "setup"
    if not any(record.get("method") == "mfa" for record in get_authentication_records(request, user)):
        return "verify"
    return None


def organisations_needing_another_editor(user) -> QuerySet[Organisation]:
    """Associations of which ``user`` is the only editor (so they may not simply leave)."""
    from django.db.models import Count

    from organisations.models import Organisation

    # Count all editors, not just the row joined by ``edited_by``: hence the ``pk__in`` detour.
    return (
        Organisation.objects.filter(pk__in=Organisation.objects.edited_by(user).values("pk"))
        .annotate(editor_count=Count("editorships"))
        .filter(editor_count=1)
        .order_by("name")
    )


CAPABILITIES: dict[str, Callable[..., bool]] = {
    "account": is_account,
    "moderate": lambda user: is_staff(user) or is_moderator(user),
    "council_secretary": is_council_secretary,
    "municipal_contact": is_municipal_contact,
    "staff": is_staff,
}


def has_capability(user, capability: str) -> bool:
    return CAPABILITIES[capability](user)


def requires_capability(capability: str):
    """View decorator: anonymous visitors go to the login page; signed-in users without the
    capability get 403. Views still load objects through their scope (another's id is a 404).
    """
    if capability not in CAPABILITIES:
        raise ValueError(f"Unknown capability: {capability}")

    def decorator(view_func):
        @wraps(view_func)
        def wrapper(request, *args, **kwargs):
            if not is_account(request.user):
                return redirect_to_login(request.get_full_path())
            if not has_capability(request.user, capability):
                raise PermissionDenied
            return view_func(request, *args, **kwargs)

        wrapper.required_capability = capability
        return wrapper

    return decorator


def can_moderate(user) -> bool:
    """Moderation queue: registrations, claims, reports, stale listings. Staff moderate too."""
    return has_capability(user, "moderate")


def editable_organisations(user) -> QuerySet[Organisation]:
    """The listings this account may edit: edit views load through it, so another's slug is a 404."""
    from organisations.models import Organisation

    if not (user.is_authenticated and user.is_active):
        return Organisation.objects.none()
    if can_moderate(user):
        return Organisation.objects.all()
    return Organisation.objects.edited_by(user)


def can_view_organisation_history(user) -> bool:
    return can_moderate(user)


def can_revert_organisation(user) -> bool:
    return can_moderate(user)


def can_remove_last_editor(user) -> bool:
    """Only staff may leave an association without anybody to keep its listing current."""
    return is_staff(user)
