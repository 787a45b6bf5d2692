from django.apps import AppConfig


class CouncilConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "council"

    def ready(self) -> None:
        from . import personal_data  # noqa: F401  (sections of "download my data")
