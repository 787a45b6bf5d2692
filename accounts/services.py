from __future__ import annotations

import logging
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organisations.models import Organisation
from organisations.permissions import organisations_needing_another_editor

from .models import User

logger = logging.getLogger(__name__)


@transaction.atomic
def user_delete(*, user: User, by_staff: bool = False) -> None:
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
    user.delete()


@transaction.atomic
def sign_in_records_purge(*, older_than_days: int) -> int:
    """Delete login records (django-axes) older than the retention period; returns how many."""
    from axes.models import AccessAttempt, AccessLog

    cutoff = timezone.now() - timedelta(days=older_than_days)
    deleted_logs, _logs = AccessLog.objects.filter(attempt_time__lt=cutoff).delete()
    deleted_attempts, _attempts = AccessAttempt.objects.filter(attempt_time__lt=cutoff).delete()
    return deleted_logs + deleted_attempts
