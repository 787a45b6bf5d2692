"""The visitor's address, derived in one place for the login lockout, rate limits and audit log.

A TLS-terminating proxy connects to the application itself, so ``REMOTE_ADDR`` is the proxy's
address and every visitor would share it. Each trusted proxy appends the address it received the
request from to ``X-Forwarded-For``; whatever stands to the left of those entries was written by
the client and can be forged. So behind ``TRUSTED_PROXY_COUNT`` proxies the visitor is the entry
that many places from the right end, and without a proxy the header is ignored altogether.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ipware import get_client_ip


def client_address(request: HttpRequest) -> str:
    """The visitor's IP address as text; empty only when the server passed no address at all."""
    remote_address = request.META.get("REMOTE_ADDR", "") or ""
    proxies = settings.TRUSTED_PROXY_COUNT if settings.BEHIND_PROXY else 0
    if proxies > 0:
        # ipware counts the proxies listed in the header, and the nearest proxy is not among them
        # (it is REMOTE_ADDR), hence one less. Not strict: the client may prepend any entries.
        address, _routable = get_client_ip(
            request,
            proxy_order="left-most",
            proxy_count=proxies - 1,
            request_header_order=["HTTP_X_FORWARDED_FOR"],
            strict=False,
        )
        if address:
            return address
    return remote_address
