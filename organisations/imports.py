"""Reading a region's spreadsheet of associations and matching it against the directory.

The file is read whole (at most 5 MB, see ``services_exports.MAX_IMPORT_BYTES``) into a table; every
row is then matched on the association register number, then the Business ID, then the name and
home municipality, and turned into a create, an update, "unchanged" or a rejection with reasons.
A dry run does exactly the same work inside a transaction that is rolled back, so the report of the
dry run is the report of the real run. The import never erases: blank cells leave the listing's
value as it is, and listed municipalities, sectors, target groups and languages are added.
Contact-person fields are never imported (they need the association's own consent).
"""

from __future__ import annotations

import csv
import io
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from stdnum.fi import ytunnus

from .models import Language, Municipality, Organisation, Sector, TargetGroup
from .search import refresh_search_index
from .validators import normalise_business_id, normalise_register_number

MAX_ROWS = 20_000
MAX_COLUMNS = 100

SCALAR_FIELDS = (
    "name",
    "name_sv",
    "register_number",
    "business_id",
    "email",
    "phone",
    "website",
    "street_address",
    "postal_code",
    "post_office",
    "description",
)
RELATION_FIELDS = ("municipalities", "sectors", "target_groups", "languages")
REQUIRED = ("name", "home_municipality")

# Labels as the export writes them (any language) plus the words regions' own sheets tend to use.
LABELS = {
    "name": gettext_lazy("name"),
    "name_sv": gettext_lazy("name in Swedish"),
    "register_number": gettext_lazy("association register number"),
    "business_id": gettext_lazy("Business ID (Y-tunnus)"),
    "home_municipality": gettext_lazy("home municipality"),
    "municipalities": gettext_lazy("municipalities of activity"),
    "sectors": gettext_lazy("sectors"),
    "target_groups": gettext_lazy("target groups"),
    "languages": gettext_lazy("languages of activity"),
    "email": gettext_lazy("public e-mail"),
    "phone": gettext_lazy("public phone"),
    "website": gettext_lazy("website"),
    "street_address": gettext_lazy("street address"),
    "postal_code": gettext_lazy("postal code"),
    "post_office": gettext_lazy("post office"),
    "description": gettext_lazy("description"),
}
EXTRA_ALIASES = {
    "nimi": "name",
    "yhdistys": "name",
    "yhdistyksen nimi": "name",
    "rekisterinumero": "register_number",
    "yhdistysrekisterinumero": "register_number",
    "y-tunnus": "business_id",
    "ytunnus": "business_id",
    "kotikunta": "home_municipality",
    "kunta": "home_municipality",
    "toimintakunnat": "municipalities",
    "toimiala": "sectors",
    "toimialat": "sectors",
    "kohderyhmä": "target_groups",
    "kohderyhmät": "target_groups",
    "kieli": "languages",
    "kielet": "languages",
    "sähköposti": "email",
    "puhelin": "phone",
    "verkkosivut": "website",
    "kotisivu": "website",
    "kotisivut": "website",
    "www": "website",
    "osoite": "street_address",
    "lähiosoite": "street_address",
    "postinumero": "postal_code",
    "postitoimipaikka": "post_office",
    "kuvaus": "description",
}


