"""Every write of the newsletter except sending (``services_sending``): subscriptions and issues."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from portal.audit import audit_record
from portal.mail import queue_email
from portal.models import OutgoingMail

from .models import Issue, Subscriber

CONFIRMATION_SALT = "newsletter.subscription.confirm"
# The wording the subscriber agreed to, kept with the consent. Change the version whenever the
# form's consent text changes, so each consent points at the words that were shown.
CONSENT_WORDING_VERSION = "2026-12-1"
CONSENT_WORDING = (
    "I want to receive the Järjestötori newsletter by e-mail. I can unsubscribe from every "
    "newsletter with one click; my address is used for nothing else."
)
UNSUBSCRIBED_ERROR = "Not sent: the subscriber unsubscribed or was suspended before the message left."


class ConfirmationLinkError(Exception):
    pass


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def confirmation_token(subscriber: Subscriber) -> str:
    # The address is part of the payload: a link stops working if the row now holds another address.
    return signing.dumps({"s": subscriber.pk, "e": subscriber.email}, salt=CONFIRMATION_SALT)


def confirmation_token_read(token: str) -> Subscriber:
    max_age = settings.NEWSLETTER_CONFIRMATION_MAX_AGE_DAYS * 24 * 3600
    try:
        payload = signing.loads(token, salt=CONFIRMATION_SALT, max_age=max_age)
    except signing.BadSignature as error:  # SignatureExpired is a BadSignature
        raise ConfirmationLinkError from error
    subscriber = Subscriber.objects.filter(pk=payload.get("s"), email=payload.get("e")).first()
    if subscriber is None:
        raise ConfirmationLinkError
    return subscriber


@transaction.atomic
def subscription_request(
    *,
    email: str,
    language: str,
    municipalities: Iterable = (),
    sectors: Iterable = (),
    form: str = "subscribe",
) -> None:
    """Subscribe form: mail a confirmation link, or (already subscribed) a link to the preferences.

    The caller answers the same whatever happens here, so the form never reveals whether an
    address is subscribed. A confirmed subscription is never changed from the form: anybody can
    type anybody's address, and only the owner of the mailbox changes their preferences.
    """
    email = email.strip().lower()
    subscriber = Subscriber.objects.select_for_update().filter(email__iexact=email).first()
    if subscriber is not None and subscriber.status == Subscriber.Status.CONFIRMED:
        queue_email(
            template_name="newsletter/email/already_subscribed",
            to=[subscriber.email],
            context={"preferences_url": _absolute(_localised(subscriber.get_preferences_url, subscriber.language))},
            language=subscriber.language,
            label="newsletter.subscription",
        )
        return
    if subscriber is None:
        subscriber = Subscriber(email=email)
    # Pending, unsubscribed or suspended: the new choices wait for the confirmation.
    subscriber.language = language
    subscriber.status = Subscriber.Status.PENDING
    subscriber.consent_requested_at = timezone.now()
    subscriber.consent_form = form
    subscriber.consent_wording_version = CONSENT_WORDING_VERSION
    subscriber.consent_wording = CONSENT_WORDING
    subscriber.consent_confirmed_at = None
    subscriber.full_clean()
    subscriber.save()
    subscriber.municipalities.set(municipalities)
    subscriber.sectors.set(sectors)
    token = confirmation_token(subscriber)
    with translation.override(language):
        confirm_url = _absolute(reverse("newsletter:confirm", args=[token]))
    queue_email(
        template_name="newsletter/email/confirm",
        to=[subscriber.email],
        context={"confirm_url": confirm_url, "max_age_days": settings.NEWSLETTER_CONFIRMATION_MAX_AGE_DAYS},
        language=language,
        label="newsletter.subscription",
    )


def _localised(url_function, language: str) -> str:
    with translation.override(language):
        return url_function()


@transaction.atomic
def subscription_confirm(*, token: str) -> Subscriber:
    subscriber = confirmation_token_read(token)
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    if subscriber.status == Subscriber.Status.PENDING:
        subscriber.status = Subscriber.Status.CONFIRMED
        subscriber.consent_confirmed_at = timezone.now()
        subscriber.unsubscribed_at = None
        subscriber.hard_failures = 0
        subscriber.full_clean()
        subscriber.save()
    elif subscriber.status != Subscriber.Status.CONFIRMED:
        # Unsubscribed after asking: an old confirmation link must not subscribe them again.
        raise ConfirmationLinkError
    return subscriber


@transaction.atomic
def subscription_update(*, subscriber: Subscriber, language: str, municipalities: Iterable, sectors: Iterable) -> None:
    subscriber.language = language
    subscriber.full_clean()
    subscriber.save(update_fields=["language"])
    subscriber.municipalities.set(municipalities)
    subscriber.sectors.set(sectors)


def _cancel_queued(subscriber: Subscriber) -> None:
    """Messages of issues still waiting for this subscriber are not sent (checked again at send time)."""
    from .models import Delivery

    deliveries = Delivery.objects.filter(subscriber=subscriber, mail__status=OutgoingMail.Status.QUEUED)
    mail_ids = list(deliveries.values_list("mail_id", flat=True))
    deliveries.update(failure_counted=True)
    OutgoingMail.objects.filter(pk__in=mail_ids, status=OutgoingMail.Status.QUEUED).update(
        status=OutgoingMail.Status.FAILED, last_error=UNSUBSCRIBED_ERROR
    )


@transaction.atomic
def subscription_unsubscribe(*, token: str) -> Subscriber | None:
    """Unsubscribe by the token of a message or the preference page; None for an unknown token."""
    subscriber = Subscriber.objects.select_for_update().filter(token=token).first()
    if subscriber is None:
        return None
    if subscriber.status != Subscriber.Status.UNSUBSCRIBED:
        subscriber.status = Subscriber.Status.UNSUBSCRIBED
        subscriber.unsubscribed_at = timezone.now()
        subscriber.save(update_fields=["status", "unsubscribed_at"])
        _cancel_queued(subscriber)
    return subscriber


@transaction.atomic
def subscriber_record_hard_failure(*, subscriber_id: int, error: str) -> None:
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber_id)
    subscriber.hard_failures += 1
    subscriber.last_failure = error[:2000]
    fields = ["hard_failures", "last_failure"]
    if (
        subscriber.status == Subscriber.Status.CONFIRMED
        and subscriber.hard_failures >= settings.NEWSLETTER_SUSPEND_AFTER_HARD_FAILURES
    ):
        subscriber.status = Subscriber.Status.SUSPENDED
        fields.append("status")
        _cancel_queued(subscriber)
    subscriber.save(update_fields=fields)


# Issues


@transaction.atomic
def issue_create(*, author, data: dict, municipalities: Iterable = (), sectors: Iterable = ()) -> Issue:
    issue = Issue(created_by=author, **data)
    issue.full_clean()
    issue.save()
    issue.municipalities.set(municipalities)
    issue.sectors.set(sectors)
    audit_record(action="newsletter.issue.created", actor=author, target=issue)
    return issue


class IssueNotEditable(Exception):
    pass


@transaction.atomic
def issue_update(*, issue: Issue, data: dict, municipalities: Iterable = (), sectors: Iterable = ()) -> Issue:
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    if not issue.is_editable:
        raise IssueNotEditable
    for name, value in data.items():
        setattr(issue, name, value)
    issue.full_clean()
    issue.save()
    issue.municipalities.set(municipalities)
    issue.sectors.set(sectors)
    return issue


@transaction.atomic
def issue_schedule(*, issue: Issue, at: datetime, actor, request=None) -> Issue:
    """Send at ``at``: a database field Celery beat reads every minute (a due time sends at once)."""
    from .services_sending import dispatch_start

    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    if not issue.is_editable:
        raise IssueNotEditable
    issue.status = Issue.Status.SCHEDULED
    issue.scheduled_at = at
    issue.full_clean()
    issue.save(update_fields=["status", "scheduled_at", "updated_at"])
    audit_record(
        action="newsletter.issue.scheduled",
        actor=actor,
        target=issue,
        details={"scheduled_at": at.isoformat()},
        request=request,
    )
    if at <= timezone.now():
        # Beat would start it within a minute anyway; this only saves the wait.
        transaction.on_commit(lambda: dispatch_start(issue.pk))
    return issue


@transaction.atomic
def issue_unschedule(*, issue: Issue, actor, request=None) -> Issue:
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    if issue.status != Issue.Status.SCHEDULED:
        raise IssueNotEditable
    issue.status = Issue.Status.DRAFT
    issue.scheduled_at = None
    issue.save(update_fields=["status", "scheduled_at", "updated_at"])
    audit_record(action="newsletter.issue.unscheduled", actor=actor, target=issue, request=request)
    return issue


@transaction.atomic
def issue_send_test(*, issue: Issue, to: str, language: str) -> OutgoingMail:
    """The issue as a subscriber gets it, to the secretary's own address (links do not unsubscribe anybody)."""
    from .services_sending import issue_test_message

    return issue_test_message(issue=issue, to=to, language=language)


