"""Writing and reading the audit log (``portal.models.AuditEntry``).

Every governance and personal-data action of a service writes one entry, in the service's own
transaction::

    audit_record(action="organisations.claim.approved", actor=moderator, target=claim,
                 details={"organisation": organisation.slug}, request=request)

Actions are dotted names, ``<app>.<thing>.<past participle>``; apps give them readable labels
with ``register_action_labels`` (from their ``AppConfig.ready``).
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import HttpRequest

from portal.client_address import client_address
from portal.models.audit import ACTION_LABELS, AuditEntry, AuditEntryQuerySet, register_action_labels

__all__ = ["ACTION_LABELS", "audit_entries_by", "audit_entries_for", "audit_record", "register_action_labels"]

ACTION_PATTERN = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")


def _stored_address(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    address = client_address(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def audit_record(
    *,
    action: str,
    actor=None,
    target: models.Model | None = None,
    details: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> AuditEntry:
    """Record ``action`` in the caller's transaction: a rolled-back change leaves no entry.

    ``actor`` defaults to the request's signed-in user; pass it explicitly from tasks and
    commands (or leave it empty for the system itself).
    """
    if not ACTION_PATTERN.match(action):
        raise ValueError(f"An audit action is a dotted lower-case name, not {action!r}.")
    if actor is None and request is not None:
        actor = getattr(request, "user", None)
    if actor is not None and not actor.is_authenticated:
        actor = None
    entry = AuditEntry(
        action=action,
        actor=actor,
        actor_label=actor.get_username() if actor is not None else "",
        details=details or {},
        client_address=_stored_address(request),
    )
    if target is not None:
        entry.target_type = ContentType.objects.get_for_model(target)
        entry.target_id = str(target.pk)
        entry.target_label = str(target)[:255]
    # The relations come from live objects; validate the rest (lengths, the address) before saving.
    entry.full_clean(exclude=["actor", "target_type"])
    entry.save()
    return entry


def audit_entries_for(obj: models.Model) -> AuditEntryQuerySet:
    """An object's history, newest first (for its history page: ``portal/_audit_entries.html``)."""
    return AuditEntry.objects.for_object(obj).order_by("-created_at", "-pk")


def audit_entries_by(user) -> AuditEntryQuerySet:
    """What an account did, oldest first (its part of "download my data")."""
    return AuditEntry.objects.by_actor(user).order_by("created_at", "pk")
