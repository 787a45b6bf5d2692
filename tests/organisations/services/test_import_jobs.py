"""Staff imports as background jobs: through a real Celery worker with the progress read while it
runs, claimed once however often the task is delivered, and a stalled job started again."""

import csv
import io
import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from organisations.models import ImportBatch, ImportJob, Organisation
from organisations.services.imports import (
    _job_work,
    import_batch_apply,
    import_batch_create,
    import_job_retry,
    import_job_run,
)
from organisations.tasks import import_job_run_task, import_jobs_requeue_task
from tests.organisations.imports_helpers import run_import_jobs
from tests.organisations.roles import make_staff
from tests.organisations.services.test_imports import GOOD_CSV, upload

worker_db = pytest.mark.django_db(transaction=True, serialized_rollback=True)
ROWS = 20_000
# The session, the account, its two-factor state, the batch and its latest job.
QUERIES_PER_POLL = 5


def many_rows(count: int) -> bytes:
    stream = io.StringIO()
    writer = csv.writer(stream, delimiter=";")
    writer.writerow(["nimi", "kotikunta", "rekisterinumero", "toimialat", "sähköposti"])
    homes = ["Kuopio", "Mikkeli", "Siilinjärvi", "Iisalmi", "Savonlinna"]
    for number in range(count):
        writer.writerow(
            [
                f"Testiyhdistys {number + 1} ry",
                homes[number % 5],
                str(300_000 + number),
                "Kulttuuri",
                f"y{number}@example.org",
            ]
        )
    return stream.getvalue().encode()


def follow(job_id: int, timeout: float = 600.0) -> list[int]:
    """The rows processed as read from the database (another connection than the worker's) until done."""
    seen = []
    deadline = time.monotonic() + timeout
    while True:
        job = ImportJob.objects.get(pk=job_id)
        if not seen or seen[-1] != job.rows_processed:
            seen.append(job.rows_processed)
        if job.is_finished:
            assert job.status == ImportJob.Status.DONE, job.error
            return seen
        if time.monotonic() > deadline:
            raise AssertionError(f"the job did not finish; progress seen: {seen}")
        time.sleep(0.02)


@worker_db
def test_twenty_thousand_rows_are_checked_and_imported_by_the_worker_with_live_progress(celery_worker):
    staff = make_staff()
    batch = import_batch_create(user=staff, file_name="iso.csv", content=many_rows(ROWS))
    dry_run = batch.jobs.get()
    seen = follow(dry_run.pk)
    # Read while it ran: the count rose through values strictly between nothing and everything.
    assert any(0 < value < ROWS for value in seen), seen
    assert seen == sorted(seen)
    assert seen[-1] == ROWS
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.CHECKED
    assert batch.report["summary"] == {"create": ROWS, "update": 0, "unchanged": 0, "reject": 0}
    assert Organisation.objects.count() == 0

    job = import_batch_apply(batch=batch, user=staff)
    seen = follow(job.pk)
    assert any(0 < value < ROWS for value in seen), seen
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.APPLIED
    assert bytes(batch.content) == b""
    assert Organisation.objects.published().count() == ROWS
    assert Organisation.history.filter(history_type="+").count() == ROWS
    sample = Organisation.objects.get(register_number="300123")
    assert [sector.slug for sector in sample.sectors.all()] == ["kulttuuri"]
    assert sample.history.get().sectors.count() == 1
    assert "Testiyhdistys" in sample.search_document


@pytest.mark.django_db
def test_a_job_is_claimed_once_however_often_its_task_is_delivered():
    staff = make_staff()
    batch = import_batch_create(user=staff, file_name="lista.csv", content=GOOD_CSV)
    job = batch.jobs.get()
    assert import_job_run(job.pk).status == ImportJob.Status.DONE
    finished = ImportJob.objects.get(pk=job.pk)
    # A second delivery (acks_late after a lost acknowledgement) finds nothing queued.
    assert import_job_run(job.pk) is None
    import_job_run_task.apply(args=[job.pk])
    assert ImportJob.objects.get(pk=job.pk).finished_at == finished.finished_at
    import_batch_apply(batch=batch, user=staff)
    run_import_jobs()
    run_import_jobs()
    assert Organisation.objects.published().count() == 3
    assert Organisation.history.count() == 3
    with pytest.raises(ValueError, match="checked"):
        import_batch_apply(batch=batch, user=staff)


@pytest.fixture
def staff_client(client, login_as):
    login_as(client, "staff")
    return client


