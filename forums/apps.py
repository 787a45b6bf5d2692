from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

UPCOMING_SECTION_MAX_AGE = 60


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

        # The sections list upcoming events, and an event leaves them when it ends, with no change
        # to move the calendar's version. The front page is kept a minute at most (as the
        # calendar's own cached list), so a finished event shows at most a minute too long; a
        # municipality page or a listing is kept until its first listed event ends
        # (portal.page_cache.page_changes_at), or while the versions hold when none is listed.
        calendar_version = lazy("forums.selectors.calendar_version")
        register_home_section(
            "forums/_home_section.html",
            lazy("forums.selectors.home_section"),
            order=20,
            version=calendar_version,
            max_age=UPCOMING_SECTION_MAX_AGE,
        )
        register_page_section(
            "municipality",
            "forums/_event_section.html",
            lazy("forums.selectors.municipality_section"),
            version=calendar_version,
        )
        register_page_section(
            "organisation",
            "forums/_event_section.html",
            lazy("forums.selectors.organisation_section"),
            version=calendar_version,
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
