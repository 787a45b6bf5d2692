import json
from functools import wraps

from allauth.account import views as allauth_views
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from organisations.permissions import organisations_needing_another_editor
from portal.permissions import handles_personal_data, has_two_factor, requires_capability

from .forms import AccountDeleteForm
from .personal_data import personal_data_collect
from .services import reauthentication_locked, user_delete


def reauthentication_throttled(view):
    """Answer 429 to a password re-check once the account has had too many wrong passwords.

    The attempt that reaches the limit is answered 429 as well, as login's is.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        throttled = request.method == "POST" and user.is_authenticated
        if throttled and reauthentication_locked(user=user):
            return reauthentication_refused(request)
        response = view(request, *args, **kwargs)
        if throttled and reauthentication_locked(user=user):
            return reauthentication_refused(request)
        return response

    return wrapper


def reauthentication_refused(request):
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "accounts/reauthentication_locked.html", {"lockout_minutes": minutes}, status=429)


@require_GET
@requires_capability("account")
def account_overview(request):
    user = request.user
    context = {
        "editorships": user.editorships.select_related("organisation").order_by("organisation__name"),
        "offer_two_factor": handles_personal_data(user) or has_two_factor(user),
        "has_two_factor": has_two_factor(user),
    }
    return render(request, "accounts/overview.html", context)


@require_GET
@requires_capability("account")
def personal_data_download(request):
    data = personal_data_collect(request.user)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="jarjestotori-omat-tiedot.json"'
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
@requires_capability("account")
@reauthentication_throttled
def account_delete(request):
    user = request.user
    form = AccountDeleteForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            user_delete(user=user, request=request)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            logout(request)
            messages.success(request, _("Your account and its data have been deleted."))
            return redirect("home")
    context = {"form": form, "sole_editor_of": organisations_needing_another_editor(user)}
    return render(request, "accounts/delete.html", context)


def locked_out(request, response=None, credentials=None):
    """django-axes' lockout answer: a translated page in the portal's layout, status 429."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "accounts/locked_out.html", {"lockout_minutes": minutes}, status=429)


# allauth's views that ask a signed-in user for their password (routed in accounts.allauth_urls).
reauthenticate = reauthentication_throttled(allauth_views.reauthenticate)
password_change = reauthentication_throttled(allauth_views.password_change)
