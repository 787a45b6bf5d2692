from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.models import AuditEntry
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
