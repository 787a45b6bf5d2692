from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForumsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "forums"
    verbose_name = _("Forums and events")

    def ready(self) -> None:
        from . import personal_data  # noqa: F401  (sections of "download my data")
