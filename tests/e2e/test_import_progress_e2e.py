"""The import page while a job runs: the bar and its text follow the job live (JavaScript polling the
JSON endpoint), and the page turns into the report when the job is done."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from organisations.models import ImportBatch, ImportJob
from tests.e2e.test_exports_e2e import log_in
from tests.roles import verified_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

REPORT = {
    "error": "",
    "ignored_columns": [],
    "summary": {"create": 1, "update": 0, "unchanged": 0, "reject": 0},
    "rows": [{"line": 2, "action": "create", "name": "Kuopion Uusi Seura ry", "messages": []}],
}


def test_the_progress_bar_follows_the_job_and_the_report_replaces_it(page, live_server, assert_accessible):
    staff = verified_user(is_staff=True)
    log_in(page, live_server, staff)
    batch = ImportBatch.objects.create(uploaded_by=staff, file_name="lista.csv", content=b"nimi;kotikunta\n")
    job = ImportJob.objects.create(
        batch=batch,
        kind=ImportJob.Kind.DRY_RUN,
        status=ImportJob.Status.RUNNING,
        rows_total=2000,
        rows_processed=500,
        progress_at=timezone.now(),
    )
    page.goto(f"/yllapito/tuonti/{batch.pk}/")
    bar = page.locator("progress")
    expect(bar).to_have_attribute("value", "25")
    expect(page.get_by_role("status")).to_have_text("25 %: 500 / 2000 riviä")
    assert_accessible(page, "import progress")

    # The worker moves on: the page follows without being reloaded.
    ImportJob.objects.filter(pk=job.pk).update(rows_processed=1500, progress_at=timezone.now())
    expect(page.get_by_role("status")).to_have_text("75 %: 1500 / 2000 riviä")
    expect(bar).to_have_attribute("value", "75")

    # Done: the page reloads itself and shows the report with the confirmation.
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.DONE, rows_processed=2000, finished_at=timezone.now(), report=REPORT
    )
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.CHECKED, report=REPORT)
    expect(page.get_by_role("button", name="Vahvista ja tuo")).to_be_visible()
    expect(page.locator("progress")).to_have_count(0)
    assert re.search(r"Kuopion Uusi Seura ry", page.content())
