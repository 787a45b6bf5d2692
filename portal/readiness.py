"""Readiness: can this instance do its work right now? (``/readyz``; ``/healthz`` is liveness.)

Each check returns a ``Check``; apps and the core add theirs with ``register_readiness_check``.
A check that raises counts as failing, with the exception's class as its detail (the answer is
public; the message, which may name hosts and users, goes to the log).
The answer is 200 when every check is ok and 503 otherwise, so a load balancer or an
orchestrator takes the instance out of rotation and an operator sees which part failed.

The Celery check pings the workers over the broker (``app.control.ping``) and waits
``READINESS_WORKER_PING_TIMEOUT`` seconds for the first answer. A ping measures what matters: a
worker is consuming from this broker now. A heartbeat row written by the worker would also pass
while the worker consumed another broker, and needs beat or a timer in every worker.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connections

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Check:
    ok: bool
    detail: dict[str, Any] = field(default_factory=dict)


_checks: dict[str, Callable[[], Check]] = {}


def register_readiness_check(name: str, check: Callable[[], Check]) -> None:
    """Add (or replace) the check reported under ``name``."""
    _checks[name] = check


def readiness() -> dict[str, Check]:
    results = {}
    for name, check in list(_checks.items()):
        try:
            results[name] = check()
        except Exception as error:  # any failure is the answer, not a crash
            # The answer is public: the class only. The message (host names, user names) is logged.
            logger.warning("Readiness check %s failed: %s: %s", name, type(error).__name__, error)
            results[name] = Check(ok=False, detail={"error": type(error).__name__})
    return results


def database_check() -> Check:
    connection = connections["default"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return Check(ok=True, detail={"vendor": connection.vendor})


def cache_check() -> Check:
    ping = getattr(cache, "ping", None)
    if ping is None:
        # The in-process cache of a laptop or the tests: nothing that can be down.
        return Check(ok=True, detail={"backend": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]})
    ping()
    return Check(ok=True, detail={"backend": "redis"})


def celery_check() -> Check:
    from portal.celery import app

    if app.conf.task_always_eager:
        return Check(ok=True, detail={"mode": "eager (tasks run in the web process)"})
    timeout = settings.READINESS_WORKER_PING_TIMEOUT
    with app.connection_for_write(connect_timeout=timeout) as connection:
        # One attempt: a broker that is down is the answer, not something to wait out.
        connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=timeout)
        replies = app.control.ping(timeout=timeout, limit=1, connection=connection)
    if not replies:
        return Check(ok=False, detail={"error": f"no worker answered a ping within {timeout} s"})
    return Check(ok=True, detail={"workers": sorted(name for reply in replies for name in reply)})


def outbox_check() -> Check:
    """Mail nobody is sending: queued rows overdue by more than ten minutes (``outbox_backlog``).

    A few overdue rows are a slow SMTP server; more than ``READINESS_MAX_OUTBOX_BACKLOG`` means the
    workers or the sweep have stopped, which an operator must hear about.
    """
    from portal.outbox import outbox_backlog

    backlog = outbox_backlog()
    limit = getattr(settings, "READINESS_MAX_OUTBOX_BACKLOG", 100)
    oldest = int(backlog.oldest_age.total_seconds()) if backlog.oldest_age is not None else None
    return Check(ok=backlog.count <= limit, detail={"overdue": backlog.count, "oldest_seconds": oldest, "limit": limit})


register_readiness_check("database", database_check)
register_readiness_check("cache", cache_check)
register_readiness_check("celery", celery_check)
register_readiness_check("outbox", outbox_check)
