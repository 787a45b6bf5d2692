"""The visitor's address behind a proxy, and a forged X-Forwarded-For without one."""

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.urls import reverse

from organisations.models import Report
from portal.client_address import client_address
from portal.ratelimit import client_address as ratelimit_client_address
from tests.organisations.factories import OrganisationFactory
from tests.roles import PASSWORD, verified_user

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"


@pytest.fixture
def behind_one_proxy(settings):
    settings.BEHIND_PROXY = True
    settings.TRUSTED_PROXY_COUNT = 1


@pytest.fixture
def not_behind_a_proxy(settings):
    settings.BEHIND_PROXY = False
    settings.TRUSTED_PROXY_COUNT = 0


def visitor(forwarded_for: str, remote_addr: str = PROXY) -> Client:
    return Client(REMOTE_ADDR=remote_addr, HTTP_X_FORWARDED_FOR=forwarded_for)


def report(client: Client, slug: str) -> int:
    return client.post(reverse("organisations:report", args=[slug]), {"reason": "wrong"}).status_code


def test_behind_a_proxy_two_visitors_have_their_own_report_limits(behind_one_proxy, settings):
    settings.ORGANISATION_REPORTS_PER_HOUR = 2
    organisation = OrganisationFactory()
    first, second = visitor("198.51.100.1"), visitor("198.51.100.2")
    assert [report(first, organisation.slug) for _ in range(3)] == [302, 302, 429]
    # The same proxy address, another visitor: not throttled by the first one's reports.
    assert [report(second, organisation.slug) for _ in range(3)] == [302, 302, 429]
    # Entries the visitor writes in front of the proxy's own do not buy a fresh limit.
    assert report(visitor("192.0.2.77, 198.51.100.1"), organisation.slug) == 429
    assert Report.objects.count() == 4


def test_without_a_proxy_a_forged_forwarded_for_changes_nothing(not_behind_a_proxy, settings):
    settings.ORGANISATION_REPORTS_PER_HOUR = 2
    organisation = OrganisationFactory()
    statuses = [report(visitor(f"198.51.100.{n}", remote_addr="192.0.2.10"), organisation.slug) for n in range(1, 4)]
    assert statuses == [302, 302, 429]
    assert Report.objects.count() == 2


def login(client: Client, email: str, password: str) -> int:
    return client.post(reverse("account_login"), {"login": email, "password": password}).status_code


def test_behind_a_proxy_a_lockout_holds_one_visitor_not_everybody(behind_one_proxy):
    user = verified_user(email="lukittava@example.org")
    guesser, owner = visitor("198.51.100.66"), visitor("198.51.100.5")
    assert [login(guesser, user.email, "väärä-salasana") for _ in range(5)] == [200, 200, 200, 200, 429]
    # allauth's own short per-address limit lives in the cache; once it has passed, only the
    # lockout recorded by django-axes (per address and client) is left.
    cache.clear()
    assert login(guesser, user.email, PASSWORD) == 429
    assert "_auth_user_id" not in guesser.session
    assert login(owner, user.email, PASSWORD) == 302
    assert owner.session["_auth_user_id"] == str(user.pk)


def test_without_a_proxy_a_forged_forwarded_for_does_not_escape_a_lockout(not_behind_a_proxy):
    user = verified_user(email="lukittu@example.org")
    for n in range(5):
        login(visitor(f"198.51.100.{n}", remote_addr="192.0.2.10"), user.email, "väärä-salasana")
    cache.clear()
    fresh_looking = visitor("198.51.100.200", remote_addr="192.0.2.10")
    assert login(fresh_looking, user.email, PASSWORD) == 429
    assert "_auth_user_id" not in fresh_looking.session


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "expected"),
    [
        # One proxy: it appended the visitor; anything left of that is the visitor's own claim.
        (1, "192.0.2.77, 198.51.100.9", "198.51.100.9"),
        # Two (a CDN, then a load balancer): the balancer appended the CDN, the CDN the visitor.
        (2, "192.0.2.77, 198.51.100.9, 203.0.113.5", "198.51.100.9"),
        (2, "198.51.100.9, 203.0.113.5", "198.51.100.9"),
        # Fewer entries than proxies: the request did not pass them all; the socket address it is.
        (2, "198.51.100.9", PROXY),
        (1, "", PROXY),
    ],
)
def test_the_configured_number_of_proxies_picks_the_right_hop(settings, proxies, forwarded_for, expected):
    settings.BEHIND_PROXY = True
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)
    assert client_address(request) == expected


def test_not_behind_a_proxy_the_count_is_ignored(settings):
    settings.BEHIND_PROXY = False
    settings.TRUSTED_PROXY_COUNT = 2
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR="198.51.100.9, 203.0.113.5")
    assert client_address(request) == "192.0.2.10"


def test_the_rate_limit_module_keeps_its_name_for_the_same_function():
    assert ratelimit_client_address is client_address
