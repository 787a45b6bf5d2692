"""Writes for municipal contacts' exports and saved filters, and for staff's bulk import.

Kept apart from ``services.py`` (the self-service writes) so the two grow without colliding.
"""

from __future__ import annotations

from django.db import transaction
from django.http import QueryDict
from django.utils import timezone

from accounts.models import User

from .filters import OrganisationFilter
from .imports import ImportFileError, ImportReport, import_rows, read_table
from .models import ExportLog, ImportBatch, SavedFilter

MAX_IMPORT_BYTES = 5 * 1024 * 1024


def filter_params(query: QueryDict) -> dict[str, list[str]]:
    """Only the directory's own filter parameters, without empty values: what an export is filtered by."""
    keys = OrganisationFilter.base_filters.keys()
    params = {key: [value for value in query.getlist(key) if value.strip()] for key in keys}
    return {key: values for key, values in params.items() if values}


def filter_query_string(query: QueryDict) -> str:
    cleaned = QueryDict(mutable=True)
    for key, values in filter_params(query).items():
        cleaned.setlist(key, values)
    return cleaned.urlencode()


@transaction.atomic
def export_log_start(*, user: User, format: str, filters: dict[str, list[str]], municipalities: list[str]) -> ExportLog:
    log = ExportLog(user=user, user_email=user.email, format=format, filters=filters, municipalities=municipalities)
    log.full_clean()
    log.save()
    return log


@transaction.atomic
def export_log_finish(*, log: ExportLog, row_count: int) -> None:
    # An update, not a save: the start of the record is never rewritten.
    ExportLog.objects.filter(pk=log.pk).update(row_count=row_count, finished_at=timezone.now())


@transaction.atomic
def saved_filter_save(*, user: User, name: str, query: QueryDict) -> SavedFilter:
    """Save (or overwrite, by name) a directory filter for this account."""
    saved = SavedFilter.objects.filter(user=user, name=name).first() or SavedFilter(user=user, name=name)
    saved.query_string = filter_query_string(query)
    saved.full_clean()
    saved.save()
    return saved


@transaction.atomic
def saved_filter_delete(*, saved_filter: SavedFilter) -> None:
    saved_filter.delete()


def import_batch_create(*, user: User, file_name: str, content: bytes) -> ImportBatch:
    """Keep the upload and check it: a dry run that reports per row and writes no association."""
    batch = ImportBatch(uploaded_by=user, file_name=file_name[:255], content=content)
    report = _run(batch, dry_run=True)
    batch.report = report.as_dict()
    if report.error:
        # An unreadable file is not kept: there is nothing to confirm.
        batch.status = ImportBatch.Status.FAILED
        batch.content = b""
    else:
        batch.status = ImportBatch.Status.CHECKED
    batch.full_clean(exclude=["content"])
    batch.save()
    return batch


@transaction.atomic
def import_batch_apply(*, batch: ImportBatch) -> ImportBatch:
    """The confirmed run: every accepted row is written in this one transaction, or none is."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != ImportBatch.Status.CHECKED:
        # Applying twice would be harmless (matching makes it idempotent) but says something is wrong.
        raise ValueError("Only a checked batch can be imported.")
    report = _run(batch, dry_run=False)
    batch.report = report.as_dict()
    if report.error:
        batch.status = ImportBatch.Status.FAILED
    else:
        batch.status = ImportBatch.Status.APPLIED
        batch.applied_at = timezone.now()
        # The file has done its work; the personal data in it need not be kept.
        batch.content = b""
    batch.save()
    return batch


def _run(batch: ImportBatch, *, dry_run: bool) -> ImportReport:
    content = bytes(batch.content)
    if len(content) > MAX_IMPORT_BYTES:
        return ImportReport.failed(ImportFileError.too_large(MAX_IMPORT_BYTES).message)
    try:
        table = read_table(file_name=batch.file_name, content=content)
    except ImportFileError as error:
        return ImportReport.failed(error.message)
    return import_rows(table=table, dry_run=dry_run)
