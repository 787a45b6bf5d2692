"""Glue between allauth's two-factor set-up and the staff-page guard."""

from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added
from django.dispatch import receiver


@receiver(authenticator_added)
def count_activation_as_second_factor(sender, request, user, authenticator, **kwargs):
    # Activating TOTP means entering a valid code from the app, which is exactly what the
    # staff guard asks of a session; without this, new staff would type a second code at once
    # (and allauth refuses to accept the same code twice within its period).
    if authenticator.type == Authenticator.Type.TOTP and request is not None:
        record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type)
