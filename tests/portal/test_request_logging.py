"""One log line per request and per task, JSON on request, with the request id carried into tasks."""

import json
import logging
import logging.config
import time

import pytest
from django.urls import reverse

from portal.logs import RequestIdFilter, logging_config


@pytest.fixture
def json_log(caplog):
    """pytest's log capture, formatted and filtered exactly as ``LOG_FORMAT=json`` configures it."""
    configurator = logging.config.DictConfigurator(logging_config(log_format="json", level="INFO"))
    caplog.handler.setFormatter(configurator.configure_formatter(configurator.config["formatters"]["json"]))
    caplog.handler.addFilter(RequestIdFilter())
    caplog.set_level(logging.INFO)

    def lines(logger: str) -> list[dict]:
        parsed = [json.loads(line) for line in caplog.text.splitlines() if line.startswith("{")]
        return [line for line in parsed if line["logger"] == logger]

    return lines


def test_every_response_carries_a_fresh_request_id(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert len(first) == 32 and int(first, 16) >= 0
    assert first != second


def test_a_clients_request_id_is_ignored_unless_a_proxy_sets_it(client, settings):
    offered = "proxy-0123456789abcdef"
    assert client.get("/healthz", headers={"X-Request-ID": offered})["X-Request-ID"] != offered
    settings.BEHIND_PROXY = True
    assert client.get("/healthz", headers={"X-Request-ID": offered})["X-Request-ID"] == offered
    # Even from the proxy, only something that looks like an id reaches the logs.
    for forged in ["short", "x" * 200, "abc def ghi jkl", "id\nINFO forged line"]:
        assert client.get("/healthz", headers={"X-Request-ID": forged})["X-Request-ID"] != forged


def test_a_request_is_one_json_line_with_its_id(client, json_log):
    response = client.get("/healthz?secret=not-logged")
    [line] = json_log("portal.request")
    assert line["request_id"] == response["X-Request-ID"]
    assert (line["method"], line["path"], line["status"]) == ("GET", "/healthz", 200)
    assert line["level"] == "INFO"
    assert "not-logged" not in json.dumps(line)


def test_the_default_format_is_readable_text():
    config = logging_config(log_format="text", level="WARNING")
    assert config["handlers"]["console"]["formatter"] == "text"
    record = logging.LogRecord("portal.request", logging.INFO, __file__, 1, "GET / 200", None, None)
    RequestIdFilter().filter(record)
    line = logging.Formatter(config["formatters"]["text"]["format"]).format(record)
    assert line.endswith("INFO portal.request [-] GET / 200")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_task_queued_by_a_request_logs_the_requests_id(client, json_log, smtp_sink, celery_worker):
    response = client.post(
        reverse("account_signup"),
        {"email": "uusi.jasen@example.org", "password1": "Kallavesi-2026-x", "password2": "Kallavesi-2026-x"},
    )
    assert response.status_code == 302
    smtp_sink.wait_for(1)
    request_id = response["X-Request-ID"]
    [request_line] = [line for line in json_log("portal.request") if line["method"] == "POST"]
    assert request_line["request_id"] == request_id
    # The worker logs the task's line just after the message left; wait for it, do not race it.
    deadline = time.monotonic() + 20
    while not json_log("portal.task") and time.monotonic() < deadline:
        time.sleep(0.05)
    [task_line] = json_log("portal.task")
    assert task_line["task"] == "portal.tasks.send_outgoing_mail_task"
    assert task_line["state"] == "SUCCESS"
    assert task_line["request_id"] == request_id
