"""Running staff imports in tests without a worker: the jobs a request queued, run here and now.

The services queue a Celery task only after the commit; tests inside a rolled-back transaction call
``run_import_jobs`` instead (the same function the task calls). Tests with a real worker are in
tests/organisations/services/test_import_jobs.py.
"""

from __future__ import annotations

from organisations.models import ImportBatch, ImportJob
from organisations.services.imports import import_batch_apply, import_batch_create, import_job_run


def run_import_jobs() -> None:
    for pk in ImportJob.objects.filter(status=ImportJob.Status.QUEUED).order_by("pk").values_list("pk", flat=True):
        import_job_run(pk)


def dry_run(**kwargs) -> ImportBatch:
    batch = import_batch_create(**kwargs)
    run_import_jobs()
    batch.refresh_from_db()
    return batch


def apply(batch: ImportBatch, user=None) -> ImportBatch:
    import_batch_apply(batch=batch, user=user)
    run_import_jobs()
    batch.refresh_from_db()
    return batch
