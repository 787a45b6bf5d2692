from celery import shared_task

from . import services


@shared_task
def send_confirmation_reminders_task() -> int:
    # Idempotent: every sent reminder is recorded (ConfirmationReminder), so a second run sends nothing.
    return services.confirmation_reminders_send()
