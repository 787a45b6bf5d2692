from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForumsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "forums"
    verbose_name = _("Forums and events")

    def ready(self) -> None:
        from portal.audit import register_action_labels

        from . import personal_data  # noqa: F401  (sections of "download my data")

        register_action_labels(
            {
                "forums.event.published": _("Event published"),
                "forums.event.submitted": _("Event submitted for moderation"),
                "forums.event.changed": _("Event changed"),
                "forums.event.approved": _("Event approved"),
                "forums.event.rejected": _("Event rejected"),
                "forums.event.cancelled": _("Event cancelled"),
                "forums.registration.cancelled": _("Registration cancelled by an organiser"),
            }
        )
