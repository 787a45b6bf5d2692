"""The e-mail outbox on the real path: PostgreSQL rows, Redis, a Celery worker and an SMTP server."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.personal_data import personal_data_collect
from portal.mail import queue_rendered_email
from portal.models import OutgoingMail
from portal.outbox import (
    outbox_backlog,
    outbox_mark_stale,
    outbox_purge_sent,
    outbox_queue,
    outbox_resend,
    outbox_send,
    outbox_send_due,
)
from portal.tasks import outbox_sweep_task, send_outgoing_mail_task
from tests.mail.fixtures import celery_app_on
from tests.roles import verified_user

worker_db = pytest.mark.django_db(transaction=True, serialized_rollback=True)
PASSWORD = "Kallavesi-melonta-2026"


def wait_until(condition, message: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(message)
        time.sleep(0.05)


def row_is(mail: OutgoingMail, **expected) -> bool:
    mail.refresh_from_db()
    return all(getattr(mail, name) == value for name, value in expected.items())


def queue_one(address: str = "vastaanottaja@example.org", **kwargs) -> OutgoingMail:
    return outbox_queue(to=[address], subject="Tervehdys", text="Hei!", **kwargs)


@worker_db
def test_a_message_lost_with_redis_is_delivered_once_by_the_sweep(smtp_sink, celery_broker, settings):
    settings.OUTBOX_SWEEP_AFTER_SECONDS = 0
    with transaction.atomic():
        queue_rendered_email(to=["kadonnut@example.org"], subject="Perillä", text="Redis unohti, rivi muisti.")
    redis = celery_broker.redis()
    assert redis.llen(celery_broker.queue) == 1  # the task's message is in Redis…
    redis.flushdb()  # …and Redis loses it (this test's own database number only)
    assert redis.llen(celery_broker.queue) == 0
    [mail] = OutgoingMail.objects.all()
    assert mail.status == OutgoingMail.Status.QUEUED

    with celery_broker.start_worker():
        outbox_sweep_task.delay()
        [received] = smtp_sink.wait_for(1)
        wait_until(lambda: row_is(mail, status=OutgoingMail.Status.SENT), "the row was not marked sent")

    assert received.recipients == ["kadonnut@example.org"]
    assert received.text.strip() == "Redis unohti, rivi muisti."
    assert received.message["Message-ID"] == mail.message_id
    assert mail.attempts == 1
    # Neither another sweep nor a late copy of the task sends it again.
    assert outbox_send_due() == 0
    send_outgoing_mail_task(mail.pk)
    assert len(smtp_sink.messages) == 1


@worker_db
def test_the_task_run_twice_at_once_sends_once(smtp_sink):
    mail = queue_one(enqueue=False)
    start = threading.Barrier(4)
    results = []

    def run_task():
        try:
            start.wait()
            results.append(outbox_send(mail_id=mail.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=run_task) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [0, 0, 0, 1]
    assert len(smtp_sink.messages) == 1
    assert row_is(mail, status=OutgoingMail.Status.SENT, attempts=1)


@worker_db
def test_a_rolled_back_transaction_sends_nothing_and_leaves_no_row(smtp_sink, celery_worker):
    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        queue_rendered_email(to=["peruttu@example.org"], subject="Ei koskaan", text="-")
        raise Abort

    # A later message is the marker: once it has arrived, the first one would have too.
    queue_rendered_email(to=["merkki@example.org"], subject="Merkki", text="-")
    smtp_sink.wait_for(1)
    assert [mail.recipients for mail in smtp_sink.messages] == [["merkki@example.org"]]
    assert list(OutgoingMail.objects.values_list("to", flat=True)) == [["merkki@example.org"]]


@worker_db
def test_a_temporary_refusal_waits_for_its_back_off_then_is_delivered(smtp_sink, celery_worker):
    smtp_sink.refuse("taynna@example.org", 452, "Mailbox full, try later")
    mail = queue_one("taynna@example.org")
    wait_until(
        lambda: row_is(mail, status=OutgoingMail.Status.QUEUED, attempts=1), "the first attempt was not recorded"
    )
    assert mail.last_error == "taynna@example.org: 452 Mailbox full, try later"
    assert mail.next_attempt_at > timezone.now() + timedelta(seconds=30)  # the back-off (60 s)
    assert outbox_send_due() == 0  # not due yet
    assert smtp_sink.messages == []

    smtp_sink.accept("taynna@example.org")
    OutgoingMail.objects.filter(pk=mail.pk).update(next_attempt_at=timezone.now())  # the back-off has passed
    outbox_sweep_task.delay()
    [received] = smtp_sink.wait_for(1)
    wait_until(lambda: row_is(mail, status=OutgoingMail.Status.SENT), "the retry was not marked sent")
    assert received.recipients == ["taynna@example.org"]
    assert mail.attempts == 2
    assert mail.last_error == ""


@worker_db
def test_a_permanent_refusal_fails_at_once_with_the_servers_answer(smtp_sink, celery_worker):
    smtp_sink.refuse("eiole@example.org", 550)
    mail = queue_one("eiole@example.org")
    wait_until(lambda: row_is(mail, status=OutgoingMail.Status.FAILED), "the row was not marked failed")
    assert mail.last_error == "eiole@example.org: 550 No such user here"
    assert mail.attempts == 1

    smtp_sink.accept("eiole@example.org")
    OutgoingMail.objects.filter(pk=mail.pk).update(next_attempt_at=timezone.now() - timedelta(hours=1))
    assert outbox_send_due() == 0
    send_outgoing_mail_task(mail.pk)
    assert smtp_sink.messages == []
    assert row_is(mail, status=OutgoingMail.Status.FAILED, attempts=1)


@worker_db
def test_temporary_failures_give_up_after_the_maximum_attempts(smtp_sink, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    settings.OUTBOX_RETRY_BACKOFF_SECONDS = 0
    smtp_sink.refuse("harmaalista@example.org", 451)
    mail = queue_one("harmaalista@example.org", enqueue=False)
    assert outbox_send(mail_id=mail.pk) == 0
    assert row_is(mail, status=OutgoingMail.Status.QUEUED, attempts=1)
    assert outbox_send_due() == 0
    assert row_is(mail, status=OutgoingMail.Status.FAILED, attempts=2)
    assert mail.last_error.startswith("harmaalista@example.org: 451 ")


@worker_db
def test_an_unreachable_smtp_server_is_a_temporary_failure(smtp_sink):
    smtp_sink.stop()
    mail = queue_one(enqueue=False)
    assert outbox_send(mail_id=mail.pk) == 0
    assert row_is(mail, status=OutgoingMail.Status.QUEUED, attempts=1)
    assert mail.last_error.startswith("ConnectionRefusedError")

    smtp_sink.start()
    OutgoingMail.objects.filter(pk=mail.pk).update(next_attempt_at=timezone.now())
    assert outbox_send_due() == 1
    assert [received.recipients for received in smtp_sink.messages] == [["vastaanottaja@example.org"]]


@worker_db
def test_the_sweep_sends_a_batch_through_one_smtp_connection(smtp_sink, settings):
    settings.OUTBOX_SWEEP_AFTER_SECONDS = 0
    addresses = [f"jasen{number}@example.org" for number in range(5)]
    for address in addresses:
        queue_one(address, enqueue=False)
    smtp_sink.refuse("jasen2@example.org", 550)

    assert outbox_send_due() == 4
    assert sorted(received.recipients[0] for received in smtp_sink.messages) == sorted(
        set(addresses) - {"jasen2@example.org"}
    )
    assert len({received.peer for received in smtp_sink.messages}) == 1
    statuses = dict(OutgoingMail.objects.values_list("to__0", "status"))
    assert statuses.pop("jasen2@example.org") == OutgoingMail.Status.FAILED
    assert set(statuses.values()) == {OutgoingMail.Status.SENT}


@worker_db
def test_a_row_left_in_flight_by_a_dead_worker_becomes_unknown_and_only_staff_resend_it(smtp_sink, settings):
    settings.OUTBOX_SWEEP_AFTER_SECONDS = 0
    stale = queue_one("kesken@example.org", enqueue=False)
    fresh = queue_one("matkalla@example.org", enqueue=False)
    now = timezone.now()
    OutgoingMail.objects.filter(pk=stale.pk).update(
        status="sending", attempts=1, sending_since=now - timedelta(minutes=11)
    )
    OutgoingMail.objects.filter(pk=fresh.pk).update(
        status="sending", attempts=1, sending_since=now - timedelta(minutes=1)
    )

    assert outbox_mark_stale() == 1
    assert row_is(stale, status=OutgoingMail.Status.UNKNOWN)
    assert "may or may not have been delivered" in stale.last_error
    assert row_is(fresh, status=OutgoingMail.Status.SENDING)
    # Neither the sweep nor the task touches them: the first is for staff, the second in flight.
    assert outbox_send_due() == 0
    assert outbox_send(mail_id=stale.pk) == outbox_send(mail_id=fresh.pk) == 0
    assert smtp_sink.messages == []

    assert outbox_resend(mail_id=stale.pk) is True
    assert outbox_resend(mail_id=fresh.pk) is False
    assert [received.recipients for received in smtp_sink.messages] == [["kesken@example.org"]]
    assert row_is(stale, status=OutgoingMail.Status.SENT, attempts=1)


def _row(status: str, *, days_ago: int, **extra) -> OutgoingMail:
    at = timezone.now() - timedelta(days=days_ago)
    return OutgoingMail.objects.create(
        to=["vanha@example.org"], subject="s", text="t", status=status, created_at=at, **extra
    )


@pytest.mark.django_db
def test_purge_deletes_only_sent_rows_older_than_the_retention(settings):
    settings.OUTBOX_RETENTION_DAYS = 30
    now = timezone.now()
    old_sent = _row("sent", days_ago=40, sent_at=now - timedelta(days=31))
    recent_sent = _row("sent", days_ago=40, sent_at=now - timedelta(days=29))
    kept = [_row(status, days_ago=40) for status in ("queued", "failed", "unknown")]

    assert outbox_purge_sent() == 1
    assert not OutgoingMail.objects.filter(pk=old_sent.pk).exists()
    assert set(OutgoingMail.objects.values_list("pk", flat=True)) == {recent_sent.pk, *(row.pk for row in kept)}


@pytest.mark.django_db
def test_backlog_counts_queued_rows_nobody_sent_in_time():
    now = timezone.now()
    assert outbox_backlog() == outbox_backlog(overdue_for=timedelta(0))
    assert outbox_backlog().count == 0 and outbox_backlog().oldest_age is None
    _row("queued", days_ago=0, next_attempt_at=now - timedelta(minutes=30))
    _row("queued", days_ago=0, next_attempt_at=now - timedelta(minutes=15))
    _row("queued", days_ago=0, next_attempt_at=now - timedelta(minutes=5))
    _row("failed", days_ago=0, next_attempt_at=now - timedelta(hours=5))

    backlog = outbox_backlog(overdue_for=timedelta(minutes=10))
    assert backlog.count == 2
    assert timedelta(minutes=30) <= backlog.oldest_age < timedelta(minutes=31)


@pytest.mark.django_db
def test_header_names_are_allow_listed_and_values_single_line():
    with pytest.raises(ValidationError):
        queue_one(headers={"Bcc": "kaikille@example.org"}, enqueue=False)
    with pytest.raises(ValidationError):
        queue_one(headers={"List-Id": "Uutiskirje <uutiset.example.org>\r\nBcc: kaikille@example.org"}, enqueue=False)
    with pytest.raises(ValidationError):
        outbox_queue(to=["a@example.org\nBcc: b@example.org"], subject="s", text="t", enqueue=False)
    with pytest.raises(ValidationError):
        outbox_queue(to=[], subject="s", text="t", enqueue=False)
    assert not OutgoingMail.objects.exists()
    mail = outbox_queue(to=["a@example.org"], subject="Rivi\r\nBcc: b@example.org", text="t", enqueue=False)
    assert mail.subject == "Rivi Bcc: b@example.org"


@worker_db
def test_allowed_headers_and_html_arrive(smtp_sink):
    mail = queue_one(
        html="<p>Hei!</p>",
        headers={
            "List-Unsubscribe": "<https://example.org/pois/abc>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
        label="newsletter.issue.1",
        enqueue=False,
    )
    assert outbox_send(mail_id=mail.pk) == 1
    [received] = smtp_sink.messages
    assert received.message["List-Unsubscribe"] == "<https://example.org/pois/abc>"
    assert received.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert received.message.get_body(preferencelist=("html",)).get_content().strip() == "<p>Hei!</p>"


@worker_db
def test_a_request_succeeds_with_the_broker_down_and_the_sweep_sends_its_mail(client, smtp_sink, settings, caplog):
    settings.OUTBOX_SWEEP_AFTER_SECONDS = 0
    # Nothing listens on port 1: publishing the send task fails at once.
    with celery_app_on("redis://127.0.0.1:1/0", settings):
        response = client.post(
            reverse("account_signup"), {"email": "katkos@example.org", "password1": PASSWORD, "password2": PASSWORD}
        )
    assert response.status_code == 302
    [mail] = OutgoingMail.objects.all()
    assert mail.status == OutgoingMail.Status.QUEUED and mail.to == ["katkos@example.org"]
    assert "the outbox sweep will send it" in caplog.text
    assert smtp_sink.messages == []

    assert outbox_send_due() == 1
    assert [received.recipients for received in smtp_sink.messages] == [["katkos@example.org"]]


@pytest.mark.django_db
def test_staff_resend_failed_rows_from_the_admin(client, login_as, smtp_sink, django_capture_on_commit_callbacks):
    staff = login_as(client, "staff")
    staff.user_permissions.add(*Permission.objects.filter(codename__in=["view_outgoingmail", "change_outgoingmail"]))
    failed = _row("failed", days_ago=1, last_error="550 No such user here", attempts=1)
    sent = _row("sent", days_ago=1, sent_at=timezone.now())
    changelist = reverse("admin:portal_outgoingmail_changelist")

    page = client.get(changelist, {"status__exact": "failed"})
    assert page.status_code == 200
    assert list(page.context["cl"].result_list) == [failed]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(changelist, {"action": "resend", "_selected_action": [failed.pk, sent.pk]})
    assert response.status_code == 302
    assert row_is(failed, status=OutgoingMail.Status.SENT, attempts=1)
    assert row_is(sent, status=OutgoingMail.Status.SENT)
    assert [received.recipients for received in smtp_sink.messages] == [["vanha@example.org"]]


@pytest.mark.django_db
def test_the_outbox_admin_is_closed_to_everyone_but_staff(client, login_as):
    login_as(client, "moderator")
    response = client.get(reverse("admin:portal_outgoingmail_changelist"))
    assert response.status_code == 403


@pytest.mark.django_db
def test_download_my_data_lists_the_accounts_own_messages_only():
    user = verified_user(email="oma@example.org")
    queue_one(user.email.upper(), enqueue=False)
    queue_one(f"x{user.email}", enqueue=False)  # contains the address as text, but is someone else's
    queue_one("muu@example.org", enqueue=False)

    [entry] = personal_data_collect(user)["emails"]
    assert entry["subject"] == "Tervehdys" and entry["status"] == "queued" and entry["sent_at"] is None
