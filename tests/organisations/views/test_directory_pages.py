"""Listing pages, municipality pages, structured data, and the validation of what a listing holds."""

import io
import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image

from organisations.models import Municipality, Organisation, Sector, Visibility
from organisations.search import refresh_search_index
from organisations.selectors.reference import directory_reference
from organisations.services.moderation import organisation_archive
from organisations.validators import LOGO_MAX_BYTES, format_phone, validate_business_id, validate_logo
from tests.organisations.directory_helpers import make_organisation
from tests.organisations.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_listing():
    organisation = make_organisation(
        "Kuopion Kamarikuoro ry",
        sectors=("kulttuuri",),
        target_groups=("nuoret",),
        languages=("fi", "sv"),
        name_sv="Kuopio kammarkör rf",
        description='Laulamme joka tiistai.\n</script><script>alert("x")</script>',
        website="https://kamarikuoro.example.org/",
        facebook_url="https://facebook.example.org/kamarikuoro",
        email="kuoro@example.org",
        phone="+358171234567",
        meeting_place="Musiikkikeskus",
        street_address="Kuopionlahdenkatu 23",
        postal_code="70100",
        post_office="Kuopio",
        accessibility=Organisation.Accessibility.ACCESSIBLE,
        accessibility_details="Hissi pääovelta",
        business_id="0737546-2",
        register_number="123456",
        information_confirmed_at=timezone.now(),
        contact_name="Testi Henkilö",
        contact_email="yhteys@example.org",
        contact_phone="+358400000000",
        contact_name_visibility=Visibility.PUBLIC,
        contact_email_visibility=Visibility.MUNICIPAL,
        contact_phone_visibility=Visibility.STAFF,
        contact_consent_at=timezone.now(),
    )
    organisation.municipalities.set(Municipality.objects.filter(code__in=["749", "686"]))
    # As the services do after every change to a listing's relations.
    refresh_search_index([organisation.pk])
    return organisation


