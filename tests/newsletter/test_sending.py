"""Sending an issue on the real path: PostgreSQL, Redis, Celery workers (threads and a real
process killed mid-batch) and an SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import asyncio
import os
import signal
import smtplib
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from email.utils import parseaddr
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from newsletter import services
from newsletter.mime import smtp_prepare
from newsletter.models import Delivery, Issue, Subscriber
from newsletter.services_sending import (
    dispatch_queued,
    issue_progress,
    issue_resend_unknown,
    issue_send_batch,
    issue_send_start,
    newsletter_requeue_abandoned,
    newsletter_sweep,
)
from newsletter.tasks import newsletter_sweep_task
from organisations.models import Municipality
from portal.models import OutgoingMail
from portal.outbox import outbox_mark_stale, outbox_send_due
from tests.mail.fixtures import SMTPSink, _free_port
from tests.newsletter.factories import SubscriberFactory, scheduled_issue

worker_db = pytest.mark.django_db(transaction=True, serialized_rollback=True)
ROOT = Path(__file__).resolve().parents[2]


def wait_until(condition, message: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(message)
        time.sleep(0.05)


def settled(issue: Issue) -> bool:
    return not OutgoingMail.objects.filter(
        label=issue.label, status__in=[OutgoingMail.Status.QUEUED, OutgoingMail.Status.SENDING]
    ).exists()


def subscribers(count: int, **kwargs) -> list[Subscriber]:
    return SubscriberFactory.create_batch(count, **kwargs)


@worker_db
def test_each_subscriber_in_the_audience_gets_exactly_one_multipart_message_with_list_headers(
    smtp_sink, celery_worker, settings
):
    settings.NEWSLETTER_BATCH_SIZE = 7
    kuopio, mikkeli = Municipality.objects.get(code="297"), Municipality.objects.get(code="491")
    finnish = subscribers(20)
    swedish = subscribers(5, language="sv")
    in_kuopio = subscribers(3)
    for subscriber in in_kuopio:
        subscriber.municipalities.set([kuopio])
    elsewhere = subscribers(4)
    for subscriber in elsewhere:
        subscriber.municipalities.set([mikkeli])
    SubscriberFactory(email="odottaa@example.org", status=Subscriber.Status.PENDING, consent_confirmed_at=None)
    SubscriberFactory(email="lahti@example.org", status=Subscriber.Status.UNSUBSCRIBED)
    issue = scheduled_issue(
        title_fi="Syksyn uutiset\r\nBcc: kaikki@example.org",
        title_sv="Höstens nyheter",
        body_sv="<p>Välkommen!</p>",
    )
    issue.municipalities.set([kuopio])
    audience = finnish + swedish + in_kuopio

    newsletter_sweep_task.delay()  # what beat does every minute: the issue is due
    received = smtp_sink.wait_for(len(audience))
    wait_until(lambda: settled(issue), "the issue did not settle")

    time.sleep(0.5)  # nothing more may arrive
    assert len(smtp_sink.messages) == len(audience)
    assert Counter(address for mail in received for address in mail.recipients) == Counter(
        subscriber.email for subscriber in audience
    )
    message_ids = set()
    for mail in received:
        [address] = mail.recipients
        subscriber = Subscriber.objects.get(email=address)
        message = mail.message
        assert message.get_content_type() == "multipart/alternative"
        assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
        # The title's line break did not become a header of its own.
        assert message["Bcc"] is None and "\n" not in message["Subject"]
        finnish_subject = "Syksyn uutiset Bcc: kaikki@example.org"
        assert message["Subject"] == ("Höstens nyheter" if subscriber.language == "sv" else finnish_subject)
        path = "/sv/uutiskirje/peru/" if subscriber.language == "sv" else "/uutiskirje/peru/"
        # A long header is folded onto its own line; unfolded, the leading space means nothing.
        assert message["List-Unsubscribe"].strip() == f"<{settings.SITE_URL}{path}{subscriber.token}/>"
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert parseaddr(message["List-Id"])[1] == settings.NEWSLETTER_LIST_ID
        assert f"{path}{subscriber.token}/" in mail.text  # the per-recipient link in the body
        message_ids.add(message["Message-ID"])
    assert len(message_ids) == len(audience)
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT and issue.recipient_count == len(audience)
    assert issue_progress(issue) == {
        "total": len(audience),
        "sent": len(audience),
        "failed": 0,
        "unsubscribed": 0,
        "unknown": 0,
        "remaining": 0,
    }


@worker_db
def test_starting_twice_and_running_every_batch_twice_sends_one_copy(smtp_sink, settings):
    settings.NEWSLETTER_BATCH_SIZE = 4
    audience = subscribers(10)
    issue = scheduled_issue()
    assert issue_send_start(issue_id=issue.pk) == 10  # eager: its batches ran after the commit
    assert issue_send_start(issue_id=issue.pk) == 0
    mail_ids = list(OutgoingMail.objects.filter(label=issue.label).values_list("pk", flat=True))
    assert issue_send_batch(issue_id=issue.pk, mail_ids=mail_ids) == 0
    dispatch_queued(issue_id=issue.pk, only_due=False)
    newsletter_sweep()
    assert sorted(address for mail in smtp_sink.messages for address in mail.recipients) == sorted(
        subscriber.email for subscriber in audience
    )
    assert Delivery.objects.filter(issue=issue).count() == 10


@worker_db
def test_batches_lost_with_redis_are_sent_once_by_the_sweep(smtp_sink, celery_broker, settings):
    settings.OUTBOX_SWEEP_AFTER_SECONDS = 0
    settings.NEWSLETTER_BATCH_SIZE = 5
    audience = subscribers(12)
    issue = scheduled_issue()
    issue_send_start(issue_id=issue.pk)
    redis = celery_broker.redis()
    assert redis.llen(celery_broker.queue) == 3
    redis.flushdb()  # Redis restarts empty (this test's own database number only)

    with celery_broker.start_worker():
        newsletter_sweep_task.delay()
        smtp_sink.wait_for(len(audience))
        wait_until(lambda: settled(issue), "the issue did not settle")
        newsletter_sweep_task.delay()  # a second sweep finds nothing to send
        time.sleep(1)
    assert Counter(address for mail in smtp_sink.messages for address in mail.recipients) == Counter(
        subscriber.email for subscriber in audience
    )


@worker_db
def test_a_temporary_refusal_is_retried_and_a_permanent_one_is_not(smtp_sink, settings):
    settings.NEWSLETTER_SUSPEND_AFTER_HARD_FAILURES = 1
    busy, gone, fine = subscribers(3)
    smtp_sink.refuse(busy.email, 450)
    smtp_sink.refuse(gone.email, 550)
    issue = scheduled_issue()
    issue_send_start(issue_id=issue.pk)

    busy_mail = Delivery.objects.get(issue=issue, subscriber=busy).mail
    gone_mail = Delivery.objects.get(issue=issue, subscriber=gone).mail
    assert [mail.recipients for mail in smtp_sink.messages] == [[fine.email]]
    assert busy_mail.status == OutgoingMail.Status.QUEUED and busy_mail.last_error.startswith(f"{busy.email}: 450")
    assert gone_mail.status == OutgoingMail.Status.FAILED and "550" in gone_mail.last_error
    gone.refresh_from_db()
    assert gone.status == Subscriber.Status.SUSPENDED and gone.hard_failures == 1

    smtp_sink.accept(busy.email)
    smtp_sink.accept(gone.email)
    OutgoingMail.objects.filter(pk=busy_mail.pk).update(next_attempt_at=timezone.now())  # the back-off passed
    newsletter_sweep()
    outbox_send_due()
    assert sorted(address for mail in smtp_sink.messages for address in mail.recipients) == sorted(
        [fine.email, busy.email]
    )
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT
    progress = issue_progress(issue)
    assert (progress["sent"], progress["failed"], progress["remaining"]) == (2, 1, 0)


@worker_db
def test_who_unsubscribes_after_the_start_gets_nothing(smtp_sink, celery_broker):
    # No worker: the batches wait in Redis until this test sends them itself.
    stays, leaves, bounced = subscribers(3)
    issue = scheduled_issue()
    issue_send_start(issue_id=issue.pk)
    services.subscription_unsubscribe(token=leaves.token)
    # Suspended behind the services' back: the batch checks the status itself when it sends.
    Subscriber.objects.filter(pk=bounced.pk).update(status=Subscriber.Status.SUSPENDED)
    mail_ids = OutgoingMail.objects.filter(label=issue.label).values_list("pk", flat=True)
    issue_send_batch(issue_id=issue.pk, mail_ids=mail_ids)
    assert [mail.recipients for mail in smtp_sink.messages] == [[stays.email]]
    assert issue_progress(issue)["unsubscribed"] == 2


class SlowSink(SMTPSink):
    """A server that takes a moment per message, so a worker can be killed in the middle of a batch."""

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.03)
        return await super().handle_DATA(server, session, envelope)


def start_worker_process(*, queue: str, broker_url: str, sink: SMTPSink) -> subprocess.Popen:
    database = connection.settings_dict
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/"
            f"{database['NAME']}"
        ),
        "CELERY_BROKER_URL": broker_url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "REDIS_URL": "",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(sink.port),
        "NEWSLETTER_BATCH_SIZE": "40",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@worker_db
def test_killing_the_worker_mid_batch_sends_nobody_two_copies_and_loses_nobody(celery_broker, settings):
    sink = SlowSink(port=_free_port())
    sink.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", sink.port, 5
    settings.OUTBOX_SWEEP_AFTER_SECONDS = 0
    settings.NEWSLETTER_BATCH_SIZE = 40
    audience = subscribers(120)
    emails = {subscriber.email for subscriber in audience}
    issue = scheduled_issue()
    worker = start_worker_process(queue=celery_broker.queue, broker_url=celery_broker.url, sink=sink)
    try:
        issue_send_start(issue_id=issue.pk)
        sink.wait_for(15, timeout=60)
        worker.send_signal(signal.SIGKILL)  # mid-batch: the first batch has 40 messages
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    delivered_before = len(sink.messages)
    assert delivered_before < len(audience)
    claimed = OutgoingMail.objects.filter(label=issue.label, status=OutgoingMail.Status.SENDING)
    assert claimed.exists()  # the dead worker left its batch in flight
    # What the sweeps do once their timeouts have passed (the worker is dead, so they have):
    settings.OUTBOX_SENDING_TIMEOUT_MINUTES = 0
    # Undecided: at most the batch it had marked in flight (40), and only rows it had not recorded.
    assert outbox_mark_stale() <= 40
    newsletter_requeue_abandoned(older_than=timedelta(0))
    assert not claimed.exists()

    with celery_broker.start_worker():
        newsletter_sweep_task.delay()
        wait_until(lambda: settled(issue), "the issue did not settle after the restart")
        time.sleep(0.5)
    counts = Counter(address for mail in sink.messages for address in mail.recipients)
    assert max(counts.values()) == 1, "somebody got two copies"
    unknown = OutgoingMail.objects.filter(label=issue.label, status=OutgoingMail.Status.UNKNOWN)
    assert set(counts) | {mail.to[0] for mail in unknown} == emails, "somebody was skipped"
    assert issue_progress(issue)["unknown"] == unknown.count()

    # The secretary resolves the undecided one (if any): afterwards everybody has it.
    issue_resend_unknown(issue=issue)
    outbox_send_due()
    sink.stop()
    assert {address for mail in sink.messages for address in mail.recipients} == emails
    newsletter_sweep()  # beat's next run closes the issue
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT


class PipeliningSink(SMTPSink):
    """A server offering PIPELINING (RFC 2920), as Postfix does: batches send MAIL, RCPT and DATA at once."""

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # aiosmtpd's hook
        session.host_name = hostname
        return [*responses[:-1], "250-PIPELINING", responses[-1]]


@worker_db
def test_a_pipelining_server_gets_each_message_once_and_its_refusals_are_recorded(settings):
    sink = PipeliningSink(port=_free_port())
    sink.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", sink.port, 5
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.NEWSLETTER_SUSPEND_AFTER_HARD_FAILURES = 1
    try:
        with smtplib.SMTP("127.0.0.1", sink.port) as smtp:
            assert smtp_prepare(smtp)  # the batch below takes the pipelined path
        audience = subscribers(6)
        busy, gone = audience[1], audience[3]
        sink.refuse(busy.email, 450)
        sink.refuse(gone.email, 550)
        issue = scheduled_issue()
        issue_send_start(issue_id=issue.pk)  # eager: the batch runs after the commit
    finally:
        sink.stop()
    delivered = [address for mail in sink.messages for address in mail.recipients]
    assert sorted(delivered) == sorted(s.email for s in audience if s not in (busy, gone))
    assert len({mail.peer for mail in sink.messages}) == 1  # one connection for the batch
    busy_mail = Delivery.objects.get(issue=issue, subscriber=busy).mail
    gone_mail = Delivery.objects.get(issue=issue, subscriber=gone).mail
    assert busy_mail.status == OutgoingMail.Status.QUEUED and busy_mail.last_error.startswith(f"{busy.email}: 450")
    assert gone_mail.status == OutgoingMail.Status.FAILED and "550" in gone_mail.last_error
    assert issue_progress(issue)["sent"] == 4
