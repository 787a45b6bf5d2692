"""Who may do what: the one place that answers it.

Roles (apps add their capabilities through ``portal.registry``, never in their views):

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

The core registers ``account``, ``staff`` and ``council_secretary``; the organisations app
registers ``moderate`` and ``municipal_contact`` and keeps its own predicates (who may edit, see
or export a listing) in ``organisations/permissions.py``.

Moderators, council secretaries and municipal contacts handle personal data and may turn on
two-factor authentication (TOTP); staff must, and must have used it in the current session before
any staff page opens (``staff_needs_two_factor``, enforced by ``accounts.middleware``).

Views declare the capability they need with ``@requires_capability("...")``.
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.apps import apps
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from .registry import capabilities, capability, register_capability

MODERATORS_GROUP = "Moderators"
COUNCIL_SECRETARIES_GROUP = "Council secretaries"
MUNICIPAL_CONTACTS_GROUP = "Municipal contacts"


def is_account(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


def is_staff(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def is_council_secretary(user) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.groups.filter(name=COUNCIL_SECRETARIES_GROUP).exists())
    )


def handles_personal_data(user) -> bool:
    """Roles that see other people's personal data, and so are offered two-factor authentication."""
    return any(entry.predicate(user) for entry in capabilities() if entry.handles_personal_data)


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


def two_factor_redirect(request) -> HttpResponse | None:
    """Where a staff session goes before a staff page: set up TOTP, or pass its step; None to proceed."""
    reason = staff_needs_two_factor(request)
    if reason is None:
        return None
    target = reverse("mfa_activate_totp" if reason == "setup" else "mfa_reauthenticate")
    return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")


register_capability("account", is_account)
register_capability("staff", is_staff, handles_personal_data=True)
register_capability("council_secretary", is_council_secretary, handles_personal_data=True)


def has_capability(user, name: str) -> bool:
    return capability(name).predicate(user)


def requires_capability(name: str):
    """View decorator: anonymous visitors go to the login page; signed-in users without the
    capability get 403. Views still load objects through their scope (another's id is a 404).

    An unknown name fails at once when the apps have registered theirs (as they have by the time
    URLs are loaded), and otherwise at the first request.
    """
    if apps.ready:
        capability(name)

    def decorator(view_func):
        @wraps(view_func)
        def wrapper(request, *args, **kwargs):
            if not is_account(request.user):
                return redirect_to_login(request.get_full_path())
            if not has_capability(request.user, name):
                raise PermissionDenied
            return view_func(request, *args, **kwargs)

        wrapper.required_capability = name
        return wrapper

    return decorator
