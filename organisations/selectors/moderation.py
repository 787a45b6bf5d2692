"""The moderation queue: what waits for a moderator, newest first, by kind, municipality and name."""

from __future__ import annotations

from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from ..models import ClaimRequest, Municipality, Organisation, Report


class QueueKind(models.TextChoices):
    # The values are the queue's GET parameter (?jono=…), Finnish like the directory's.
    REGISTRATIONS = "uudet", _("New associations")
    CLAIMS = "pyynnot", _("Requests to manage a listing")
    REPORTS = "ilmoitukset", _("Reported listings")
    STALE = "vanhentuneet", _("Listings not confirmed for a long time")


def _named(queryset: QuerySet, prefix: str, *, municipality: Municipality | None, name: str) -> QuerySet:
    if municipality is not None:
        queryset = queryset.filter(**{f"{prefix}home_municipality": municipality})
    if name:
        queryset = queryset.filter(Q(**{f"{prefix}name__icontains": name}) | Q(**{f"{prefix}name_sv__icontains": name}))
    return queryset


def moderation_queue(kind: str, *, municipality: Municipality | None = None, name: str = "") -> QuerySet:
    """One kind's waiting items, newest first, with what the queue shows of each already joined."""
    if kind == QueueKind.CLAIMS:
        claims = ClaimRequest.objects.filter(status=ClaimRequest.Status.PENDING)
        claims = claims.select_related("organisation__home_municipality", "user")
        return _named(claims, "organisation__", municipality=municipality, name=name).order_by("-created_at", "-pk")
    if kind == QueueKind.REPORTS:
        reports = Report.objects.unresolved().select_related("organisation__home_municipality")
        return _named(reports, "organisation__", municipality=municipality, name=name).order_by("-created_at", "-pk")
    if kind == QueueKind.STALE:
        # Newest first here too: the listings that went stale lately have the editors most likely to answer.
        stale = Organisation.objects.stale().select_related("home_municipality")
        return _named(stale, "", municipality=municipality, name=name).order_by("-last_confirmed", "-pk")
    registrations = Organisation.objects.awaiting_moderation().select_related("home_municipality")
    return _named(registrations, "", municipality=municipality, name=name).order_by("-created_at", "-pk")


def moderation_queue_counts(*, municipality: Municipality | None = None, name: str = "") -> dict[str, int]:
    """Each kind's number of waiting items under the same municipality and name filters (one query each)."""
    return {
        kind: moderation_queue(kind, municipality=municipality, name=name).order_by().count()
        for kind in QueueKind.values
    }
