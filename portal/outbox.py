"""The outbox's services: queue a message as a row, send rows, sweep, resend, purge.

How a message travels:

1. ``outbox_queue`` writes an ``OutgoingMail`` row in the caller's transaction and, once that
   commits, asks Celery to send it (``send_outgoing_mail_task`` with the row's id). A rolled-back
   transaction leaves no row and no task.
2. The task claims the row (``select_for_update(skip_locked=True)``, only while ``queued``), marks
   it ``sending`` and commits *before* talking to the SMTP server, then records ``sent`` or the
   server's answer. A second copy of the task finds the row locked or no longer queued and does
   nothing, so the task is safe to run twice.
3. The periodic sweep (``outbox_sweep_task``, Celery beat) sends queued rows that are due: first
   attempts nobody picked up (the Celery message was lost with Redis, or the broker was down when
   the row committed) and temporary failures whose back-off has passed. It sends them in batches,
   one SMTP connection per batch.
4. Temporary failures (4xx answers, a refused or dropped connection, a timeout) go back to
   ``queued`` with an exponential back-off until ``OUTBOX_MAX_ATTEMPTS``; permanent ones (5xx) are
   ``failed`` at once with the server's answer. A row stuck in ``sending`` (its worker died
   mid-send) becomes ``unknown``: it may have left, so it is never resent automatically; staff
   resend it from the admin if the recipient did not get it.

Delivery is therefore at most once per row automatically, and a row is never silently dropped: it
ends ``sent``, ``failed`` or ``unknown``, all visible in the admin.

Import direction: ``portal.tasks`` imports this module; this module never imports the tasks. It
finds the send task by name in the Celery app's registry (``PortalConfig.ready`` imports the tasks
so they are registered), which keeps eager mode (the demo, most tests) working like a worker.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr
from functools import partial

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.message import make_msgid
from django.db import transaction
from django.db.models import Count, F, Min
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .celery import app as celery_app
from .models import OutgoingMail

logger = logging.getLogger(__name__)

SEND_TASK = "portal.tasks.send_outgoing_mail_task"
# Publishing happens inside a request (after its commit): with the broker unreachable, give up
# after one quick retry instead of making the visitor wait; the sweep sends the row later.
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
# The back-off doubles per attempt up to this ceiling.
MAX_BACKOFF = timedelta(hours=1)
STALE_ERROR = (
    "The worker stopped while sending (no result for {minutes} minutes): the message may or may not "
    "have been delivered. Resend it if the recipient did not get it."
)


def render_email(template_name: str, context: dict, language: str) -> tuple[str, str, str]:
    """Subject, text and HTML of ``<name>.subject.txt|.txt|.html`` in the recipient's language."""
    with translation.override(language):
        full_context = {"SITE_URL": settings.SITE_URL, "PORTAL_NAME": settings.PORTAL_NAME, **context}
        subject = " ".join(render_to_string(f"{template_name}.subject.txt", full_context).split())
        text = render_to_string(f"{template_name}.txt", full_context)
        html = render_to_string(f"{template_name}.html", full_context)
    return subject, text, html


def message_id_domain() -> str:
    """The domain of the portal's Message-IDs (the default sender's), without a DNS lookup."""
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    # Django's default would look up the machine's FQDN (slow, and meaningless inside a container).
    return address.rpartition("@")[2] or "localhost"


