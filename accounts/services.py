from __future__ import annotations

import logging
from datetime import timedelta

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from organisations.models import Organisation
from organisations.permissions import organisations_needing_another_editor
from portal.audit import audit_record

from .models import User

logger = logging.getLogger(__name__)


@transaction.atomic
def user_delete(
    *, user: User, by_staff: bool = False, actor: User | None = None, request: HttpRequest | None = None
) -> None:
    """Delete an account and what hangs on it (editorships, e-mail addresses, authenticators,
    sign-in records). An association is never left without an editor, unless staff does it.
    """
    from axes.models import AccessAttempt, AccessLog

    # Lock the user's associations so a co-editor leaving at the same moment cannot make both
    # departures look safe.
    list(Organisation.objects.edited_by(user).select_for_update().values_list("pk", flat=True))
    orphaned = list(organisations_needing_another_editor(user).values_list("name", flat=True))
    if orphaned and not by_staff:
        raise ValidationError(
            _(
                "You are the only editor of %(associations)s. Invite another editor first, "
                "so that the association is not left without one."
            ),
            code="last_editor",
            params={"associations": ", ".join(orphaned)},
        )
    AccessLog.objects.filter(username__iexact=user.email).delete()
    AccessAttempt.objects.filter(username__iexact=user.email).delete()
    logger.info("accounts.user.deleted user=%s by_staff=%s orphaned=%d", user.pk, by_staff, len(orphaned))
    # Recorded before the row goes: the entry keeps the label, the link is cleared by the delete.
    audit_record(
        action="accounts.account.deleted",
        actor=actor or user,
        target=user,
        details={"user_id": user.pk, "by_staff": by_staff, "orphaned": len(orphaned)},
        request=request,
    )
    user.delete()


ROLE_FLAGS = ("is_active", "is_staff", "is_superuser")


def user_roles_snapshot(user: User) -> dict:
    """What decides an account's roles: its groups and flags (taken before an admin change)."""
    if user.pk is None:
        # A new account's defaults: creating a plain account is not a role change.
        return {"groups": [], "is_active": True, "is_staff": False, "is_superuser": False}
    stored = User.objects.get(pk=user.pk)
    return {
        "groups": sorted(stored.groups.values_list("name", flat=True)),
        **{f: getattr(stored, f) for f in ROLE_FLAGS},
    }


@transaction.atomic
def user_roles_changed(*, user: User, before: dict, actor: User | None, request: HttpRequest | None = None) -> bool:
    """Record a change of an account's groups or flags (made in the admin); nothing if none changed."""
    after = user_roles_snapshot(user)
    if after == before:
        return False
    details: dict = {
        "groups_added": sorted(set(after["groups"]) - set(before["groups"])),
        "groups_removed": sorted(set(before["groups"]) - set(after["groups"])),
    }
    details.update({flag: after[flag] for flag in ROLE_FLAGS if after[flag] != before[flag]})
    audit_record(action="accounts.roles.changed", actor=actor, target=user, details=details, request=request)
    return True


@transaction.atomic
def sign_in_records_purge(*, older_than_days: int) -> int:
    """Delete login records (django-axes) older than the retention period; returns how many."""
    from axes.models import AccessAttempt, AccessLog

    cutoff = timezone.now() - timedelta(days=older_than_days)
    deleted_logs, _logs = AccessLog.objects.filter(attempt_time__lt=cutoff).delete()
    deleted_attempts, _attempts = AccessAttempt.objects.filter(attempt_time__lt=cutoff).delete()
    return deleted_logs + deleted_attempts


def _reauthentication_failures_key(user: User) -> str:
    return f"accounts:reauthentication-failures:{user.pk}"


def reauthentication_locked(*, user: User) -> bool:
    """Whether ``user`` gave the wrong password too often when asked for it again (deleting the
    account, changing the e-mail address or the password): further attempts are refused."""
    if user.pk is None:
        return False
    return (cache.get(_reauthentication_failures_key(user)) or 0) >= settings.AXES_FAILURE_LIMIT


def reauthentication_check(*, user: User, password: str) -> bool:
    """Check a signed-in user's password again, throttled like login.

    It goes through ``authenticate()`` as login does, so django-axes counts a wrong password
    against the address and client (and locks both out). Failures are also counted per account
    from any client, as login's limit is: someone holding a stolen session gets
    ``AXES_FAILURE_LIMIT`` guesses per cool-off period, however many addresses they use.
    """
    if reauthentication_locked(user=user):
        return False
    key = _reauthentication_failures_key(user)
    if get_adapter().reauthenticate(user, password):
        cache.delete(key)
        return True
    # The window opens at the first failure and is not extended by later ones.
    cache.add(key, 0, timeout=int(settings.AXES_COOLOFF_TIME.total_seconds()))
    try:
        failures = cache.incr(key)
    except ValueError:
        # The window closed between add() and incr().
        cache.set(key, 1, timeout=int(settings.AXES_COOLOFF_TIME.total_seconds()))
        failures = 1
    logger.info("accounts.reauthentication.failed user=%s failures=%d", user.pk, failures)
    return False
