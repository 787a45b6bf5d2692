"""allauth hooks: its mail goes through the portal's queue; staff keep their second factor."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMultiAlternatives
from django.http import HttpRequest

from portal.client_address import client_address
from portal.mail import queue_rendered_email


def on_portal_site(value, request: HttpRequest | None):
    """allauth builds its links from the request's host; a mail names the portal's SITE_URL.

    Behind a proxy, or on a development machine, the host a request came in on
    (``127.0.0.1:8000``) is not the address a recipient can open.
    """
    if request is None or not isinstance(value, str):
        return value
    link = urlsplit(value)
    if link.scheme not in {"http", "https"} or link.netloc != request.get_host():
        return value
    site = urlsplit(settings.SITE_URL)
    return urlunsplit((site.scheme, site.netloc, link.path, link.query, link.fragment))


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request) -> str:
        # allauth's per-address rate limits count the same visitor as the lockout and rate limits.
        address = client_address(request)
        if not address:
            raise PermissionDenied("Unable to determine client IP address")
        return address

    def format_email_subject(self, subject: str) -> str:
        return f"[{settings.PORTAL_NAME}] {subject}"

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # Render now, in the request's language and with allauth's templates (ours override them
        # in templates/account/email/), and hand the message to the same after-commit queue as
        # every other mail: a rolled-back sign-up mails nobody, a down SMTP server is retried.
        request = allauth_context.request
        full_context = {
            "request": request,
            "email": email,
            "current_site": get_current_site(request),
            "PORTAL_NAME": settings.PORTAL_NAME,
            "SITE_URL": settings.SITE_URL,
            "confirmation_days": account_settings.EMAIL_CONFIRMATION_EXPIRE_DAYS,
            **{key: on_portal_site(value, request) for key, value in context.items()},
        }
        message = self.render_mail(template_prefix, email, full_context)
        html = ""
        if isinstance(message, EmailMultiAlternatives):
            html = next((content for content, mimetype in message.alternatives if mimetype == "text/html"), "")
        queue_rendered_email(to=list(message.to), subject=message.subject, text=message.body, html=html)


class MFAAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        # Staff must keep TOTP; they may replace it only by another administrator's hand.
        if authenticator.type == Authenticator.Type.TOTP and authenticator.user.is_staff:
            return False
        return super().can_delete_authenticator(authenticator)
