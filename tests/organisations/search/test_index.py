"""The narrow search index (OrganisationSearchEntry) the directory counts and orders searches on."""

import re
from html import unescape

import pytest
from django.db import connection, transaction
from django.urls import reverse

from organisations import services
from organisations.models import Municipality, Organisation, OrganisationSearchEntry
from organisations.search import matching_entries, refresh_search_index, search_organisations, search_query
from organisations.selectors.directory import directory_search_base_queryset
from tests.organisations.directory_helpers import make_organisation
from tests.organisations.roles import make_moderator

pytestmark = pytest.mark.django_db

URL = reverse("organisations:list")


def result_names(response) -> list[str]:
    html = response.content.decode()
    return [unescape(name) for name in re.findall(r'<h3><a href="[^"]+">([^<]+)</a></h3>', html)]


def test_refresh_keeps_one_entry_per_association_in_step_with_it():
    organisation = make_organisation("Tervon Kyläyhdistys ry", municipality="844", sectors=("kulttuuri",))
    organisation.refresh_from_db()
    entry = OrganisationSearchEntry.objects.get(organisation=organisation)
    assert entry.status == Organisation.Status.PUBLISHED
    assert entry.home_municipality.code == "844"
    assert entry.sector_mask == organisation.sector_mask != 0
    assert "Tervon Kyläyhdistys ry" in entry.document

    organisation.name = "Tervon Kyläseura ry"
    organisation.status = Organisation.Status.ARCHIVED
    organisation.home_municipality = Municipality.objects.get(code="297")
    organisation.save()
    organisation.sectors.clear()
    refresh_search_index([organisation.pk])

    entry = OrganisationSearchEntry.objects.get(organisation=organisation)
    assert OrganisationSearchEntry.objects.count() == 1
    assert (entry.name, entry.status, entry.home_municipality.code, entry.sector_mask) == (
        "Tervon Kyläseura ry",
        Organisation.Status.ARCHIVED,
        "297",
        0,
    )
    assert "Kyläseura" in entry.document


def test_entries_and_associations_find_the_same_matches():
    make_organisation("Kuopion Eläkeläisyhdistys ry", sectors=("sosiaali-ja-terveys",))
    make_organisation("Tervon Kyläyhdistys ry", municipality="844")
    make_organisation("Savon Shakkikerho ry", description="Eläkeläiset ovat tervetulleita kylätalolle.")
    for text in ["eläkeläisten", "kylä", "kuopio", "shakki"]:
        on_entries = search_organisations(OrganisationSearchEntry.objects.all(), text).order_by("-rank", "name")
        on_associations = search_organisations(Organisation.objects.all(), text).order_by("-rank", "name")
        assert list(on_entries.values_list("name", flat=True)) == list(on_associations.values_list("name", flat=True))
        assert on_entries.exists()


def test_a_stale_entry_never_shows_an_unpublished_association(client):
    make_organisation("Tervon Kyläyhdistys ry", municipality="844")
    hidden = make_organisation("Kuopion Kyläseura ry")
    # Unpublished without refreshing the index (as a bulk update might): the entry still says published.
    Organisation.objects.filter(pk=hidden.pk).update(status=Organisation.Status.DRAFT)
    assert OrganisationSearchEntry.objects.get(pk=hidden.pk).status == Organisation.Status.PUBLISHED
    for params in [{"q": "kylä"}, {"q": "kylä", "jarjestys": "nimi"}, {"q": "kylä", "jarjestys": "uusimmat"}]:
        assert result_names(client.get(URL, params)) == ["Tervon Kyläyhdistys ry"]


def test_search_results_page_through_in_relevance_order(client):
    for number in range(25):
        make_organisation(f"Kuopion Kyläseura {number:02d} ry", index=False)
    make_organisation("Kuopion Shakkikerho ry", description="Pelaamme kylätalolla.", index=False)
    refresh_search_index(Organisation.objects.values_list("pk", flat=True))
    first = result_names(client.get(URL, {"q": "kylä"}))
    second = result_names(client.get(URL, {"q": "kylä", "page": "2"}))
    assert first == [f"Kuopion Kyläseura {number:02d} ry" for number in range(20)]
    # Name matches first, the description match last.
    assert second == [*(f"Kuopion Kyläseura {number:02d} ry" for number in range(20, 25)), "Kuopion Shakkikerho ry"]