def outbox_queue(
    *,
    to: Sequence[str],
    subject: str,
    text: str,
    html: str = "",
    reply_to: Sequence[str] | None = None,
    from_email: str = "",
    language: str = "",
    headers: dict[str, str] | None = None,
    template_name: str = "",
    label: str = "",
    attachments: Sequence[tuple[str, str, str]] = (),
    enqueue: bool = True,
) -> OutgoingMail:
    """Write the message as a row in the current transaction; send it once the transaction commits.

    ``enqueue=False`` leaves the row to a batch sender (``send_outgoing_mail_batch_task``) or the
    sweep, as a mailing to many recipients wants.
    """
    now = timezone.now()
    mail = OutgoingMail(
        to=list(to),
        reply_to=list(reply_to or []),
        from_email=from_email,
        language=language,
        # One line: a line break in a subject would be a header injection.
        subject=" ".join(subject.split()),
        text=text,
        html=html,
        headers=dict(headers or {}),
        attachments=[list(attachment) for attachment in attachments],
        message_id=make_msgid(domain=message_id_domain()),
        template_name=template_name,
        label=label,
        created_at=now,
        # The immediate task normally sends it long before this; the sweep takes over afterwards.
        next_attempt_at=now + timedelta(seconds=settings.OUTBOX_SWEEP_AFTER_SECONDS),
    )
    mail.full_clean()
    mail.save()
    if enqueue:
        transaction.on_commit(partial(_enqueue, mail.pk))
    return mail


def _enqueue(mail_id: int) -> None:
    """Ask a worker to send the row now. Failing to ask loses nothing: the row waits for the sweep."""
    try:
        celery_app.tasks[SEND_TASK].apply_async(args=(mail_id,), retry=True, retry_policy=PUBLISH_RETRY_POLICY)
    except Exception:
        # Broker errors differ per transport (kombu's OperationalError, redis' ConnectionError,
        # OSError); whichever it is, the request that committed the row must not fail for it.
        logger.warning(
            "Could not hand outgoing e-mail %s to Celery; the outbox sweep will send it.", mail_id, exc_info=True
        )


def outbox_send(*, mail_id: int) -> int:
    """Send one queued row (the immediate task); 1 if it was sent now, else 0."""
    return outbox_send_batch(mail_ids=[mail_id])


def _claim(mail_ids: Iterable[int]) -> list[OutgoingMail]:
    """Mark the still-queued rows among ``mail_ids`` as ``sending`` and commit, so no other worker takes them."""
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            OutgoingMail.objects.select_for_update(skip_locked=True)
            .filter(pk__in=list(mail_ids), status=OutgoingMail.Status.QUEUED)
            .order_by("pk")
        )
        if rows:
            OutgoingMail.objects.filter(pk__in=[row.pk for row in rows]).update(
                status=OutgoingMail.Status.SENDING, sending_since=now, attempts=F("attempts") + 1
            )
    for row in rows:
        row.status, row.sending_since, row.attempts = OutgoingMail.Status.SENDING, now, row.attempts + 1
    return rows


def _still_ours(row: OutgoingMail) -> bool:
    """Renew the row's in-flight mark before sending, unless it was renewed recently.

    The sweep declares a row ``unknown`` once its mark is older than the sending timeout. Renewing
    it here, with an UPDATE that only matches a row still ``sending``, means either we renew it and
    the sweep leaves it alone, or the sweep got there first and we do not send.
    """
    now = timezone.now()
    if now - row.sending_since < timedelta(minutes=settings.OUTBOX_SENDING_TIMEOUT_MINUTES) / 2:
        return True
    row.sending_since = now
    return OutgoingMail.objects.filter(pk=row.pk, status=OutgoingMail.Status.SENDING).update(sending_since=now) == 1


# Public helpers: the outbox's rules for SMTP answers, retries and recording. Other mail paths
# built on the outbox rows (the newsletter's batch sender) use these, so a row means the same
# thing whoever sent it.


def retry_backoff(attempts: int) -> timedelta:
    """How long a row waits after its ``attempts``-th temporary failure (doubling, at most an hour)."""
    base = timedelta(seconds=settings.OUTBOX_RETRY_BACKOFF_SECONDS)
    return min(base * 2 ** max(attempts - 1, 0), MAX_BACKOFF)


