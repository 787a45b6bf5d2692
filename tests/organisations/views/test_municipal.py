from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from organisations.models import ExportLog, MunicipalContact, Municipality, Organisation, SavedFilter
from tests.organisations.factories import OrganisationFactory, UserFactory, municipal_contact_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def contacts():
    kuopio, mikkeli = Municipality.objects.get(code="297"), Municipality.objects.get(code="491")
    first = MunicipalContact.objects.create(
        name="Testi Yhteyshenkilö",
        title="Järjestökoordinaattori",
        email="koordinaattori@example.org",
        phone="+358 44 000 0001",
    )
    first.municipalities.set([kuopio])
    second = MunicipalContact.objects.create(name="Toinen Testihenkilö", title="Hyte-koordinaattori")
    second.municipalities.set([kuopio, mikkeli])
    hidden = MunicipalContact.objects.create(name="Piilotettu Henkilö", is_public=False)
    hidden.municipalities.set([kuopio])
    return first, second, hidden


def test_public_page_lists_contacts_per_region_and_municipality(client, contacts, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        response = client.get(reverse("organisations:municipal_contacts"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Pohjois-Savo" in page and "Etelä-Savo" in page
    assert page.count("Toinen Testihenkilö") == 2  # Kuopio and Mikkeli
    assert "koordinaattori@example.org" in page
    assert 'href="tel:+358440000001"' in page
    assert "Piilotettu Henkilö" not in page


def test_municipality_page_shows_its_public_contacts(client, contacts):
    page = client.get(reverse("organisations:municipality", args=["297"])).content.decode()
    assert "Kuntien järjestöyhteyshenkilöt" in page
    assert "Testi Yhteyshenkilö" in page
    assert "Piilotettu Henkilö" not in page
    other = client.get(reverse("organisations:municipality", args=["140"])).content.decode()
    assert "Testi Yhteyshenkilö" not in other


def test_directory_offers_export_links_only_to_those_who_may_export(client):
    OrganisationFactory()
    directory = reverse("organisations:list")
    assert 'id="export-heading"' not in client.get(directory).content.decode()
    client.force_login(UserFactory(is_staff=True))
    assert 'id="export-heading"' not in client.get(directory).content.decode()
    client.force_login(municipal_contact_user("297"))
    page = client.get(directory + "?toimiala=kulttuuri&page=2").content.decode()
    assert 'id="export-heading"' in page
    export = page.split('id="export-part"')[1].split("</section>")[0]
    assert reverse("organisations:export", args=["xlsx"]) + "?toimiala=kulttuuri" in export
    assert "page=2" not in export


def test_contact_saves_removes_and_reuses_filters(client):
    user = municipal_contact_user("297")
    client.force_login(user)
    response = client.post(
        reverse("organisations:saved_filter_create"),
        {"name": "Kulttuuri", "query_string": "toimiala=kulttuuri&page=4&evil=1"},
    )
    assert response.status_code == 302
    saved = SavedFilter.objects.get(user=user)
    assert saved.query_string == "toimiala=kulttuuri"
    # The same name overwrites instead of failing on the unique constraint.
    client.post(reverse("organisations:saved_filter_create"), {"name": "Kulttuuri", "query_string": "kieli=sv"})
    assert list(SavedFilter.objects.values_list("query_string", flat=True)) == ["kieli=sv"]
    page = client.get(reverse("organisations:contact_home")).content.decode()
    assert reverse("organisations:export", args=["csv"]) + "?kieli=sv" in page
    assert client.post(reverse("organisations:saved_filter_create"), {"name": " "}).status_code == 302
    assert SavedFilter.objects.count() == 1
    client.post(reverse("organisations:saved_filter_remove", args=[saved.pk]))
    assert SavedFilter.objects.count() == 0


def test_contact_page_shows_past_exports_and_changes_since_the_last_one(client, django_assert_max_num_queries):
    user = municipal_contact_user("297")
    long_ago = timezone.now() - timedelta(days=10)
    old = OrganisationFactory(name="Vanha Seura ry", created_at=long_ago)
    Organisation.objects.filter(pk=old.pk).update(updated_at=long_ago)
    edited = OrganisationFactory(name="Muokattu Seura ry", created_at=long_ago)
    archived = OrganisationFactory(name="Lopettanut Seura ry", created_at=long_ago)
    ExportLog.objects.create(
        user=user, user_email=user.email, format="csv", created_at=timezone.now() - timedelta(days=5), row_count=3
    )
    edited.phone = "+358 17 000"
    edited.save()
    archived.status = Organisation.Status.ARCHIVED
    archived.save()
    OrganisationFactory(name="Uusi Seura ry")
    OrganisationFactory(name="Iisalmen Uusi ry", home_municipality=Municipality.objects.get(code="140"))
    client.force_login(user)
    # 14: the page itself, plus the header's permission check for the moderation link (2).
    with django_assert_max_num_queries(14):
        response = client.get(reverse("organisations:contact_home"))
    assert response.status_code == 200
    changes = {str(title): [o.name for o in items] for title, items, _total in response.context["changes"]}
    assert changes == {
        "Uudet yhdistykset": ["Uusi Seura ry"],
        "Päivittyneet yhdistykset": ["Muokattu Seura ry"],
        "Arkistoidut yhdistykset": ["Lopettanut Seura ry"],
    }
    page = response.content.decode()
    assert "Edellisen vientisi" in page
    assert "<td>3</td>" in page
    assert "Iisalmen Uusi" not in page


def test_a_municipality_with_one_contact_speaks_of_one(client, contacts):
    page = client.get(reverse("organisations:municipality", args=["491"])).content.decode()
    assert "Toinen Testihenkilö" in page
    assert "Kunnan järjestöyhteyshenkilö<" in page
    assert "yhteyshenkilöt" not in page


def test_export_log_names_municipalities_sectors_and_groups_in_the_current_language(client):
    user = municipal_contact_user("297")
    ExportLog.objects.create(
        user=user,
        user_email=user.email,
        format="xlsx",
        filters={"kunta": ["297", "999"], "toimiala": ["kulttuuri"], "kohderyhma": ["nuoret"], "q": ["kuoro"]},
        row_count=2,
    )
    client.force_login(user)
    page = client.get(reverse("organisations:contact_home")).content.decode()
    table = page.split('id="exports-heading"')[1]
    assert "Kotikunta: Kuopio, 999" in table
    assert "Toimiala: Kulttuuri" in table
    assert "Kohderyhmä: Nuoret" in table
    assert "Hakusanat: “kuoro”" in table
    assert "kunta=" not in table and "toimiala=" not in table
    swedish = client.get("/sv" + reverse("organisations:contact_home")).content.decode()
    assert "Hemkommun: Kuopio, 999" in swedish.split('id="exports-heading"')[1]


def test_header_links_a_municipal_contact_to_their_own_page(client):
    home = reverse("organisations:contact_home")
    client.force_login(UserFactory())
    assert f'href="{home}"' not in client.get(reverse("home")).content.decode().split("</header>")[0]
    client.force_login(municipal_contact_user("297"))
    header = client.get(reverse("home")).content.decode().split("</header>")[0]
    assert f'<a href="{home}">Omat kunnat</a>' in header
