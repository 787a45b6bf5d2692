"""Version counters in the cache: what cached pages and fragments are keyed by.

Each app keeps a counter per kind of content (the directory's associations, the calendar, the
council's news, the newsletter's archive, the public municipal contacts) and moves it after every
commit that changes that content; anything cached under the old number is then never read again.

A cached page depends on several counters, and each would be a round trip to Redis. Inside a
request the first read fetches every counter this process has been asked for so far in one
``get_many`` and keeps them until the request ends (``portal.request_memo``); outside a request
(Celery, the shell) every call reads the cache, as another process may have moved the counter.
"""

from __future__ import annotations

import secrets

from django.core.cache import cache

from .request_memo import forget, remembered

_MEMO_KEY = "portal.versions"
# Random starts far below the 64-bit limit of Redis' INCR.
_START_RANGE = 2**52
# Counters this process has read: a request reads them all at once. Only ever grows, and only by
# the handful of names the apps define.
_known: set[str] = set()


def current_version(key: str) -> int:
    """The counter ``key``. A counter the cache does not hold (never moved, or the cache was
    emptied) starts at a random number, not at 1: what a process keeps in memory under a version
    (``organisations.selectors.reference``) is then never mistaken for what a new counter names."""
    _known.add(key)
    versions: dict[str, int] = remembered(_MEMO_KEY, dict)
    if key not in versions:
        missing = [name for name in _known if name not in versions]
        found = cache.get_many(missing)
        for name in missing:
            if name not in found:
                # Start the counter, unless another process just did: then read theirs.
                cache.add(name, _new_start(), None)
                found[name] = cache.get(name, 1)
        versions.update(found)
    return versions[key]


def bump_version(key: str) -> None:
    """Move the counter ``key``: call it after the change commits."""
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, _new_start(), None)
    versions = remembered(_MEMO_KEY, dict)
    versions.pop(key, None)
    forget(key)


def _new_start() -> int:
    return secrets.randbelow(_START_RANGE) + 1
