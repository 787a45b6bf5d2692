"""A listing's recorded versions, readable: what each changed and why (for the history pages)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext_lazy as _

from portal.permissions import MODERATORS_GROUP

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


def history_authors(organisation: Organisation, versions, *, for_moderator: bool) -> dict[int | None, str]:
    """Who made each version, as the viewer may see it, by ``history_user_id``.

    Moderators see e-mail addresses. An editor sees the e-mail of the listing's current editors
    (already on its editors page), "Moderator" for moderators and staff, whose addresses are
    theirs, not the association's, and "A former editor" for someone who has left the listing.
    """
    user_ids = {version.history_user_id for version in versions}
    labels: dict[int | None, str] = {None: str(_("the portal"))}
    if for_moderator:
        labels.update(
            {version.history_user_id: version.history_user.email for version in versions if version.history_user}
        )
        return labels
    editors = dict(organisation.editorships.values_list("user_id", "user__email"))
    others = user_ids - editors.keys() - {None}
    moderation = (
        Q(is_staff=True)
        | Q(is_superuser=True)
        | Q(groups__name=MODERATORS_GROUP)
        | Q(user_permissions__codename="moderate_organisation")
    )
    moderators = (
        set(get_user_model().objects.filter(moderation, pk__in=others).values_list("pk", flat=True).distinct())
        if others
        else set()
    )
    for user_id in user_ids - {None}:
        if user_id in editors:
            labels[user_id] = editors[user_id]
        elif user_id in moderators:
            labels[user_id] = str(_("Moderator"))
        else:
            labels[user_id] = str(_("A former editor"))
    return labels
