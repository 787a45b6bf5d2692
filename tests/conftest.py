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


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """Keep the serialized reference data where every connection object finds it.

    Django keeps it on the connection object of the context that created the test database; once
    Playwright's sync API is running, Django code in the tests gets another connection object, so
    a second browser test after ordinary tests found the tables flushed and not restored.
    """
    from django.db import connections

    for connection in connections.all():
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents:
            type(connection)._test_serialized_contents = contents
    return django_db_setup
