"""Readiness (``/readyz``) names what this instance is missing: the database, Redis, the workers.

Each outage is real: a closed port for the database or Redis, a broker nobody consumes for the
workers (``celery_broker`` without ``celery_worker``).
"""

import pytest
from django.test import Client

from portal.readiness import Check, readiness, register_readiness_check
from tests.portal.conftest import CLOSED_PORT


@pytest.fixture
def browser_client():
    return Client(raise_request_exception=False)


def ready(client) -> tuple[int, dict]:
    response = client.get("/readyz")
    assert response["Cache-Control"] == "no-store"
    return response.status_code, response.json()


# Transactional: starting the worker thread closes the database connection's socket (Celery's
# Django fixup, meant for forked workers), which a test wrapped in a transaction cannot survive.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_ready_when_the_database_redis_and_a_worker_answer(browser_client, redis_cache, celery_worker):
    status, body = ready(browser_client)
    assert status == 200, body
    assert body["status"] == "ok"
    assert body["failing"] == []
    assert {name: check["ok"] for name, check in body["checks"].items()} == {
        "database": True,
        "cache": True,
        "celery": True,
        "outbox": True,
    }
    assert body["checks"]["cache"]["backend"] == "redis"
    assert body["checks"]["celery"]["workers"] == [celery_worker.hostname]


def test_not_ready_without_the_database(browser_client, database_unreachable):
    status, body = ready(browser_client)
    assert status == 503
    # The outbox's backlog lives in the database, so it cannot be read either.
    assert body["failing"] == ["database", "outbox"]
    assert body["checks"]["database"]["error"] == "OperationalError"
    # Host and port stay out of the public answer.
    assert str(CLOSED_PORT) not in str(body["checks"]["database"])


@pytest.mark.django_db
def test_not_ready_without_redis(browser_client, redis_unreachable):
    status, body = ready(browser_client)
    assert status == 503
    assert body["failing"] == ["cache"]
    assert body["checks"]["cache"]["error"] == "ConnectionError"


@pytest.mark.django_db
def test_not_ready_without_a_worker(browser_client, celery_broker):
    status, body = ready(browser_client)
    assert status == 503
    assert body["failing"] == ["celery"]
    assert "no worker answered" in body["checks"]["celery"]["error"]


@pytest.mark.django_db
def test_not_ready_without_the_broker(browser_client, celery_broker):
    from portal.celery import app

    test_broker = app.conf.broker_url
    app.conf.broker_url = f"redis://127.0.0.1:{CLOSED_PORT}/0"
    app._pool = None
    try:
        status, body = ready(browser_client)
    finally:
        app.conf.broker_url = test_broker
        app._pool = None
    assert status == 503
    assert body["failing"] == ["celery"]
    assert body["checks"]["celery"]["error"] == "OperationalError"


@pytest.mark.django_db
def test_a_registered_check_takes_part_and_a_raising_check_fails_alone(browser_client):
    from portal import readiness as module

    saved = dict(module._checks)
    try:
        register_readiness_check("always", lambda: Check(ok=True, detail={"answer": 42}))
        register_readiness_check("broken", lambda: 1 / 0)
        results = readiness()
        assert results["always"] == Check(ok=True, detail={"answer": 42})
        assert not results["broken"].ok
        status, body = ready(browser_client)
        assert status == 503
        assert body["failing"] == ["broken"]
        assert body["checks"]["broken"]["error"] == "ZeroDivisionError"
    finally:
        module._checks.clear()
        module._checks.update(saved)
