from allauth.account.adapter import get_adapter
from allauth.account.forms import ChangePasswordForm as AllauthChangePasswordForm
from allauth.account.forms import ReauthenticateForm as AllauthReauthenticateForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.contrib.auth.hashers import make_password
from django.utils.translation import gettext_lazy as _

from portal.forms import NoControlCharactersMixin

from .services import reauthentication_check


class SignupForm(NoControlCharactersMixin, AllauthSignupForm):
    """allauth's sign-up, doing the same work whether or not the address is registered."""

    def try_save(self, request):
        if self.account_already_exists:
            # A new address costs a password hash (and a mail); a registered one only a mail.
            # Hash and discard here too, so the answer's timing does not tell the two apart.
            make_password(self.cleaned_data["password1"])
        return super().try_save(request)


class ReauthenticateForm(AllauthReauthenticateForm):
    """allauth's "confirm your password" step (before an e-mail change), throttled like login."""

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not reauthentication_check(user=self.user, password=password):
            raise get_adapter().validation_error("incorrect_password")
        return password


class ChangePasswordForm(AllauthChangePasswordForm):
    """allauth's password change: the current password is checked through the same throttle."""

    def clean_oldpassword(self) -> str:
        password = self.cleaned_data.get("oldpassword", "")
        if not reauthentication_check(user=self.user, password=password):
            raise get_adapter().validation_error("enter_current_password")
        return password


class AccountDeleteForm(NoControlCharactersMixin, forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not reauthentication_check(user=self.user, password=password):
            raise forms.ValidationError(_("The password is not correct."), code="wrong_password")
        return password
