"""The directory's derived rows, kept by ``organisations.search.refresh_search_index``."""

from __future__ import annotations

from django.contrib.postgres.search import SearchVectorField
from django.db import models

from .directory import Organisation
from .reference import Municipality


class OrganisationSearchEntry(models.Model):
    """The directory's search index: one narrow row per association.

    Kept by ``organisations.search.refresh_search_index``. A search for a common word ("kylä",
    "kuopion") matches a quarter of the associations; counting and ranking those reads these
    rows (about 0.5 kB each) instead of whole associations, and the match comes from a GIN index
    on ``to_tsvector('finnish', document)`` without touching the text itself. The filter columns
    carry the same names as on ``Organisation``, so the directory's filters apply to either.
    """

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, primary_key=True, related_name="search_entry"
    )
    status = models.CharField(max_length=12, choices=Organisation.Status.choices)
    # No index of its own: a search narrows by the text index first, and an index on the
    # municipality tempts the planner to AND together two bitmaps of tens of thousands of rows.
    home_municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+", db_index=False)
    name = models.CharField(max_length=200)
    sector_mask = models.BigIntegerField(default=0)
    target_group_mask = models.BigIntegerField(default=0)
    language_mask = models.BigIntegerField(default=0)
    # Names, labels and description (see organisations.search.search_document).
    document = models.TextField(blank=True)
    # The names alone: ranking by them is cheap where ts_rank over whole documents is not.
    name_vector = SearchVectorField(null=True)

    def __str__(self) -> str:
        return self.name


class OrganisationRelatedNames(models.Model):
    """An association's municipalities, sectors, target groups and languages as the export writes
    them: the names joined with ", ", in Finnish and as shown in Swedish.

    Kept by ``organisations.search.refresh_search_index`` beside the search entry, so exporting a
    whole region reads one row per association instead of aggregating four many-to-many tables at
    request time (three quarters of the time of a 110,000-row CSV export).
    """

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, primary_key=True, related_name="related_names"
    )
    municipalities_fi = models.TextField(blank=True)
    municipalities_sv = models.TextField(blank=True)
    sectors_fi = models.TextField(blank=True)
    sectors_sv = models.TextField(blank=True)
    target_groups_fi = models.TextField(blank=True)
    target_groups_sv = models.TextField(blank=True)
    languages_fi = models.TextField(blank=True)
    languages_sv = models.TextField(blank=True)

    def __str__(self) -> str:
        return str(self.organisation_id)


class DirectoryCell(models.Model):
    """How many published associations share a home municipality and the same sets of sectors,
    target groups and languages.

    On PostgreSQL a trigger on the associations keeps these rows in the same statement as every
    change (see migration 0014), so the directory's facet counts and totals read some ten
    thousand cells instead of every association: a first visit to a filter, or any visit after an
    edit, no longer scans the whole directory. Searches still count their matching entries.
    """

    # The unique constraint's index leads with the municipality: no index of its own.
    home_municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+", db_index=False)
    sector_mask = models.BigIntegerField()
    target_group_mask = models.BigIntegerField()
    language_mask = models.BigIntegerField()
    organisations = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["home_municipality", "sector_mask", "target_group_mask", "language_mask"],
                name="organisations_directorycell_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.home_municipality_id}: {self.organisations}"