def json_ld(html: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match
    return json.loads(match.group(1))


def test_listing_shows_all_public_fields(client, full_listing):
    html = client.get(full_listing.get_absolute_url()).content.decode()
    for text in [
        "Kuopion Kamarikuoro ry",
        "Kuopio kammarkör rf",
        "Kulttuuri",
        "Nuoret",
        "suomi, ruotsi",
        "Rautalampi, Siilinjärvi",
        "Laulamme joka tiistai.",
        "https://kamarikuoro.example.org/",
        "https://facebook.example.org/kamarikuoro",
        "kuoro@example.org",
        "017 1234567",
        "Musiikkikeskus",
        "Kuopionlahdenkatu 23, 70100 Kuopio",
        "Esteetön. Hissi pääovelta",
        "0737546-2",
        "123456",
        "Tiedot vahvistettu viimeksi",
        'href="/kunnat/kuopio/"',
    ]:
        assert text in html, text


def test_contact_person_fields_follow_their_visibility(client, full_listing):
    html = client.get(full_listing.get_absolute_url()).content.decode()
    assert "Testi Henkilö" in html
    assert "yhteys@example.org" not in html
    assert "040 0000000" not in html
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    html = client.get(full_listing.get_absolute_url()).content.decode()
    assert "yhteys@example.org" in html
    assert "040 0000000" in html


def test_contact_person_is_hidden_without_consent(client, full_listing):
    full_listing.contact_consent_at = None
    full_listing.save()
    assert "Testi Henkilö" not in client.get(full_listing.get_absolute_url()).content.decode()


def test_listing_has_schema_org_data_that_cannot_break_out_of_its_script(client, full_listing):
    html = client.get(full_listing.get_absolute_url()).content.decode()
    # The JSON-LD block is the only script element that is not a static file (site.js).
    assert html.count("</script>") == 1 + html.count('<script src="/static/js/')
    assert '<script>alert("x")' not in html.split("<main")[0]
    data = json_ld(html)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "NGO"
    assert data["name"] == "Kuopion Kamarikuoro ry"
    assert data["alternateName"] == "Kuopio kammarkör rf"
    assert data["url"] == "http://testserver/yhdistykset/kuopion-kamarikuoro-ry/"
    assert data["description"].endswith('</script><script>alert("x")</script>')
    assert data["address"]["postalCode"] == "70100"
    assert data["address"]["addressRegion"] == "Pohjois-Savo"
    assert data["taxID"] == "0737546-2"
    assert {area["name"] for area in data["areaServed"]} == {"Kuopio", "Siilinjärvi", "Rautalampi"}
    assert sorted(data["knowsLanguage"]) == ["fi", "sv"]
    assert data["sameAs"] == ["https://kamarikuoro.example.org/", "https://facebook.example.org/kamarikuoro"]
    assert "contact_email" not in json.dumps(data)


def test_listing_in_swedish(client, full_listing):
    html = client.get(f"/sv{full_listing.get_absolute_url()}").content.decode()
    assert "<h1>Kuopio kammarkör rf</h1>" in html
    assert "Kultur" in html
    assert "Kontaktuppgifter" in html


def test_listing_query_count_is_constant(client, full_listing):
    """The organisation with its municipality, region and related names, and the organisers of
    upcoming events (once per calendar version; sectors, target groups and languages come from
    its bit sets): as many with three of each as with one. An anonymous visitor's next visit
    gets the whole page from the cache: none. Another listing's first visit: its own row alone."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from organisations.models import Language, Municipality, Sector, TargetGroup

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(full_listing.get_absolute_url()).status_code == 200
        return len(captured)

    directory_reference()  # the per-process reference caches
    assert queries() == 2
    assert queries() == 0
    sectors = Sector.objects.exclude(slug="kulttuuri")[:2]
    groups = TargetGroup.objects.exclude(slug="nuoret")[:2]
    language = Language.objects.exclude(code__in=["fi", "sv"]).first()
    full_listing.sectors.add(*sectors)
    full_listing.target_groups.add(*groups)
    full_listing.languages.add(language)
    full_listing.municipalities.add(*Municipality.objects.filter(code__in=["140", "749"]))
    # As the services do after every change to a listing's classifications.
    refresh_search_index([full_listing.pk])
    cache.clear()
    directory_reference()
    assert queries() == 2
    assert queries() == 0
    other = make_organisation("Siilinjärven Soittajat ry", sectors=("kulttuuri",))
    with CaptureQueriesContext(connection) as captured:
        assert client.get(other.get_absolute_url()).status_code == 200
    assert len(captured) == 1
    html = client.get(full_listing.get_absolute_url()).content.decode()
    for option in [*sectors, *groups, language]:
        assert option.name_fi in html
    assert f"?toimiala={sectors[0].slug}" in html


def test_cached_listing_follows_edits_and_archiving(client):
    organisation = make_organisation("Tervon Kuoro ry", municipality="844", sectors=("kulttuuri",))
    url = organisation.get_absolute_url()
    client.get(url)
    assert "Urheilu ja liikunta" not in client.get(url).content.decode()
    organisation.sectors.add(Sector.objects.get(slug="urheilu-ja-liikunta"))
    with TestCase.captureOnCommitCallbacks(execute=True):
        refresh_search_index([organisation.pk])
    assert "Urheilu ja liikunta" in client.get(url).content.decode()
    with TestCase.captureOnCommitCallbacks(execute=True):
        organisation_archive(organisation=organisation, moderator=UserFactory(is_staff=True))
    assert client.get(url).status_code == 404


def test_signed_in_visitors_do_not_share_the_anonymous_article(client, full_listing):
    url = full_listing.get_absolute_url()
    client.get(url)
    client.get(url)  # cached for anonymous visitors
    client.force_login(UserFactory(is_staff=True))
    html = client.get(url).content.decode()
    assert full_listing.contact_name in html
    assert full_listing.contact_email in html
    assert format_phone(full_listing.contact_phone) in html


def test_unpublished_listing_is_visible_to_a_moderator_with_a_notice(client):
    from django.contrib.auth.models import Permission

    organisation = make_organisation("Luonnos ry", status=Organisation.Status.PENDING)
    moderator = UserFactory()
    moderator.user_permissions.add(Permission.objects.get(codename="moderate_organisation"))
    assert client.get(organisation.get_absolute_url()).status_code == 404
    client.force_login(moderator)
    response = client.get(organisation.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tätä esittelyä ei ole julkaistu" in html
    assert "application/ld+json" not in html


def test_unknown_listing_is_404(client):
    assert client.get("/yhdistykset/ei-ole-olemassa/").status_code == 404


# Municipality pages -----------------------------------------------------------------------------


def test_municipality_list_shows_served_municipalities_with_counts(client):
    make_organisation("Tervon Kyläyhdistys ry", municipality="844")
    make_organisation("Tervon Metsästysseura ry", municipality="844")
    html = client.get(reverse("organisations:municipalities")).content.decode()
    assert "Pohjois-Savo" in html
    assert "Etelä-Savo" in html
    assert 'href="/kunnat/tervo/">Tervo <span class="count">(2)</span>' in html
    assert "Helsinki" not in html


@pytest.mark.parametrize("key", ["844", "tervo"])
def test_municipality_page_by_code_or_slug_lists_associations_by_sector(client, key):
    make_organisation("Tervon Kyläyhdistys ry", municipality="844", sectors=("asukas-ja-kylatoiminta",))
    make_organisation("Tervon Kuoro ry", municipality="844", sectors=("kulttuuri",))
    make_organisation("Tervon Teatteri ry", municipality="844", sectors=("kulttuuri", "vapaa-aika"))
    make_organisation("Tervon Luonnos ry", municipality="844", sectors=("kulttuuri",), status="draft")
    make_organisation("Kuopion Kuoro ry", municipality="297", sectors=("kulttuuri",))
    response = client.get(f"/kunnat/{key}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Tervo</h1>" in html
    assert "Kotikuntana Tervo on 3 yhdistyksellä." in html
    assert 'href="/yhdistykset/?kunta=844"' in html
    culture = html.split('id="sector-kulttuuri"')[1].split("</section>")[0]
    assert culture.index("Tervon Kuoro ry") < culture.index("Tervon Teatteri ry")
    assert "Luonnos" not in html
    assert "Kuopion Kuoro ry" not in html
    assert 'id="sector-vapaa-aika"' in html
    assert 'id="sector-urheilu-ja-liikunta"' not in html


def test_municipality_page_caps_each_sector_and_links_to_the_filtered_directory(client, django_assert_num_queries):
    for number in range(14):
        make_organisation(f"Tervon Seura {number:02d} ry", municipality="844", sectors=("kulttuuri",))
    directory_reference()  # cached across requests
    # municipality, its cells' counts, the samples of every sector with their names, the public
    # municipal contacts (organisations/_municipal_contacts.html), the coming events (the forums'
    # section registered for the page)
    with django_assert_num_queries(5):
        client.get("/kunnat/844/")
    # Then the whole page comes from the cache until the directory or the calendar changes.
    with django_assert_num_queries(0):
        html = client.get("/kunnat/844/").content.decode()
    culture = html.split('id="sector-kulttuuri"')[1].split("</section>")[0]
    assert culture.count("<li>") == 10
    assert 'href="/yhdistykset/?kunta=844&amp;toimiala=kulttuuri"' in culture
    assert "Näytä kaikki toimialan Kulttuuri 14 yhdistystä" in culture


def test_cached_municipality_page_drops_an_archived_association_and_updates_its_counts(client):
    make_organisation("Tervon Kuoro ry", municipality="844", sectors=("kulttuuri",))
    choir = make_organisation("Tervon Laulajat ry", municipality="844", sectors=("kulttuuri",))
    for path in ("/kunnat/844/", "/sv/kunnat/844/"):
        client.get(path)  # rendered and cached
        html = client.get(path).content.decode()
        assert "Tervon Laulajat ry" in html
    assert "Kotikuntana Tervo on 2 yhdistyksellä." in client.get("/kunnat/844/").content.decode()
    moderator = UserFactory(is_staff=True)
    with TestCase.captureOnCommitCallbacks(execute=True):
        organisation_archive(organisation=choir, moderator=moderator)
    html = client.get("/kunnat/844/").content.decode()
    assert "Tervon Laulajat ry" not in html
    assert "Kotikuntana Tervo on 1 yhdistyksellä." in html
    assert 'id="sector-kulttuuri">Kulttuuri <span class="count">(1)</span>' in html
    assert "Tervon Laulajat ry" not in client.get("/sv/kunnat/844/").content.decode()


def test_municipality_outside_served_regions_is_404(client):
    assert client.get("/kunnat/091/").status_code == 404
    assert client.get("/kunnat/helsinki/").status_code == 404
    assert client.get("/kunnat/999/").status_code == 404


# Validation -------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["0737546-2", "1572860-0"])
def test_valid_business_id_is_accepted(value):
    validate_business_id(value)
    organisation = make_organisation("Validi ry", business_id=value, index=False)
    organisation.full_clean()


@pytest.mark.parametrize("value", ["0737546-3", "1234567", "abcdefg-h", "0737546-", "12345678-9"])
def test_invalid_business_id_is_rejected_with_a_finnish_message(value):
    organisation = make_organisation("Virheellinen ry", index=False)
    organisation.business_id = value
    with pytest.raises(ValidationError) as error:
        organisation.full_clean()
    assert "business_id" in error.value.message_dict
    assert "Y-tunnus" in " ".join(error.value.message_dict["business_id"])


def png_bytes(size=(10, 10)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_50_megabyte_logo_is_rejected():
    huge = SimpleUploadedFile("logo.png", png_bytes() + b"\0" * (50 * 1024 * 1024), content_type="image/png")
    with pytest.raises(ValidationError) as error:
        validate_logo(huge)
    assert error.value.code == "logo_too_large"
    organisation = make_organisation("Logollinen ry", index=False)
    organisation.logo = huge
    with pytest.raises(ValidationError) as error:
        organisation.full_clean()
    assert "logo" in error.value.message_dict


def test_a_logo_that_is_not_an_image_is_rejected():
    fake = SimpleUploadedFile("logo.png", b"<?php echo 1; ?>", content_type="image/png")
    with pytest.raises(ValidationError) as error:
        validate_logo(fake)
    assert error.value.code == "logo_invalid"


def test_a_small_png_logo_is_accepted():
    validate_logo(SimpleUploadedFile("logo.png", png_bytes(), content_type="image/png"))
    assert LOGO_MAX_BYTES < 50 * 1024 * 1024


# Sitemap ----------------------------------------------------------------------------------------


def test_sitemap_lists_published_listings_and_municipalities_only(client):
    published = make_organisation("Julkinen ry")
    draft = make_organisation("Luonnos ry", status=Organisation.Status.DRAFT)
    outside = make_organisation("Helsingin Seura ry", municipality="091")
    index = client.get("/sitemap.xml").content.decode()
    assert "http://testserver/sitemap-municipalities.xml" in index
    xml = (
        client.get("/sitemap-organisations.xml").content.decode()
        + client.get("/sitemap-municipalities.xml").content.decode()
    )
    assert f"http://testserver{published.get_absolute_url()}" in xml
    assert draft.get_absolute_url() not in xml
    assert outside.get_absolute_url() not in xml
    assert "http://testserver/kunnat/kuopio/" in xml
    assert "/kunnat/helsinki/" not in xml
    robots = client.get("/robots.txt").content.decode()
    assert "Disallow: /admin/" in robots
    assert "Sitemap: http://testserver/sitemap.xml" in robots


def test_sitemap_is_split_into_pages_of_at_most_5000(client, settings):
    from organisations.sitemaps import OrganisationSitemap

    assert OrganisationSitemap.limit <= 50_000
    make_organisation("Julkinen ry")
    assert client.get("/sitemap-organisations.xml", {"p": "2"}).status_code == 404
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_sector_samples_without_postgresql_agree_with_the_sql():
    from organisations.selectors.municipal import municipality_sector_samples, municipality_sector_samples_python

    for number in range(12):
        make_organisation(f"Tervon Seura {number:02d} ry", municipality="844", sectors=("kulttuuri", "vapaa-aika"))
    make_organisation("Äänekosken Tervo-seura ry", municipality="844", sectors=("kulttuuri",))
    make_organisation("Aapisen Tervo-seura ry", municipality="844", sectors=("vapaa-aika",))
    tervo = Municipality.objects.get(code="844")
    sectors = [option for option in directory_reference().sectors if option.value in ("kulttuuri", "vapaa-aika")]
    in_sql = municipality_sector_samples(tervo, sectors, size=10)
    in_python = municipality_sector_samples_python(tervo, {option.pk: [] for option in sectors}, size=10)
    assert {pk: [o.name for o in items] for pk, items in in_sql.items()} == {
        pk: [o.name for o in items] for pk, items in in_python.items()
    }
    culture = next(option.pk for option in sectors if option.value == "kulttuuri")
    assert in_sql[culture][0].name == "Tervon Seura 00 ry"
    assert in_sql[culture][-1].name != "Äänekosken Tervo-seura ry"
    assert len(in_sql[culture]) == 10


def test_a_listing_without_contact_details_has_no_empty_contact_heading(client):
    bare = OrganisationFactory(email="", phone="", website="")
    assert "<h2>Yhteystiedot</h2>" not in client.get(bare.get_absolute_url()).content.decode()
    reachable = OrganisationFactory(email="", phone="+358 40 123 4567", website="")
    assert "<h2>Yhteystiedot</h2>" in client.get(reachable.get_absolute_url()).content.decode()


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_listing_address_is_what_reverse_gives_in_every_language(language):
    organisation = OrganisationFactory(slug="tervon-kuoro-ry-2")
    with translation.override(language):
        assert organisation.get_absolute_url() == reverse("organisations:detail", args=[organisation.slug])
