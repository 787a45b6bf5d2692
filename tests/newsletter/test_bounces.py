"""Delivery status notifications delivered to a real Maildir, read as Celery beat reads them."""

from __future__ import annotations

import mailbox

import pytest

from newsletter.bounces import parse_report
from newsletter.models import Subscriber
from newsletter.tasks import newsletter_read_bounces_task

from .factories import SubscriberFactory

pytestmark = pytest.mark.django_db


def report(recipient: str, *, action: str = "failed", status: str = "5.1.1") -> bytes:
    """A delivery status notification as Postfix writes one (RFC 3464)."""
    return f"""Return-Path: <>
From: MAILER-DAEMON@mx.example.net (Mail Delivery System)
To: bounces@jarjestotori.example
Subject: Undelivered Mail Returned to Sender
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B0UND"

--B0UND
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

I'm sorry to have to inform you that your message could not be delivered.

--B0UND
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net
Arrival-Date: Tue,  1 Dec 2026 10:00:00 +0200 (EET)

Final-Recipient: rfc822; {recipient}
Original-Recipient: rfc822;{recipient}
Action: {action}
Status: {status}
Diagnostic-Code: smtp; 550 5.1.1 <{recipient}>: Recipient address rejected:
    User unknown in virtual mailbox table

--B0UND
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

From: Jarjestotori <noreply@jarjestotori.example>
To: {recipient}
Subject: Syksyn uutiset

--B0UND--
""".replace("\n", "\r\n").encode()


def test_the_report_names_the_failed_recipient_and_whether_it_is_permanent():
    [bounce] = parse_report(report("Poissa@Example.org"))
    assert bounce.recipient == "poissa@example.org" and bounce.permanent
    assert "User unknown" in bounce.diagnostic
    [delayed] = parse_report(report("hidas@example.org", action="delayed", status="4.4.1"))
    assert not delayed.permanent
    assert parse_report(b"From: someone@example.org\r\nSubject: Lomalla\r\n\r\nOlen lomalla.") is None


def test_permanent_bounces_in_the_maildir_suspend_the_subscription(tmp_path, settings):
    settings.NEWSLETTER_BOUNCE_MAILDIR = str(tmp_path / "bounces")
    settings.NEWSLETTER_SUSPEND_AFTER_HARD_FAILURES = 2
    gone = SubscriberFactory(email="poissa@example.org")
    slow = SubscriberFactory(email="hidas@example.org")
    box = mailbox.Maildir(settings.NEWSLETTER_BOUNCE_MAILDIR, create=True)
    box.add(report("poissa@example.org"))
    box.add(report("hidas@example.org", action="delayed", status="4.4.1"))
    box.add(b"From: someone@example.org\r\nSubject: Lomalla\r\n\r\nOlen lomalla.\r\n")

    newsletter_read_bounces_task()
    gone.refresh_from_db()
    slow.refresh_from_db()
    assert gone.hard_failures == 1 and gone.status == Subscriber.Status.CONFIRMED and "5.1.1" in gone.last_failure
    assert slow.hard_failures == 0
    # The reports are gone; the auto-reply stays, read.
    assert [message["Subject"] for message in box] == ["Lomalla"]

    newsletter_read_bounces_task()  # nothing new: nothing counted twice
    gone.refresh_from_db()
    assert gone.hard_failures == 1

    box.add(report("poissa@example.org"))
    newsletter_read_bounces_task()
    gone.refresh_from_db()
    assert gone.status == Subscriber.Status.SUSPENDED


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_each_message_has_its_own_bounce_address_and_a_report_to_it_finds_the_subscriber(smtp_sink, tmp_path, settings):
    from email.utils import parseaddr

    from newsletter.bounces import verp_mail_id
    from newsletter.models import Delivery
    from newsletter.services_sending import issue_send_start
    from tests.newsletter.factories import scheduled_issue

    settings.NEWSLETTER_BOUNCE_ADDRESS = "bounces@jarjestotori.example"
    settings.NEWSLETTER_BOUNCE_MAILDIR = str(tmp_path / "bounces")
    forwarded = SubscriberFactory(email="vanha@example.org")
    other = SubscriberFactory(email="toinen@example.org")
    issue = scheduled_issue()
    issue_send_start(issue_id=issue.pk)  # eager Celery: sent after the commit

    senders = {mail.recipients[0]: mail.sender for mail in smtp_sink.wait_for(2)}
    for subscriber in (forwarded, other):
        mail_id = Delivery.objects.get(issue=issue, subscriber=subscriber).mail_id
        assert verp_mail_id(senders[subscriber.email]) == mail_id
    assert len(set(senders.values())) == 2
    assert parseaddr(smtp_sink.messages[0].message["From"])[1] == parseaddr(settings.NEWSLETTER_FROM_EMAIL)[1]
    assert verp_mail_id(senders[forwarded.email].replace("-", "-0", 1)) is None  # a forged signature

    # The old address forwards to a new one, which bounces: only the envelope knows whose it was.
    raw = report("uusi@elsewhere.example").replace(
        b"To: bounces@jarjestotori.example", f"To: {senders[forwarded.email]}".encode()
    )
    box = mailbox.Maildir(settings.NEWSLETTER_BOUNCE_MAILDIR, create=True)
    box.add(raw)
    newsletter_read_bounces_task()
    forwarded.refresh_from_db()
    other.refresh_from_db()
    assert (forwarded.hard_failures, other.hard_failures) == (1, 0)
