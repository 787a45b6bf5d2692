"""Values remembered for the rest of one request: a cache read once instead of at every call.

A directory page asks for the directory's version and its reference data from several places (the
filter, the counts, the page, the sections); each ``cache.get`` is a round trip to Redis and an
unpickling. Inside a request the first answer is kept until the request ends; outside one
(Celery, the shell, tests calling selectors directly) nothing is remembered, since a long-lived
process would otherwise keep a value that another process has changed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from django.core.signals import request_finished, request_started

T = TypeVar("T")
_local = threading.local()


def _start(**_kwargs) -> None:
    _local.values = {}


def _finish(**_kwargs) -> None:
    _local.values = None


request_started.connect(_start, dispatch_uid="portal.request_memo.start")
request_finished.connect(_finish, dispatch_uid="portal.request_memo.finish")


def remembered(key: str, compute: Callable[[], T]) -> T:
    """``compute()``, or what it gave earlier in this request."""
    values = getattr(_local, "values", None)
    if values is None:
        return compute()
    if key not in values:
        values[key] = compute()
    return values[key]


def forget(key: str) -> None:
    """Drop a remembered value, e.g. after the request itself changed what it came from."""
    values = getattr(_local, "values", None)
    if values is not None:
        values.pop(key, None)
