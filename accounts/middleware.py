"""Staff pages open only after the two-factor step."""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from portal.permissions import is_account, two_factor_redirect


class StaffTwoFactorMiddleware:
    """Guard the admin and every view declared ``@requires_capability("staff")``.

    A signed-in non-staff account gets 403 straight away (not a detour through the admin's own
    login form, which would skip allauth and its two-factor stage); staff without TOTP are sent to
    set it up, staff whose session has not passed the TOTP step are asked for a code.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        is_admin = match is not None and "admin" in match.app_names
        if not is_admin and getattr(view_func, "required_capability", None) != "staff":
            return None
        if not is_account(request.user):
            return redirect_to_login(request.get_full_path())
        if is_admin and not request.user.is_staff:
            raise PermissionDenied
        return two_factor_redirect(request)
