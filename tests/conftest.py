import pytest
from django.core.cache import cache
from django.utils import translation

from tests.mail.fixtures import celery_worker, smtp_sink  # noqa: F401  (fixtures for the whole suite)
from tests.roles import association, login_as, other_association, role_user  # noqa: F401


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language():
    # A request under /sv/ leaves Swedish active in the thread; each test starts in Finnish.
    translation.activate("fi")
    yield
    translation.activate("fi")


@pytest.fixture(autouse=True)
def _empty_cache():
    # Rate limits (allauth keeps its counters in the cache) must not leak from one test to the next.
    cache.clear()
