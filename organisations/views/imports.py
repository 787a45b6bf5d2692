"""Views of staff's bulk import: upload, the page that follows its jobs, and the confirmation.

The requests never read the rows: the upload stores the file after cheap checks and queues the dry
run, the confirmation queues the import, and the page shows the job's progress (refreshing itself
without JavaScript, polled as JSON with it). A staff member sees only their own files: they hold
personal data, and the admin already lists every import for whoever needs the overview.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.permissions import requires_capability

from ..forms.imports import ImportUploadForm
from ..models import ImportBatch, ImportJob
from ..services.imports import ImportNotAllowed, import_batch_apply, import_batch_create, import_job_retry


@require_http_methods(["GET", "POST"])
@requires_capability("staff")
def import_upload(request):
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        batch = import_batch_create(
            user=request.user, file_name=upload.name, content=form.cleaned_data["content"], request=request
        )
        return redirect("organisations:import_batch", pk=batch.pk)
    batches = request.user.import_batches.defer("content")[:20]
    return render(request, "organisations/import_upload.html", {"form": form, "batches": batches})


def _own_batch(request, pk: int) -> ImportBatch:
    return get_object_or_404(request.user.import_batches.defer("content"), pk=pk)


def _progress(batch: ImportBatch, job: ImportJob | None) -> dict:
    if job is None:
        return {"status": "none", "kind": "", "percent": 100, "rows_processed": 0, "rows_total": 0, "finished": True}
    return {
        "status": "stalled" if job.is_stalled else job.status,
        "kind": job.kind,
        "percent": job.percent,
        "rows_processed": job.rows_processed,
        "rows_total": job.rows_total,
        "finished": job.is_finished or job.is_stalled,
    }


def _progress_text(progress: dict) -> str:
    if progress["status"] == ImportJob.Status.QUEUED:
        return _("Waiting for a free worker…")
    if progress["rows_total"]:
        return _("%(percent)s %%: %(processed)s of %(total)s rows") % {
            "percent": progress["percent"],
            "processed": progress["rows_processed"],
            "total": progress["rows_total"],
        }
    return _("Reading the file…")


@require_http_methods(["GET", "POST"])
@requires_capability("staff")
def import_batch(request, pk: int):
    batch = _own_batch(request, pk)
    if request.method == "POST":
        try:
            import_batch_apply(batch=batch, user=request.user, request=request)
        except ImportNotAllowed:
            messages.error(request, _("This file has already been handled."))
        else:
            batch.refresh_from_db(fields=["status"])
            if batch.status == ImportBatch.Status.APPLIED:
                # Tasks run at once where there is no worker (the demo).
                messages.success(request, _("The associations were imported."))
            else:
                messages.info(request, _("The import has started; this page shows how far it has got."))
        return redirect("organisations:import_batch", pk=batch.pk)
    job = batch.jobs.first()
    progress = _progress(batch, job)
    context = {
        "batch": batch,
        "report": batch.report,
        "job": job,
        "progress": progress,
        "progress_text": _progress_text(progress),
        "can_confirm": batch.status == ImportBatch.Status.CHECKED and progress["finished"],
    }
    return render(request, "organisations/import_report.html", context)


@require_GET
@requires_capability("staff")
def import_batch_progress(request, pk: int):
    batch = _own_batch(request, pk)
    progress = _progress(batch, batch.jobs.first())
    progress["text"] = _progress_text(progress)
    response = JsonResponse(progress)
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@requires_capability("staff")
def import_job_retry_view(request, pk: int):
    batch = _own_batch(request, pk)
    job = batch.jobs.first()
    try:
        if job is None:
            raise ImportNotAllowed
        import_job_retry(job=job, user=request.user)
    except ImportNotAllowed:
        messages.error(request, _("This job cannot be started again."))
    return redirect("organisations:import_batch", pk=batch.pk)
