import pytest
from django.core.cache import cache
from django.utils import translation

from tests.mail.fixtures import celery_broker, celery_worker, smtp_sink  # noqa: F401  (fixtures for the whole suite)
from tests.roles import association, login_as, other_association, role_user  # noqa: F401
from tests.scratch import scratch_database  # noqa: F401


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
    """Let every connection object restore the reference data after a transactional test.

    The migrations load reference data (regions, municipalities, sectors …). A transactional test
    empties every table when it ends; one marked ``serialized_rollback`` gets the rows back from
    ``_test_serialized_contents``, which Django stores on the connection *object* that created
    the test database. Once Playwright's sync API runs (the browser tests), an event loop runs in
    the test thread and Django hands that thread context-local connection objects that never saw
    the set-up: without this, the first browser test flushed the reference data and the next one
    found no municipalities (and silently restored nothing). Stored on the connection class, the
    serialized data is found by every connection object, whichever context created it. This is
    the only workaround for it; the browser fixtures (tests/e2e/conftest.py) need none.
    """
    from django.db import connections

    for connection in connections.all():
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents:
            type(connection)._test_serialized_contents = contents
    return django_db_setup
