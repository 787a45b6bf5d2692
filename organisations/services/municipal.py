"""Writes for municipal contacts: the export log and their saved directory filters."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest, QueryDict
from django.utils import timezone

from accounts.models import User
from portal.audit import audit_record

from ..filters import OrganisationFilter
from ..models import ExportLog, MunicipalContact, SavedFilter


def filter_params(query: QueryDict) -> dict[str, list[str]]:
    """Only the directory's own filter parameters, without empty values: what an export is filtered by."""
    keys = OrganisationFilter.base_filters.keys()
    params = {key: [value for value in query.getlist(key) if value.strip()] for key in keys}
    return {key: values for key, values in params.items() if values}


def filter_query_string(query: QueryDict) -> str:
    cleaned = QueryDict(mutable=True)
    for key, values in filter_params(query).items():
        cleaned.setlist(key, values)
    return cleaned.urlencode()


@transaction.atomic
def export_log_start(*, user: User, format: str, filters: dict[str, list[str]], municipalities: list[str]) -> ExportLog:
    log = ExportLog(user=user, user_email=user.email, format=format, filters=filters, municipalities=municipalities)
    log.full_clean()
    log.save()
    return log


@transaction.atomic
def export_log_finish(*, log: ExportLog, row_count: int, request: HttpRequest | None = None) -> None:
    # An update, not a save: the start of the record is never rewritten.
    ExportLog.objects.filter(pk=log.pk).update(row_count=row_count, finished_at=timezone.now())
    # Written when the stream ends, the only moment the row count is known.
    audit_record(
        action=f"organisations.export.{log.format}",
        actor=log.user,
        target=log,
        details={"filters": log.filters, "municipalities": log.municipalities, "row_count": row_count},
        request=request,
    )


@transaction.atomic
def saved_filter_save(*, user: User, name: str, query: QueryDict) -> SavedFilter:
    """Save (or overwrite, by name) a directory filter for this account."""
    saved = SavedFilter.objects.filter(user=user, name=name).first() or SavedFilter(user=user, name=name)
    saved.query_string = filter_query_string(query)
    saved.full_clean()
    saved.save()
    return saved


@transaction.atomic
def saved_filter_delete(*, saved_filter: SavedFilter) -> None:
    saved_filter.delete()


def municipal_contact_scope(contact: MunicipalContact) -> dict:
    """What a contact's account may export: its linked account and municipalities (before a change)."""
    if contact.pk is None:
        return {"user_id": None, "municipalities": []}
    stored = MunicipalContact.objects.get(pk=contact.pk)
    return {"user_id": stored.user_id, "municipalities": sorted(stored.municipalities.values_list("code", flat=True))}


@transaction.atomic
def municipal_contact_scope_changed(
    *, contact: MunicipalContact, before: dict, actor: User | None, request: HttpRequest | None = None
) -> bool:
    """Record a change of the contact's account link or municipalities (made in the admin)."""
    after = municipal_contact_scope(contact)
    if after == before:
        return False
    details = {
        "user_before": before["user_id"],
        "user_after": after["user_id"],
        "municipalities_added": sorted(set(after["municipalities"]) - set(before["municipalities"])),
        "municipalities_removed": sorted(set(before["municipalities"]) - set(after["municipalities"])),
    }
    audit_record(
        action="organisations.municipal_contact.changed", actor=actor, target=contact, details=details, request=request
    )
    return True
