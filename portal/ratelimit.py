"""A small fixed-window rate limit on the shared cache (Redis in production).

For light protection of public forms (reports of outdated listings); login has django-axes.
Key the limits by ``client_address(request)``: behind a proxy it is the visitor's address, not the
proxy's, so one visitor's limit is not everybody's.
"""

from django.core.cache import cache

from portal.client_address import client_address

__all__ = ["client_address", "within_limit"]


def within_limit(key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one attempt under ``key``; False once more than ``limit`` happened in the window."""
    cache_key = f"ratelimit:{key}"
    if cache.add(cache_key, 1, timeout=window_seconds):
        return True
    try:
        count = cache.incr(cache_key)
    except ValueError:
        # The window expired between add() and incr().
        cache.set(cache_key, 1, timeout=window_seconds)
        return True
    return count <= limit
