"""Every write of the app, one module per room: ``selfservice``, ``moderation``, ``municipal``,
``imports``; what they share (fields, slugs, history, mailing editors) is in ``common``.

The public services are re-exported here, so ``from organisations import services`` and
``services.claim_approve(...)`` work whatever room a service lives in.
"""

from .common import EDITABLE_FIELDS, M2M_FIELDS, REGISTRATION_FIELDS, RESERVED_SLUGS, language_for, unique_slug
from .imports import import_batch_apply, import_batch_create, import_job_run, import_rows
from .moderation import (
    claim_approve,
    claim_reject,
    organisation_approve,
    organisation_archive,
    organisation_reject,
    organisation_revert,
    report_create,
    report_resolve,
)
from .municipal import (
    export_log_finish,
    export_log_start,
    filter_params,
    filter_query_string,
    saved_filter_delete,
    saved_filter_save,
)
from .selfservice import (
    CONFIRMATION_SALT,
    ConfirmationLinkError,
    ConfirmationTicket,
    claim_create,
    confirmation_reminder_send,
    confirmation_reminders_send,
    confirmation_token_make,
    confirmation_token_read,
    editorship_remove,
    invitation_accept,
    invitation_create,
    invitation_find,
    organisation_confirm,
    organisation_confirm_by_link,
    organisation_register,
    organisation_update,
)

__all__ = [
    "CONFIRMATION_SALT",
    "EDITABLE_FIELDS",
    "M2M_FIELDS",
    "REGISTRATION_FIELDS",
    "RESERVED_SLUGS",
    "ConfirmationLinkError",
    "ConfirmationTicket",
    "claim_approve",
    "claim_create",
    "claim_reject",
    "confirmation_reminder_send",
    "confirmation_reminders_send",
    "confirmation_token_make",
    "confirmation_token_read",
    "editorship_remove",
    "export_log_finish",
    "export_log_start",
    "filter_params",
    "filter_query_string",
    "import_batch_apply",
    "import_batch_create",
    "import_job_run",
    "import_rows",
    "invitation_accept",
    "invitation_create",
    "invitation_find",
    "language_for",
    "organisation_approve",
    "organisation_archive",
    "organisation_confirm",
    "organisation_confirm_by_link",
    "organisation_register",
    "organisation_reject",
    "organisation_revert",
    "organisation_update",
    "report_create",
    "report_resolve",
    "saved_filter_delete",
    "saved_filter_save",
    "unique_slug",
]
