"""Staff's upload of a spreadsheet of associations, and reading it into a table.

The file is checked cheaply first (``inspect_upload``: size, and for a workbook its zip directory
and the sheet's extent), then read (at most 5 MB, 20,000 rows, a million cells) into a table whose
columns are recognised by their headings (the export's labels in any language, or the words
regions' own sheets tend to use); a file that cannot be read gets one clear reason why.
``organisations.services.imports`` matches the rows.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
import zipfile
import zlib
from dataclasses import dataclass
from datetime import date, datetime
from xml.etree.ElementTree import ParseError

from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.forms import NoControlCharactersMixin

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
MAX_COLUMNS = 100
# What a workbook may unpack to, and how well a member may compress before it looks like a zip bomb
# (a 20,000-row export unpacks to about 25 MB at a ratio of about 10).
MAX_UNCOMPRESSED_BYTES = 64 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
MAX_ZIP_MEMBERS = 200
# Every cell of the sheet counts, including blank ones inside its extent.
MAX_CELLS = 1_000_000
# The description, the longest field, holds 5,000; longer cells are rejected per row, much longer
# ones (a pasted book) refuse the file before they are copied around.
MAX_CELL_CHARS = 10_000

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


def inspect_upload(*, file_name: str, content: bytes) -> None:
    """The cheap checks made in the request, before anything is parsed: size, format and, for a
    workbook, what its zip says about the uncompressed size, the compression and the sheet's extent.

    A 400 kB workbook can unpack to gigabytes or hold millions of cells; such a file must be refused
    from its zip directory and the first bytes of the sheet, never by trying to read it.
    """
    if len(content) > MAX_IMPORT_BYTES:
        raise ImportFileError.too_large(MAX_IMPORT_BYTES)
    if not content.strip():
        raise ImportFileError(_("The file is empty."))
    if _is_workbook(file_name, content):
        _inspect_xlsx(content)


def _is_workbook(file_name: str, content: bytes) -> bool:
    return content[:4] == b"PK\x03\x04" or file_name.lower().endswith((".xlsx", ".xlsm"))


def _not_excel() -> str:
    return _("The file is not a valid Excel (XLSX) workbook. Save it again as .xlsx or as CSV (UTF-8).")


def _too_big_inside() -> str:
    return _(
        "The workbook unpacks to more than %(size)s MB or is compressed suspiciously well. "
        "Save it as CSV (UTF-8), or split it into smaller files."
    ) % {"size": MAX_UNCOMPRESSED_BYTES // (1024 * 1024)}


def _too_many_cells() -> str:
    return _("The sheet has more than %(count)s cells. Remove empty columns and rows, or split the file.") % {
        "count": f"{MAX_CELLS:,}".replace(",", "\u00a0")
    }


def _cell_too_long(row: int, column: int) -> str:
    return _("Row %(row)s, column %(column)s holds more than %(count)s characters.") % {
        "row": row,
        "column": column,
        "count": MAX_CELL_CHARS,
    }


_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?\"")


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _inspect_xlsx(content: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise ImportFileError(_not_excel()) from error
    with archive:
        members = archive.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            raise ImportFileError(_not_excel())
        total = 0
        for member in members:
            total += member.file_size
            ratio = member.file_size / max(member.compress_size, 1)
            if total > MAX_UNCOMPRESSED_BYTES or (member.file_size > 1024 * 1024 and ratio > MAX_COMPRESSION_RATIO):
                raise ImportFileError(_too_big_inside())
        for member in members:
            if not re.fullmatch(r"xl/worksheets/[^/]+\.xml", member.filename):
                continue
            try:
                with archive.open(member) as sheet:
                    head = sheet.read(64 * 1024)
            except (zipfile.BadZipFile, OSError, EOFError, ValueError, zlib.error) as error:
                raise ImportFileError(_not_excel()) from error
            match = _DIMENSION.search(head)
            if match:
                first_column, first_row = _column_number(match.group(1)), int(match.group(2))
                last_column = _column_number(match.group(3)) if match.group(3) else first_column
                last_row = int(match.group(4)) if match.group(4) else first_row
                if (last_row - first_row + 1) * (last_column - first_column + 1) > MAX_CELLS:
                    raise ImportFileError(_too_many_cells())
                if last_row - first_row > MAX_ROWS:
                    raise ImportFileError(_too_many_rows())


def read_table(*, file_name: str, content: bytes) -> Table:
    """Read an uploaded CSV or XLSX file into a table, or say clearly why it cannot be read.

    ``inspect_upload`` runs first; the readers then check the cell count and each cell's length as
    they go, so no limit depends on what the file claims about itself.
    """
    inspect_upload(file_name=file_name, content=content)
    grid = _read_xlsx(content) if _is_workbook(file_name, content) else _read_csv(content)
    return _to_table(grid)


class _CellCounter:
    def __init__(self) -> None:
        self.cells = 0

    def row(self, number: int, cells: list[str]) -> list[str]:
        self.cells += len(cells)
        if self.cells > MAX_CELLS:
            raise ImportFileError(_too_many_cells())
        for column, cell in enumerate(cells, start=1):
            if len(cell) > MAX_CELL_CHARS:
                raise ImportFileError(_cell_too_long(number, column))
        return cells


def _openpyxl_load_workbook():
    import openpyxl

    # openpyxl parses with defusedxml only when it is installed (and OPENPYXL_DEFUSEDXML is not
    # "False"); without it a hostile workbook's entities would be expanded by the plain parser.
    if not openpyxl.DEFUSEDXML:
        raise ImproperlyConfigured("openpyxl must use defusedxml: install it and leave OPENPYXL_DEFUSEDXML unset.")
    return openpyxl.load_workbook


def _read_xlsx(content: bytes) -> list[tuple[int, list[str]]]:
    from defusedxml import DefusedXmlException
    from openpyxl.utils.exceptions import InvalidFileException

    load_workbook = _openpyxl_load_workbook()
    counter = _CellCounter()
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
                    grid.append((number, counter.row(number, [_cell(value) for value in row[:MAX_COLUMNS]])))
            finally:
                workbook.close()
    except ImportFileError:
        raise
    except (
        DefusedXmlException,
        zipfile.BadZipFile,
        InvalidFileException,
        ParseError,
        zlib.error,
        EOFError,
        KeyError,
        OSError,
        ValueError,
        TypeError,
        IndexError,
        AttributeError,
    ) as error:
        # openpyxl wraps what the parser raised in a ValueError of its own: look down the chain.
        cause: BaseException | None = error
        while cause is not None and not isinstance(cause, DefusedXmlException):
            cause = cause.__cause__ or cause.__context__
        if cause is not None:
            raise ImportFileError(
                _(
                    "The workbook contains XML entity or DTD declarations, which are not accepted. "
                    "Save it again in Excel."
                )
            ) from error
        raise ImportFileError(_not_excel()) from error
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
    counter = _CellCounter()
    grid = []
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        for row in reader:
            if reader.line_num > MAX_ROWS + 1:
                raise ImportFileError(_too_many_rows())
            grid.append((reader.line_num, counter.row(reader.line_num, [cell.strip() for cell in row[:MAX_COLUMNS]])))
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            # The csv module stops at its own limit (128 kB) before the row is complete.
            raise ImportFileError(
                _("Line %(line)s holds a cell of more than %(count)s characters.")
                % {"line": reader.line_num, "count": MAX_CELL_CHARS}
            ) from error
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


class ImportUploadForm(NoControlCharactersMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet (CSV or XLSX)"),
        help_text=gettext_lazy("The first row names the columns. CSV files must be UTF-8. At most 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                gettext_lazy("The file is too large. The maximum is %(size)s MB."),
                params={"size": MAX_IMPORT_BYTES // (1024 * 1024)},
                code="too_large",
            )
        content = upload.read()
        try:
            inspect_upload(file_name=upload.name, content=content)
        except ImportFileError as error:
            raise forms.ValidationError(error.message, code="unreadable") from error
        self.cleaned_data["content"] = content
        return upload
