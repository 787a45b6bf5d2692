"""The reference snapshot: kept in the process per version of the reference data, and moved on by
any committed change to it, however it is saved."""

import pytest
from django.core.cache import cache

from organisations.models import Municipality, Sector
from organisations.selectors.reference import REFERENCE_CACHE_KEY, REFERENCE_VERSION_KEY, directory_reference
from portal.versions import current_version

pytestmark = pytest.mark.django_db


def test_the_snapshot_is_kept_in_the_process_and_not_read_from_the_cache_again(settings, django_assert_num_queries):
    first = directory_reference()
    version = current_version(REFERENCE_VERSION_KEY)
    # Gone from the cache (evicted, say): this process still has it, and asks nobody.
    cache.delete(f"{REFERENCE_CACHE_KEY}:{version}:{','.join(settings.PORTAL_REGIONS)}")
    with django_assert_num_queries(0):
        assert directory_reference() is first


def test_a_renamed_sector_and_a_new_municipality_show_once_the_change_commits(django_capture_on_commit_callbacks):
    before = directory_reference()
    culture = Sector.objects.get(slug="kulttuuri")
    with django_capture_on_commit_callbacks(execute=True):
        culture.name_fi = "Kulttuuri ja taide"
        culture.save()
    after = directory_reference()
    assert after is not before
    assert [option.name_fi for option in after.sectors if option.value == "kulttuuri"] == ["Kulttuuri ja taide"]
    kuopio = Municipality.objects.get(code="297")
    with django_capture_on_commit_callbacks(execute=True):
        Municipality.objects.create(code="998", name_fi="Uusikunta", slug="uusikunta", region=kuopio.region)
    assert "998" in directory_reference().by_value["kunta"]


def test_an_emptied_cache_starts_a_new_version_and_reads_the_database_again():
    first = directory_reference()
    Sector.objects.filter(slug="kulttuuri").update(name_fi="Kulttuuri (muutettu ohi palveluiden)")
    assert directory_reference() is first  # an update() sends no signal: the snapshot stands
    cache.clear()  # as a Redis restart would
    renamed = [option.name_fi for option in directory_reference().sectors if option.value == "kulttuuri"]
    assert renamed == ["Kulttuuri (muutettu ohi palveluiden)"]
