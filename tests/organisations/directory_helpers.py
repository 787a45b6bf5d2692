"""Building blocks for the directory tests: associations with every relation, indexed for search."""

from django.test import TestCase
from django.utils.text import slugify

from organisations.models import Language, Municipality, Organisation, Sector, TargetGroup
from organisations.search import refresh_search_index

from .factories import OrganisationFactory


def make_organisation(
    name: str,
    *,
    municipality: str = "297",
    sectors: tuple[str, ...] = (),
    target_groups: tuple[str, ...] = (),
    languages: tuple[str, ...] = (),
    index: bool = True,
    **fields,
) -> Organisation:
    fields.setdefault("slug", slugify(name))
    organisation = OrganisationFactory(
        name=name, home_municipality=Municipality.objects.get(code=municipality), **fields
    )
    organisation.sectors.set(Sector.objects.filter(slug__in=sectors))
    organisation.target_groups.set(TargetGroup.objects.filter(slug__in=target_groups))
    organisation.languages.set(Language.objects.filter(code__in=languages))
    if index:
        # As if the write had committed: the directory's cache version moves only on commit,
        # and the test's own transaction never commits.
        with TestCase.captureOnCommitCallbacks(execute=True):
            refresh_search_index([organisation.pk])
    return organisation
