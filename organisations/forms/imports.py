"""Staff's upload of a spreadsheet of associations, and reading it into a table.

The file is read whole (at most 5 MB) into a table whose columns are recognised by their headings
(the export's labels in any language, or the words regions' own sheets tend to use); a file that
cannot be read gets one clear reason why. ``organisations.services.imports`` matches the rows.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
import zipfile
from dataclasses import dataclass
from datetime import date, datetime

from django import forms
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.forms import NoControlCharactersMixin

MAX_IMPORT_BYTES = 5 * 1024 * 1024
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
        return upload
