from celery import shared_task

from . import services


@shared_task
def send_event_reminders_task() -> int:
    # Idempotent: each registration's reminder is marked in the transaction that queues it.
    return services.event_reminders_send()


@shared_task
def purge_registration_needs_task() -> int:
    return services.registration_needs_purge()
