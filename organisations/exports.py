"""Association lists for municipal contacts: columns, rows and the streamed files.

On PostgreSQL one SELECT produces the final cells (``export_sql``), read through a server-side
cursor, and CSV is written by the server itself (COPY). Other databases (the SQLite demo) take the
portable path, ``_python_row_chunks``: the same cells built in Python, chunk by chunk, with one
query per relation per chunk. Either way memory stays flat. See the README, "Exports", for the
columns and the rules.
"""

from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import SimpleNamespace

from django.db import connection, models, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from portal.permissions import CONTACT_FIELDS, visible_contact_fields

from .models import Language, Municipality, Organisation, OrganisationRelatedNames, Sector, TargetGroup, Visibility
from .search import related_names_subquery
from .xlsx import stream_xlsx

CHUNK_SIZE = 5000
BOM = "\ufeff"
SEPARATORS = {"comma": ",", "semicolon": ";"}

# A spreadsheet runs a cell starting with these as a formula (OWASP "CSV injection").
FORMULA_TRIGGERS = frozenset("=+-@\t\r")
# A phone number starts with "+" but cannot call a function: digits, spaces, brackets, hyphens only.
PLAUSIBLE_PHONE = re.compile(r"\+?[0-9][0-9 ()\-]{4,24}")


@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise
    width: int = 20
    phone: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("name", _("name"), 40),
    Column("name_sv", _("name in Swedish"), 30),
    Column("register_number", _("association register number"), 14),
    Column("business_id", _("Business ID (Y-tunnus)"), 12),
    Column("home_municipality", _("home municipality"), 16),
    Column("municipalities", _("municipalities of activity"), 30),
    Column("sectors", _("sectors"), 30),
    Column("target_groups", _("target groups"), 30),
    Column("languages", _("languages of activity"), 16),
    Column("email", _("public e-mail"), 28),
    Column("phone", _("public phone"), 18, phone=True),
    Column("website", _("website"), 30),
    Column("street_address", _("street address"), 26),
    Column("postal_code", _("postal code"), 10),
    Column("post_office", _("post office"), 16),
    Column("status", _("status"), 12),
    Column("information_confirmed_at", _("information last confirmed"), 14),
    Column("contact_name", _("contact person"), 24),
    Column("contact_email", _("contact person's e-mail"), 28),
    Column("contact_phone", _("contact person's phone"), 18, phone=True),
)
PHONE_COLUMNS = tuple(index for index, column in enumerate(COLUMNS) if column.phone)


def neutralise(value: str, *, phone: bool = False) -> str:
    """Defuse a cell a spreadsheet would read as a formula; leave phone numbers readable.

    The reference for the SQL in ``_neutralised``; the tests hold the two to the same answers.
    """
    if value and value[0] in FORMULA_TRIGGERS:
        if phone and PLAUSIBLE_PHONE.fullmatch(value):
            return value
        return "'" + value
    return value


def header() -> list[str]:
    return [str(column.label) for column in COLUMNS]


def visible_contact_combinations(user) -> dict[str, list[tuple[str, str, str, bool]]]:
    """For each contact-person field, the (visibilities..., consent given) combinations that show it.

    ``visible_contact_fields`` is asked about every combination (27 x 2), so the rule stays in
    portal.permissions and the export merely applies its answers in SQL.
    """
    shown: dict[str, list[tuple[str, str, str, bool]]] = {field: [] for field in CONTACT_FIELDS}
    for levels in itertools.product(Visibility.values, repeat=len(CONTACT_FIELDS)):
        for consented in (True, False):
            stand_in = SimpleNamespace(
                **{f"{field}_visibility": level for field, level in zip(CONTACT_FIELDS, levels, strict=True)},
                contact_consent_at=timezone.now() if consented else None,
            )
            for field in visible_contact_fields(user, stand_in, as_municipal_contact=True):
                shown[field].append((*levels, consented))
    return shown


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


_TRIGGER_SQL = ", ".join(str(ord(character)) for character in sorted(FORMULA_TRIGGERS))
_QUOTE = "''''"  # one apostrophe, as an SQL literal


def _neutralised(expression: str, *, phone: bool = False) -> str:
    """SQL twin of ``neutralise``; empty text becomes NULL so the CSV cell is empty."""
    # ascii() is the code of the first character: an integer compared, no substring made.
    condition = f"ascii({expression}) IN ({_TRIGGER_SQL})"
    if phone:
        condition += f" AND {expression} !~ '^{PLAUSIBLE_PHONE.pattern}$'"
    return f"CASE WHEN {condition} THEN {_QUOTE} || {expression} ELSE NULLIF({expression}, '') END"


# What decides whether a contact-person field is shown: each field's visibility, then consent.
_CONTACT_DIMENSIONS = (*(f"o.{field}_visibility" for field in CONTACT_FIELDS), "o.contact_consent_at IS NOT NULL")
_DIMENSION_VALUES = (*(tuple(Visibility.values) for _field in CONTACT_FIELDS), (True, False))