def test_the_page_shows_progress_refreshes_itself_and_offers_json(staff_client):
    response = upload(staff_client, GOOD_CSV)
    batch = ImportBatch.objects.get()
    # A running job half-way through (as the worker leaves it between chunks).
    job = batch.jobs.get()
    job.status, job.rows_total, job.rows_processed, job.progress_at = ImportJob.Status.RUNNING, 6, 3, timezone.now()
    job.save()
    page = staff_client.get(response["Location"]).content.decode()
    assert '<progress id="import-progress-bar" max="100" value="50"' in page
    assert "50 %: 3 / 6 riviä" in page
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in page
    assert "js/import_progress.js" in page
    assert "Vahvista ja tuo" not in page
    data = staff_client.get(reverse("organisations:import_batch_progress", args=[batch.pk])).json()
    assert data == {
        "status": "running",
        "kind": "dry_run",
        "percent": 50,
        "rows_processed": 3,
        "rows_total": 6,
        "finished": False,
        "text": "50 %: 3 / 6 riviä",
    }


def test_a_stalled_job_is_shown_as_such_and_can_be_started_again(staff_client, settings):
    response = upload(staff_client, GOOD_CSV)
    batch = ImportBatch.objects.get()
    job = batch.jobs.get()
    # Its worker died after claiming it: running, and silent for longer than the limit.
    job.status = ImportJob.Status.RUNNING
    job.progress_at = timezone.now() - timedelta(seconds=settings.IMPORT_STALLED_AFTER_SECONDS + 1)
    job.save()
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.UPLOADED, report={})
    page = staff_client.get(response["Location"]).content.decode()
    assert "Työ ei enää etene" in page
    assert "Aloita uudelleen" in page
    assert staff_client.get(reverse("organisations:import_batch_progress", args=[batch.pk])).json()["status"] == (
        "stalled"
    )
    staff_client.post(reverse("organisations:import_job_retry", args=[batch.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    retried = batch.jobs.exclude(pk=job.pk).get()
    assert retried.status == ImportJob.Status.QUEUED
    run_import_jobs()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.CHECKED
    assert "Vahvista ja tuo" in staff_client.get(response["Location"]).content.decode()


def test_a_job_that_is_not_stalled_cannot_be_started_twice(staff_client):
    upload(staff_client, GOOD_CSV)
    batch = ImportBatch.objects.get()
    staff_client.post(reverse("organisations:import_job_retry", args=[batch.pk]))
    assert batch.jobs.count() == 1


@pytest.mark.django_db
def test_a_job_declared_stalled_whose_worker_finishes_after_all_writes_nothing(settings):
    staff = make_staff()
    batch = import_batch_create(user=staff, file_name="lista.csv", content=GOOD_CSV)
    run_import_jobs()
    job = import_batch_apply(batch=batch, user=staff)
    # Claimed by a worker that then went silent for longer than the limit.
    silent_since = timezone.now() - timedelta(seconds=settings.IMPORT_STALLED_AFTER_SECONDS + 1)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, progress_at=silent_since)
    retried = import_job_retry(job=ImportJob.objects.get(pk=job.pk), user=staff)
    # The slow worker reaches its final step only now.
    _job_work(ImportJob.objects.select_related("batch", "created_by").get(pk=job.pk))
    assert Organisation.objects.published().count() == 0
    assert ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.FAILED
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.CHECKED
    import_job_run(retried.pk)
    assert Organisation.objects.published().count() == 3


def test_polling_the_progress_costs_the_same_few_queries_whatever_the_file(staff_client, django_assert_num_queries):
    upload(staff_client, GOOD_CSV)
    batch = ImportBatch.objects.get()
    url = reverse("organisations:import_batch_progress", args=[batch.pk])
    staff_client.get(url)
    with django_assert_num_queries(QUERIES_PER_POLL):
        assert staff_client.get(url).json()["finished"] is True
    import_batch_create(user=batch.uploaded_by, file_name="iso.csv", content=many_rows(600))
    run_import_jobs()
    bigger = ImportBatch.objects.latest("pk")
    with django_assert_num_queries(QUERIES_PER_POLL):
        staff_client.get(reverse("organisations:import_batch_progress", args=[bigger.pk]))


@pytest.mark.django_db
def test_beat_queues_again_a_job_whose_message_was_lost(settings):
    staff = make_staff()
    # Queued in a transaction that is never committed here: no message was sent, as if lost.
    lost = import_batch_create(user=staff, file_name="lista.csv", content=GOOD_CSV).jobs.get()
    recent = import_batch_create(user=staff, file_name="toinen.csv", content=GOOD_CSV).jobs.get()
    long_ago = timezone.now() - timedelta(seconds=settings.IMPORT_REQUEUE_AFTER_SECONDS + 1)
    ImportJob.objects.filter(pk=lost.pk).update(created_at=long_ago)
    # Tasks run at once in the tests' settings (no broker): the re-sent task does the job.
    assert import_jobs_requeue_task.apply().get() == 1
    assert ImportJob.objects.get(pk=lost.pk).status == ImportJob.Status.DONE
    assert ImportJob.objects.get(pk=recent.pk).status == ImportJob.Status.QUEUED
