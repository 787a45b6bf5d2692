import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache():
    """Cached figures (directory facets, reference data) must not leak from one test into another."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _finnish_by_default():
    """A request under /sv/ leaves Swedish active in the thread; every test starts in Finnish."""
    from django.utils import translation

    translation.activate("fi")
    yield
    translation.activate("fi")
