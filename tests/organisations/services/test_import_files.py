"""Hostile and oversized spreadsheets: refused with a clear, translated reason, never a 500, nothing
written, and never by trying to unpack or parse what the zip directory already gives away."""

import csv
import io
import zipfile

import openpyxl
import pytest
from django.utils import translation
from openpyxl import Workbook

from organisations.forms.imports import (
    MAX_CELL_CHARS,
    MAX_CELLS,
    MAX_UNCOMPRESSED_BYTES,
    ImportFileError,
    inspect_upload,
    read_table,
)
from organisations.models import ImportBatch, ImportJob, Organisation
from tests.organisations.imports_helpers import run_import_jobs
from tests.organisations.services.test_imports import upload

pytestmark = pytest.mark.django_db

SHEET = "xl/worksheets/sheet1.xml"
MAIN = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def workbook(*rows) -> bytes:
    book = Workbook()
    for row in rows or (["nimi", "kotikunta"], ["Kuopion Kuoro ry", "Kuopio"]):
        book.active.append(row)
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def replaced(content: bytes, member: str, data: bytes, *, level: int = 6) -> bytes:
    """The workbook with one member's bytes replaced (or added)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as target:
        for item in source.infolist():
            if item.filename != member:
                target.writestr(item.filename, source.read(item.filename))
        target.writestr(member, data)
    return stream.getvalue()


def sheet(cells: str, *, dimension: str = "A1:B2", prolog: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<worksheet {MAIN}><dimension ref="{dimension}"/>'
        f"<sheetData>{cells}</sheetData></worksheet>"
    ).encode()


HEADER_ROW = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>nimi</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>kotikunta</t></is></c></row>'
)


def data_row(number: int, name: str, home: str = "Kuopio") -> str:
    return (
        f'<row r="{number}"><c r="A{number}" t="inlineStr"><is><t>{name}</t></is></c>'
        f'<c r="B{number}" t="inlineStr"><is><t>{home}</t></is></c></row>'
    )


def refused_at_upload(staff_client, content: bytes, name: str) -> str:
    response = upload(staff_client, content, name)
    assert response.status_code == 200
    assert ImportBatch.objects.count() == 0
    return response.content.decode()


def failed_in_the_job(staff_client, content: bytes, name: str = "lista.xlsx") -> str:
    """Accepted by the cheap checks, refused by the reader: the job fails with the reason."""
    response = upload(staff_client, content, name)
    assert response.status_code == 302
    run_import_jobs()
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.FAILED
    assert batch.jobs.get().status == ImportJob.Status.FAILED
    assert bytes(batch.content) == b""
    page = staff_client.get(response["Location"])
    assert page.status_code == 200
    assert batch.report["error"] in page.content.decode().replace("&quot;", '"').replace("&#x27;", "'")
    assert Organisation.objects.published().count() == 0
    return batch.report["error"]


@pytest.fixture
def staff_client(client, login_as):
    login_as(client, "staff")
    return client


def test_openpyxl_parses_with_defusedxml():
    assert openpyxl.DEFUSEDXML is True


def test_a_workbook_unpacking_to_hundreds_of_megabytes_is_refused_from_its_zip_directory(staff_client):
    # One cell of 400 MB compresses to about 400 kB; only the directory is read.
    huge = sheet(HEADER_ROW + '<row r="2"><c r="A2" t="inlineStr"><is><t>', dimension="A1:B2")
    content = replaced(
        workbook(), SHEET, huge + b"x" * (MAX_UNCOMPRESSED_BYTES + 1024) + b"</t></is></c></row>", level=1
    )
    assert len(content) < 5 * 1024 * 1024
    page = refused_at_upload(staff_client, content, "pommi.xlsx")
    assert "epäilyttävän" in page


def test_a_member_compressed_suspiciously_well_is_refused(staff_client):
    # Two megabytes of one letter: under the total limit, but a ratio no real sheet has.
    bomb = sheet(HEADER_ROW + data_row(2, "A" * (2 * 1024 * 1024)))
    content = replaced(workbook(), SHEET, bomb, level=9)
    with pytest.raises(ImportFileError):
        inspect_upload(file_name="pommi.xlsx", content=content)
    refused_at_upload(staff_client, content, "pommi.xlsx")


def test_a_sheet_claiming_millions_of_cells_is_refused_before_parsing(staff_client):
    # 20,000 rows of 800 columns: the dimension in the sheet's first bytes gives it away.
    content = replaced(workbook(), SHEET, sheet(HEADER_ROW, dimension="A1:ADT20000"))
    page = refused_at_upload(staff_client, content, "leveä.xlsx")
    assert "solua" in page


def test_cells_are_counted_while_reading_whatever_the_dimension_says(staff_client):
    # No dimension to go by: the reader counts and stops at the limit.
    columns = MAX_CELLS // 20_000 + 1
    stream = io.StringIO()
    writer = csv.writer(stream, delimiter=";")
    writer.writerow(["nimi", "kotikunta", *(f"c{index}" for index in range(columns - 2))])
    for number in range(20_000):
        writer.writerow([f"Yhdistys {number}", "Kuopio", *("" for _index in range(columns - 2))])
    with translation.override("en"), pytest.raises(ImportFileError, match="cells"):
        read_table(file_name="leveä.csv", content=stream.getvalue().encode())


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_an_overlong_cell_refuses_the_file_with_its_place(staff_client, kind):
    long = "x" * (MAX_CELL_CHARS + 1)
    if kind == "csv":
        content = f"nimi;kotikunta;kuvaus\nKuoro ry;Kuopio;{long}\n".encode()
    else:
        content = workbook(["nimi", "kotikunta", "kuvaus"], ["Kuoro ry", "Kuopio", long])
    error = failed_in_the_job(staff_client, content, f"pitkä.{kind}")
    assert "Rivin 2" in error
    assert str(MAX_CELL_CHARS) in error


XXE = '<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
LAUGHS = (
    '<!DOCTYPE worksheet [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">' for n in range(1, 10))
    + "]>"
)


@pytest.mark.parametrize(
    ("prolog", "entity"), [(XXE, "&xxe;"), (LAUGHS, "&lol9;")], ids=["external-entity", "billion-laughs"]
)
def test_hostile_workbook_xml_gives_a_clear_error(staff_client, prolog, entity):
    hostile = sheet(HEADER_ROW + data_row(2, entity), prolog=prolog)
    content = replaced(workbook(), SHEET, hostile)
    error = failed_in_the_job(staff_client, content)
    assert "DTD" in error


def test_a_hostile_workbook_part_gives_a_clear_error(staff_client):
    # The workbook part is parsed whole (not streamed), by openpyxl's defused ``fromstring``.
    part = (
        f'<?xml version="1.0"?>{LAUGHS}<workbook {MAIN}><sheets><sheet name="&lol9;" sheetId="1"/></sheets></workbook>'
    )
    content = replaced(workbook(), "xl/workbook.xml", part.encode())
    assert "DTD" in failed_in_the_job(staff_client, content)


def test_truncated_sheet_xml_gives_a_clear_error(staff_client):
    whole = sheet(HEADER_ROW + "".join(data_row(n, f"Yhdistys {n}") for n in range(2, 200)), dimension="A1:B199")
    content = replaced(workbook(), SHEET, whole[: len(whole) // 2])
    assert "XLSX" in failed_in_the_job(staff_client, content)


def test_a_csv_cell_beyond_the_csv_modules_own_limit_is_refused_with_its_line(staff_client):
    content = b"nimi;kotikunta;kuvaus\nKuoro ry;Kuopio;" + b"x" * 200_000 + b"\n"
    assert "Rivillä 2" in failed_in_the_job(staff_client, content, "pitkä.csv")
