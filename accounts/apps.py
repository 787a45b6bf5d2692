from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"

    def ready(self) -> None:
        from . import personal_data, signals  # noqa: F401  (export sections; the TOTP set-up hook)
