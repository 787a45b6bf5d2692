"""Association lists for municipal contacts: columns, rows and the streamed files.

Rows are read with ``values_list().iterator(chunk_size=…)`` (a server-side cursor on PostgreSQL), and
the many-to-many values (municipalities, sectors, target groups, languages) with one query per
relation per chunk, so the number of queries grows with the number of chunks, never of rows, and
memory stays flat. See the README, "Exports", for the columns and the rules.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from types import SimpleNamespace

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from portal.permissions import CONTACT_FIELDS, visible_contact_fields

from .models import Language, Municipality, Organisation, Sector, TargetGroup
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

_VALUE_FIELDS = (
    "id",
    "name",
    "name_sv",
    "register_number",
    "business_id",
    "home_municipality_id",
    "email",
    "phone",
    "website",
    "street_address",
    "postal_code",
    "post_office",
    "status",
    "information_confirmed_at",
    "contact_name",
    "contact_email",
    "contact_phone",
    "contact_name_visibility",
    "contact_email_visibility",
    "contact_phone_visibility",
    "contact_consent_at",
)
# (through-table field of the other side, reference model) per many-to-many column.
_RELATIONS = {
    "municipalities": (Organisation.municipalities.through, "municipality_id", Municipality),
    "sectors": (Organisation.sectors.through, "sector_id", Sector),
    "target_groups": (Organisation.target_groups.through, "targetgroup_id", TargetGroup),
    "languages": (Organisation.languages.through, "language_id", Language),
}


def neutralise(value: str, *, phone: bool = False) -> str:
    """Defuse a cell a spreadsheet would read as a formula; leave phone numbers readable."""
    if value and value[0] in FORMULA_TRIGGERS:
        if phone and PLAUSIBLE_PHONE.fullmatch(value):
            return value
        return "'" + value
    return value


def header() -> list[str]:
    return [str(column.label) for column in COLUMNS]


def _reference_names(model) -> dict[int, tuple[int, str]]:
    """id -> (position in the reference ordering, name in the current language)."""
    field = "name_sv" if (get_language() or "fi")[:2] == "sv" else "name_fi"
    return {
        pk: (position, name or fallback)
        for position, (pk, name, fallback) in enumerate(model.objects.values_list("pk", field, "name_fi"))
    }


def _contact_policy(user):
    """Memoised ``visible_contact_fields`` keyed by what it looks at: the rules stay in one place."""
    cache: dict[tuple, frozenset[str]] = {}

    def visible(visibilities: tuple[str, str, str], consented: bool) -> frozenset[str]:
        key = (visibilities, consented)
        if key not in cache:
            stand_in = SimpleNamespace(
                **{f"{field}_visibility": level for field, level in zip(CONTACT_FIELDS, visibilities, strict=True)},
                contact_consent_at=timezone.now() if consented else None,
            )
            cache[key] = frozenset(visible_contact_fields(user, stand_in, as_municipal_contact=True))
        return cache[key]

    return visible


def _batched(iterable: Iterable, size: int) -> Iterator[list]:
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


def row_chunks(queryset: QuerySet[Organisation], *, user, chunk_size: int = CHUNK_SIZE) -> Iterator[list[list[str]]]:
    """The export's rows, neutralised, in chunks of ``chunk_size``."""
    references = {key: _reference_names(model) for key, (_through, _field, model) in _RELATIONS.items()}
    municipality_names = references["municipalities"]
    status_labels = {value: str(label) for value, label in Organisation.Status.choices}
    visible = _contact_policy(user)
    local_timezone = timezone.get_current_timezone()
    rows = queryset.order_by("name", "id").values_list(*_VALUE_FIELDS).iterator(chunk_size=chunk_size)
    for chunk in _batched(rows, chunk_size):
        ids = [row[0] for row in chunk]
        related: dict[str, dict[int, str]] = {}
        for key, (through, field, _model) in _RELATIONS.items():
            names = references[key]
            collected: dict[int, list[tuple[int, str]]] = defaultdict(list)
            for organisation_id, reference_id in through.objects.filter(organisation_id__in=ids).values_list(
                "organisation_id", field
            ):
                collected[organisation_id].append(names[reference_id])
            related[key] = {pk: ", ".join(name for _position, name in sorted(pairs)) for pk, pairs in collected.items()}
        out = []
        for (
            pk,
            name,
            name_sv,
            register_number,
            business_id,
            home_id,
            email,
            phone,
            website,
            street_address,
            postal_code,
            post_office,
            status,
            confirmed_at,
            contact_name,
            contact_email,
            contact_phone,
            name_visibility,
            email_visibility,
            phone_visibility,
            consent_at,
        ) in chunk:
            shown = visible((name_visibility, email_visibility, phone_visibility), consent_at is not None)
            row = [
                name,
                name_sv,
                register_number,
                business_id,
                municipality_names[home_id][1],
                related["municipalities"].get(pk, ""),
                related["sectors"].get(pk, ""),
                related["target_groups"].get(pk, ""),
                related["languages"].get(pk, ""),
                email,
                phone,
                website,
                street_address,
                postal_code,
                post_office,
                status_labels.get(status, status),
                confirmed_at.astimezone(local_timezone).date().isoformat() if confirmed_at else "",
                contact_name if "contact_name" in shown else "",
                contact_email if "contact_email" in shown else "",
                contact_phone if "contact_phone" in shown else "",
            ]
            row = [("'" + value) if value and value[0] in FORMULA_TRIGGERS else value for value in row]
            for index in PHONE_COLUMNS:
                value = row[index]
                if value[:2] == "'+" and PLAUSIBLE_PHONE.fullmatch(value[1:]):
                    row[index] = value[1:]
            out.append(row)
        yield out


