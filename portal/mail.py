"""All outgoing e-mail goes through here: the apps' entry point to the outbox (``portal.outbox``).

A message is three templates, ``<name>.subject.txt``, ``<name>.txt`` and ``<name>.html``, rendered
in the recipient's language when queued. Queuing writes an ``OutgoingMail`` row in the current
transaction and sends it after the commit, so a rolled-back change never mails anybody and a
committed one is never lost with a Celery message.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils import translation

from .outbox import outbox_queue, render_email

__all__ = ["queue_email", "queue_rendered_email", "render_email"]


def queue_email(
    *,
    template_name: str,
    to: list[str],
    context: dict,
    language: str | None = None,
    reply_to: list[str] | None = None,
    label: str = "",
    attachments: Sequence[tuple[str, str, str]] = (),
) -> None:
    """Render now (the objects in ``context`` are current) and send after the transaction commits."""
    language = language or translation.get_language() or "fi"
    subject, text, html = render_email(template_name, context, language)
    outbox_queue(
        to=to,
        subject=subject,
        text=text,
        html=html,
        reply_to=reply_to,
        language=language,
        template_name=template_name,
        label=label,
        attachments=attachments,
    )


def queue_rendered_email(
    *, to: list[str], subject: str, text: str, html: str = "", reply_to: list[str] | None = None, label: str = ""
) -> None:
    """Send an already rendered message after the transaction commits (allauth renders its own)."""
    outbox_queue(
        to=to,
        subject=subject,
        text=text,
        html=html,
        reply_to=reply_to,
        language=translation.get_language() or "",
        label=label,
    )
