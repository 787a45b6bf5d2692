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

from django.core.cache import cache

from .request_memo import forget, remembered

_MEMO_KEY = "portal.versions"
# Counters this process has read: a request reads them all at once. Only ever grows, and only by
# the handful of names the apps define.
_known: set[str] = set()


def current_version(key: str) -> int:
    """The counter ``key`` (1 when it was never moved or the cache lost it)."""
    _known.add(key)
    versions: dict[str, int] = remembered(_MEMO_KEY, dict)
    if key not in versions:
        missing = [name for name in _known if name not in versions]
        found = cache.get_many(missing)
        for name in missing:
            if name not in found:
                # Start the counter, unless another process just did: then read theirs.
                cache.add(name, 1, None)
                found[name] = cache.get(name, 1)
        versions.update(found)
    return versions[key]


def bump_version(key: str) -> None:
    """Move the counter ``key``: call it after the change commits."""
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, None)
    versions = remembered(_MEMO_KEY, dict)
    versions.pop(key, None)
    forget(key)