class _Lines:
    """csv.writer's file: collects what it writes until the chunk is handed on."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.write = self.parts.append

    def take(self) -> bytes:
        data = "".join(self.parts).encode()
        self.parts.clear()
        return data


def stream_csv(chunks: Iterable[Sequence[Sequence[str]]], *, separator: str, on_row_count) -> Iterator[bytes]:
    lines = _Lines()
    writer = csv.writer(lines, delimiter=separator, lineterminator="\r\n")
    # The byte-order mark is how Excel knows the file is UTF-8 (Finnish letters intact).
    lines.write(BOM)
    writer.writerow(header())
    yield lines.take()
    count = 0
    for chunk in chunks:
        writer.writerows(chunk)
        count += len(chunk)
        yield lines.take()
    on_row_count(count)


def stream_excel(chunks: Iterable[Sequence[Sequence[str]]], *, on_row_count) -> Iterator[bytes]:
    count = 0

    def counted():
        nonlocal count
        for chunk in chunks:
            count += len(chunk)
            yield chunk

    yield from stream_xlsx(
        sheet_name=str(_("Associations")),
        header=header(),
        row_chunks=counted(),
        text_columns=PHONE_COLUMNS,
        column_widths=[column.width for column in COLUMNS],
    )
    on_row_count(count)


EMAIL_INDEX = next(index for index, column in enumerate(COLUMNS) if column.key == "email")
CONTACT_EMAIL_INDEX = next(index for index, column in enumerate(COLUMNS) if column.key == "contact_email")


def stream_emails(chunks: Iterable[Sequence[Sequence[str]]], *, joined: bool, on_row_count) -> Iterator[bytes]:
    """Each association's public e-mail, or its contact person's where visible and no public one exists.

    Duplicates are left out (several associations may share one secretary), so the row count is the
    number of addresses written.
    """
    seen: set[str] = set()
    separator = "; " if joined else "\r\n"
    count = 0
    for chunk in chunks:
        addresses = []
        for row in chunk:
            address = (row[EMAIL_INDEX] or row[CONTACT_EMAIL_INDEX]).lstrip("'").strip()
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