def classify_smtp_error(exc: Exception) -> tuple[bool, str]:
    """(permanent, the server's answer or the error) for a failed send of one message."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        answers = {address: (code, _decode(message)) for address, (code, message) in exc.recipients.items()}
        permanent = all(500 <= code < 600 for code, _message in answers.values())
        return permanent, "; ".join(f"{address}: {code} {message}" for address, (code, message) in answers.items())
    if isinstance(exc, smtplib.SMTPResponseException):
        return 500 <= exc.smtp_code < 600, f"{exc.smtp_code} {_decode(exc.smtp_error)}"
    if isinstance(exc, OSError):  # refused, reset or dropped connection, timeout: nobody answered
        return False, f"{type(exc).__name__}: {exc}"
    # Not the server's doing (e.g. an address Django cannot encode): sending again would fail again.
    return True, f"{type(exc).__name__}: {exc}"


def smtp_connection_broken(exc: Exception) -> bool:
    """Whether ``exc`` means the SMTP connection itself is gone (the rest of a batch cannot use it)."""
    # smtplib's errors are OSErrors too; only these mean the connection itself is gone.
    return isinstance(exc, smtplib.SMTPServerDisconnected) or (
        isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException)
    )


def _decode(message: bytes | str) -> str:
    return message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)


def record_sent(mail_ids: Iterable[int]) -> int:
    """Rows still ``sending`` among ``mail_ids`` are ``sent`` (one UPDATE); how many."""
    return OutgoingMail.objects.filter(pk__in=list(mail_ids), status=OutgoingMail.Status.SENDING).update(
        status=OutgoingMail.Status.SENT, sent_at=timezone.now(), sending_since=None, last_error=""
    )


def record_failure(mail_id: int, attempts: int, *, error: str, permanent: bool) -> None:
    """A failed try of a ``sending`` row: ``failed`` for good, or back to the queue with a back-off.

    ``attempts`` counts this try; after ``OUTBOX_MAX_ATTEMPTS`` even a temporary failure is final.
    """
    rows = OutgoingMail.objects.filter(pk=mail_id, status=OutgoingMail.Status.SENDING)
    if permanent or attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        rows.update(status=OutgoingMail.Status.FAILED, sending_since=None, last_error=error)
        logger.warning("Outgoing e-mail %s failed after %s attempt(s): %s", mail_id, attempts, error)
    else:
        rows.update(
            status=OutgoingMail.Status.QUEUED,
            sending_since=None,
            last_error=error,
            next_attempt_at=timezone.now() + retry_backoff(attempts),
        )


def release_untried(mail_ids: Iterable[int], *, error: str, retry_at: datetime) -> None:
    """Give back rows claimed but never tried (the connection broke first): this was no attempt of theirs."""
    OutgoingMail.objects.filter(pk__in=list(mail_ids), status=OutgoingMail.Status.SENDING).update(
        status=OutgoingMail.Status.QUEUED,
        sending_since=None,
        attempts=F("attempts") - 1,
        last_error=error,
        next_attempt_at=retry_at,
    )


def build_message(row: OutgoingMail, connection=None) -> EmailMultiAlternatives:
    """The row as Django's multipart message (text, HTML alternative, attachments, its Message-ID)."""
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=row.text,
        from_email=row.from_email or None,
        to=row.to,
        reply_to=row.reply_to or None,
        headers={**row.headers, "Message-ID": row.message_id} if row.message_id else dict(row.headers),
        connection=connection,
    )
    if row.html:
        message.attach_alternative(row.html, "text/html")
    for file_name, content, mimetype in row.attachments:
        message.attach(file_name, content, mimetype)
    return message


