"""One id per web request, echoed in ``X-Request-ID``, on every log line and in the tasks it queues.

The id comes from the proxy's ``X-Request-ID`` header only when ``BEHIND_PROXY`` is set (a client
could otherwise write anything into our logs) and only when it looks like an id; otherwise it is
generated. Celery carries it in a message header (``before_task_publish``) and the worker sets it
for the task's duration (``task_prerun``), so a task's log lines name the request that queued it.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from django.conf import settings

from portal.logs import request_id_var

HEADER = "X-Request-ID"
TASK_HEADER = "portal_request_id"
VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")

request_logger = logging.getLogger("portal.request")
task_logger = logging.getLogger("portal.task")


def incoming_request_id(request) -> str:
    if settings.BEHIND_PROXY:
        offered = request.headers.get(HEADER, "")
        if VALID_ID.fullmatch(offered):
            return offered
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Outermost: the id exists before any other middleware logs, and every request gets a line."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = incoming_request_id(request)
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response[HEADER] = request_id
            request_logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                },
            )
            return response
        finally:
            request_id_var.reset(token)


# Celery signal handlers, connected in portal/celery.py ----------------------------------------


def add_request_id_to_task(headers: dict | None = None, **kwargs) -> None:
    request_id = request_id_var.get()
    if request_id and headers is not None:
        headers[TASK_HEADER] = request_id


def enter_task(task=None, **kwargs) -> None:
    # A worker reads the header; a task run eagerly inside the request keeps the request's id.
    request_id = getattr(task.request, TASK_HEADER, None) or request_id_var.get()
    task.request.portal_started = time.monotonic()
    task.request.portal_token = request_id_var.set(request_id or f"task-{task.request.id}")


def leave_task(task=None, task_id: str | None = None, state: str | None = None, **kwargs) -> None:
    started = getattr(task.request, "portal_started", None)
    task_logger.info(
        "%s %s",
        task.name,
        state,
        extra={
            "task": task.name,
            "task_id": task_id,
            "state": state,
            "duration_ms": round((time.monotonic() - started) * 1000, 1) if started else None,
        },
    )
    token = getattr(task.request, "portal_token", None)
    if token is not None:
        request_id_var.reset(token)
