"""Reading a region's spreadsheet of associations and matching it against the directory.

The upload only stores the file after cheap checks (``forms.imports.inspect_upload``) and queues a
job; a Celery worker (``import_job_run``) reads it (at most 5 MB, see ``forms.imports``) into a
table, reporting progress every chunk of rows. Every row is then matched on the association
register number, then the Business ID, then the name and home municipality, and turned into a
create, an update, "unchanged" or a rejection with reasons. A dry run does the same work inside a
transaction that is rolled back (only the search index is left out), so the report of the dry run
is the report of the real run. The import never erases: blank cells leave the listing's
value as it is, and listed municipalities, sectors, target groups and languages are added.
Contact-person fields are never imported (they need the association's own consent).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, connections, models, transaction
from django.db.models.fields.files import FieldFile
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import get_language, gettext_noop, ngettext
from django.utils.translation import gettext as _
from stdnum.fi import ytunnus

from accounts.models import User
from portal.audit import audit_record
from portal.forms import has_control_characters

from ..forms.imports import (
    LABELS,
    RELATION_FIELDS,
    SCALAR_FIELDS,
    ImportFileError,
    Table,
    inspect_upload,
    read_table,
)
from ..models import (
    ImportBatch,
    ImportJob,
    Language,
    Municipality,
    Organisation,
    Sector,
    TargetGroup,
    organisation_field_label,
)
from ..search import refresh_search_index
from ..validators import normalise_business_id, normalise_phone, normalise_register_number
from .common import unique_slug

logger = logging.getLogger(__name__)


@dataclass
class RowResult:
    line: int
    action: str  # create, update, unchanged, reject
    name: str
    messages: list[str] = field(default_factory=list)
    organisation_id: int | None = None
    # The listing while its chunk is being written (a new one has no primary key before that).
    organisation: Organisation | None = None


@dataclass
class ImportReport:
    rows: list[RowResult] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    error: str = ""

    @classmethod
    def failed(cls, message: str) -> ImportReport:
        return cls(error=message)

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    def as_dict(self) -> dict:
        return {
            "error": self.error,
            "ignored_columns": self.ignored_columns,
            "summary": {action: self.count(action) for action in ("create", "update", "unchanged", "reject")},
            "rows": [
                {"line": row.line, "action": row.action, "name": row.name, "messages": row.messages}
                for row in self.rows
            ],
        }


@transaction.atomic
def import_batch_create(
    *, user: User, file_name: str, content: bytes, request: HttpRequest | None = None, language: str | None = None
) -> ImportBatch:
    """Keep the upload and queue its dry run; a file that fails the cheap checks is refused at once.

    Nothing is parsed here: the request only looks at sizes (``inspect_upload``), so it stays fast
    whatever the file holds. The dry run reports per row and writes no association.
    """
    batch = ImportBatch(uploaded_by=user, file_name=file_name[:255], content=content)
    try:
        inspect_upload(file_name=batch.file_name, content=content)
    except ImportFileError as error:
        # An unreadable file is not kept: there is nothing to confirm.
        batch.status = ImportBatch.Status.FAILED
        batch.content = b""
        batch.report = ImportReport.failed(error.message).as_dict()
    batch.save()
    if batch.status != ImportBatch.Status.FAILED:
        _job_queue(batch, kind=ImportJob.Kind.DRY_RUN, user=user, language=language)
    audit_record(
        action="organisations.import.uploaded",
        actor=user,
        target=batch,
        details={"file_name": batch.file_name, "status": batch.status, "size": len(content)},
        request=request,
    )
    return batch


class ImportNotAllowed(ValueError):
    """The batch is not waiting for confirmation (not checked, already imported, or a job runs)."""


@transaction.atomic
def import_batch_apply(
    *, batch: ImportBatch, user: User | None = None, request: HttpRequest | None = None
) -> ImportJob:
    """The confirmation: queue the real import of a checked file (one job at a time per file)."""
    batch = ImportBatch.objects.select_for_update().defer("content").get(pk=batch.pk)
    if batch.status != ImportBatch.Status.CHECKED or batch.jobs.unfinished().exists():
        # Applying twice would be harmless (matching makes it idempotent) but says something is wrong.
        raise ImportNotAllowed("Only a checked batch with no job under way can be imported.")
    return _job_queue(batch, kind=ImportJob.Kind.IMPORT, user=user, language=None)


@transaction.atomic
def import_job_retry(*, job: ImportJob, user: User | None = None) -> ImportJob:
    """Start a stalled or failed job again as a new job; the old one is marked failed.

    A stalled job's worker died inside its transaction, so nothing of it was written; should it
    still be alive after all, its final step finds itself no longer ``running`` and rolls back.
    """
    job = ImportJob.objects.select_for_update(of=("self",)).select_related("batch").get(pk=job.pk)
    if not (job.is_stalled or job.status == ImportJob.Status.FAILED) or job.batch.status not in (
        ImportBatch.Status.UPLOADED,
        ImportBatch.Status.CHECKED,
    ):
        raise ImportNotAllowed("Only a stalled or failed job of an unfinished file can be retried.")
    if job.status == ImportJob.Status.RUNNING:
        job.status = ImportJob.Status.FAILED
        job.finished_at = timezone.now()
        job.error = _("The worker stopped answering; the job was started again.")
        job.save(update_fields=["status", "finished_at", "error"])
    if job.batch.jobs.unfinished().exists():
        raise ImportNotAllowed("Another job of this file is under way.")
    return _job_queue(job.batch, kind=job.kind, user=user, language=None)


def _job_queue(batch: ImportBatch, *, kind: str, user: User | None, language: str | None) -> ImportJob:
    from ..tasks import import_job_run_task

    job = ImportJob.objects.create(
        batch=batch, kind=kind, created_by=user, language=(language or get_language() or settings.LANGUAGE_CODE)[:10]
    )
    # Only the id travels: the worker reads the job (and the file) from the database once committed.
    # ``robust``: with the broker down the upload still succeeds; beat queues the job again later.
    transaction.on_commit(partial(import_job_run_task.delay, job.pk), robust=True)
    return job


def import_jobs_requeue() -> int:
    """Send again the task of every job queued longer than ``IMPORT_REQUEUE_AFTER_SECONDS``.

    Its message was lost (Redis restarted, or unreachable when the job was committed); one that is
    only waiting behind a long job is claimed once whichever message arrives first.
    """
    from ..tasks import import_job_run_task

    cutoff = timezone.now() - timedelta(seconds=settings.IMPORT_REQUEUE_AFTER_SECONDS)
    ids = list(
        ImportJob.objects.filter(status=ImportJob.Status.QUEUED, created_at__lt=cutoff).values_list("pk", flat=True)
    )
    for pk in ids:
        import_job_run_task.delay(pk)
    return len(ids)


def import_job_run(job_id: int) -> ImportJob | None:
    """Do one queued job: claim it, read the file, run the rows, store the report.

    Safe to call twice: only a ``queued`` job is claimed (under a row lock, in its own committed
    transaction), so a second delivery of the task, or a call for a finished job, does nothing.
    """
    with transaction.atomic():
        job = (
            ImportJob.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk=job_id, status=ImportJob.Status.QUEUED)
            .select_related("batch", "created_by")
            .first()
        )
        if job is None:
            return None
        now = timezone.now()
        job.status = ImportJob.Status.RUNNING
        job.started_at = job.progress_at = now
        job.save(update_fields=["status", "started_at", "progress_at"])
    with translation.override(job.language):
        try:
            return _job_work(job)
        except Exception:
            logger.exception("Import job %s failed", job.pk)
            _job_finish_failed(job, _("The file could not be handled because of an unexpected error."))
            return job


def _job_work(job: ImportJob) -> ImportJob:
    batch = job.batch
    dry_run = job.kind == ImportJob.Kind.DRY_RUN
    try:
        table = read_table(file_name=batch.file_name, content=bytes(batch.content))
    except ImportFileError as error:
        return _job_finish_failed(job, error.message)
    progress = _ProgressWriter(job.pk)
    try:
        progress.total(len(table.rows))
        with transaction.atomic():
            report = import_rows(table=table, dry_run=dry_run, user=job.created_by, progress=progress)
            report_dict = report.as_dict()
            now = timezone.now()
            # Only the job that is still ``running`` may finish: one declared dead and retried
            # meanwhile rolls its work back here instead of writing it a second time.
            claimed = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING).update(
                status=ImportJob.Status.DONE,
                finished_at=now,
                progress_at=now,
                rows_total=len(table.rows),
                rows_processed=len(table.rows),
                report=report_dict,
            )
            if not claimed:
                transaction.set_rollback(True)
                return job
            batch.report = report_dict
            if dry_run:
                batch.status = ImportBatch.Status.CHECKED
                batch.save(update_fields=["report", "status"])
            else:
                batch.status = ImportBatch.Status.APPLIED
                batch.applied_at = now
                # The file has done its work; the personal data in it need not be kept.
                batch.content = b""
                batch.save(update_fields=["report", "status", "applied_at", "content"])
            audit_record(
                action="organisations.import.dry_run" if dry_run else "organisations.import.applied",
                actor=job.created_by,
                target=batch,
                details={"file_name": batch.file_name, "status": batch.status, "summary": report_dict["summary"]},
            )
    finally:
        progress.close()
    job.refresh_from_db()
    return job


def _job_finish_failed(job: ImportJob, message: str) -> ImportJob:
    with transaction.atomic():
        now = timezone.now()
        ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING).update(
            status=ImportJob.Status.FAILED, finished_at=now, progress_at=now, error=message
        )
        batch = job.batch
        if job.kind == ImportJob.Kind.DRY_RUN:
            batch.status = ImportBatch.Status.FAILED
            batch.content = b""
            batch.report = ImportReport.failed(message).as_dict()
            batch.save(update_fields=["status", "content", "report"])
        audit_record(
            action="organisations.import.dry_run"
            if job.kind == ImportJob.Kind.DRY_RUN
            else "organisations.import.applied",
            actor=job.created_by,
            target=batch,
            details={"file_name": batch.file_name, "status": ImportJob.Status.FAILED, "error": message},
        )
    job.refresh_from_db()
    return job


class _ProgressWriter:
    """Writes a running job's progress where the staff member's page can read it at once.

    The rows are written in one long transaction, invisible to others until it commits, so the
    progress goes through a second connection of its own in autocommit. SQLite (the demo) allows
    one writer only; there the page sees the job jump from 0 to done.
    """

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.connection = None
        if connection.vendor == "postgresql":
            self.connection = connections.create_connection(connection.alias)
            # The test database's name lives in the settings the default connection was given.
            self.connection.settings_dict = connection.settings_dict

    def _write(self, sql: str, params: list) -> None:
        if self.connection is None:
            return
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)

    def total(self, rows: int) -> None:
        self._write(
            "UPDATE organisations_importjob SET rows_total = %s, rows_processed = 0, progress_at = %s "
            "WHERE id = %s AND status = 'running'",
            [rows, timezone.now(), self.job_id],
        )

    def __call__(self, processed: int) -> None:
        self._write(
            "UPDATE organisations_importjob SET rows_processed = %s, progress_at = %s "
            "WHERE id = %s AND status = 'running'",
            [processed, timezone.now(), self.job_id],
        )

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


class _References:
    """Lookups from the names people write to reference rows, and indexes of existing listings.

    An index entry is an existing listing's primary key or, for one created earlier in this run,
    the ``Organisation`` object itself (saved at the end of its chunk).
    """

    def __init__(self) -> None:
        self.municipalities = self._index(Municipality, ("code", "slug", "name_fi", "name_sv"))
        self.sectors = self._index(Sector, ("slug", "name_fi", "name_sv", "name_en"))
        self.target_groups = self._index(TargetGroup, ("slug", "name_fi", "name_sv", "name_en"))
        self.languages = self._index(Language, ("code", "name_fi", "name_sv", "name_en"))
        self.by_register: dict[str, list[int | Organisation]] = {}
        self.by_business: dict[str, list[int | Organisation]] = {}
        self.by_name: dict[tuple[str, int], list[int | Organisation]] = {}
        existing = Organisation.objects.values_list(
            "pk", "register_number", "business_id", "name", "home_municipality", "slug"
        )
        # Every slug in use, so new listings get theirs without a query each.
        self.slugs: set[str] = set()
        for pk, register_number, business_id, name, home_id, slug in existing.iterator(chunk_size=5000):
            self.remember(pk, register_number, business_id, name, home_id)
            self.slugs.add(slug)

    @staticmethod
    def _index(model, fields) -> dict[str, object]:
        index = {}
        for item in model.objects.all():
            for field_name in fields:
                value = getattr(item, field_name)
                if value:
                    index[value.strip().lower()] = item
        return index

    def remember(
        self, entry: int | Organisation, register_number: str, business_id: str, name: str, home_id: int
    ) -> None:
        if register_number:
            self.by_register.setdefault(normalise_register_number(register_number), []).append(entry)
        if business_id:
            self.by_business.setdefault(ytunnus.compact(business_id), []).append(entry)
        self.by_name.setdefault((name.strip().lower(), home_id), []).append(entry)

    def match_keys(self, data: dict[str, str], home: Municipality) -> list[tuple[dict, object, str]]:
        return [
            (self.by_register, data["register_number"], _("association register number")),
            (
                self.by_business,
                ytunnus.compact(data["business_id"]) if data["business_id"] else "",
                _("Business ID (Y-tunnus)"),
            ),
            (self.by_name, (data["name"].lower(), home.pk), _("name and home municipality")),
        ]


# Free text and the lists (which may be one item a line) may hold tabs and line breaks.
MULTI_LINE_FIELDS = frozenset({"description", *RELATION_FIELDS})
# Rows per chunk: one round of bulk writes and one progress report each.
CHUNK_SIZE = 500


def _split(value: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;,\n]", value) if part.strip()]


def _relation_columns(key: str) -> tuple[type, str]:
    field = Organisation._meta.get_field(key)
    return field.remote_field.through, field.m2m_reverse_name()


def import_rows(
    *, table: Table, dry_run: bool, user: User | None = None, progress: Callable[[int], None] | None = None
) -> ImportReport:
    """Match and write the table's rows, chunk by chunk; a dry run decides the same and writes nothing.

    Per chunk: the existing listings the rows match are read in one query (and their
    classifications in four), every row is decided in memory, then the new and changed listings,
    their classifications and their versions are written with bulk statements, and their search
    entries rebuilt. ``progress`` gets the rows done after each chunk.
    """
    report = ImportReport(ignored_columns=table.ignored)
    with transaction.atomic():
        references = _References()
        for start in range(0, len(table.rows), CHUNK_SIZE):
            chunk = [
                _prepare_row(line, cells, table.columns, references)
                for line, cells in table.rows[start : start + CHUNK_SIZE]
            ]
            loaded = _load_matches(chunk, references)
            writer = _ChunkWriter(user, dry_run=dry_run)
            for row in chunk:
                report.rows.append(_import_row(row, references, loaded, writer))
            written = writer.flush()
            if written:
                # Per chunk rather than once at the end: the progress the staff member watches then
                # includes the search index, the slowest part of a large import.
                refresh_search_index(written)
            for result in report.rows[start:]:
                if result.organisation is not None:
                    result.organisation_id = result.organisation.pk
                    result.organisation = None
            if progress is not None:
                progress(start + len(chunk))
        if dry_run:
            # Nothing was written; this only makes sure of it.
            transaction.set_rollback(True)
    return report


def _value(cells: list[str], columns: dict[str, int], key: str) -> str:
    index = columns.get(key)
    if index is None or index >= len(cells):
        return ""
    return cells[index].strip()


@dataclass
class _Row:
    result: RowResult
    data: dict[str, str]
    home: Municipality | None = None
    related: dict[str, list] = field(default_factory=dict)


def _prepare_row(line: int, cells: list[str], columns: dict[str, int], refs: _References) -> _Row:
    """Read and check one row's cells against the reference data; no query."""
    data = {key: _value(cells, columns, key) for key in (*SCALAR_FIELDS, "home_municipality", *RELATION_FIELDS)}
    row = _Row(result=RowResult(line=line, action="reject", name=data["name"]), data=data)
    problems = []
    for key, value in data.items():
        # The same rule as the forms: line breaks only where the field may hold several lines.
        if has_control_characters(value, multi_line=key in MULTI_LINE_FIELDS):
            problems.append(
                _("%(field)s: contains invisible control characters; remove them.")
                % {"field": str(LABELS.get(key, key))}
            )
    if not data["name"]:
        problems.append(_("The name is missing."))
    home = refs.municipalities.get(data["home_municipality"].lower()) if data["home_municipality"] else None
    if home is None:
        problems.append(
            _("Unknown home municipality “%(value)s”.") % {"value": data["home_municipality"]}
            if data["home_municipality"]
            else _("The home municipality is missing.")
        )
    if data["register_number"]:
        data["register_number"] = normalise_register_number(data["register_number"])
    if data["business_id"]:
        data["business_id"] = normalise_business_id(data["business_id"])
    if data["phone"]:
        # Stored in E.164, so "040 123 4567" in the file is no change to a listing that has it.
        data["phone"] = normalise_phone(data["phone"])
    if data["postal_code"].isdigit() and len(data["postal_code"]) < 5:
        # A spreadsheet that read 00100 as a number gives 100.
        data["postal_code"] = data["postal_code"].zfill(5)
    lookups = {
        "municipalities": (refs.municipalities, _("Unknown municipality “%(value)s”.")),
        "sectors": (refs.sectors, _("Unknown sector “%(value)s”.")),
        "target_groups": (refs.target_groups, _("Unknown target group “%(value)s”.")),
        "languages": (refs.languages, _("Unknown language “%(value)s”.")),
    }
    for key, (index, message) in lookups.items():
        items = []
        for part in _split(data[key]):
            item = index.get(part.lower())
            if item is None:
                problems.append(message % {"value": part})
            elif item not in items:
                items.append(item)
        row.related[key] = items
    if problems:
        row.result.messages = problems
    else:
        row.home = home
    return row