def test_search_sorted_by_newest_comes_from_the_associations(client):
    older = make_organisation("Tervon Kyläyhdistys ry", municipality="844")
    newer = make_organisation("Kuopion Kyläseura ry")
    Organisation.objects.filter(pk=older.pk).update(created_at=newer.created_at.replace(year=2001))
    response = client.get(URL, {"q": "kylä", "jarjestys": "uusimmat"})
    assert result_names(response) == ["Kuopion Kyläseura ry", "Tervon Kyläyhdistys ry"]


def test_directory_filters_and_facet_counts_work_on_entries(client):
    make_organisation("Kuopion Kuoroyhdistys ry", sectors=("kulttuuri",), languages=("sv",))
    make_organisation("Kuopion Kyläseura ry", sectors=("asukas-ja-kylatoiminta",))
    make_organisation("Tervon Kuoro ry", municipality="844", sectors=("kulttuuri",))
    response = client.get(URL, {"q": "kuopio", "toimiala": "kulttuuri"})
    assert result_names(response) == ["Kuopion Kuoroyhdistys ry"]
    response = client.get(URL, {"q": "kuoro", "kunta": "844"})
    assert result_names(response) == ["Tervon Kuoro ry"]
    response = client.get(URL, {"q": "kuopio", "kieli": "sv"})
    assert result_names(response) == ["Kuopion Kuoroyhdistys ry"]
    assert directory_search_base_queryset().count() == 3


def test_search_is_answered_from_the_text_index():
    """The match must be spelt as the GIN index's expression, or every search reads every row."""
    make_organisation("Tervon Kyläyhdistys ry", municipality="844")
    queryset = matching_entries(search_query(["kylä"])).values("organisation_id")
    sql, params = queryset.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        # A handful of rows is cheaper to scan; the question is whether the index can answer at all.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "organisation_search_entry_document_gin" in plan


def test_moderation_moves_the_listing_in_and_out_of_search(client, django_capture_on_commit_callbacks):
    pending = make_organisation("Savon Sieniseura ry", status=Organisation.Status.PENDING)
    assert result_names(client.get(URL, {"q": "sieni"})) == []
    with django_capture_on_commit_callbacks(execute=True):
        services.organisation_approve(organisation=pending, moderator=make_moderator())
    assert OrganisationSearchEntry.objects.get(pk=pending.pk).status == Organisation.Status.PUBLISHED
    assert result_names(client.get(URL, {"q": "sieni"})) == ["Savon Sieniseura ry"]
    with django_capture_on_commit_callbacks(execute=True):
        services.organisation_archive(organisation=pending, moderator=make_moderator())
    assert result_names(client.get(URL, {"q": "sieni"})) == []
    assert "0 yhdistystä" in client.get(URL, {"q": "sieniseura"}).content.decode()


def test_a_repeated_search_page_comes_from_the_cache_until_the_index_changes(client, django_assert_num_queries):
    make_organisation("Tervon Kyläyhdistys ry", municipality="844", sectors=("kulttuuri",))
    make_organisation("Savon Shakkikerho ry", description="Kerho kokoontuu kylätalolla.")
    assert result_names(client.get(URL, {"q": "kylä"})) == ["Tervon Kyläyhdistys ry", "Savon Shakkikerho ry"]
    # For an anonymous visitor the whole page comes from the cache until the directory changes.
    with django_assert_num_queries(0):
        response = client.get(URL, {"q": "kylä"})
    assert result_names(response) == ["Tervon Kyläyhdistys ry", "Savon Shakkikerho ry"]
    make_organisation("Kuopion Kyläseura ry")
    assert result_names(client.get(URL, {"q": "kylä"})) == [
        "Kuopion Kyläseura ry",
        "Tervon Kyläyhdistys ry",
        "Savon Shakkikerho ry",
    ]
    assert result_names(client.get(URL, {"q": "kylä", "jarjestys": "nimi"})) == [
        "Kuopion Kyläseura ry",
        "Savon Shakkikerho ry",
        "Tervon Kyläyhdistys ry",
    ]


def test_the_text_index_keeps_a_short_pending_list_so_searches_after_edits_stay_fast():
    # Every search scans GIN's pending list in full; migration 0016 keeps it to 256 kB.
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'organisation_search_entry_document_gin'")
        assert cursor.fetchone()[0] == ["gin_pending_list_limit=256"]
    # And the search it serves still finds new entries before any vacuum merges the list.
    make_organisation("Iisalmen Partiolaiset ry", municipality="140")
    found = search_organisations(OrganisationSearchEntry.objects.all(), "partio", ranked=False)
    assert list(found.values_list("name", flat=True)) == ["Iisalmen Partiolaiset ry"]
