"""Whole front pages, listings and municipality pages for anonymous visitors, cached under the
versions of every section they show (the directory's and the other apps')."""

import time
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from council.models import NewsItem
from council.services import news_save
from forums.models import Event
from forums.services import event_approve
from organisations.models import MunicipalContact, Municipality
from organisations.services.moderation import organisation_archive
from portal.page_cache import PAGE_CACHE_SECONDS
from portal.permissions import COUNCIL_SECRETARIES_GROUP
from portal.registry import HomeSection, sections_max_age, sections_version
from portal.views import home_max_age
from tests.forums.factories import EventFactory
from tests.organisations.directory_helpers import make_organisation
from tests.organisations.factories import UserFactory, municipal_contact_user
from tests.organisations.roles import make_moderator
from tests.roles import add_totp, login_with_totp, verified_user

pytestmark = pytest.mark.django_db


def _on_commit(change):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return change()


def test_a_cached_front_page_makes_no_queries_and_shows_a_new_event_right_after_its_approval(
    client, django_assert_num_queries
):
    make_organisation("Kuopion Kuoroyhdistys ry")
    pending = EventFactory(title="Kuopion järjestöfoorumi", status=Event.Status.PENDING)
    for path in ("/", "/sv/"):
        assert "Kuopion järjestöfoorumi" not in client.get(path).content.decode()
        with django_assert_num_queries(0):
            cached = client.get(path)
        assert "Kuopion järjestöfoorumi" not in cached.content.decode()
        assert "Cookie" in cached["Vary"]
    _on_commit(lambda: event_approve(moderator=make_moderator(), event=pending))
    for path in ("/", "/sv/"):
        assert "Kuopion järjestöfoorumi" in client.get(path).content.decode()


def test_a_cached_front_page_shows_new_council_news_right_after_publication(client):
    secretary = verified_user(email="sihteeri.testi@example.org")
    secretary.groups.add(Group.objects.get(name=COUNCIL_SECRETARIES_GROUP))
    for path in ("/", "/sv/"):
        client.get(path)
        assert "Neuvoston syyskokous pidettiin" not in client.get(path).content.decode()
    item = NewsItem(title="Neuvoston syyskokous pidettiin", body="<p>Kokous valitsi puheenjohtajan.</p>")
    _on_commit(lambda: news_save(item=item, user=secretary, publish=True))
    for path in ("/", "/sv/"):
        assert "Neuvoston syyskokous pidettiin" in client.get(path).content.decode()
    _on_commit(lambda: news_save(item=item, user=secretary, publish=False))
    for path in ("/", "/sv/"):
        assert "Neuvoston syyskokous pidettiin" not in client.get(path).content.decode()


def test_a_cached_listing_is_gone_right_after_archiving_and_shows_a_new_event(client, django_assert_num_queries):
    choir = make_organisation("Kuopion Laulajat ry")
    url = choir.get_absolute_url()
    for path in (url, "/sv" + url):
        assert "Kuopion Laulajat ry" in client.get(path).content.decode()
        with django_assert_num_queries(0):
            assert "Kuopion Laulajat ry" in client.get(path).content.decode()
    event = EventFactory(title="Laulajien kevätkonsertti", status=Event.Status.PENDING)
    event.organiser_organisations.add(choir)
    _on_commit(lambda: event_approve(moderator=make_moderator(), event=event))
    for path in (url, "/sv" + url):
        assert "Laulajien kevätkonsertti" in client.get(path).content.decode()
    _on_commit(lambda: organisation_archive(organisation=choir, moderator=UserFactory(is_staff=True)))
    for path in (url, "/sv" + url):
        assert client.get(path).status_code == 404


def test_a_cached_municipality_page_makes_no_queries_and_shows_a_new_event(client, django_assert_num_queries):
    make_organisation("Tervon Kuoro ry", municipality="844")
    tervo = Municipality.objects.get(code="844")
    event = EventFactory(title="Tervon kyläilta", status=Event.Status.PENDING, municipality=tervo)
    for path in ("/kunnat/844/", "/sv/kunnat/844/"):
        client.get(path)
        with django_assert_num_queries(0):
            assert "Tervon kyläilta" not in client.get(path).content.decode()
    _on_commit(lambda: event_approve(moderator=make_moderator(), event=event))
    for path in ("/kunnat/844/", "/sv/kunnat/844/"):
        assert "Tervon kyläilta" in client.get(path).content.decode()


def test_a_cached_listing_and_municipality_page_drop_an_event_the_moment_it_ends(client, django_assert_num_queries):
    """No version moves when an event ends: the pages listing it are kept only until then (and
    pages listing no event stay cached longer than the front page's minute)."""
    choir = make_organisation("Tervon Laulajat ry", municipality="844")
    tervo = Municipality.objects.get(code="844")
    ends_at = timezone.now() + timedelta(seconds=2)
    event = EventFactory(
        title="Laulajien iltapäiväkonsertti",
        municipality=tervo,
        starts_at=ends_at - timedelta(hours=2),
        ends_at=ends_at,
    )
    event.organiser_organisations.add(choir)
    paths = (choir.get_absolute_url(), "/kunnat/844/")
    for path in paths:
        assert "Laulajien iltapäiväkonsertti" in client.get(path).content.decode()
        with django_assert_num_queries(0):
            assert "Laulajien iltapäiväkonsertti" in client.get(path).content.decode()
    time.sleep(max(0.0, (ends_at - timezone.now()).total_seconds()) + 1.1)
    for path in paths:
        html = client.get(path).content.decode()
        assert "Laulajien iltapäiväkonsertti" not in html
        assert "Tulevia tapahtumia ei ole." in html
    # With nothing listed that could end, the listing is kept as long as any page.
    assert page_lifetime(client, choir.get_absolute_url()) > 60


