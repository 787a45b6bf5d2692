"""Tracked searches: a common search's kept matches and cells follow every change to the search
entries, and the directory's counts and pages from them equal those of the text index."""

import random
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone

from organisations.models import (
    Municipality,
    Organisation,
    OrganisationSearchEntry,
    TrackedSearch,
    TrackedSearchCell,
    TrackedSearchMatch,
)
from organisations.search import (
    refresh_search_index,
    search_index_repair,
    search_organisations,
    search_query,
    search_terms,
)
from organisations.search.index import bump_directory_version
from organisations.search.tracked import TRACKING_SLOT_KEY, differing_rows, track_search, tracked_search_keys
from organisations.selectors.directory import Directory
from tests.organisations.factories import OrganisationFactory, sector
from tests.organisations.search.test_cells import choose_random_filters, random_directory

pytestmark = pytest.mark.django_db


def results(params: str) -> tuple[int | None, dict, list[int]]:
    """What the directory shows for ``params`` after an edit: the tracked search it read, the facet
    counts and the first page's associations in order."""
    bump_directory_version()
    directory = Directory(QueryDict(params))
    assert directory.is_valid(), directory.errors
    counts = directory.facet_counts()
    page = directory.page_organisations(directory.ordered()[:20])
    return directory.tracked_search, counts, [organisation.pk for organisation in page]


def track(words: str, capture) -> int:
    cache.delete(TRACKING_SLOT_KEY)  # as if the last search was tracked a while ago
    with capture(execute=True):
        search_id = track_search(search_query(search_terms(words)))
    assert search_id
    return search_id


def matched(search_id: int) -> set[int]:
    return set(TrackedSearchMatch.objects.filter(search_id=search_id).values_list("organisation_id", flat=True))


def found_in_the_index(words: str) -> set[int]:
    entries = OrganisationSearchEntry.objects.filter(status=Organisation.Status.PUBLISHED)
    return set(search_organisations(entries, words, ranked=False).values_list("organisation_id", flat=True))


@pytest.fixture
def untracked(settings):
    settings.TRACKED_SEARCH_MIN_MATCHES = 10**9


def test_a_tracked_search_shows_the_same_counts_and_pages_as_the_text_index(
    untracked, django_capture_on_commit_callbacks
):
    rng = random.Random(4)
    random_directory(rng, 150)
    reference = Directory(QueryDict()).reference
    queries = []
    for words in ["kuoro", "urheiluseura", "kyläyhdistys"]:
        queries.append(f"q={words}")
        for _ in range(6):
            query = QueryDict(mutable=True)
            query["q"] = words
            choose_random_filters(rng, query, reference, chance=0.4)
            if rng.random() < 0.3:
                query["jarjestys"] = "nimi"
            queries.append(query.urlencode())
    expected = {params: results(params) for params in queries}
    assert all(tracked is None for tracked, _counts, _page in expected.values())
    assert sum(bool(page) for _tracked, _counts, page in expected.values()) > len(queries) // 2
    searches = {words: track(words, django_capture_on_commit_callbacks) for words in ["kuoro", "urheiluseura"]}
    searches["kyläyhdistys"] = track("kyläyhdistys", django_capture_on_commit_callbacks)
    read_tracked = 0
    for params, (_tracked, counts, page) in expected.items():
        tracked, tracked_counts, tracked_page = results(params)
        # A filter that leaves no match looks for similar names instead, tracked or not.
        assert tracked in (None, searches[QueryDict(params)["q"]]), params
        read_tracked += tracked is not None
        assert tracked_counts == counts, params
        assert tracked_page == page, params
    assert read_tracked > len(queries) // 2


def test_kept_matches_and_cells_follow_every_change_to_the_entries(untracked, django_capture_on_commit_callbacks):
    choir = OrganisationFactory(name="Kuopion Kuoro ry", sectors=[sector("kulttuuri")])
    other_choir = OrganisationFactory(name="Tervon Kuoro ry")
    OrganisationFactory(name="Tervon Urheiluseura ry")
    refresh_search_index(list(Organisation.objects.values_list("pk", flat=True)))
    search_id = track("kuoro", django_capture_on_commit_callbacks)
    assert matched(search_id) == {choir.pk, other_choir.pk}

    def assert_kept() -> None:
        assert matched(search_id) == found_in_the_index("kuoro")
        assert differing_rows(search_id) == 0

    # A new association, a renamed one, one moved and given sectors, one unpublished, one deleted.
    new_choir = OrganisationFactory(name="Iisalmen Kuoro ry")
    refresh_search_index([new_choir.pk])
    assert_kept()
    assert new_choir.pk in matched(search_id)
    Organisation.objects.filter(pk=other_choir.pk).update(name="Tervon Lauluyhdistys ry")
    refresh_search_index([other_choir.pk])
    assert_kept()
    assert other_choir.pk not in matched(search_id)
    Organisation.objects.filter(pk=choir.pk).update(home_municipality=Municipality.objects.get(code="140"))
    choir.sectors.add(sector("urheilu-ja-liikunta"))
    refresh_search_index([choir.pk])
    assert_kept()
    Organisation.objects.filter(pk=new_choir.pk).update(status=Organisation.Status.ARCHIVED)
    refresh_search_index([new_choir.pk])
    assert_kept()
    assert new_choir.pk not in matched(search_id)
    with pytest.raises(RuntimeError), transaction.atomic():
        Organisation.objects.filter(pk=choir.pk).delete()
        assert choir.pk not in matched(search_id)
        raise RuntimeError("rolled back")
    assert_kept()
    assert choir.pk in matched(search_id)
    Organisation.objects.filter(pk=choir.pk).delete()
    assert_kept()
    assert matched(search_id) == set()
    assert not TrackedSearchCell.objects.filter(search_id=search_id, organisations__gt=0).exists()


