"""All outgoing e-mail goes through here.

A message is three templates, ``<name>.subject.txt``, ``<name>.txt`` and ``<name>.html``, rendered
in the recipient's language. Sending is queued after the surrounding transaction commits, so a
rolled-back change never mails anybody; Celery delivers it (eagerly without a broker).
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation


def render_email(template_name: str, context: dict, language: str) -> tuple[str, str, str]:
    with translation.override(language):
        full_context = {"SITE_URL": settings.SITE_URL, "PORTAL_NAME": settings.PORTAL_NAME, **context}
        subject = " ".join(render_to_string(f"{template_name}.subject.txt", full_context).split())
        text = render_to_string(f"{template_name}.txt", full_context)
        html = render_to_string(f"{template_name}.html", full_context)
    return subject, text, html


def send_rendered_email(
    *, to: list[str], subject: str, text: str, html: str, reply_to: list[str] | None = None
) -> None:
    message = EmailMultiAlternatives(subject=subject, body=text, to=to, reply_to=reply_to)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()


def queue_email(
    *, template_name: str, to: list[str], context: dict, language: str | None = None, reply_to: list[str] | None = None
) -> None:
    """Render now (the objects in ``context`` are current) and send after the transaction commits."""
    subject, text, html = render_email(template_name, context, language or translation.get_language() or "fi")
    queue_rendered_email(to=to, subject=subject, text=text, html=html, reply_to=reply_to)


def queue_rendered_email(
    *, to: list[str], subject: str, text: str, html: str = "", reply_to: list[str] | None = None
) -> None:
    """Send an already rendered message after the transaction commits (allauth renders its own)."""
    from .tasks import send_email_task

    transaction.on_commit(
        lambda: send_email_task.delay(to=to, subject=subject, text=text, html=html, reply_to=reply_to)
    )
