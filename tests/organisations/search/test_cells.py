"""The directory's cells follow every change to the associations, however it is made, and the
facet counts read from them equal counts of the associations themselves."""

import random

import pytest
from django.db import transaction
from django.http import QueryDict

from organisations.models import DirectoryCell, Language, Municipality, Organisation, Sector, TargetGroup
from organisations.search import refresh_search_index, search_index_repair
from organisations.search.cells import differing_cells
from organisations.selectors.directory import Directory, directory_total, municipality_sector_counts
from tests.organisations.factories import OrganisationFactory, sector

pytestmark = pytest.mark.django_db


def kept_cells() -> dict[tuple[int, int, int, int], int]:
    return {
        (cell.home_municipality_id, cell.sector_mask, cell.target_group_mask, cell.language_mask): cell.organisations
        for cell in DirectoryCell.objects.exclude(organisations=0)
    }


def counted_cells() -> dict[tuple[int, int, int, int], int]:
    counted: dict[tuple[int, int, int, int], int] = {}
    for key in Organisation.objects.published().values_list(
        "home_municipality_id", "sector_mask", "target_group_mask", "language_mask"
    ):
        counted[key] = counted.get(key, 0) + 1
    return counted


@pytest.fixture
def kuopio():
    return Municipality.objects.get(code="297")


def test_published_associations_are_counted_and_drafts_are_not(kuopio):
    OrganisationFactory.create_batch(3)
    OrganisationFactory(status=Organisation.Status.DRAFT)
    assert kept_cells() == {(kuopio.pk, 0, 0, 0): 3}


def test_a_status_change_made_behind_the_services_back_moves_the_count(kuopio):
    choir, other = OrganisationFactory.create_batch(2)
    Organisation.objects.filter(pk=choir.pk).update(status=Organisation.Status.ARCHIVED)
    assert kept_cells() == {(kuopio.pk, 0, 0, 0): 1}
    Organisation.objects.filter(pk__in=[choir.pk, other.pk]).update(status=Organisation.Status.PUBLISHED)
    assert kept_cells() == {(kuopio.pk, 0, 0, 0): 2}


def test_a_new_sector_and_a_new_home_move_the_association_to_another_cell(kuopio):
    choir = OrganisationFactory(sectors=[sector("kulttuuri")])
    OrganisationFactory()
    refresh_search_index([choir.pk])
    culture = 1 << sector("kulttuuri").pk
    assert kept_cells() == {(kuopio.pk, culture, 0, 0): 1, (kuopio.pk, 0, 0, 0): 1}
    iisalmi = Municipality.objects.get(code="140")
    Organisation.objects.filter(pk=choir.pk).update(home_municipality=iisalmi)
    assert kept_cells() == {(iisalmi.pk, culture, 0, 0): 1, (kuopio.pk, 0, 0, 0): 1}


def test_deleting_and_a_rolled_back_change_leave_the_right_counts(kuopio):
    choir, other = OrganisationFactory.create_batch(2)
    choir.delete()
    assert kept_cells() == {(kuopio.pk, 0, 0, 0): 1}
    with pytest.raises(RuntimeError), transaction.atomic():
        Organisation.objects.filter(pk=other.pk).update(status=Organisation.Status.ARCHIVED)
        assert kept_cells() == {}
        raise RuntimeError("rolled back")
    assert kept_cells() == {(kuopio.pk, 0, 0, 0): 1}


def test_cells_counted_wrong_are_found_and_counted_again_by_the_repair(kuopio):
    refresh_search_index([organisation.pk for organisation in OrganisationFactory.create_batch(2)])
    assert search_index_repair() == 0
    # As a restore made without the triggers would leave them: one cell wrong, one missing.
    DirectoryCell.objects.update(organisations=5)
    DirectoryCell.objects.create(
        home_municipality=kuopio, sector_mask=1, target_group_mask=0, language_mask=0, organisations=1
    )
    Organisation.objects.update(status=Organisation.Status.ARCHIVED)
    DirectoryCell.objects.filter(sector_mask=0).update(organisations=2)
    assert differing_cells() == 2
    assert search_index_repair() == 4  # two stale search entries, two cells
    assert kept_cells() == {}
    assert differing_cells() == 0


def random_directory(rng: random.Random, count: int) -> None:
    """``count`` associations with random homes, statuses, sectors, target groups and languages."""
    municipalities = list(Municipality.objects.served()[:6])
    sectors, groups, languages = (
        list(Sector.objects.all()),
        list(TargetGroup.objects.all()),
        list(Language.objects.all()),
    )
    statuses = [Organisation.Status.PUBLISHED] * 4 + [Organisation.Status.DRAFT, Organisation.Status.ARCHIVED]
    organisations = Organisation.objects.bulk_create(
        Organisation(
            name=f"Satunnainen {rng.choice(['kuoro', 'urheiluseura', 'kyläyhdistys'])} {number} ry",
            slug=f"satunnainen-{number}-ry",
            status=rng.choice(statuses),
            home_municipality=rng.choice(municipalities),
        )
        for number in range(count)
    )
    for organisation in organisations:
        organisation.sectors.set(rng.sample(sectors, rng.randint(0, 3)))
        organisation.target_groups.set(rng.sample(groups, rng.randint(0, 2)))
        organisation.languages.set(rng.sample(languages, rng.randint(0, 2)))
    refresh_search_index([organisation.pk for organisation in organisations])


def choose_random_filters(rng: random.Random, query: QueryDict, reference, *, chance: float) -> None:
    """Each facet chosen with ``chance``: one or two of its values (municipalities among the six
    that ``random_directory`` uses)."""
    for facet, options in [
        ("kunta", reference.municipalities[:6]),
        ("toimiala", reference.sectors),
        ("kohderyhma", reference.target_groups),
        ("kieli", reference.languages),
    ]:
        if rng.random() < chance:
            query.setlist(facet, [option.value for option in rng.sample(list(options), rng.randint(1, 2))])


def test_facet_counts_from_the_cells_equal_counts_of_the_associations():
    rng = random.Random(9)
    random_directory(rng, 120)
    assert kept_cells() == counted_cells()
    reference = Directory(QueryDict()).reference
    searched = 0
    for _ in range(30):
        query = QueryDict(mutable=True)
        choose_random_filters(rng, query, reference, chance=0.5)
        if rng.random() < 0.3:
            # Searches count their matching entries, not cells: the same figures either way.
            query["q"] = rng.choice(["kuoro", "urheiluseura"])
        directory = Directory(query)
        assert directory.is_valid(), directory.errors
        from_associations = directory._count_facets_python(
            directory.filtered(excluding=directory.FACETS, ranked=False).order_by(), directory._facet_tests()
        )
        assert directory._count_facets() == from_associations, query.urlencode()
        searched += directory.searching and sum(from_associations["kunta"].values()) > 0
    assert searched
    published = Organisation.objects.published().filter(
        home_municipality_id__in=[option.pk for option in reference.municipalities]
    )
    assert directory_total() == published.count()
    home = published.first().home_municipality_id
    counts, total = municipality_sector_counts(home)
    assert total == published.filter(home_municipality_id=home).count()
    for pk, number in counts.items():
        assert number == published.filter(home_municipality_id=home, sectors__pk=pk).count()
