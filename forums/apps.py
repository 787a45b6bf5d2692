from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForumsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "forums"
    verbose_name = _("Forums and events")

    def ready(self) -> None:
        from portal.audit import register_action_labels
        from portal.registry import (
            lazy,
            register_demo_data,
            register_home_section,
            register_newsletter_section,
            register_page_section,
        )

        from . import personal_data  # noqa: F401  (sections of "download my data")

        register_home_section("forums/_home_section.html", lazy("forums.selectors.home_section"), order=20)
        register_page_section(
            "municipality", "forums/_event_section.html", lazy("forums.selectors.municipality_section")
        )
        register_page_section(
            "organisation", "forums/_event_section.html", lazy("forums.selectors.organisation_section")
        )
        register_newsletter_section(
            "upcoming_events", _("Upcoming events"), lazy("forums.selectors.newsletter_upcoming_events"), order=20
        )
        register_demo_data(
            "forums", lazy("forums.demo.seed_demo"), delete=lazy("forums.demo.demo_events_delete"), order=20
        )

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