class ImportFileError(Exception):
    """The file as a whole cannot be read; ``message`` says why, in the user's language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @classmethod
    def too_large(cls, limit: int) -> ImportFileError:
        return cls(_("The file is too large. The maximum is %(size)s MB.") % {"size": limit // (1024 * 1024)})


@dataclass
class Table:
    columns: dict[str, int]  # field -> column index
    ignored: list[str]
    rows: list[tuple[int, list[str]]]  # (line or row number in the file, cells)


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


def _normalise_heading(value: str) -> str:
    return re.sub(r"\s+", " ", str(value or "")).strip().strip("'\"").strip().lower()


def _aliases() -> dict[str, str]:
    aliases = {key: key for key in (*SCALAR_FIELDS, *RELATION_FIELDS, "home_municipality")}
    aliases.update(EXTRA_ALIASES)
    for language in ("fi", "sv", "en"):
        with translation.override(language):
            aliases.update({_normalise_heading(str(label)): key for key, label in LABELS.items()})
    return aliases


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def read_table(*, file_name: str, content: bytes) -> Table:
    """Read an uploaded CSV or XLSX file into a table, or say clearly why it cannot be read."""
    if not content.strip():
        raise ImportFileError(_("The file is empty."))
    if content[:4] == b"PK\x03\x04" or file_name.lower().endswith((".xlsx", ".xlsm")):
        grid = _read_xlsx(content)
    else:
        grid = _read_csv(content)
    return _to_table(grid)


def _read_xlsx(content: bytes) -> list[tuple[int, list[str]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    not_excel = _("The file is not a valid Excel (XLSX) workbook. Save it again as .xlsx or as CSV (UTF-8).")
    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it ignores; they do not matter here.
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            try:
                sheet = workbook.worksheets[0]
                grid = []
                for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                    if number > MAX_ROWS + 1:
                        raise ImportFileError(_too_many_rows())
                    grid.append((number, [_cell(value) for value in row[:MAX_COLUMNS]]))
            finally:
                workbook.close()
    except ImportFileError:
        raise
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, TypeError, IndexError) as error:
        raise ImportFileError(not_excel) from error
    return grid


def _too_many_rows() -> str:
    return _("The file has more than %(count)s rows. Split it into smaller files.") % {"count": MAX_ROWS}


def _read_csv(content: bytes) -> list[tuple[int, list[str]]]:
    not_utf8 = _(
        "The file is not UTF-8 text. In Excel choose “Save as” and “CSV UTF-8”, or upload the workbook as XLSX."
    )
    if b"\x00" in content:
        raise ImportFileError(not_utf8)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(not_utf8) from error
    first_line = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first_line.count)
    grid = []
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        for row in reader:
            if reader.line_num > MAX_ROWS + 1:
                raise ImportFileError(_too_many_rows())
            grid.append((reader.line_num, [cell.strip() for cell in row[:MAX_COLUMNS]]))
    except csv.Error as error:
        raise ImportFileError(
            _("The file could not be read as CSV (line %(line)s).") % {"line": reader.line_num}
        ) from error
    return grid


def _to_table(grid: list[tuple[int, list[str]]]) -> Table:
    grid = [(number, cells) for number, cells in grid if any(cells)]
    if not grid:
        raise ImportFileError(_("The file is empty."))
    _number, headings = grid[0]
    aliases = _aliases()
    columns: dict[str, int] = {}
    ignored = []
    for index, heading in enumerate(headings):
        key = aliases.get(_normalise_heading(heading))
        if key and key not in columns:
            columns[key] = index
        elif heading:
            ignored.append(heading)
    missing = [key for key in REQUIRED if key not in columns]
    if missing:
        raise ImportFileError(
            _("Required columns are missing: %(missing)s. The first row must name the columns, e.g. %(example)s.")
            % {
                "missing": ", ".join(str(LABELS[key]) for key in missing),
                "example": ", ".join(str(LABELS[key]) for key in REQUIRED),
            }
        )
    return Table(columns=columns, ignored=ignored, rows=grid[1:])


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
        self.slugs = set()

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
        organisation.slug = _unique_slug(organisation.name, refs)
    try:
        organisation.full_clean(exclude=["search_document"])
    except ValidationError as error:
        result.messages = [
            f"{_field_label(name)}: {message}" if name != "__all__" else message
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


def _field_label(name: str) -> str:
    if name in LABELS:
        return str(LABELS[name])
    try:
        return str(Organisation._meta.get_field(name).verbose_name)
    except Exception:
        return name


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


def _unique_slug(name: str, refs: _References) -> str:
    base = slugify(name)[:200] or "yhdistys"
    slug = base
    number = 2
    while slug in refs.slugs or Organisation.objects.filter(slug=slug).exists():
        slug = f"{base}-{number}"
        number += 1
    refs.slugs.add(slug)
    return slug
