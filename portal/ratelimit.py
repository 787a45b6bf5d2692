"""A small fixed-window rate limit on the shared cache (Redis in production).

For light protection of public forms (reports of outdated listings); login has django-axes.
"""

from django.core.cache import cache


def client_address(request) -> str:
    # Behind a proxy REMOTE_ADDR is set from the trusted forwarded header by the server (gunicorn).
    return request.META.get("REMOTE_ADDR", "") or "unknown"


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
