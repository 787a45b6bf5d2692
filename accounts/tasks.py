from celery import shared_task
from django.conf import settings

from .services import sign_in_records_purge


@shared_task
def purge_sign_in_records_task() -> int:
    return sign_in_records_purge(older_than_days=settings.SIGN_IN_RECORD_RETENTION_DAYS)
