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


class FacetBitSets(models.Model):
    """The sets of sectors, target groups and languages as bits: what a cell or a tracked match
    is counted and filtered by (the same columns as on ``Organisation``)."""

    sector_mask = models.BigIntegerField()
    target_group_mask = models.BigIntegerField()
    language_mask = models.BigIntegerField()

    class Meta:
        abstract = True


class DirectoryCell(FacetBitSets):
    """How many published associations share a home municipality and the same sets of sectors,
    target groups and languages.

    On PostgreSQL a trigger on the associations keeps these rows in the same statement as every
    change (see migration 0014), so the directory's facet counts and totals read some ten
    thousand cells instead of every association: a first visit to a filter, or any visit after an
    edit, no longer scans the whole directory. Searches still count their matching entries.
    """

    # The unique constraint's index leads with the municipality: no index of its own.
    home_municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+", db_index=False)
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


class TrackedSearch(models.Model):
    """A search common enough that its matches are kept (``TrackedSearchMatch``) instead of found
    in the text index each time.

    A common word ("kylä", "lasten") matches a fifth of the directory; finding, counting and
    ranking those entries after every edit cost more than everything else on the page. On
    PostgreSQL a trigger on the search entries keeps every tracked search's matches in the same
    statement as each change (see ``organisations.search.tracked``), so its counts and pages stay
    exact. ``query`` is the compiled ``tsquery``; ``key`` identifies the query it came from.
    """

    key = models.CharField(max_length=64, unique=True)
    query = models.TextField()
    tracked_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.query


class TrackedSearchMatch(FacetBitSets):
    """A published association's search entry that a tracked search matches, with what the
    directory filters, counts and orders by (the same column names as the entry's)."""

    pk = models.CompositePrimaryKey("search", "organisation")
    # Removed by the trigger on the search entries, never by Django's cascade (no query per delete).
    search = models.ForeignKey(TrackedSearch, on_delete=models.DO_NOTHING, related_name="+", db_index=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )
    rank = models.FloatField()
    name = models.CharField(max_length=200)
    home_municipality = models.ForeignKey(
        Municipality, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )

    class Meta:
        indexes = [models.Index(fields=["organisation"], name="tracked_search_match_org")]

    def __str__(self) -> str:
        return f"{self.search_id}: {self.name}"


class TrackedSearchCell(FacetBitSets):
    """How many of a tracked search's matches share a home municipality and the same sets of
    sectors, target groups and languages: its facet counts read these, as the directory's read
    ``DirectoryCell``. Kept by the same trigger as the matches."""

    search = models.ForeignKey(TrackedSearch, on_delete=models.DO_NOTHING, related_name="+", db_index=False)
    home_municipality = models.ForeignKey(
        Municipality, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )
    organisations = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["search", "home_municipality", "sector_mask", "target_group_mask", "language_mask"],
                name="organisations_trackedsearchcell_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.search_id}/{self.home_municipality_id}: {self.organisations}"
