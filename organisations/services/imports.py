"""Reading a region's spreadsheet of associations and matching it against the directory.

The file is read whole (at most 5 MB, see ``forms.imports``) into a table; every
row is then matched on the association register number, then the Business ID, then the name and
home municipality, and turned into a create, an update, "unchanged" or a rejection with reasons.
A dry run does exactly the same work inside a transaction that is rolled back, so the report of the
dry run is the report of the real run. The import never erases: blank cells leave the listing's
value as it is, and listed municipalities, sectors, target groups and languages are added.
Contact-person fields are never imported (they need the association's own consent).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from stdnum.fi import ytunnus

from accounts.models import User
from portal.audit import audit_record
from portal.forms import has_control_characters

from ..forms.imports import (
    LABELS,
    MAX_IMPORT_BYTES,
    RELATION_FIELDS,
    SCALAR_FIELDS,
    ImportFileError,
    Table,
    read_table,
)
from ..models import ImportBatch, Language, Municipality, Organisation, Sector, TargetGroup, organisation_field_label
from ..search import refresh_search_index
from ..validators import normalise_business_id, normalise_phone, normalise_register_number
from .common import unique_slug


@dataclass
class RowResult:
    line: int
    action: str  # create, update, unchanged, reject
    name: str
    messages: list[str] = field(default_factory=list)
    organisation_id: int | None = None


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
    *, user: User, file_name: str, content: bytes, request: HttpRequest | None = None
) -> ImportBatch:
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
    audit_record(
        action="organisations.import.dry_run",
        actor=user,
        target=batch,
        details={"file_name": batch.file_name, "status": batch.status, "summary": batch.report.get("summary", {})},
        request=request,
    )
    return batch


@transaction.atomic
def import_batch_apply(
    *, batch: ImportBatch, user: User | None = None, request: HttpRequest | None = None
) -> ImportBatch:
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
    audit_record(
        action="organisations.import.applied",
        actor=user,
        target=batch,
        details={"file_name": batch.file_name, "status": batch.status, "summary": batch.report.get("summary", {})},
        request=request,
    )
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


class _References:
    """Lookups from the names people write to reference rows, and indexes of existing listings."""

    def __init__(self) -> None:
        self.municipalities = self._index(Municipality, ("code", "slug", "name_fi", "name_sv"))
        self.sectors = self._index(Sector, ("slug", "name_fi", "name_sv", "name_en"))
        self.target_groups = self._index(TargetGroup, ("slug", "name_fi", "name_sv", "name_en"))
        self.languages = self._index(Language, ("code", "name_fi", "name_sv", "name_en"))
        self.by_register: dict[str, list[int]] = {}
        self.by_business: dict[str, list[int]] = {}
        self.by_name: dict[tuple[str, int], list[int]] = {}
        existing = Organisation.objects.values_list("pk", "register_number", "business_id", "name", "home_municipality")
        for pk, register_number, business_id, name, home_id in existing.iterator(chunk_size=5000):
            self.remember(pk, register_number, business_id, name, home_id)
        self.slugs: set[str] = set()

    @staticmethod
    def _index(model, fields) -> dict[str, object]:
        index = {}
        for item in model.objects.all():
            for field_name in fields:
                value = getattr(item, field_name)
                if value:
                    index[value.strip().lower()] = item
        return index

    def remember(self, pk: int, register_number: str, business_id: str, name: str, home_id: int) -> None:
        if register_number:
            self.by_register.setdefault(normalise_register_number(register_number), []).append(pk)
        if business_id:
            self.by_business.setdefault(ytunnus.compact(business_id), []).append(pk)
        self.by_name.setdefault((name.strip().lower(), home_id), []).append(pk)


# Free text and the lists (which may be one item a line) may hold tabs and line breaks.
MULTI_LINE_FIELDS = frozenset({"description", *RELATION_FIELDS})


def _split(value: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;,\n]", value) if part.strip()]


def import_rows(*, table: Table, dry_run: bool) -> ImportReport:
    report = ImportReport(ignored_columns=table.ignored)
    with transaction.atomic():
        references = _References()
        touched: list[int] = []
        for line, cells in table.rows:
            with transaction.atomic():
                result = _import_row(line, cells, table.columns, references)
            report.rows.append(result)
            if result.action in ("create", "update") and result.organisation_id:
                touched.append(result.organisation_id)
        if touched:
            refresh_search_index(touched)
        if dry_run:
            transaction.set_rollback(True)
    return report


def _value(cells: list[str], columns: dict[str, int], key: str) -> str:
    index = columns.get(key)
    if index is None or index >= len(cells):
        return ""
    return cells[index].strip()


def _import_row(line: int, cells: list[str], columns: dict[str, int], refs: _References) -> RowResult:
    data = {key: _value(cells, columns, key) for key in (*SCALAR_FIELDS, "home_municipality", *RELATION_FIELDS)}
    result = RowResult(line=line, action="reject", name=data["name"])
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
    related = {}
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
            else:
                items.append(item)
        related[key] = items
    if problems:
        result.messages = problems
        return result

    organisation, match_problem = _match(data, home, refs)
    if match_problem:
        result.messages = [match_problem]
        return result
    creating = organisation is None
    if creating:
        organisation = Organisation(home_municipality=home, status=Organisation.Status.PUBLISHED)
    changes = []
    if not creating and organisation.home_municipality_id != home.pk:
        organisation.home_municipality = home
        changes.append(str(LABELS["home_municipality"]))
    for key in SCALAR_FIELDS:
        value = data[key]
        if value and getattr(organisation, key) != value:
            setattr(organisation, key, value)
            changes.append(str(LABELS[key]))
    if creating:
        organisation.slug = unique_slug(organisation.name, taken=refs.slugs)
    try:
        organisation.full_clean(exclude=["search_document"])
    except ValidationError as error:
        result.messages = [
            f"{organisation_field_label(name)}: {message}" if name != "__all__" else message
            for name, messages in error.message_dict.items()
            for message in messages
        ]
        return result
    additions = {}
    if not creating:
        for key, items in related.items():
            current = set(getattr(organisation, key).values_list("pk", flat=True))
            new = [item for item in items if item.pk not in current]
            if new:
                additions[key] = new
                changes.append(str(LABELS[key]))
    else:
        additions = {key: items for key, items in related.items() if items}
    if not creating and not changes:
        result.action = "unchanged"
        result.organisation_id = organisation.pk
        return result
    organisation.save()
    for key, items in additions.items():
        getattr(organisation, key).add(*items)
    if creating:
        refs.remember(
            organisation.pk, organisation.register_number, organisation.business_id, organisation.name, home.pk
        )
        result.action = "create"
    else:
        result.action = "update"
        result.messages = [_("Changes: %(fields)s") % {"fields": ", ".join(changes)}]
    result.organisation_id = organisation.pk
    return result


def _match(data: dict[str, str], home: Municipality, refs: _References) -> tuple[Organisation | None, str]:
    """The existing listing this row describes: by register number, then Business ID, then name + home."""
    keys = (
        (refs.by_register, data["register_number"], "register_number", _("association register number")),
        (
            refs.by_business,
            ytunnus.compact(data["business_id"]) if data["business_id"] else "",
            "business_id",
            _("Business ID (Y-tunnus)"),
        ),
        (refs.by_name, (data["name"].lower(), home.pk), None, _("name and home municipality")),
    )
    for index, key, _field, label in keys:
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
            organisation = Organisation.objects.get(pk=found[0])
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
