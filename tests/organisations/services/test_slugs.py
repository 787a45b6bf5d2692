"""One slug function for every path that creates listings, and it never hands out a reserved word."""

import pytest

from organisations.models import Organisation
from organisations.services.common import RESERVED_SLUGS, unique_slug
from tests.organisations.imports_helpers import apply, dry_run
from tests.organisations.roles import make_staff

pytestmark = pytest.mark.django_db


def test_a_reserved_word_gets_a_number():
    assert "uusi" in RESERVED_SLUGS
    assert unique_slug("Uusi") == "uusi-2"
    assert unique_slug("Uusi", taken={"uusi-2"}) == "uusi-3"


def test_the_import_uses_the_same_slug_function():
    batch = dry_run(user=make_staff(), file_name="lista.csv", content=b"nimi;kotikunta\nUusi;Kuopio\n")
    apply(batch)
    assert Organisation.objects.get(name="Uusi").slug == "uusi-2"