def bounce_report_process(*, raw: bytes) -> bool:
    """Count the permanent failures of one delivery status notification; True if it was one."""
    from .bounces import parse_report

    bounces = parse_report(raw)
    if bounces is None:
        return False
    for bounce in bounces:
        if not bounce.permanent:
            continue
        subscriber_id = None
        if bounce.mail_id is not None:
            from .models import Delivery

            subscriber_id = (
                Delivery.objects.filter(mail_id=bounce.mail_id).values_list("subscriber_id", flat=True).first()
            )
        if subscriber_id is None:
            subscriber_id = (
                Subscriber.objects.filter(email__iexact=bounce.recipient).values_list("pk", flat=True).first()
            )
        if subscriber_id is not None:
            subscriber_record_hard_failure(
                subscriber_id=subscriber_id, error=f"{bounce.status} {bounce.diagnostic}".strip()
            )
    return True


def bounces_read() -> int:
    """Read the configured bounce mailbox (Maildir or IMAP); how many messages were looked at."""
    from .bounces import read_imap, read_maildir

    if settings.NEWSLETTER_BOUNCE_MAILDIR:
        return read_maildir(settings.NEWSLETTER_BOUNCE_MAILDIR, lambda raw: bounce_report_process(raw=raw))
    if settings.NEWSLETTER_BOUNCE_IMAP_HOST:
        return read_imap(lambda raw: bounce_report_process(raw=raw))
    return 0