def outbox_send_batch(*, mail_ids: Iterable[int]) -> int:
    """Send the still-queued rows among ``mail_ids`` through one SMTP connection; how many were sent.

    Each message goes out on its own ``send_messages`` call over the one open connection, so each
    row gets its own result (Django's backend stops at the first failure of a list).
    """
    rows = _claim(mail_ids)
    if not rows:
        return 0
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except Exception as exc:
        # Nothing was sent: the server is down or refuses us (refused connection, TLS or login
        # failure). Every row tries again later; a wrong password must not fail them for good.
        error = classify_smtp_error(exc)[1]
        logger.warning("Could not connect to the SMTP server (%s); %s e-mail(s) wait for a retry.", error, len(rows))
        for row in rows:
            record_failure(row.pk, row.attempts, error=error, permanent=False)
        return 0
    sent = 0
    try:
        for index, row in enumerate(rows):
            if not _still_ours(row):
                continue
            try:
                connection.send_messages([build_message(row, connection)])
            except Exception as exc:
                permanent, error = classify_smtp_error(exc)
                record_failure(row.pk, row.attempts, error=error, permanent=permanent)
                if smtp_connection_broken(exc):
                    # The connection itself broke (SMTPServerDisconnected, a reset, a timeout): the
                    # rest of the batch is not tried on it and waits as long as this row does.
                    release_untried(
                        [later.pk for later in rows[index + 1 :]],
                        error=error,
                        retry_at=timezone.now() + retry_backoff(row.attempts),
                    )
                    break
            else:
                record_sent([row.pk])
                sent += 1
    finally:
        try:
            connection.close()
        except Exception:  # closing a broken connection must not hide what was recorded
            logger.debug("Closing the SMTP connection failed", exc_info=True)
    return sent


def outbox_send_due(*, limit: int | None = None) -> int:
    """The sweep: send every due queued row, batch by batch; how many were sent."""
    due = OutgoingMail.objects.due().order_by("next_attempt_at", "pk").values_list("pk", flat=True)
    mail_ids = list(due[:limit] if limit else due)
    size = settings.OUTBOX_BATCH_SIZE
    return sum(outbox_send_batch(mail_ids=mail_ids[start : start + size]) for start in range(0, len(mail_ids), size))


def outbox_mark_stale() -> int:
    """Rows ``sending`` for longer than the timeout (their worker died) become ``unknown``; how many.

    Not resent automatically: the worker may have handed the message to the server just before it
    died, and a second copy to a real person is worse than a row staff can see and resend.
    """
    minutes = settings.OUTBOX_SENDING_TIMEOUT_MINUTES
    stale = OutgoingMail.objects.filter(
        status=OutgoingMail.Status.SENDING, sending_since__lt=timezone.now() - timedelta(minutes=minutes)
    )
    count = stale.update(
        status=OutgoingMail.Status.UNKNOWN, sending_since=None, last_error=STALE_ERROR.format(minutes=minutes)
    )
    if count:
        logger.error("%s outgoing e-mail(s) were left in flight by a stopped worker; marked unknown for staff.", count)
    return count


def outbox_resend(*, mail_id: int) -> bool:
    """Queue a failed or unknown row again (staff's decision) and send it after commit; False if it was neither."""
    now = timezone.now()
    resent = OutgoingMail.objects.filter(pk=mail_id, status__in=OutgoingMail.RESENDABLE).update(
        status=OutgoingMail.Status.QUEUED,
        attempts=0,
        sending_since=None,
        next_attempt_at=now + timedelta(seconds=settings.OUTBOX_SWEEP_AFTER_SECONDS),
    )
    if resent:
        transaction.on_commit(partial(_enqueue, mail_id))
    return bool(resent)


def outbox_purge_sent(*, older_than: timedelta | None = None) -> int:
    """Delete sent rows older than the retention (they are personal data); how many were deleted."""
    if older_than is None:
        older_than = timedelta(days=settings.OUTBOX_RETENTION_DAYS)
    deleted, _by_model = OutgoingMail.objects.filter(
        status=OutgoingMail.Status.SENT, sent_at__lt=timezone.now() - older_than
    ).delete()
    return deleted


@dataclass(frozen=True)
class OutboxBacklog:
    count: int
    # How long the longest-waiting of them has been due; None when there are none.
    oldest_age: timedelta | None


def outbox_backlog(*, overdue_for: timedelta = timedelta(minutes=10)) -> OutboxBacklog:
    """Queued rows due for longer than ``overdue_for``: nothing is sending them (for the readiness check)."""
    now = timezone.now()
    summary = OutgoingMail.objects.due(now - overdue_for).aggregate(count=Count("pk"), oldest=Min("next_attempt_at"))
    oldest = summary["oldest"]
    return OutboxBacklog(count=summary["count"], oldest_age=now - oldest if oldest else None)