def page_lifetime(client, path: str) -> float:
    """How long the page cache keeps the page at ``path`` after a visit (the tests' cache is
    Django's local-memory cache, which keeps each key's expiry time beside it)."""
    from django.core.cache import cache

    cache.clear()
    client.get(path)
    keys = [key for key in cache._cache if ":portal:page:" in key]
    assert len(keys) == 1
    return cache._expire_info[keys[0]] - time.time()


@pytest.mark.parametrize("path", ["/", "/kunnat/297/", "listing"])
def test_a_signed_in_visitor_never_gets_the_anonymous_page(client, path):
    listing = make_organisation("Kuopion Kuoroyhdistys ry")
    path = listing.get_absolute_url() if path == "listing" else path
    client.get(path)
    client.get(path)  # cached for anonymous visitors
    client.force_login(municipal_contact_user("297"))
    assert "Kirjaudu ulos" in client.get(path).content.decode()


def test_pages_with_upcoming_events_are_kept_a_minute_at_most():
    # Events end and scheduled news appear with no change to move a version.
    assert home_max_age() == 60
    assert sections_max_age([], PAGE_CACHE_SECONDS) == PAGE_CACHE_SECONDS


def test_a_section_without_a_version_keeps_its_page_out_of_the_cache():
    versioned = HomeSection("a.html", dict, version=lambda: 3)
    assert sections_version([versioned]) == (3,)
    assert sections_version([versioned, HomeSection("b.html", dict)]) is None


def test_a_cached_municipality_page_shows_a_contact_made_public_in_the_admin(client):
    staff = verified_user(email="yllapito@example.org", is_staff=True, is_superuser=True)
    contact = MunicipalContact.objects.create(name="Tiina Tervolainen", is_public=False)
    contact.municipalities.add(Municipality.objects.get(code="844"))
    for path in ("/kunnat/844/", "/sv/kunnat/844/"):
        client.get(path)
        assert "Tiina Tervolainen" not in client.get(path).content.decode()
    admin = Client()
    login_with_totp(admin, staff, add_totp(staff))
    data = {
        "name": "Tiina Tervolainen",
        "title": "",
        "email": "",
        "phone": "",
        "user": "",
        "is_public": "on",
        "municipalities": [Municipality.objects.get(code="844").pk],
    }
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = admin.post(reverse("admin:organisations_municipalcontact_change", args=[contact.pk]), data)
    assert response.status_code == 302
    for path in ("/kunnat/844/", "/sv/kunnat/844/"):
        assert "Tiina Tervolainen" in client.get(path).content.decode()


def test_campaign_addresses_of_the_front_page_share_its_cached_page_until_a_section_changes(
    client, django_assert_num_queries
):
    make_organisation("Kuopion Kuoroyhdistys ry")
    pending = EventFactory(title="Kuopion järjestöfoorumi", status=Event.Status.PENDING)
    client.get("/", {"utm_content": "kirje-1"})
    # Another campaign link is the same page: the tracking parameter is forgotten, in the language
    # links too, so the page cached for the first link serves it.
    with django_assert_num_queries(0):
        html = client.get("/", {"utm_content": "kirje-2"}).content.decode()
    assert "utm_content" not in html
    assert html == client.get("/").content.decode()
    assert "Kuopion järjestöfoorumi" not in html
    _on_commit(lambda: event_approve(moderator=make_moderator(), event=pending))
    assert "Kuopion järjestöfoorumi" in client.get("/", {"utm_content": "kirje-3"}).content.decode()
    assert "Kuopion järjestöfoorumi" in client.get("/sv/", {"utm_content": "kirje-3"}).content.decode()


def test_a_tagged_directory_address_is_the_untagged_page_and_other_parameters_still_count(client):
    make_organisation("Kuopion Kuoroyhdistys ry")
    make_organisation("Juvan Shakkikerho ry", municipality="178")
    url = reverse("organisations:list")
    tagged = client.get(url, {"q": "kuoro", "utm_source": "uutiskirje", "fbclid": "abc"}).content.decode()
    assert tagged == client.get(url, {"q": "kuoro"}).content.decode()
    assert "utm_source" not in tagged and "fbclid" not in tagged
    assert "Kuopion Kuoroyhdistys ry" in tagged
    other = client.get(url, {"q": "shakki", "utm_source": "uutiskirje"}).content.decode()
    assert "Juvan Shakkikerho ry" in other and "Kuopion Kuoroyhdistys ry" not in other
