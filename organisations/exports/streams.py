"""Streaming an export as CSV, XLSX or a list of e-mail addresses, with flat memory.

On PostgreSQL the rows come from ``export_sql`` through a server-side cursor, and CSV is written by
the server itself (COPY). Other databases (the SQLite demo) take the portable path,
``_python_row_chunks``: the same cells built in Python, chunk by chunk.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, models, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ..models import Language, Municipality, Organisation, Sector, TargetGroup
from ..permissions import CONTACT_FIELDS, visible_contact_fields
from .columns import COLUMNS, CONTACT_EMAIL_INDEX, DATE_COLUMNS, EMAIL_INDEX, PHONE_COLUMNS, header, neutralise
from .sql import export_sql
from .xlsx import stream_xlsx

CHUNK_SIZE = 5000
BOM = "\ufeff"
SEPARATORS = {"comma": ",", "semicolon": ";"}


@dataclass(frozen=True)
class PreparedExport:
    """Everything that depends on the request (language, account, filters), fixed before streaming.

    The body is produced after the view has returned, when the request's language may no longer be
    active: the SQL, with its translated labels, and the headings are made in the view.
    """

    sql: str
    params: list
    header: list[str]
    sheet_name: str
    # For the portable path: what to select, for whom, in which language and time zone.
    queryset: QuerySet[Organisation]
    user: object
    language: str
    timezone_name: str


def prepare(queryset: QuerySet[Organisation], *, user) -> PreparedExport:
    sql, params = export_sql(queryset, user=user) if connection.vendor == "postgresql" else ("", [])
    return PreparedExport(
        sql=sql,
        params=params,
        header=header(),
        sheet_name=str(_("Associations")),
        queryset=queryset,
        user=user,
        language=get_language() or "fi",
        timezone_name=timezone.get_current_timezone_name(),
    )


def _python_row(organisation: Organisation, *, user, swedish: bool, tz) -> tuple:
    """The cells of one association, as ``export_sql`` makes them (empty text is None)."""

    def cell(value: str, *, phone: bool = False) -> str | None:
        return neutralise(value, phone=phone) or None

    def names(objects) -> str:
        return ", ".join((obj.name_sv or obj.name_fi) if swedish else obj.name_fi for obj in objects)

    home = organisation.home_municipality
    visible = visible_contact_fields(user, organisation, as_municipal_contact=True)
    confirmed = organisation.information_confirmed_at
    return (
        cell(organisation.name),
        cell(organisation.name_sv),
        cell(organisation.register_number),
        cell(organisation.business_id),
        cell((home.name_sv or home.name_fi) if swedish else home.name_fi),
        cell(names(organisation.municipalities.all())),
        cell(names(organisation.sectors.all())),
        cell(names(organisation.target_groups.all())),
        cell(names(organisation.languages.all())),
        cell(organisation.email),
        cell(organisation.phone, phone=True),
        cell(organisation.website),
        cell(organisation.street_address),
        cell(organisation.postal_code),
        cell(organisation.post_office),
        str(organisation.get_status_display()),
        confirmed.astimezone(tz).strftime("%Y-%m-%d") if confirmed else None,
        *(
            cell(getattr(organisation, field), phone=field == "contact_phone") if field in visible else None
            for field in CONTACT_FIELDS
        ),
    )


def _python_row_chunks(prepared: PreparedExport, *, chunk_size: int = CHUNK_SIZE) -> Iterator[list[tuple]]:
    """The portable twin of the SQL path; the tests hold the two to the same rows."""
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(prepared.timezone_name)
    organisations = (
        prepared.queryset.order_by("name", "pk")
        .select_related("home_municipality")
        .prefetch_related(
            models.Prefetch("municipalities", queryset=Municipality.objects.order_by("name_fi", "pk")),
            models.Prefetch("sectors", queryset=Sector.objects.order_by("position", "name_fi", "pk")),
            models.Prefetch("target_groups", queryset=TargetGroup.objects.order_by("position", "name_fi", "pk")),
            models.Prefetch("languages", queryset=Language.objects.order_by("position", "name_fi", "pk")),
        )
    )
    with translation.override(prepared.language):
        swedish = prepared.language[:2] == "sv"
        chunk: list[tuple] = []
        for organisation in organisations.iterator(chunk_size=chunk_size):
            chunk.append(_python_row(organisation, user=prepared.user, swedish=swedish, tz=tz))
            if len(chunk) >= chunk_size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk


@contextmanager
def _planned_for_whole_tables():
    """A transaction in which PostgreSQL plans the export with hash joins only, sorts in memory and
    compiles nothing.

    Right after a bulk load, before autovacuum has analysed the tables, the planner guesses a
    handful of rows and nests loops over the chosen associations: 2,000 rows then took 9 s instead
    of 0.1 s. Hash joins cost the same whatever the estimates.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_nestloop = off")
        # The sort by name of a whole region (~30 MB) then happens in memory, not in temporary files.
        cursor.execute("SET LOCAL work_mem = '64MB'")
        # The fallback subqueries for associations without related names (never run in practice)
        # inflate the estimated cost past the JIT thresholds: compiling then took 3 s, running 1 s.
        cursor.execute("SET LOCAL jit = off")
        yield


