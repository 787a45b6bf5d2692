"""With Redis unreachable the cache is an accelerator that is missing, not a dependency that failed."""

import logging

import pytest
from django.core.cache import cache
from django.urls import reverse

from portal.ratelimit import within_limit
from tests.organisations.directory_helpers import make_organisation
from tests.portal.conftest import CLOSED_PORT, TEST_REDIS_URL, resilient_cache
from tests.roles import PASSWORD, verified_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_associations():
    return (
        make_organisation("Kuopion Kuoroyhdistys ry", municipality="297", sectors=("kulttuuri",)),
        make_organisation("Tervon Kyläyhdistys ry", municipality="844"),
    )


def test_every_public_page_answers_with_redis_unreachable(client, two_associations, redis_unreachable, caplog):
    choir, village = two_associations
    pages = {
        "/": [],
        "/yhdistykset/": [choir.name, village.name],
        "/yhdistykset/?q=kuoro": [choir.name],
        "/yhdistykset/?toimiala=kulttuuri": [choir.name],
        "/kunnat/": ["Kuopio", "Tervo"],
        "/kunnat/kuopio/": [choir.name],
        choir.get_absolute_url(): [choir.name],
    }
    with caplog.at_level(logging.WARNING, logger="portal.cache"):
        for url, expected in pages.items():
            response = client.get(url)
            assert response.status_code == 200, url
            body = response.content.decode()
            for text in expected:
                assert text in body, (url, text)
    assert village.name not in client.get("/yhdistykset/?q=kuoro").content.decode()
    # The front page's total is computed, not read from the cache.
    assert "The directory lists 2 associations" in client.get("/en/").content.decode()
    # The pages really met a dead Redis: it was tried, found down, and reported once.
    assert cache.breaker.is_open
    warnings = [record.getMessage()[:42] for record in caplog.records if record.name == "portal.cache"]
    assert warnings == ["The cache (Redis at redis://127.0.0.1:1/0)"]


def test_sign_in_works_with_redis_unreachable(client, redis_unreachable):
    user = verified_user(email="jasen@example.org", password=PASSWORD)
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    assert user.email in client.get(reverse("accounts:overview")).content.decode()
    assert cache.breaker.is_open


def test_an_unreachable_cache_behaves_like_the_dummy_cache(redis_unreachable):
    assert cache.get("key", "default") == "default"
    assert cache.get_or_set("key", lambda: "computed") == "computed"
    # add() is a lock to allauth's rate limits: granted, or every sign-in would wait and get 429.
    assert cache.add("key", 1) is True
    assert cache.get("key") is None
    cache.set_many({"a": 1, "b": 2})
    assert cache.get_many(["a", "b"]) == {}
    assert cache.has_key("a") is False
    assert cache.delete("a") is False
    with pytest.raises(ValueError):
        cache.incr("counter")


def test_a_dead_redis_is_reported_once_per_interval_not_once_per_call(redis_unreachable, caplog):
    with caplog.at_level(logging.WARNING, logger="portal.cache"):
        for _ in range(50):
            cache.get("key")
    [warning] = [record for record in caplog.records if record.name == "portal.cache"]
    assert "unreachable" in warning.getMessage()


def test_the_warning_never_shows_the_redis_password(settings, caplog):
    settings.CACHES = resilient_cache(f"redis://:s3cret-password@127.0.0.1:{CLOSED_PORT}/0?client_name=password")
    with caplog.at_level(logging.WARNING, logger="portal.cache"):
        cache.get("key")
    assert "127.0.0.1:1/0" in caplog.text
    assert "s3cret" not in caplog.text


def test_the_circuit_closes_again_once_redis_answers(settings, redis_unreachable):
    # No waiting: the breaker lets the next call try again at once.
    settings.CACHES = resilient_cache(TEST_REDIS_URL + "?client_name=reopening", CIRCUIT_OPEN_SECONDS=0)
    cache.breaker.failed("the test", ConnectionError("simulated earlier failure"))
    cache.set("key", "value")
    assert cache.get("key") == "value"
    assert not cache.breaker.is_open


def test_the_backend_caches_and_counts_on_a_real_redis(redis_cache):
    assert cache.get("key") is None
    cache.set("key", {"a": 1})
    assert cache.get("key") == {"a": 1}
    assert cache.add("counter", 1) is True
    assert cache.incr("counter") == 2
    assert not cache.breaker.is_open
    cache.ping()


def test_the_backend_makes_one_redis_client_per_connection_pool_not_one_per_call(redis_cache):
    first = cache._cache.get_client("a")
    cache.set("key", 1)
    assert cache.get("key") == 1
    assert cache._cache.get_client("b", write=True) is first
    assert first.connection_pool is cache._cache._get_connection_pool(write=True)


def test_light_rate_limits_count_on_redis_and_fail_open_without_it(settings, redis_cache):
    # The decision (portal/cache.py): refusing every resident because the cache is down is worse.
    assert [within_limit("report:192.0.2.1", limit=2, window_seconds=60) for _ in range(3)] == [True, True, False]
    settings.CACHES = resilient_cache(f"redis://127.0.0.1:{CLOSED_PORT}/0?client_name=ratelimit")
    assert [within_limit("report:192.0.2.1", limit=2, window_seconds=60) for _ in range(3)] == [True, True, True]
