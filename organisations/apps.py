from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "organisations"

    def ready(self) -> None:
        from portal.audit import register_action_labels
        from portal.registry import lazy, register_home_section

        from . import personal_data  # noqa: F401  (sections of "download my data")
        from .permissions import register
        from .selectors.reference import watch_reference_changes

        register()
        watch_reference_changes()
        register_home_section(
            "organisations/_home_directory.html",
            _home_section,
            order=10,
            version=lazy("organisations.search.directory_version"),
        )
        register_action_labels(
            {
                "organisations.claim.created": _("Claim submitted"),
                "organisations.claim.approved": _("Claim approved"),
                "organisations.claim.rejected": _("Claim rejected"),
                "organisations.registration.approved": _("Registration approved"),
                "organisations.registration.rejected": _("Registration rejected"),
                "organisations.report.resolved": _("Report resolved"),
                "organisations.listing.archived": _("Listing archived"),
                "organisations.listing.reverted": _("Listing reverted to an earlier version"),
                "organisations.invitation.created": _("Editor invited"),
                "organisations.invitation.accepted": _("Invitation accepted"),
                "organisations.editor.removed": _("Editor removed"),
                "organisations.export.csv": _("Exported as CSV"),
                "organisations.export.xlsx": _("Exported as Excel"),
                "organisations.export.emails": _("E-mail addresses exported"),
                "organisations.import.uploaded": _("Import file uploaded"),
                "organisations.import.dry_run": _("Import checked (dry run)"),
                "organisations.import.applied": _("Import applied"),
                "organisations.municipal_contact.changed": _("Municipal contact's account or municipalities changed"),
            }
        )


def _home_section(request) -> dict:
    # Imported on the first visit, not at start-up: the views pull in forms, services and search.
    from .views.directory import home_section

    return home_section(request)
