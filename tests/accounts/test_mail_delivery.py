"""Account mail travels the portal's real path: outbox row → after commit → Celery (Redis) → SMTP."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from portal.mail import queue_rendered_email
from portal.models import OutgoingMail
from portal.tasks import outbox_sweep_task

PASSWORD = "Kallavesi-melonta-2026"
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def sign_up(client, email: str):
    return client.post(reverse("account_signup"), {"email": email, "password1": PASSWORD, "password2": PASSWORD})


def confirmation_path(mail) -> str:
    links = [link for link in mail.links() if "/tili/confirm-email/" in link]
    assert len(links) == 1, mail.text
    return re.sub(r"^https?://[^/]+", "", links[0])


def test_signup_mail_arrives_through_the_worker_and_its_link_verifies(client, smtp_sink, celery_worker):
    response = sign_up(client, "uusi.jasen@example.org")
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")

    [mail] = smtp_sink.wait_for(1)
    assert mail.recipients == ["uusi.jasen@example.org"]
    assert mail.subject.startswith("[Järjestötori]")
    assert "Vahvista sähköpostiosoitteesi" in mail.subject  # Finnish, the default language

    # Unverified, the account cannot log in yet.
    response = client.post(reverse("account_login"), {"login": "uusi.jasen@example.org", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert not EmailAddress.objects.get(email="uusi.jasen@example.org").verified

    path = confirmation_path(mail)
    assert client.get(path).status_code == 200
    response = client.post(path)
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="uusi.jasen@example.org").verified
    # Confirmed in the browser that signed up: signed in straight away.
    assert client.session["_auth_user_id"] == str(User.objects.get(email="uusi.jasen@example.org").pk)


def test_a_rolled_back_signup_sends_nothing(client, smtp_sink, celery_worker):
    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        assert sign_up(client, "peruttu@example.org").status_code == 302
        raise Abort

    # A later sign-up is the marker: once it has arrived, the first one would have too.
    sign_up(client, "merkki@example.org")
    smtp_sink.wait_for(1)
    assert [mail.recipients for mail in smtp_sink.messages] == [["merkki@example.org"]]
    assert not User.objects.filter(email="peruttu@example.org").exists()


def test_a_failing_smtp_server_means_a_retry_not_a_lost_message(smtp_sink, celery_worker):
    smtp_sink.stop()
    queue_rendered_email(to=["odottaja@example.org"], subject="Koe", text="Perillä lopulta.")
    [row] = OutgoingMail.objects.all()
    _wait_until(lambda: _refreshed(row).attempts == 1, "the worker did not try to send")
    assert row.status == OutgoingMail.Status.QUEUED
    assert row.last_error.startswith("ConnectionRefusedError")
    assert smtp_sink.messages == []

    smtp_sink.start()
    # The back-off has passed; the periodic sweep sends the row again.
    OutgoingMail.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    outbox_sweep_task.delay()
    [mail] = smtp_sink.wait_for(1, timeout=30)
    assert mail.recipients == ["odottaja@example.org"]
    assert mail.text.strip() == "Perillä lopulta."


def _refreshed(row: OutgoingMail) -> OutgoingMail:
    row.refresh_from_db()
    return row


def _wait_until(condition, message: str, timeout: float = 20.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(message)
        time.sleep(0.05)
