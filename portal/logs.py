"""Logging: readable text by default, one JSON object per line with ``LOG_FORMAT=json``.

Every record carries ``request_id``: the id of the web request being served, or of the request
that queued the Celery task being run (``portal.request_id``), or ``-`` outside both.
Imported by the settings, so it imports nothing from Django.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
# python-json-logger adds the record's extra fields (method, path, status, task …) to these.
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s"


class RequestIdFilter(logging.Filter):
    """Put the current request id on every record the handler writes."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get() or "-"
        return True


def logging_config(*, log_format: str, level: str) -> dict:
    json_format = log_format.strip().lower() == "json"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "portal.logs.RequestIdFilter"}},
        "formatters": {
            "text": {"format": TEXT_FORMAT},
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": JSON_FIELDS,
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            },
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": ["request_id"],
                "formatter": "json" if json_format else "text",
            }
        },
        "root": {"handlers": ["console"], "level": level},
        # The access line of each request and task is INFO, whatever the root level.
        "loggers": {
            "portal.request": {"level": "INFO"},
            "portal.task": {"level": "INFO"},
        },
    }