def row_chunks(prepared: PreparedExport, *, chunk_size: int = CHUNK_SIZE) -> Iterator[list[tuple]]:
    """The export's rows (text or None per cell) in chunks, through a server-side cursor."""
    if connection.vendor != "postgresql":
        yield from _python_row_chunks(prepared, chunk_size=chunk_size)
        return
    with _planned_for_whole_tables(), connection.chunked_cursor() as cursor:
        cursor.execute(prepared.sql, prepared.params)
        while chunk := cursor.fetchmany(chunk_size):
            yield chunk


def copy_csv(prepared: PreparedExport, *, separator: str) -> Iterator[bytes | int]:
    """The rows as CSV written by PostgreSQL itself (COPY ... TO STDOUT), in pieces of about 256 kB.

    Yields the pieces and, last, the row count as an int.
    """
    from psycopg import ClientCursor

    with _planned_for_whole_tables(), connection.cursor() as cursor:
        # COPY takes no bind parameters: psycopg quotes them into the statement.
        statement = ClientCursor(cursor.connection).mogrify(prepared.sql, prepared.params)
        delimiter = "';'" if separator == ";" else "','"
        pieces: list[bytes] = []
        size = 0
        count = 0
        with cursor.cursor.copy(f"COPY ({statement}) TO STDOUT WITH (FORMAT csv, DELIMITER {delimiter})") as copy:
            # The server sends one message per row.
            for data in copy:
                pieces.append(bytes(data))
                size += len(data)
                count += 1
                if size >= 256 * 1024:
                    yield b"".join(pieces)
                    pieces.clear()
                    size = 0
        if pieces:
            yield b"".join(pieces)
        yield count


class _Lines:
    """csv.writer's file: collects what it writes until the chunk is handed on."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.write = self.parts.append

    def take(self) -> bytes:
        data = "".join(self.parts).encode()
        self.parts.clear()
        return data


def stream_csv(prepared: PreparedExport, *, separator: str, on_row_count) -> Iterator[bytes]:
    lines = _Lines()
    writer = csv.writer(lines, delimiter=separator, lineterminator="\n")
    # The byte-order mark is how Excel knows the file is UTF-8 (Finnish letters intact).
    lines.write(BOM)
    writer.writerow(prepared.header)
    yield lines.take()
    if connection.vendor != "postgresql":
        count = 0
        for chunk in _python_row_chunks(prepared):
            writer.writerows(chunk)
            count += len(chunk)
            yield lines.take()
        on_row_count(count)
        return
    for piece in copy_csv(prepared, separator=separator):
        if isinstance(piece, int):
            on_row_count(piece)
        else:
            yield piece


def stream_excel(prepared: PreparedExport, *, on_row_count) -> Iterator[bytes]:
    count = 0

    def counted():
        nonlocal count
        for chunk in row_chunks(prepared):
            count += len(chunk)
            yield chunk

    yield from stream_xlsx(
        sheet_name=prepared.sheet_name,
        header=prepared.header,
        row_chunks=counted(),
        text_columns=PHONE_COLUMNS,
        date_columns=DATE_COLUMNS,
        column_widths=[column.width for column in COLUMNS],
    )
    on_row_count(count)


def stream_emails(prepared: PreparedExport, *, joined: bool, on_row_count) -> Iterator[bytes]:
    """Each association's public e-mail, or its contact person's where visible and no public one exists.

    Duplicates are left out (several associations may share one secretary), so the row count is the
    number of addresses written.
    """
    seen: set[str] = set()
    separator = "; " if joined else "\r\n"
    count = 0
    for chunk in row_chunks(prepared):
        addresses = []
        for row in chunk:
            address = (row[EMAIL_INDEX] or row[CONTACT_EMAIL_INDEX] or "").lstrip("'").strip()
            if address and address.lower() not in seen:
                seen.add(address.lower())
                addresses.append(address)
        if addresses:
            yield ((separator if count else "") + separator.join(addresses)).encode()
            count += len(addresses)
    if not joined and count:
        yield b"\r\n"
    on_row_count(count)
