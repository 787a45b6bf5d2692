from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"

    def ready(self) -> None:
        from portal.audit import register_action_labels

        from . import personal_data, signals  # noqa: F401  (export sections; the TOTP set-up hook)

        register_action_labels(
            {"accounts.account.deleted": _("Account deleted"), "accounts.roles.changed": _("Roles changed")}
        )
