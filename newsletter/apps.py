from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsletterConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "newsletter"
    verbose_name = _("Newsletter")

    def ready(self) -> None:
        from portal.audit import register_action_labels

        # The tasks are registered in every process (web too): the services find them by name.
        from portal.registry import lazy, register_demo_data, register_home_section

        from . import personal_data, tasks  # noqa: F401

        register_home_section(
            "newsletter/_home_section.html",
            lazy("newsletter.selectors.home_section"),
            order=40,
            version=lazy("newsletter.selectors.archive_version"),
        )
        register_demo_data("newsletter", lazy("newsletter.demo.seed_demo"), order=40)

        register_action_labels(
            {
                "newsletter.issue.created": _("Newsletter issue created"),
                "newsletter.issue.scheduled": _("Newsletter issue scheduled"),
                "newsletter.issue.unscheduled": _("Newsletter issue unscheduled"),
                "newsletter.issue.unknown_resent": _("Undecided newsletter messages sent again"),
            }
        )