def _load_matches(chunk: list[_Row], refs: _References) -> dict[int, Organisation]:
    """The saved listings the chunk's rows may match, with their current classifications."""
    pks = set()
    for row in chunk:
        if row.home is None:
            continue
        for index, key, _label in refs.match_keys(row.data, row.home):
            for entry in index.get(key, []) if key else []:
                pk = entry if isinstance(entry, int) else entry.pk
                if pk is not None:
                    pks.add(pk)
    if not pks:
        return {}
    loaded = Organisation.objects.in_bulk(pks)
    for organisation in loaded.values():
        organisation._import_related = {key: set() for key in RELATION_FIELDS}
    for key in RELATION_FIELDS:
        through, column = _relation_columns(key)
        for organisation_id, related_id in through.objects.filter(organisation_id__in=pks).values_list(
            "organisation_id", column
        ):
            loaded[organisation_id]._import_related[key].add(related_id)
    return loaded


def _bulk_insert(model, objects: list, *, assign_ids: bool = False) -> None:
    """Insert rows with COPY on PostgreSQL (several times faster than INSERTs), else bulk_create.

    With ``assign_ids`` the objects get their primary keys first, from the table's sequence. The
    same technique as the demo loader (``organisations.demo.seed``).
    """
    if not objects:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objects)
        return
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not (f.primary_key and not assign_ids)]
    table = connection.ops.quote_name(meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        if assign_ids:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(objects)],
            )
            for obj, (pk,) in zip(objects, cursor.fetchall(), strict=True):
                obj.pk = pk
        # Plain values need no preparation (psycopg adapts them); only the others go through Django.
        plain = [_is_plain(f) for f in fields]
        attnames = [f.attname for f in fields]
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for obj in objects:
                copy.write_row(
                    [
                        getattr(obj, attname)
                        if is_plain
                        else f.get_db_prep_save(f.pre_save(obj, add=True), connection=connection)
                        for f, attname, is_plain in zip(fields, attnames, plain, strict=True)
                    ]
                )


