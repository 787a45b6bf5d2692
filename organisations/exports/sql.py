"""The PostgreSQL path of an export: one SELECT producing the final text cells.

See ``organisations.exports`` for the overview.
"""

from __future__ import annotations

import itertools
from types import SimpleNamespace

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from ..models import Municipality, Organisation, OrganisationRelatedNames, Visibility
from ..models.reference import swedish_active
from ..permissions import CONTACT_FIELDS, visible_contact_fields
from .columns import FORMULA_TRIGGERS, PLAUSIBLE_PHONE
from .names import related_names_subquery


def visible_contact_combinations(user) -> dict[str, list[tuple[str, str, str, bool]]]:
    """For each contact-person field, the (visibilities..., consent given) combinations that show it.

    ``visible_contact_fields`` is asked about every combination (27 x 2), so the rule stays in
    organisations.permissions and the export merely applies its answers in SQL.
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
    swedish = swedish_active()

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
