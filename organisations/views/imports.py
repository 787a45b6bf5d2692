"""Views of staff's bulk import: upload (a dry run) and the confirmed run."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.permissions import requires_capability

from ..forms.imports import ImportUploadForm
from ..models import ImportBatch
from ..services.imports import import_batch_apply, import_batch_create


@require_http_methods(["GET", "POST"])
@requires_capability("staff")
def import_upload(request):
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        batch = import_batch_create(user=request.user, file_name=upload.name, content=upload.read(), request=request)
        return redirect("organisations:import_batch", pk=batch.pk)
    batches = request.user.import_batches.defer("content")[:20]
    return render(request, "organisations/import_upload.html", {"form": form, "batches": batches})


@require_http_methods(["GET", "POST"])
@requires_capability("staff")
def import_batch(request, pk: int):
    batch = get_object_or_404(request.user.import_batches.defer("content"), pk=pk)
    if request.method == "POST":
        if batch.status != ImportBatch.Status.CHECKED:
            messages.error(request, _("This file has already been handled."))
        else:
            batch = import_batch_apply(batch=batch, user=request.user, request=request)
            if batch.status == ImportBatch.Status.APPLIED:
                messages.success(request, _("The associations were imported."))
            else:
                messages.error(request, _("Nothing was imported: the file could not be read."))
        return redirect("organisations:import_batch", pk=batch.pk)
    return render(request, "organisations/import_report.html", {"batch": batch, "report": batch.report})
