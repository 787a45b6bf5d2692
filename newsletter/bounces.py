"""Bounces that arrive after sending: delivery status notifications (RFC 3464) in a bounce mailbox.

The mailbox is a Maildir on this machine (``NEWSLETTER_BOUNCE_MAILDIR``) or an IMAP folder
(``NEWSLETTER_BOUNCE_IMAP_*``), read by Celery beat. Each report names the failed recipient in its
``Final-Recipient`` field; a permanent failure (``Action: failed``, status 5.x.x) counts against that
address's subscription as a 5xx answer at send time does. Temporary ones (``delayed``, 4.x.x) do not.
Reports are removed once counted; other mail (auto-replies) is left, marked as read.
"""

from __future__ import annotations

import email
import email.policy
import imaplib
import logging
import mailbox
from dataclasses import dataclass
from email.message import Message

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

logger = logging.getLogger(__name__)


VERP_SALT = "newsletter.verp"


def _verp_signature(mail_id: int) -> str:
    return salted_hmac(VERP_SALT, str(mail_id)).hexdigest()[:12]


def verp_address(mail_id: int) -> str | None:
    """The envelope sender of one message: ``bounces+<row>-<signature>@domain`` (VERP).

    Bounces come back to it, so a report names the message it is about even when the failed
    address is not the one we sent to (forwarding) or the report is not a standard one.
    """
    local, _at, domain = settings.NEWSLETTER_BOUNCE_ADDRESS.partition("@")
    if not domain:
        return None
    return f"{local}+{mail_id}-{_verp_signature(mail_id)}@{domain}"


def verp_mail_id(address: str) -> int | None:
    local, _at, domain = address.strip().strip("<>").lower().partition("@")
    base_local, _at, base_domain = settings.NEWSLETTER_BOUNCE_ADDRESS.lower().partition("@")
    prefix = f"{base_local}+"
    if domain != base_domain or not local.startswith(prefix):
        return None
    mail_id, _dash, signature = local[len(prefix) :].partition("-")
    if not mail_id.isdigit() or not constant_time_compare(signature, _verp_signature(int(mail_id))):
        return None
    return int(mail_id)


@dataclass(frozen=True)
class Bounce:
    recipient: str
    status: str
    permanent: bool
    diagnostic: str
    # The outbox row named by the VERP address the report was sent to, when it was one of ours.
    mail_id: int | None = None


def parse_report(raw: bytes) -> list[Bounce] | None:
    """The failed recipients of a delivery status notification; None if ``raw`` is not one."""
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    if message.get_content_type() != "multipart/report":
        return None
    mail_id = next(
        (
            verp_mail_id(value)
            for name in ("Delivered-To", "X-Original-To", "To")
            for value in message.get_all(name, [])
            if verp_mail_id(value) is not None
        ),
        None,
    )
    for part in message.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        blocks: list[Message] = part.get_payload()
        bounces = []
        # The first block describes the report; each further one, a recipient.
        for block in blocks[1:]:
            recipient = _address(block.get("Final-Recipient") or block.get("Original-Recipient") or "")
            action = (block.get("Action") or "").strip().lower()
            status = (block.get("Status") or "").strip()
            if not recipient or action not in ("failed", "delayed"):
                continue
            bounces.append(
                Bounce(
                    recipient=recipient,
                    status=status,
                    permanent=action == "failed" and status.startswith("5"),
                    diagnostic=" ".join((block.get("Diagnostic-Code") or "").split())[:500],
                    mail_id=mail_id,
                )
            )
        return bounces
    return None


def _address(field: str) -> str:
    # "rfc822; someone@example.org" (RFC 3464 §2.3.2)
    kind, _separator, address = field.partition(";")
    if kind.strip().lower() != "rfc822":
        return ""
    return address.strip().strip("<>").lower()


def read_maildir(path: str, handle) -> int:
    """Hand each new message of the Maildir at ``path`` to ``handle(raw) -> bool`` (True: remove it)."""
    box = mailbox.Maildir(path, factory=None, create=False)
    handled = 0
    for key in list(box.keys()):
        message = box.get_message(key)
        if message.get_subdir() != "new":
            continue
        if handle(box.get_bytes(key)):
            box.remove(key)
        else:
            message.set_subdir("cur")
            message.add_flag("S")
            box[key] = message
        handled += 1
    return handled


def read_imap(handle) -> int:
    """The same over IMAP (TLS): unseen messages of the folder; handled reports are deleted."""
    client = imaplib.IMAP4_SSL(settings.NEWSLETTER_BOUNCE_IMAP_HOST, settings.NEWSLETTER_BOUNCE_IMAP_PORT)
    handled = 0
    try:
        client.login(settings.NEWSLETTER_BOUNCE_IMAP_USER, settings.NEWSLETTER_BOUNCE_IMAP_PASSWORD)
        client.select(settings.NEWSLETTER_BOUNCE_IMAP_FOLDER)
        _status, data = client.search(None, "UNSEEN")
        for number in data[0].split():
            _status, parts = client.fetch(number, "(RFC822)")
            raw = parts[0][1]
            if handle(raw):
                client.store(number, "+FLAGS", "\\Deleted")
            handled += 1
        client.expunge()
    finally:
        try:
            client.logout()
        except (OSError, imaplib.IMAP4.error):
            logger.debug("IMAP logout failed", exc_info=True)
    return handled