def _plain(value):
    # A version keeps a file field as its name (text), as simple_history's own save does.
    return value.name if isinstance(value, FieldFile) else value


def _is_plain(field) -> bool:
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return False
    return isinstance(
        field,
        models.CharField
        | models.TextField
        | models.IntegerField
        | models.BooleanField
        | models.DateField
        | models.ForeignKey,
    )


def _copy_rows(model, attnames: list[str], rows: list[tuple]) -> None:
    """Insert plain tuples of integers (link rows) without building a model object for each."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**dict(zip(attnames, row, strict=True))) for row in rows])
        return
    meta = model._meta
    table = connection.ops.quote_name(meta.db_table)
    # ``get_field`` knows fields by their attnames too ("organisation_id").
    columns = ", ".join(connection.ops.quote_name(meta.get_field(name).column) for name in attnames)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


class _ChunkWriter:
    """Collects a chunk's new and changed listings and writes them with bulk statements.

    A dry run collects the same and writes nothing: every decision of the report is taken in
    memory before the writes, so writing and rolling back would only cost time.
    """

    def __init__(self, user: User | None, *, dry_run: bool) -> None:
        self.user = user
        self.dry_run = dry_run
        self.creates: list[Organisation] = []
        self.updates: dict[int, Organisation] = {}
        self.update_fields: set[str] = set()
        self.additions: list[tuple[str, Organisation, int]] = []

    def flush(self) -> set[int]:
        if self.dry_run:
            return set()
        now = timezone.now()
        for organisation in self.creates:
            organisation.created_at = organisation.updated_at = now
        _bulk_insert(Organisation, self.creates, assign_ids=True)
        updates = list(self.updates.values())
        if updates:
            for organisation in updates:
                organisation.updated_at = now
            Organisation.objects.bulk_update(updates, sorted({*self.update_fields, "updated_at"}))
        by_key: dict[str, list[tuple]] = {}
        for key, organisation, related_id in self.additions:
            by_key.setdefault(key, []).append((organisation.pk, related_id))
        for key, rows in by_key.items():
            through, column = _relation_columns(key)
            _copy_rows(through, ["organisation_id", column], rows)
        touched = {organisation.pk for organisation in self.creates}
        touched.update(organisation.pk for organisation in updates)
        touched.update(organisation.pk for _key, organisation, _related_id in self.additions)
        self._record_versions(touched, now)
        return touched

    def _record_versions(self, touched: set[int], now) -> None:
        """One version per listing written, with its classifications, as a save would record."""
        if not touched:
            return
        version_model = Organisation.history.model
        created = {organisation.pk for organisation in self.creates}
        organisations = [*self.creates, *(o for o in self.updates.values() if o.pk not in created)]
        seen = {organisation.pk for organisation in organisations}
        # Listings that only gained a classification are versioned too.
        organisations += list(Organisation.objects.filter(pk__in=touched - seen))
        versions = [
            version_model(
                history_date=now,
                history_user=self.user,
                history_change_reason=gettext_noop("Imported from a spreadsheet"),
                history_type="+" if organisation.pk in created else "~",
                **{
                    field.attname: _plain(getattr(organisation, field.attname))
                    for field in version_model.tracked_fields
                },
            )
            for organisation in organisations
        ]
        _bulk_insert(version_model, versions, assign_ids=True)
        version_of = {version.id: version.pk for version in versions}
        for key in RELATION_FIELDS:
            through, column = _relation_columns(key)
            relation_version_model = apps.get_model("organisations", f"HistoricalOrganisation_{key}")
            rows = through.objects.filter(organisation_id__in=touched).values_list("id", "organisation_id", column)
            _copy_rows(
                relation_version_model,
                ["id", "organisation_id", column, "history_id"],
                [
                    (pk, organisation_id, related_id, version_of[organisation_id])
                    for pk, organisation_id, related_id in rows
                ],
            )


def _import_row(row: _Row, refs: _References, loaded: dict[int, Organisation], writer: _ChunkWriter) -> RowResult:
    result = row.result
    if row.home is None:
        return result
    data, home = row.data, row.home
    organisation, match_problem = _match(data, home, refs, loaded)
    if match_problem:
        result.messages = [match_problem]
        return result
    creating = organisation is None
    if creating:
        organisation = Organisation(home_municipality=home, status=Organisation.Status.PUBLISHED)
        organisation._import_related = {key: set() for key in RELATION_FIELDS}
    pending = creating or organisation.pk is None
    changes = []
    previous = {"home_municipality": organisation.home_municipality_id}
    if not creating and organisation.home_municipality_id != home.pk:
        organisation.home_municipality = home
        changes.append("home_municipality")
    for key in SCALAR_FIELDS:
        value = data[key]
        if value and getattr(organisation, key) != value:
            previous[key] = getattr(organisation, key)
            setattr(organisation, key, value)
            changes.append(key)
    if creating:
        organisation.slug = unique_slug(organisation.name, taken=refs.slugs, check_database=False)
    try:
        # Uniqueness is not asked of the database row by row: the only unique field, the slug,
        # comes from the set of every slug in use.
        # The home municipality comes from the reference rows read at the start: no query to check it.
        organisation.full_clean(
            exclude=["search_document", "home_municipality"], validate_unique=False, validate_constraints=False
        )
    except ValidationError as error:
        if not creating:
            # The listing object is shared with later rows of the chunk: undo this row's edits.
            organisation.home_municipality_id = previous.pop("home_municipality")
            for key, value in previous.items():
                setattr(organisation, key, value)
        result.messages = [
            f"{organisation_field_label(name)}: {message}" if name != "__all__" else message
            for name, messages in error.message_dict.items()
            for message in messages
        ]
        return result
    additions = {}
    for key, items in row.related.items():
        new = [item for item in items if item.pk not in organisation._import_related[key]]
        if new:
            additions[key] = new
            if not creating:
                changes.append(key)
    if not creating and not changes:
        result.action = "unchanged"
        result.organisation_id = organisation.pk
        return result
    for key, items in additions.items():
        for item in items:
            organisation._import_related[key].add(item.pk)
            writer.additions.append((key, organisation, item.pk))
    if creating:
        writer.creates.append(organisation)
        refs.remember(organisation, organisation.register_number, organisation.business_id, organisation.name, home.pk)
        result.action = "create"
    else:
        if not pending:
            writer.updates[organisation.pk] = organisation
            writer.update_fields.update(key for key in changes if key not in RELATION_FIELDS)
        result.action = "update"
        result.messages = [_("Changes: %(fields)s") % {"fields": ", ".join(str(LABELS[key]) for key in changes)}]
    result.organisation = organisation
    return result


def _match(
    data: dict[str, str], home: Municipality, refs: _References, loaded: dict[int, Organisation]
) -> tuple[Organisation | None, str]:
    """The existing listing this row describes: by register number, then Business ID, then name + home."""
    for index, key, label in refs.match_keys(data, home):
        if not key:
            continue
        found = index.get(key, [])
        if len(found) > 1:
            return None, ngettext(
                "%(count)s association matches by %(key)s; fix the directory first.",
                "%(count)s associations match by %(key)s; fix the directory first.",
                len(found),
            ) % {"count": len(found), "key": label}
        if found:
            entry = found[0]
            if isinstance(entry, int):
                organisation = loaded[entry]
            else:
                organisation = loaded.get(entry.pk, entry) if entry.pk is not None else entry
            for identifier, existing in (
                ("register_number", normalise_register_number(organisation.register_number)),
                ("business_id", ytunnus.compact(organisation.business_id) if organisation.business_id else ""),
            ):
                given = data[identifier]
                if identifier == "business_id" and given:
                    given = ytunnus.compact(given)
                if given and existing and given != existing:
                    return None, _("Matches “%(name)s” by %(key)s, but its %(identifier)s differs (%(existing)s).") % {
                        "name": organisation.name,
                        "key": label,
                        "identifier": str(LABELS[identifier]),
                        "existing": organisation.register_number
                        if identifier == "register_number"
                        else organisation.business_id,
                    }
            return organisation, ""
    return None, ""
