"""Thin tasks over the outbox: they take row ids, the rows hold the messages (``portal.outbox``)."""

from celery import shared_task
from django.conf import settings

from .outbox import outbox_mark_stale, outbox_purge_sent, outbox_queue, outbox_send, outbox_send_batch, outbox_send_due


@shared_task
def send_outgoing_mail_task(mail_id: int) -> None:
    # No Celery retry: a temporary failure puts the row back with its back-off, and the sweep
    # sends it when due, so a retry never depends on a countdown message kept in Redis.
    outbox_send(mail_id=mail_id)


@shared_task
def send_outgoing_mail_batch_task(mail_ids: list[int]) -> None:
    outbox_send_batch(mail_ids=mail_ids)


@shared_task
def outbox_sweep_task() -> None:
    outbox_mark_stale()
    # A bounded share per run: beat starts the next run a minute later, and runs that overlap
    # skip each other's locked rows.
    outbox_send_due(limit=10 * settings.OUTBOX_BATCH_SIZE)


@shared_task
def outbox_purge_task() -> None:
    outbox_purge_sent()


@shared_task
def send_email_task(*, to: list[str], subject: str, text: str, html: str, reply_to: list[str] | None = None) -> None:
    # Before the outbox, messages travelled in this task's arguments. One still in Redis when the
    # new code is deployed becomes an outbox row rather than being lost. Remove after one release.
    outbox_queue(to=to, subject=subject, text=text, html=html, reply_to=reply_to)
