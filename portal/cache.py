"""The shared cache as an accelerator: with Redis unreachable every page still answers.

``ResilientRedisCache`` is Django's ``RedisCache`` with three differences:

- short connect and socket timeouts (Redis answers in microseconds or not at all);
- a connection error or timeout makes it behave like Django's ``DummyCache``: ``get`` returns
  the default, ``get_many`` nothing, ``set`` and ``delete`` store and remove nothing, ``add``
  answers True, ``incr`` raises ``ValueError`` like a missing key. So ``get_or_set`` computes the
  value, callers that handle a missing counter (``bump_directory_version``, ``portal.ratelimit``)
  carry on, and allauth's rate-limit lock (``cache.add`` in a loop, 429 after a second without
  it) is granted rather than refused;
- a circuit breaker per server and process: after a failure the backend does not try Redis
  again for ``CIRCUIT_OPEN_SECONDS``, so a dead Redis costs one short timeout per interval and
  not one per cache call, and it logs a warning at most once per ``WARNING_INTERVAL_SECONDS``.

What this means for the callers: cached figures are computed on every request while Redis is
down (slower, correct); the light rate limits (``portal.ratelimit``, allauth's own) fail open,
since refusing every resident's report because the cache is down would be worse than letting a
few extra through, and sign-in keeps django-axes' lockout, which lives in the database.
Only connection failures are misses; any other Redis error is a bug and is raised.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any
from urllib.parse import urlsplit

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)


class CircuitBreaker:
    """Shared by every thread of a process (Django gives each thread its own cache object)."""

    def __init__(self, *, open_seconds: float, warning_interval_seconds: float) -> None:
        self.open_seconds = open_seconds
        self.warning_interval_seconds = warning_interval_seconds
        self._lock = threading.Lock()
        self._open_until = 0.0
        self._failing = False
        self._last_warning = float("-inf")

    def allows_attempt(self) -> bool:
        with self._lock:
            now = time.monotonic()
            if now < self._open_until:
                return False
            if self._failing:
                # This caller probes; the others keep failing fast until it knows.
                self._open_until = now + self.open_seconds
            return True

    def succeeded(self) -> None:
        if not self._failing:
            return
        with self._lock:
            self._failing = False
            self._open_until = 0.0
        logger.warning("The cache (Redis) is reachable again.")

    def failed(self, location: str, error: Exception) -> None:
        with self._lock:
            now = time.monotonic()
            self._failing = True
            self._open_until = now + self.open_seconds
            warn = now - self._last_warning >= self.warning_interval_seconds
            if warn:
                self._last_warning = now
        if warn:
            logger.warning(
                "The cache (Redis at %s) is unreachable, serving without it for the next %s s: %s",
                location,
                self.open_seconds,
                error,
            )

    @property
    def is_open(self) -> bool:
        return time.monotonic() < self._open_until


_breakers: dict[str, CircuitBreaker] = {}
_breakers_lock = threading.Lock()


def _breaker_for(location: str, *, open_seconds: float, warning_interval_seconds: float) -> CircuitBreaker:
    with _breakers_lock:
        breaker = _breakers.get(location)
        if breaker is None:
            breaker = _breakers[location] = CircuitBreaker(
                open_seconds=open_seconds, warning_interval_seconds=warning_interval_seconds
            )
        return breaker


class ReusingRedisCacheClient(RedisCacheClient):
    """Django's client with one ``redis.Redis`` per connection pool instead of one per call.

    Django builds a new ``redis.Redis`` for every cache call, and its constructor fills some 170
    response callbacks: with two calls per cached page (the versions, the page) that was a
    fifth of the time of serving one. The pool holds the connections either way, and a
    ``redis.Redis`` is safe to share between threads.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    """``RedisCache`` that treats an unreachable Redis as an empty cache (see the module)."""

    def __init__(self, server, params):
        params = dict(params)
        options = dict(params.get("OPTIONS", {}))
        open_seconds = float(options.pop("CIRCUIT_OPEN_SECONDS", 10))
        warning_interval_seconds = float(options.pop("WARNING_INTERVAL_SECONDS", 60))
        # Passed on to redis-py's connection pool. Without them a Redis host that drops packets
        # holds every request until the operating system gives up on the connection.
        options.setdefault("socket_connect_timeout", 0.5)
        options.setdefault("socket_timeout", 1.0)
        params["OPTIONS"] = options
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
        location = server if isinstance(server, str) else ",".join(server)
        self.breaker = _breaker_for(
            location, open_seconds=open_seconds, warning_interval_seconds=warning_interval_seconds
        )
        # For the log: host, port and database, never the password of redis://:secret@host/0.
        self._location = ",".join(
            urlsplit(url)._replace(netloc=urlsplit(url).netloc.rpartition("@")[2], query="").geturl()
            for url in self._servers
        )

    def _call(self, method: str, fallback: Any, *args: Any, **kwargs: Any) -> Any:
        if not self.breaker.allows_attempt():
            return fallback
        try:
            result = getattr(super(), method)(*args, **kwargs)
        except UNREACHABLE as error:
            self.breaker.failed(self._location, error)
            return fallback
        self.breaker.succeeded()
        return result

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # True as DummyCache answers: callers use add() as a lock, and a lock nobody can take
        # would turn allauth's rate limits into a refusal of every sign-in.
        return self._call("add", True, key, value, timeout=timeout, version=version)

    def get(self, key, default=None, version=None):
        return self._call("get", default, key, default=default, version=version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", None, key, value, timeout=timeout, version=version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, key, timeout=timeout, version=version)

    def delete(self, key, version=None):
        return self._call("delete", False, key, version=version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, keys, version=version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, key, version=version)

    def incr(self, key, delta=1, version=None):
        missing = object()
        result = self._call("incr", missing, key, delta=delta, version=version)
        if result is missing:
            raise ValueError(f"Key '{key}' not found: the cache is unreachable.")
        return result

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", [], data, timeout=timeout, version=version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", None, keys, version=version)

    def clear(self):
        return self._call("clear", False)

    def ping(self) -> None:
        """Ask Redis directly, past the circuit breaker; raises when it does not answer.

        For the readiness check, which must report the truth rather than a remembered failure.
        """
        try:
            self._cache.get_client(write=True).ping()
        except UNREACHABLE as error:
            self.breaker.failed(self._location, error)
            raise
        self.breaker.succeeded()
