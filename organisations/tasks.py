from celery import shared_task

from . import services


@shared_task
def send_confirmation_reminders_task() -> int:
    # Idempotent: every sent reminder is recorded (ConfirmationReminder), so a second run sends nothing.
    return services.confirmation_reminders_send()


@shared_task
def repair_search_index_task() -> int:
    # Idempotent: a second run finds nothing out of step and rebuilds nothing.
    from .search import search_index_repair

    return search_index_repair()


@shared_task
def import_job_run_task(job_id: int) -> None:
    # Idempotent: only a queued job is claimed, so a second delivery (acks_late) does nothing.
    from .services.imports import import_job_run

    import_job_run(job_id)


@shared_task
def import_jobs_requeue_task() -> int:
    # Idempotent: a job's message sent twice is claimed once.
    from .services.imports import import_jobs_requeue

    return import_jobs_requeue()
