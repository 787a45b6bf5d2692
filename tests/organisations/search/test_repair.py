"""Drift in the search index is found and repaired; the directory's cache version moves only after commit."""

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from organisations.models import Municipality, Organisation, OrganisationRelatedNames, OrganisationSearchEntry
from organisations.search import directory_version, refresh_search_index, search_index_repair
from organisations.tasks import repair_search_index_task
from tests.organisations.factories import OrganisationFactory, sector

pytestmark = pytest.mark.django_db


@pytest.fixture
def indexed():
    """Two associations indexed by the services, so a fresh repair finds nothing to do."""
    organisations = [OrganisationFactory(name="Kuopion Kuorolaulajat ry"), OrganisationFactory(name="Toinen ry")]
    refresh_search_index([o.pk for o in organisations])
    assert search_index_repair() == 0
    return organisations


def test_a_status_changed_behind_the_services_back_is_repaired(indexed):
    choir = indexed[0]
    Organisation.objects.filter(pk=choir.pk).update(status=Organisation.Status.ARCHIVED)
    assert OrganisationSearchEntry.objects.get(pk=choir.pk).status == Organisation.Status.PUBLISHED
    assert search_index_repair() == 1
    assert OrganisationSearchEntry.objects.get(pk=choir.pk).status == Organisation.Status.ARCHIVED
    assert search_index_repair() == 0


def test_a_sector_added_with_raw_sql_reaches_the_masks_document_and_related_names(indexed):
    choir = indexed[0]
    culture = sector("kulttuuri")
    table = Organisation.sectors.through._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} (organisation_id, sector_id) VALUES (%s, %s)", [choir.pk, culture.pk])  # noqa: S608  (table name from the model)
    assert search_index_repair() == 1
    entry = OrganisationSearchEntry.objects.get(pk=choir.pk)
    assert entry.sector_mask == 1 << culture.pk
    assert culture.name_fi in entry.document
    assert Organisation.objects.get(pk=choir.pk).sector_mask == 1 << culture.pk
    assert OrganisationRelatedNames.objects.get(organisation=choir).sectors_fi == culture.name_fi
    assert search_index_repair() == 0


def test_a_missing_entry_and_a_moved_home_are_repaired(indexed):
    choir, other = indexed
    OrganisationSearchEntry.objects.filter(pk=choir.pk).delete()
    iisalmi = Municipality.objects.get(code="140")
    Organisation.objects.filter(pk=other.pk).update(home_municipality=iisalmi, name="Iisalmen Seura ry")
    assert search_index_repair() == 2
    assert OrganisationSearchEntry.objects.filter(pk=choir.pk).exists()
    moved = OrganisationSearchEntry.objects.get(pk=other.pk)
    assert (moved.home_municipality_id, moved.name) == (iisalmi.pk, "Iisalmen Seura ry")
    assert "Iisalmi" in moved.document
    assert search_index_repair() == 0


def test_the_command_and_the_task_report_the_count(indexed, capsys):
    Organisation.objects.filter(pk=indexed[0].pk).update(name="Uusi Nimi ry")
    call_command("repair_search_index")
    assert capsys.readouterr().out.strip() == "1"
    Organisation.objects.filter(pk=indexed[1].pk).update(name="Toinen Uusi Nimi ry")
    assert repair_search_index_task() == 1
    call_command("repair_search_index")
    assert capsys.readouterr().out.strip() == "0"


class Rollback(Exception):
    pass


def test_the_cache_version_moves_after_commit_not_inside_a_rolled_back_transaction(
    django_capture_on_commit_callbacks,
):
    organisation = OrganisationFactory()
    before = directory_version()
    with pytest.raises(Rollback), transaction.atomic():
        refresh_search_index([organisation.pk])
        assert directory_version() == before
        raise Rollback
    assert directory_version() == before
    with django_capture_on_commit_callbacks(execute=True):
        refresh_search_index([organisation.pk])
        assert directory_version() == before
    assert directory_version() == before + 1
