"""Outages made real: the settings point at a closed port, so every connection is truly refused."""

from __future__ import annotations

import os
import uuid

import pytest
from django.db import connections

# Nothing listens on port 1 (a privileged port no service here uses): connections are refused.
CLOSED_PORT = 1
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def resilient_cache(location: str, **options) -> dict:
    return {
        "default": {
            "BACKEND": "portal.cache.ResilientRedisCache",
            "LOCATION": location,
            # Keys of this test alone: the Redis database may be shared with the test broker.
            "KEY_PREFIX": uuid.uuid4().hex,
            "OPTIONS": options,
        }
    }


@pytest.fixture
def redis_unreachable(settings):
    """The cache is Redis on a closed port; a client name of its own gives it a fresh circuit breaker."""
    settings.CACHES = resilient_cache(f"redis://127.0.0.1:{CLOSED_PORT}/0?client_name=outage-{uuid.uuid4().hex}")


@pytest.fixture
def redis_cache(settings):
    """The cache is the real test Redis, through the same backend as production."""
    settings.CACHES = resilient_cache(TEST_REDIS_URL)


@pytest.fixture
def database_unreachable(django_db_blocker):
    """The default database's address is a closed port for the test's duration.

    The test itself must not use ``django_db``: there is no transaction to wrap, nothing is
    written, and the connection is closed before and after so the next test reconnects normally.
    """
    connection = connections["default"]
    with django_db_blocker.unblock():
        connection.close()
        saved = dict(connection.settings_dict)
        connection.settings_dict.update(HOST="127.0.0.1", PORT=str(CLOSED_PORT))
        try:
            yield
        finally:
            connection.close()
            connection.settings_dict.clear()
            connection.settings_dict.update(saved)
