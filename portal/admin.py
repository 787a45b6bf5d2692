from django.contrib import admin, messages
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import OutgoingMail
from .outbox import outbox_resend


@admin.register(OutgoingMail)
class OutgoingMailAdmin(admin.ModelAdmin):
    """The outbox for staff: what was sent, what failed and why; failed or unknown rows can be resent."""

    list_display = ("created_at", "recipients", "subject", "status", "attempts", "sent_at", "label")
    list_filter = ("status", "label")
    search_fields = ("to", "subject")
    date_hierarchy = "created_at"
    actions = ["resend"]
    fields = (
        "status",
        "to",
        "reply_to",
        "from_email",
        "subject",
        "language",
        "template_name",
        "label",
        "attempts",
        "last_error",
        "created_at",
        "next_attempt_at",
        "sending_since",
        "sent_at",
        "message_id",
        "headers",
        "text",
        "html",
    )
    readonly_fields = fields

    @admin.display(description=_("recipients"))
    def recipients(self, mail: OutgoingMail) -> str:
        return ", ".join(mail.to)

    def has_add_permission(self, request) -> bool:
        # Messages come from the services that render them; a hand-written one would bypass them.
        return False

    @admin.action(description=_("Resend the selected failed or unknown e-mails"), permissions=["change"])
    def resend(self, request, queryset) -> None:
        with transaction.atomic():
            resent = sum(outbox_resend(mail_id=pk) for pk in queryset.values_list("pk", flat=True))
        skipped = queryset.count() - resent
        if resent:
            self.message_user(
                request,
                ngettext("%(count)d e-mail queued again.", "%(count)d e-mails queued again.", resent)
                % {"count": resent},
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d e-mail was not resent: only failed or unknown ones can be.",
                    "%(count)d e-mails were not resent: only failed or unknown ones can be.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )
