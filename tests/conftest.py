import pytest
from django.core.cache import cache
from django.utils import translation

from tests.mail.fixtures import celery_broker, celery_worker, smtp_sink  # noqa: F401  (fixtures for the whole suite)
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
