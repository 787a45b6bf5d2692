from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "organisations"

    def ready(self) -> None:
        from portal.registry import register_home_section

        from . import personal_data  # noqa: F401  (sections of "download my data")
        from .permissions import register

        register()
        register_home_section("organisations/_home_directory.html", _home_section, order=10)


def _home_section(request) -> dict:
    # Imported on the first visit, not at start-up: the views pull in forms, services and search.
    from .views.directory import home_section

    return home_section(request)
