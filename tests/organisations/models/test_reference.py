"""Sectors, target groups and languages are bits of the facet bit sets: their ids must stay below 63."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from organisations.models import MASK_BITS, Language, Sector, TargetGroup
from organisations.models.reference import FACET_LIMIT_MESSAGE
from organisations.search import bit_mask

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("model", "fields"),
    [
        (Sector, {"slug": "uusi-toimiala", "name_fi": "Uusi toimiala"}),
        (TargetGroup, {"slug": "uusi-ryhma", "name_fi": "Uusi ryhmä"}),
        (Language, {"code": "xx", "name_fi": "Uusi kieli"}),
    ],
)
def test_no_facet_row_beyond_the_bit_set_can_be_created(model, fields):
    model.objects.create(pk=MASK_BITS - 1, **{key: f"{value}-last" for key, value in fields.items()})
    with pytest.raises(ValidationError) as raised:
        model(**fields).full_clean()
    assert raised.value.messages == [str(FACET_LIMIT_MESSAGE)]
    with pytest.raises(ValidationError) as raised:
        model(pk=MASK_BITS, **fields).full_clean()
    assert str(FACET_LIMIT_MESSAGE) in raised.value.messages
    # Whatever bypasses clean() (the shell, a data migration) meets the database constraint.
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.create(pk=MASK_BITS, **fields)


def test_the_last_allowed_id_still_fits_the_bit_set():
    assert bit_mask([0, MASK_BITS - 1]) == 1 | 1 << (MASK_BITS - 1)
    assert bit_mask([0, MASK_BITS - 1]) < 2**63
