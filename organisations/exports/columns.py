"""The export's columns, and the defusing of cells a spreadsheet would run as formulas."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

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
    # Written as an ISO date (YYYY-MM-DD): a real date in a spreadsheet.
    date: bool = False


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
    Column("information_confirmed_at", _("information last confirmed"), 14, date=True),
    Column("contact_name", _("contact person"), 24),
    Column("contact_email", _("contact person's e-mail"), 28),
    Column("contact_phone", _("contact person's phone"), 18, phone=True),
)
PHONE_COLUMNS = tuple(index for index, column in enumerate(COLUMNS) if column.phone)
DATE_COLUMNS = tuple(index for index, column in enumerate(COLUMNS) if column.date)


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


EMAIL_INDEX = next(index for index, column in enumerate(COLUMNS) if column.key == "email")
CONTACT_EMAIL_INDEX = next(index for index, column in enumerate(COLUMNS) if column.key == "contact_email")
