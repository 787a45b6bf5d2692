from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Järjestötori"

    def ready(self) -> None:
        # Register the outbox's tasks with Celery in every process, web too: the outbox finds its
        # send task by name in the registry (it cannot import the tasks module, which imports it).
        from . import tasks  # noqa: F401
