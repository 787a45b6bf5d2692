"""The hand-written XLSX writer, read back with openpyxl: real dates and an autofilter."""

import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from organisations.exports import COLUMNS
from organisations.exports.columns import DATE_COLUMNS
from organisations.exports.xlsx import excel_date, stream_xlsx
from tests.organisations.factories import OrganisationFactory, municipal_contact_user


def read(pieces) -> object:
    # Not read-only: the autofilter and cell styles are only read in the normal mode.
    return load_workbook(io.BytesIO(b"".join(pieces)))


def test_date_column_cells_are_dates_and_the_header_row_has_an_autofilter():
    workbook = read(
        stream_xlsx(
            sheet_name="Yhdistykset",
            header=["nimi", "puhelin", "vahvistettu"],
            row_chunks=[[("A ry", "+358 40 1", "2026-03-05")], [("B ry", None, None), ("C ry", None, "ei tiedossa")]],
            text_columns=[1],
            date_columns=[2],
        )
    )
    sheet = workbook.active
    dated = sheet["C2"]
    assert dated.is_date
    assert dated.value.date() == date(2026, 3, 5)
    assert sheet["C3"].value is None
    # Whatever is not an ISO date stays the text it was.
    assert sheet["C4"].value == "ei tiedossa"
    assert not sheet["C4"].is_date
    assert sheet["B2"].value == "+358 40 1"
    assert sheet["B2"].number_format == "@"
    assert sheet.auto_filter.ref == "A1:C4"
    assert sheet.freeze_panes == "A2"


def test_an_empty_sheet_filters_its_header_row():
    sheet = read(stream_xlsx(sheet_name="x", header=["a", "b"], row_chunks=[])).active
    assert sheet.auto_filter.ref == "A1:B1"
    assert [cell.value for cell in sheet[1]] == ["a", "b"]


def test_excel_serial_days():
    assert excel_date("1900-03-01") == 61
    assert excel_date("2026-12-02") == 46358
    assert excel_date("2.12.2026") is None
    assert excel_date("") is None


@pytest.mark.django_db
def test_export_confirmation_date_is_an_excel_date(client):
    confirmed = timezone.now() - timedelta(days=3)
    OrganisationFactory(name="Kuopion Kuoro ry", information_confirmed_at=confirmed)
    OrganisationFactory(name="Kuopion Seura ry", information_confirmed_at=None)
    client.force_login(municipal_contact_user("297"))
    response = client.get(reverse("organisations:export", args=["xlsx"]))
    sheet = read(response.streaming_content).active
    [column] = DATE_COLUMNS
    assert COLUMNS[column].key == "information_confirmed_at"
    cells = {row[0].value: row[column] for row in sheet.iter_rows(min_row=2)}
    assert cells["Kuopion Kuoro ry"].is_date
    assert cells["Kuopion Kuoro ry"].value.date() == timezone.localtime(confirmed).date()
    assert cells["Kuopion Seura ry"].value is None
    last = sheet.cell(row=1, column=len(COLUMNS)).column_letter
    assert sheet.auto_filter.ref == f"A1:{last}3"
