"""What the app's views share: the decorators of signed-in and moderator pages, scoped lookups."""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404

from portal.permissions import requires_capability, two_factor_redirect

from ..models import Organisation
from ..permissions import editable_organisations


def staff_second_factor(view):
    """Staff reach every listing and the queue through these views: like staff pages, only after
    the session has passed the TOTP step (accounts.middleware guards the admin the same way).
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return two_factor_redirect(request) or view(request, *args, **kwargs)

    return wrapper


def signed_in(view):
    return requires_capability("account")(staff_second_factor(view))


def moderator_required(view):
    return requires_capability("moderate")(staff_second_factor(view))


def editable_or_404(request, slug: str) -> Organisation:
    """The listing, loaded through the account's scope: another association's slug is a 404."""
    return get_object_or_404(editable_organisations(request.user).select_related("home_municipality"), slug=slug)


def add_service_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
