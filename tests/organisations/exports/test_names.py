"""The related names exports read (OrganisationRelatedNames) and the SQL that decides contact cells."""

import itertools
import random

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import translation

from organisations.exports.sql import _DIMENSION_VALUES, _shown_condition
from organisations.exports.streams import _python_row_chunks, prepare, row_chunks
from organisations.models import Language, Municipality, Organisation, OrganisationRelatedNames, TargetGroup
from organisations.search import refresh_search_index
from tests.organisations.factories import OrganisationFactory, municipal_contact_user, sector
from tests.roles import add_totp, login_with_totp, verified_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def choir():
    choir = OrganisationFactory(name="Kuopion Kuoro ry", sectors=[sector("urheilu-ja-liikunta"), sector("kulttuuri")])
    choir.municipalities.set(Municipality.objects.filter(code__in=["297", "749"]))
    choir.target_groups.set(TargetGroup.objects.filter(slug="nuoret"))
    choir.languages.set(Language.objects.filter(code__in=["fi", "sv"]))
    return choir


def test_refresh_writes_the_names_in_export_order_and_both_languages(choir):
    refresh_search_index([choir.pk])
    row = OrganisationRelatedNames.objects.get(organisation=choir)
    municipalities = sorted(choir.municipalities.all(), key=lambda m: (m.name_fi, m.pk))
    assert row.municipalities_fi == ", ".join(m.name_fi for m in municipalities)
    assert row.municipalities_sv == ", ".join(m.name_sv or m.name_fi for m in municipalities)
    assert row.sectors_fi == ", ".join(s.name_fi for s in choir.sectors.order_by("position", "name_fi", "pk"))
    assert row.target_groups_fi == "Nuoret"
    assert row.languages_fi.count(", ") == 1


def test_refresh_follows_changed_relations_and_swedish_falls_back_to_finnish(choir):
    refresh_search_index([choir.pk])
    culture = sector("kulttuuri")
    culture.name_sv = ""
    culture.save()
    choir.sectors.set([culture])
    choir.municipalities.clear()
    refresh_search_index([choir.pk])
    row = OrganisationRelatedNames.objects.get(organisation=choir)
    assert (row.sectors_fi, row.sectors_sv) == (culture.name_fi, culture.name_fi)
    assert (row.municipalities_fi, row.municipalities_sv) == ("", "")


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_export_without_stored_names_computes_them(choir, language):
    # An association no refresh has reached (here: made by a factory) still exports its names.
    assert not OrganisationRelatedNames.objects.filter(organisation=choir).exists()
    user = municipal_contact_user("297")
    queryset = Organisation.objects.filter(pk=choir.pk)
    with translation.override(language):
        prepared = prepare(queryset, user=user)
    unrefreshed = [row for chunk in row_chunks(prepared) for row in chunk]
    refresh_search_index([choir.pk])
    refreshed = [row for chunk in row_chunks(prepared) for row in chunk]
    assert unrefreshed == refreshed == [row for chunk in _python_row_chunks(prepared) for row in chunk]
    youth = TargetGroup.objects.get(slug="nuoret")
    expected = (youth.name_sv or youth.name_fi) if language == "sv" else youth.name_fi
    assert expected in refreshed[0]


def _evaluate(condition: str, params: list, combination: tuple) -> bool:
    name, email, phone, consented = combination
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COALESCE({condition}, FALSE) FROM (SELECT %s::text AS contact_name_visibility, "  # noqa: S608
            "%s::text AS contact_email_visibility, %s::text AS contact_phone_visibility, "
            "CASE WHEN %s THEN now() END AS contact_consent_at) o",
            [*params, name, email, phone, consented],
        )
        return cursor.fetchone()[0]


@pytest.mark.parametrize("seed", range(4))
def test_shown_condition_is_true_for_exactly_its_combinations(seed):
    every = list(itertools.product(*_DIMENSION_VALUES))
    chooser = random.Random(seed)
    shown = {
        0: every,
        1: [c for c in every if c[0] in ("public", "municipal") and c[3]],
        2: [c for c in every if c[3] and c[1] == "public"],
        3: chooser.sample(every, 20),
    }[seed]
    condition, params = _shown_condition(shown)
    assert [_evaluate(condition, params, c) for c in every] == [c in shown for c in every]


def test_renaming_a_sector_in_the_admin_renames_it_in_exports(client, choir):
    refresh_search_index([choir.pk])
    staff = verified_user(is_staff=True, is_superuser=True)
    login_with_totp(client, staff, add_totp(staff))
    culture = sector("kulttuuri")
    data = {
        "name_fi": "Taide ja kulttuuri",
        "name_sv": "Konst och kultur",
        "name_en": culture.name_en,
        "slug": culture.slug,
        "position": culture.position,
    }
    response = client.post(reverse("admin:organisations_sector_change", args=[culture.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    row = OrganisationRelatedNames.objects.get(organisation=choir)
    assert "Taide ja kulttuuri" in row.sectors_fi.split(", ")
    assert "Konst och kultur" in row.sectors_sv.split(", ")
