from django.apps import AppConfig


class CouncilConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "council"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from portal.audit import register_action_labels
        from portal.registry import lazy, register_demo_data, register_home_section, register_newsletter_section

        from . import personal_data  # noqa: F401  (sections of "download my data")

        # The box's next meeting passes and a news item published ahead of time appears with no
        # change to move its version: pages showing it are kept a minute at most.
        register_home_section(
            "council/_home_section.html",
            lazy("council.selectors.home_section"),
            order=30,
            version=lazy("council.selectors.home_version"),
            max_age=60,
        )
        register_newsletter_section(
            "council_news", _("Latest council news"), lazy("council.selectors.newsletter_council_news"), order=30
        )
        register_demo_data(
            "council", lazy("council.demo.seed_demo"), delete=lazy("council.demo.demo_data_delete"), order=30
        )

        register_action_labels(
            {
                "council.group.joined": _("Joined the cooperation group"),
                "council.group.left": _("Left the cooperation group"),
                "council.election.opened": _("Election opened"),
                "council.election.nominated": _("Candidate nominated"),
                "council.election.rejected": _("Nomination rejected"),
                "council.election.voting_opened": _("Voting opened"),
                "council.election.closed": _("Voting closed"),
                "council.election.counted": _("Votes counted"),
                "council.election.meeting_results": _("Meeting's election results entered"),
                "council.election.approved": _("Election result approved"),
                "council.seat.deputy_stepped_in": _("Deputy stepped in"),
                "council.meeting.agenda_published": _("Agenda published"),
                "council.minutes.sent_for_checking": _("Minutes sent to the checkers"),
                "council.minutes.approved": _("Minutes approved by a checker"),
                "council.minutes.published": _("Minutes published"),
                "council.document.changed": _("Council document changed"),
            }
        )
