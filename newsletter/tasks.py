"""Thin tasks: ids in, services do the work; every one is safe to run twice."""

from celery import shared_task
from django.conf import settings

from . import services, services_sending


@shared_task
def issue_send_start_task(issue_id: int) -> None:
    services_sending.issue_send_start(issue_id=issue_id)


# The configurable rate limit: batches per worker and time unit ("10/s"), None for no limit.
@shared_task(rate_limit=settings.NEWSLETTER_BATCH_RATE_LIMIT or None)
def issue_send_batch_task(issue_id: int, mail_ids: list[int]) -> None:
    services_sending.issue_send_batch(issue_id=issue_id, mail_ids=mail_ids)


@shared_task
def newsletter_sweep_task() -> None:
    services_sending.newsletter_sweep()


@shared_task
def newsletter_read_bounces_task() -> None:
    services.bounces_read()
