"""Demo data a resident would believe (issue 8, point 15): unique names per municipality, sectors
that fit the name, the home municipality among the municipalities of activity."""

import datetime as dt
from collections import Counter

import pytest

from organisations.demo import seed_demo
from organisations.demo.data import NAME_PATTERNS, RELATED_SECTORS
from organisations.models import MunicipalContact, Organisation
from organisations.validators import normalise_phone, validate_phone

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 1, 15)


def fitting_sectors() -> dict[str, set[str]]:
    """The sectors each name ending ("Mieskuoro", "Käsityöyhdistys") may carry."""
    fits: dict[str, set[str]] = {}
    for sector, patterns in NAME_PATTERNS.items():
        for pattern in patterns:
            tail = pattern.split(" ", 1)[1]
            fits.setdefault(tail, set()).update({sector, *RELATED_SECTORS.get(pattern, ())})
    return fits


def test_no_two_listings_share_a_name_in_one_home_municipality():
    seed_demo(organisations=5000, seed=1, with_accounts=False, today=TODAY)
    pairs = Counter(Organisation.objects.values_list("name", "home_municipality__code"))
    assert sum(pairs.values()) == 5000
    assert [pair for pair, count in pairs.items() if count > 1] == []


def test_every_sector_fits_the_name():
    seed_demo(organisations=2000, seed=5, with_accounts=False, today=TODAY)
    fits = fitting_sectors()
    tails = sorted(fits, key=len, reverse=True)
    sectors: dict[int, set[str]] = {}
    for organisation_id, slug in Organisation.sectors.through.objects.values_list("organisation_id", "sector__slug"):
        sectors.setdefault(organisation_id, set()).add(slug)
    misfits = []
    for organisation_id, name in Organisation.objects.values_list("pk", "name"):
        tail = next(tail for tail in tails if name.endswith(f" {tail} ry"))
        if not sectors[organisation_id] <= fits[tail]:
            misfits.append((name, sectors[organisation_id]))
    assert misfits == []
    # The examples: a men's choir is culture only; a crafts society culture or leisure.
    assert fits["Mieskuoro"] == {"kulttuuri"}
    assert fits["Käsityöyhdistys"] == {"vapaa-aika", "kulttuuri"}
    assert "poliittinen" not in fits["Käsityöyhdistys"]
    # Some listings still have two sectors.
    assert any(len(slugs) == 2 for slugs in sectors.values())


def test_the_home_municipality_is_among_the_municipalities_of_activity():
    seed_demo(organisations=2000, seed=6, with_accounts=False, today=TODAY)
    active: dict[int, set[int]] = {}
    through = Organisation.municipalities.through.objects.values_list("organisation_id", "municipality_id")
    for organisation_id, municipality_id in through:
        active.setdefault(organisation_id, set()).add(municipality_id)
    homes = dict(Organisation.objects.values_list("pk", "home_municipality_id"))
    assert [pk for pk, home in homes.items() if home not in active.get(pk, set())] == []
    # Some are active in neighbouring municipalities too.
    assert sum(1 for municipalities in active.values() if len(municipalities) > 1) > 100


def test_demo_phone_numbers_are_valid_and_stored_as_the_forms_store_them():
    seed_demo(organisations=300, seed=2, with_accounts=False, today=TODAY)
    phones = [
        phone for pair in Organisation.objects.values_list("phone", "contact_phone") for phone in pair if phone
    ] + [phone for phone in MunicipalContact.objects.values_list("phone", flat=True) if phone]
    assert len(phones) > 100
    for phone in phones:
        validate_phone(phone)
        assert normalise_phone(phone) == phone
