"""Real mail plumbing for tests: an SMTP server on localhost and a Celery worker on real Redis.

``smtp_sink`` runs aiosmtpd on a free port and points Django's SMTP backend at it;
``celery_worker`` runs a Celery worker thread for the portal's app against Redis (its own
database number, so it never sees another queue). Tests using the worker need
``django_db(transaction=True)``: mail is queued only after a real commit. ``celery_broker``
points the app at that Redis without a worker, for tests that do something to the queue before
a worker runs (``celery_broker.start_worker()``).

``smtp_sink.refuse(address, 450)`` makes the sink answer a recipient with that code, as a real
server does for a full mailbox (4xx, try later) or an unknown user (5xx, give up).
"""

from __future__ import annotations

import email
import email.policy
import os
import re
import socket
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller

# Database 14 of the test Redis (TEST_REDIS_URL, as in scripts/test.sh) is the worker's alone.
TEST_BROKER_URL = os.environ.get("TEST_CELERY_BROKER_URL") or (
    re.sub(r"/\d+$", "", os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379").rstrip("/")) + "/14"
)


@dataclass
class ReceivedMail:
    sender: str
    recipients: list[str]
    message: email.message.EmailMessage
    # The client's (address, port): messages with one peer came over one SMTP connection.
    peer: tuple = ()

    @property
    def subject(self) -> str:
        return str(self.message["Subject"]).strip()

    @property
    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part else ""

    def links(self) -> list[str]:
        return re.findall(r"https?://[^\s<>\"]+", self.text)


@dataclass
class SMTPSink:
    port: int
    messages: list[ReceivedMail] = field(default_factory=list)
    _controller: Controller | None = None
    _arrived: threading.Condition = field(default_factory=threading.Condition)
    # address (lower case) -> the SMTP answer to RCPT TO for it
    refusals: dict[str, str] = field(default_factory=dict)

    def refuse(self, address: str, code: int, text: str = "") -> None:
        """Answer RCPT TO for ``address`` with ``code`` until ``accept`` is called."""
        default = "Mailbox temporarily unavailable" if code < 500 else "No such user here"
        self.refusals[address.lower()] = f"{code} {text or default}"

    def accept(self, address: str) -> None:
        self.refusals.pop(address.lower(), None)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # aiosmtpd's hook
        refusal = self.refusals.get(address.lower())
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's handler hook
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        with self._arrived:
            self.messages.append(
                ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), message, tuple(session.peer))
            )
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def start(self) -> None:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def wait_for(self, count: int = 1, timeout: float = 20.0) -> list[ReceivedMail]:
        """Block until ``count`` messages have arrived; fail the test after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.messages) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"expected {count} message(s), got {len(self.messages)} in {timeout}s")
                self._arrived.wait(remaining)
            return list(self.messages)

    def to(self, address: str) -> list[ReceivedMail]:
        return [mail for mail in self.messages if address in mail.recipients]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_sink(settings):
    sink = SMTPSink(port=_free_port())
    sink.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = sink.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield sink
    sink.stop()


def _reset_producer_pools(app) -> None:
    # The app caches its producer pool; after switching brokers it must be looked up again
    # (kombu keeps one pool per broker URL, so the old one stays usable for its own broker).
    app._pool = None
    app.amqp._producer_pool = None


@dataclass
class CeleryBroker:
    """The portal's Celery app pointed at the test Redis, with a queue of this test's own."""

    app: object
    queue: str
    url: str

    @contextmanager
    def start_worker(self):
        from celery.contrib.testing.worker import start_worker

        with start_worker(
            self.app,
            pool="solo",
            perform_ping_check=False,
            loglevel="WARNING",
            shutdown_timeout=20,
            queues=[self.queue],
        ) as worker:
            yield worker

    def redis(self):
        import redis

        return redis.Redis.from_url(self.url)


@contextmanager
def celery_app_on(broker_url: str, settings):
    """Point the portal's Celery app at ``broker_url`` (not eager) for the duration."""
    from portal.celery import app

    # Read the app's configuration before touching settings: Celery loads it lazily from them.
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager", "task_default_queue")}
    settings.CELERY_TASK_ALWAYS_EAGER = False
    # A queue of this test's own: another test run sharing the Redis server never sees its tasks.
    queue = f"test-{uuid.uuid4().hex}"
    app.conf.update(broker_url=broker_url, task_always_eager=False, task_default_queue=queue)
    _reset_producer_pools(app)
    try:
        yield CeleryBroker(app=app, queue=queue, url=broker_url)
    finally:
        app.conf.update(saved)
        _reset_producer_pools(app)


@pytest.fixture
def celery_broker(settings):
    with celery_app_on(TEST_BROKER_URL, settings) as broker:
        broker.app.control.purge()
        try:
            yield broker
        finally:
            broker.app.control.purge()


@pytest.fixture
def celery_worker(celery_broker):
    with celery_broker.start_worker() as worker:
        yield worker
