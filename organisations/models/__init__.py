"""The app's models, one module per room; import them from here (``from organisations.models import X``)."""

from .directory import (
    NAME_SIMILARITY_THRESHOLD,
    HistoricalOrganisation,
    Organisation,
    OrganisationQuerySet,
    Visibility,
    normalise_organisation_name,
    organisation_field_label,
)
from .imports import ImportBatch, ImportJob
from .moderation import Report, ReportQuerySet
from .municipal import ExportLog, MunicipalContact, SavedFilter
from .reference import (
    MASK_BITS,
    Language,
    LocalisedNameMixin,
    Municipality,
    MunicipalityQuerySet,
    Region,
    RegionQuerySet,
    Sector,
    TargetGroup,
)
from .search import (
    DirectoryCell,
    OrganisationRelatedNames,
    OrganisationSearchEntry,
    TrackedSearch,
    TrackedSearchCell,
    TrackedSearchMatch,
)
from .selfservice import ClaimRequest, ConfirmationReminder, Editorship, Invitation, InvitationQuerySet

__all__ = [
    "MASK_BITS",
    "NAME_SIMILARITY_THRESHOLD",
    "ClaimRequest",
    "ConfirmationReminder",
    "DirectoryCell",
    "Editorship",
    "ExportLog",
    "HistoricalOrganisation",
    "ImportBatch",
    "ImportJob",
    "Invitation",
    "InvitationQuerySet",
    "Language",
    "LocalisedNameMixin",
    "MunicipalContact",
    "Municipality",
    "MunicipalityQuerySet",
    "Organisation",
    "OrganisationQuerySet",
    "OrganisationRelatedNames",
    "OrganisationSearchEntry",
    "Region",
    "RegionQuerySet",
    "Report",
    "ReportQuerySet",
    "SavedFilter",
    "Sector",
    "TargetGroup",
    "TrackedSearch",
    "TrackedSearchCell",
    "TrackedSearchMatch",
    "Visibility",
    "normalise_organisation_name",
    "organisation_field_label",
]
