"""A listing's recorded versions, readable: what each changed and why (for the history pages)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext_lazy as _

from ..models import Language, Municipality, Organisation, Sector, TargetGroup, organisation_field_label
from ..services.common import EDITABLE_FIELDS, M2M_FIELDS

# The fields shown in a diff: what editors change, plus the portal's own lifecycle fields.
DIFF_FIELDS = (*EDITABLE_FIELDS, "status", "information_confirmed_at", "contact_consent_at")
_M2M_TARGETS = {
    "municipalities": (Municipality, "municipality_id"),
    "sectors": (Sector, "sector_id"),
    "target_groups": (TargetGroup, "targetgroup_id"),
    "languages": (Language, "language_id"),
}


@dataclass(frozen=True)
class Change:
    label: str
    old: str
    new: str


def _display(version, name: str) -> str:
    if name in M2M_FIELDS:
        model, column = _M2M_TARGETS[name]
        ids = [getattr(row, column) for row in getattr(version, name).all()]
        return ", ".join(sorted(str(item) for item in model.objects.filter(pk__in=ids)))
    if name == "home_municipality":
        municipality = Municipality.objects.filter(pk=version.home_municipality_id).first()
        return str(municipality or "")
    value: Any = getattr(version, name)
    field = Organisation._meta.get_field(name)
    if field.choices and value:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, FieldFile):
        return value.name or ""
    return "" if value is None else str(value)


def describe_changes(version, previous) -> list[Change]:
    """What ``version`` changed compared with ``previous`` (everything filled in, for the first one)."""
    if previous is None:
        changes = [Change(organisation_field_label(name), "", _display(version, name)) for name in DIFF_FIELDS]
        return [change for change in changes if change.new]
    delta = version.diff_against(previous, included_fields=list(DIFF_FIELDS))
    changed = set(delta.changed_fields)
    return [
        Change(organisation_field_label(name), _display(previous, name), _display(version, name))
        for name in DIFF_FIELDS
        if name in changed
    ]


def describe_reason(version) -> str:
    reasons = {
        "registered": _("Registered"),
        "approved": _("Approved by a moderator"),
        "archived": _("Archived"),
        "edited": _("Edited"),
        "confirmed": _("Confirmed as correct"),
    }
    reason = version.history_change_reason or ""
    if reason.startswith("reverted"):
        return str(_("Reverted to an earlier version"))
    if reason.startswith("rejected"):
        return str(_("Rejected by a moderator"))
    return str(reasons.get(reason, reason or _("Changed in the administration")))
