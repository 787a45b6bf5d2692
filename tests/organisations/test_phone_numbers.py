"""Phone numbers: one normaliser for the forms, the admin, the import and the stored data (issue 8, point 10)."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.urls import reverse

from council.models import Person
from organisations.models import MunicipalContact, Municipality, Organisation
from organisations.validators import format_phone, normalise_phone, validate_phone
from tests.organisations.factories import OrganisationFactory, UserFactory
from tests.organisations.imports_helpers import dry_run
from tests.organisations.roles import make_editor
from tests.organisations.views.test_selfservice import edit_post, registration_post
from tests.roles import add_totp, login_with_totp, verified_user


@pytest.mark.parametrize(
    ("typed", "stored", "shown"),
    [
        ("040 123 4567", "+358401234567", "040 1234567"),
        ("+358 40 1234567", "+358401234567", "040 1234567"),
        ("040-123 4567", "+358401234567", "040 1234567"),
        ("017 123 456", "+35817123456", "017 123456"),
        ("09 123 4567", "+35891234567", "09 1234567"),
        ("+46 8 123 456 78", "+46812345678", "+46 8 123 456 78"),
    ],
)
def test_finnish_mobile_landline_and_foreign_numbers_are_stored_in_e164_and_shown_nationally(typed, stored, shown):
    validate_phone(typed)
    assert normalise_phone(typed) == stored
    assert format_phone(stored) == shown


@pytest.mark.parametrize("typed", ["soita minulle", "123", "040 12", "+358 17 111"])
def test_what_is_not_a_phone_number_is_refused(typed):
    with pytest.raises(ValidationError) as error:
        validate_phone(typed)
    assert error.value.code == "invalid_phone"
    assert normalise_phone(typed) == typed.strip()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("prefix", "message"),
    [
        ("", "Anna puhelinnumero, esimerkiksi 040 123 4567 tai +358 17 123 456."),
        ("/sv", "Ange ett telefonnummer, till exempel 040 123 4567 eller +358 17 123 456."),
        ("/en", "Enter a phone number, for example 040 123 4567 or +358 17 123 456."),
    ],
)
def test_registration_with_soita_minulle_as_the_phone_is_a_translated_error_and_saves_nothing(client, prefix, message):
    client.force_login(UserFactory())
    response = client.post(prefix + reverse("organisations:register"), registration_post(phone="soita minulle"))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Organisation.objects.exists()


@pytest.mark.django_db
def test_registration_stores_the_number_in_e164(client):
    client.force_login(UserFactory())
    client.post(reverse("organisations:register"), registration_post(phone="040 123 4567"))
    assert Organisation.objects.get().phone == "+358401234567"


@pytest.mark.django_db
def test_an_edited_number_is_stored_in_e164_and_the_public_page_shows_it_nationally(client):
    organisation = OrganisationFactory()
    client.force_login(make_editor(organisation))
    response = client.post(
        reverse("organisations:edit", args=[organisation.slug]),
        edit_post(organisation, phone="+358 17 123 456", contact_phone="soita minulle"),
    )
    assert response.status_code == 200
    assert "Anna puhelinnumero" in response.content.decode()
    response = client.post(
        reverse("organisations:edit", args=[organisation.slug]),
        edit_post(organisation, phone="+358 17 123 456", contact_phone="050 765 4321"),
    )
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert (organisation.phone, organisation.contact_phone) == ("+35817123456", "+358507654321")
    page = client.get(organisation.get_absolute_url()).content.decode()
    assert '<a href="tel:+35817123456">017 123456</a>' in page


@pytest.mark.django_db
def test_municipal_contacts_and_council_people_are_normalised_and_checked_by_full_clean():
    contact = MunicipalContact(name="Kaisa Kuntalainen", phone="017 123 456")
    contact.full_clean(exclude=["municipalities"])
    assert contact.phone == "+35817123456"
    person = Person(name="Ville Valtuutettu", phone="soita minulle")
    with pytest.raises(ValidationError) as error:
        person.full_clean()
    assert "phone" in error.value.message_dict


@pytest.mark.django_db
def test_the_admin_form_of_a_municipal_contact_refuses_a_non_number(client):
    staff = verified_user(is_staff=True, is_superuser=True)
    login_with_totp(client, staff, add_totp(staff))
    response = client.post(
        reverse("admin:organisations_municipalcontact_add"),
        {
            "name": "Kaisa Kuntalainen",
            "phone": "soita minulle",
            "municipalities": [Municipality.objects.get(code="297").pk],
            "is_public": "on",
        },
    )
    assert response.status_code == 200
    assert "Anna puhelinnumero" in response.content.decode()
    assert not MunicipalContact.objects.filter(name="Kaisa Kuntalainen").exists()


@pytest.mark.django_db
def test_the_import_refuses_a_non_number_and_sees_a_reformatted_number_as_no_change(role_user):
    staff = role_user("staff")
    OrganisationFactory(name="Kuopion Kuoro ry", phone="+358401234567")
    content = "nimi;kotikunta;puhelin\nKuopion Kuoro ry;Kuopio;040-123 4567\nUusi Kerho ry;Kuopio;soita minulle\n"
    rows = dry_run(user=staff, file_name="a.csv", content=content.encode()).report["rows"]
    assert rows[0]["action"] == "unchanged"
    assert rows[1]["action"] == "reject"
    assert any("040 123 4567" in message for message in rows[1]["messages"])


@pytest.mark.django_db
def test_the_data_migration_normalises_what_parses_and_leaves_the_rest():
    good = OrganisationFactory(phone="040 123 4567", contact_phone="")
    bad = OrganisationFactory(phone="soita minulle", contact_phone="017 123 456")
    migration = importlib.import_module("organisations.migrations.0011_phone_numbers")
    migration.normalise_stored_numbers(apps, None)
    good.refresh_from_db()
    bad.refresh_from_db()
    assert (good.phone, good.contact_phone) == ("+358401234567", "")
    assert (bad.phone, bad.contact_phone) == ("soita minulle", "+35817123456")


def test_the_display_filter_leaves_a_number_that_never_parsed_as_it_was():
    template = Template("{% load phone_numbers %}{{ value|phone_display }}|{{ value|phone_link }}")
    assert template.render(Context({"value": "+35891234567"})) == "09 1234567|+35891234567"
    assert template.render(Context({"value": "soita minulle"})) == "soita minulle|soitaminulle"