def _shown_condition(combinations: list[tuple]) -> tuple[str, list]:
    """SQL true for exactly these combinations of ``_CONTACT_DIMENSIONS``, testing only the
    dimensions that decide them (a field's own visibility and consent, as the rule stands).

    A dimension is left out when changing it never leads out of the set: the set is then every
    value of it times the rest. Testing 54 tuples per field and row cost a fifth of an export.
    """
    shown = set(combinations)
    deciding = [
        index
        for index, values in enumerate(_DIMENSION_VALUES)
        if any(
            (*combination[:index], other, *combination[index + 1 :]) not in shown
            for combination in shown
            for other in values
        )
    ]
    if not deciding:
        return "TRUE", []
    reduced = sorted({tuple(combination[index] for index in deciding) for combination in shown})
    placeholders = "(" + ", ".join("%s" for _index in deciding) + ")"
    columns = "(" + ", ".join(_CONTACT_DIMENSIONS[index] for index in deciding) + ")"
    if len(deciding) == 1:
        columns, placeholders = columns[1:-1], "%s"
    return (
        f"{columns} IN ({', '.join(placeholders for _tuple in reduced)})",
        [value for values in reduced for value in values],
    )


def export_sql(queryset: QuerySet[Organisation], *, user) -> tuple[str, list]:
    """One SELECT giving the export's final text cells for every association in ``queryset``.

    The many-to-many names come joined already (``OrganisationRelatedNames``, kept by
    ``refresh_search_index``): the whole region costs one query reading one row per association
    from two tables, whatever its size, and the rows arrive ready to write.
    """
    swedish = (get_language() or "fi")[:2] == "sv"

    def localised(alias: str) -> str:
        return f"COALESCE(NULLIF({alias}.name_sv, ''), {alias}.name_fi)" if swedish else f"{alias}.name_fi"

    chosen_sql, chosen_params = queryset.order_by().values("pk").query.sql_with_params()
    params: list = list(chosen_params)
    organisation = _quote(Organisation._meta.db_table)
    municipality = _quote(Municipality._meta.db_table)
    names = _quote(OrganisationRelatedNames._meta.db_table)
    suffix = "sv" if swedish else "fi"

    def related(key: str) -> str:
        # An association no refresh has reached yet (none should be) gets its names the slow way.
        return f"COALESCE(n.{key}_{suffix}, {related_names_subquery(key, 'o.id', suffix=suffix)})"

    status_cases = " ".join("WHEN %s THEN %s" for _choice in Organisation.Status.choices)
    status_params = [item for value, label in Organisation.Status.choices for item in (value, str(label))]
    contact_cells = []
    contact_params: list = []
    for field, combinations in visible_contact_combinations(user).items():
        if not combinations:
            contact_cells.append("NULL")
            continue
        condition, condition_params = _shown_condition(combinations)
        contact_cells.append(
            f"CASE WHEN {condition} THEN {_neutralised(f'o.{field}', phone=field == 'contact_phone')} END"
        )
        contact_params.extend(condition_params)
    cells = [
        _neutralised("o.name"),
        _neutralised("o.name_sv"),
        _neutralised("o.register_number"),
        _neutralised("o.business_id"),
        _neutralised(localised("hm")),
        _neutralised(related("municipalities")),
        _neutralised(related("sectors")),
        _neutralised(related("target_groups")),
        _neutralised(related("languages")),
        _neutralised("o.email"),
        _neutralised("o.phone", phone=True),
        _neutralised("o.website"),
        _neutralised("o.street_address"),
        _neutralised("o.postal_code"),
        _neutralised("o.post_office"),
        f"CASE o.status {status_cases} ELSE o.status END",
        "to_char(o.information_confirmed_at AT TIME ZONE %s, 'YYYY-MM-DD')",
        *contact_cells,
    ]
    params += [*status_params, timezone.get_current_timezone_name(), *contact_params]
    sql = (
        f"WITH chosen(id) AS ({chosen_sql}) "  # noqa: S608 - identifiers from the models, values as parameters
        f"SELECT {', '.join(cells)} "
        f"FROM {organisation} o JOIN chosen ON chosen.id = o.id "
        f"JOIN {municipality} hm ON hm.id = o.home_municipality_id "
        f"LEFT JOIN {names} n ON n.organisation_id = o.id "
        "ORDER BY o.name, o.id"
    )
    return sql, params


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
        column_widths=[column.width for column in COLUMNS],
    )
    on_row_count(count)


EMAIL_INDEX = next(index for index, column in enumerate(COLUMNS) if column.key == "email")
CONTACT_EMAIL_INDEX = next(index for index, column in enumerate(COLUMNS) if column.key == "contact_email")


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


def changes_since(*, municipality_ids: Iterable[int], since) -> dict[str, QuerySet[Organisation]]:
    """What happened to the associations based in these municipalities after ``since``."""
    base = Organisation.objects.filter(home_municipality__in=list(municipality_ids)).select_related("home_municipality")
    return {
        "new": base.published().filter(created_at__gt=since).order_by("-created_at"),
        "updated": base.published().filter(created_at__lte=since, updated_at__gt=since).order_by("-updated_at"),
        "archived": base.filter(status=Organisation.Status.ARCHIVED, updated_at__gt=since).order_by("-updated_at"),
    }


def export_urls(query_string: str) -> list[tuple[str, str]]:
    suffix = f"?{query_string}" if query_string else ""
    joiner = "&" if query_string else "?"
    return [
        (gettext("CSV"), reverse("organisations:export", args=["csv"]) + suffix),
        (
            gettext("CSV with semicolons"),
            reverse("organisations:export", args=["csv"]) + suffix + joiner + "sep=semicolon",
        ),
        (gettext("Excel (XLSX)"), reverse("organisations:export", args=["xlsx"]) + suffix),
        (gettext("E-mail addresses"), reverse("organisations:export", args=["emails"]) + suffix),
    ]
