from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.models import AuditEntry, OutgoingMail
from portal.outbox import outbox_resend
from portal.permissions import is_staff


class ActionPrefixFilter(admin.SimpleListFilter):
    """Filter by an action's app or app and thing: ``organisations`` or ``organisations.claim``."""

    title = _("action")
    parameter_name = "action_prefix"

    def lookups(self, request, model_admin):
        prefixes: set[str] = set()
        for action in AuditEntry.objects.values_list("action", flat=True).distinct():
            parts = action.split(".")
            prefixes.update(".".join(parts[:depth]) for depth in range(1, len(parts)))
        return [(prefix, prefix) for prefix in sorted(prefixes)]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        return queryset.filter(Q(action=self.value()) | Q(action__startswith=f"{self.value()}."))


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read only: the log is append-only, and the admin is how staff read it."""

    list_display = ["created_at", "actor_label", "action", "target_label", "client_address"]
    list_filter = [ActionPrefixFilter, "created_at"]
    date_hierarchy = "created_at"
    search_fields = ["actor_label", "actor__email", "target_label", "target_id", "action"]
    list_select_related = False
    fields = [
        "created_at",
        "actor",
        "actor_label",
        "action",
        "target_type",
        "target_id",
        "target_label",
        "details",
        "client_address",
    ]
    readonly_fields = fields

    # Every member of staff reads the log (the admin itself already demands staff and their second
    # factor); nobody writes it here.
    def has_module_permission(self, request) -> bool:
        return is_staff(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return is_staff(request.user)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


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