def test_the_directory_tracks_a_search_that_finds_enough_and_reads_it_after_an_edit(
    client, settings, django_capture_on_commit_callbacks, django_assert_num_queries
):
    settings.TRACKED_SEARCH_MIN_MATCHES = 3
    OrganisationFactory(name="Kuopion Kuoro ry")
    OrganisationFactory(name="Tervon Kuoro ry")
    refresh_search_index(list(Organisation.objects.values_list("pk", flat=True)))
    with django_capture_on_commit_callbacks(execute=True):
        client.get("/yhdistykset/?q=kuoro")
    assert not TrackedSearch.objects.exists()  # two matches: not worth keeping
    third = OrganisationFactory(name="Iisalmen Kuoro ry")
    with django_capture_on_commit_callbacks(execute=True):
        refresh_search_index([third.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.get("/yhdistykset/?q=kuoro")
    search = TrackedSearch.objects.get()
    assert matched(search.pk) == found_in_the_index("kuoro")
    fourth = OrganisationFactory(name="Varkauden Kuoro ry")
    with django_capture_on_commit_callbacks(execute=True):
        refresh_search_index([fourth.pk])
    tracked_search_keys()  # cached across requests, as the reference data is
    # After the edit: the counts from the search's cells, the page from its matches, the sectors.
    with django_assert_num_queries(3):
        response = client.get("/yhdistykset/?q=kuoro")
    assert response.status_code == 200
    assert "Varkauden Kuoro ry" in response.content.decode()
    assert response.context["page_obj"].paginator.count == 4


def test_the_repair_copies_wrong_matches_again_and_drops_searches_nobody_makes(
    untracked, settings, django_capture_on_commit_callbacks
):
    for name in ["Kuopion Kuoro ry", "Tervon Kuoro ry", "Iisalmen Urheiluseura ry"]:
        OrganisationFactory(name=name)
    refresh_search_index(list(Organisation.objects.values_list("pk", flat=True)))
    choirs = track("kuoro", django_capture_on_commit_callbacks)
    sports = track("urheiluseura", django_capture_on_commit_callbacks)
    assert search_index_repair() == 0
    # As a restore made without the triggers would leave them: a wrong rank, a lost match, a wrong cell.
    TrackedSearchMatch.objects.filter(search_id=choirs).order_by("organisation_id").first().delete()
    TrackedSearchMatch.objects.filter(search_id=sports).update(rank=0.5)
    TrackedSearchCell.objects.filter(search_id=sports).update(organisations=7)
    assert differing_rows(choirs) == 2  # the lost match, and its cell's count
    assert differing_rows(sports) == 2
    assert search_index_repair() == 4
    assert differing_rows(choirs) == differing_rows(sports) == 0
    assert matched(choirs) == found_in_the_index("kuoro")
    # A month without anyone searching for sports clubs: that search is dropped, choirs kept.
    TrackedSearch.objects.update(tracked_at=timezone.now() - timedelta(days=settings.TRACKED_SEARCH_UNUSED_DAYS + 1))
    cache.delete(f"organisations:tracked-search-used:{sports}")
    with django_capture_on_commit_callbacks(execute=True):
        assert search_index_repair() == 0
    assert list(TrackedSearch.objects.values_list("pk", flat=True)) == [choirs]
    assert not TrackedSearchMatch.objects.filter(search_id=sports).exists()
    assert not TrackedSearchCell.objects.filter(search_id=sports).exists()
    tracked, _counts, page = results("q=urheiluseura")
    assert tracked is None
    assert len(page) == 1


def test_no_more_searches_are_tracked_than_the_limit(untracked, settings, django_capture_on_commit_callbacks):
    settings.TRACKED_SEARCHES_MAX = 1
    OrganisationFactory(name="Kuopion Kuoro ry")
    refresh_search_index(list(Organisation.objects.values_list("pk", flat=True)))
    first = track("kuoro", django_capture_on_commit_callbacks)
    cache.delete(TRACKING_SLOT_KEY)
    assert track_search(search_query(search_terms("kuopion"))) is None
    cache.delete(TRACKING_SLOT_KEY)
    assert track_search(search_query(search_terms("kuoro"))) == first  # the same search again
    assert TrackedSearch.objects.count() == 1


def test_one_search_is_tracked_at_a_time_so_a_new_site_does_not_track_every_word_at_once(
    untracked, django_capture_on_commit_callbacks
):
    OrganisationFactory(name="Kuopion Kuoro ry")
    refresh_search_index(list(Organisation.objects.values_list("pk", flat=True)))
    track("kuoro", django_capture_on_commit_callbacks)
    # Within the interval another search waits for a later visitor; then its turn comes.
    assert track_search(search_query(search_terms("kuopion"))) is None
    assert TrackedSearch.objects.count() == 1
    assert track("kuopion", django_capture_on_commit_callbacks)
    assert TrackedSearch.objects.count() == 2
