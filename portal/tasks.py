from celery import shared_task

from .mail import send_rendered_email


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=30, max_retries=8)
def send_email_task(self, *, to: list[str], subject: str, text: str, html: str, reply_to: list[str] | None = None):
    # SMTP failures are OSErrors; retrying with backoff keeps a flaky server from losing the message.
    send_rendered_email(to=to, subject=subject, text=text, html=html, reply_to=reply_to)
