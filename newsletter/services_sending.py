"""Sending an issue through the outbox, exactly once per subscriber.

1. ``issue_send_start`` (beat finds a due scheduled issue, or "send now"): under a lock on the
   issue, renders it once per language and creates one ``Delivery`` (unique per issue and
   subscriber) and one ``OutgoingMail`` row per confirmed subscriber in the audience, with the
   subscriber's token substituted, in one transaction (on PostgreSQL one ``INSERT … SELECT``); after
   the commit it hands the rows to Celery in batches (tasks carry ids only). A second start finds
   the issue already sending.
2. ``issue_send_batch``: drops rows whose subscriber unsubscribed or was suspended meanwhile,
   claims the rest with one in-flight mark for the batch (``queued`` → ``sending`` with
   ``sending_since``, committed durably, skipping rows another worker holds), sends them over one
   SMTP connection (``newsletter.mime``) and records the sent ones with one UPDATE.
3. ``newsletter_sweep`` (beat, every minute): queued rows that are due (their Celery message was
   lost, a retry is due) are dispatched again; finished issues are closed. Rows a dead worker left
   ``sending`` are the outbox sweep's: after ``OUTBOX_SENDING_TIMEOUT_MINUTES`` they become
   ``unknown`` for the secretary to resolve.

So a recipient never gets two copies automatically: each row is sent only by whoever moved it
from ``queued`` to ``sending``, and what may or may not have left when a worker died (at most one
batch's unrecorded rows) is reported, not resent.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.message import make_msgid
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import strip_tags

from portal.audit import audit_record
from portal.celery import app as celery_app
from portal.models import OutgoingMail

# The outbox's own rules for SMTP answers, retries and recording: one mail path for the portal.
from portal.outbox import (
    PUBLISH_RETRY_POLICY,
    build_message,
    classify_smtp_error,
    message_id_domain,
    outbox_queue,
    outbox_resend,
    record_failure,
    record_sent,
    release_untried,
    render_email,
    retry_backoff,
    smtp_connection_broken,
)

from .bounces import verp_address
from .mime import RawMessages, SMTPPipeline, smtp_prepare
from .models import LANGUAGES, Delivery, Issue, Subscriber
from .selectors import bump_archive_version, issue_sections
from .services import UNSUBSCRIBED_ERROR, subscriber_record_hard_failure

logger = logging.getLogger(__name__)

BATCH_TASK = "newsletter.tasks.issue_send_batch_task"
START_TASK = "newsletter.tasks.issue_send_start_task"
LABEL_PREFIX = "newsletter.issue."
# Stands for each recipient's token in the once-rendered message; only URL-safe characters, so
# HTML escaping leaves it alone.
TOKEN_PLACEHOLDER = "NEWSLETTERRECIPIENTTOKEN0000000000000000000"  # noqa: S105 (not a secret)
CREATE_CHUNK = 2000


def html_to_text(html: str) -> str:
    text = re.sub(r"(?i)<br\s*/?>", "\n", html)
    text = re.sub(r"(?i)</(p|h[1-6]|li|blockquote)>", "\n\n", text)
    text = re.sub(r"(?i)<li[^>]*>", "- ", text)
    text = strip_tags(text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def render_issue(issue: Issue, language: str) -> tuple[str, str, str]:
    """Subject, text and HTML of the issue in ``language``, with the token placeholder in its links."""
    with translation.override(language):
        unsubscribe_url = settings.SITE_URL + reverse("newsletter:unsubscribe", args=[TOKEN_PLACEHOLDER])
        preferences_url = settings.SITE_URL + reverse("newsletter:preferences", args=[TOKEN_PLACEHOLDER])
        archive_url = settings.SITE_URL + issue.get_absolute_url()
    body = issue.body(language)
    with translation.override(language):
        sections = issue_sections(issue)
    context = {
        "issue": issue,
        "title": issue.title(language),
        "body": body,
        "body_text": html_to_text(body),
        "sections": sections,
        "unsubscribe_url": unsubscribe_url,
        "preferences_url": preferences_url,
        "archive_url": archive_url,
    }
    return render_email("newsletter/email/issue", context, language)


def list_headers(token: str, language: str) -> dict[str, str]:
    with translation.override(language):
        unsubscribe_url = settings.SITE_URL + reverse("newsletter:unsubscribe", args=[token])
    return {
        # RFC 2369 and RFC 8058: mail clients show an unsubscribe button that POSTs to the URL.
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "List-Id": f"{settings.NEWSLETTER_LIST_NAME} <{settings.NEWSLETTER_LIST_ID}>",
        "Precedence": "bulk",
    }


def issue_test_message(*, issue: Issue, to: str, language: str) -> OutgoingMail:
    language = language if language in dict(LANGUAGES) else "fi"
    subject, text, html = render_issue(issue, language)
    # A token nobody holds: the links of a test message lead to "unknown link", not to a subscriber.
    token = "test"  # noqa: S105 (deliberately no subscriber's)
    return outbox_queue(
        to=[to],
        subject=f"[TEST] {subject}",
        text=text.replace(TOKEN_PLACEHOLDER, token),
        html=html.replace(TOKEN_PLACEHOLDER, token),
        language=language,
        headers=list_headers(token, language),
        from_email=settings.NEWSLETTER_FROM_EMAIL,
        template_name="newsletter/email/issue",
        label=f"newsletter.test.{issue.pk}",
    )


def issue_send_start(*, issue_id: int) -> int:
    """Create the issue's deliveries and dispatch them; how many were created (0: not due or already started)."""
    with transaction.atomic():
        issue = Issue.objects.select_for_update().filter(pk=issue_id).first()
        if issue is None or issue.status != Issue.Status.SCHEDULED or issue.scheduled_at > timezone.now():
            return 0
        now = timezone.now()
        issue.started_at = now
        # Each subscriber gets their language; without a Swedish text the Swedish frame carries the Finnish one.
        rendered = {language: render_issue(issue, language) for language, _name in LANGUAGES}
        next_attempt = now + timedelta(seconds=settings.OUTBOX_SWEEP_AFTER_SECONDS)
        audience = Subscriber.objects.for_audience(issue)
        if connection.vendor == "postgresql":
            count = _create_deliveries_in_sql(issue, audience, rendered, now=now, next_attempt=next_attempt)
        else:
            count = _create_deliveries_in_python(issue, audience, rendered, now=now, next_attempt=next_attempt)
        # An audience of nobody is sent at once (still archived, as the secretary published it).
        issue.status = Issue.Status.SENDING if count else Issue.Status.SENT
        issue.finished_at = None if count else now
        issue.recipient_count = count
        issue.published_at = issue.published_at or now
        issue.save(
            update_fields=["status", "started_at", "finished_at", "recipient_count", "published_at", "updated_at"]
        )
        # Published now: the archive and the front page's newsletter box show it.
        transaction.on_commit(bump_archive_version)
        transaction.on_commit(lambda: dispatch_queued(issue_id=issue.pk, only_due=False))
    return count


def _create_deliveries_in_python(
    issue: Issue, audience, rendered: dict, *, now: datetime, next_attempt: datetime
) -> int:
    """The portable way (SQLite in the demo): model instances, bulk-inserted in chunks."""
    domain = message_id_domain()
    count = 0
    chunk: list[tuple[int, OutgoingMail]] = []
    subscribers = audience.order_by("pk").values_list("pk", "email", "language", "token")
    for subscriber_id, email, language, token in subscribers.iterator(chunk_size=CREATE_CHUNK):
        subject, text, html = rendered[language]
        chunk.append(
            (
                subscriber_id,
                OutgoingMail(
                    to=[email],
                    from_email=settings.NEWSLETTER_FROM_EMAIL,
                    language=language,
                    subject=subject,
                    text=text.replace(TOKEN_PLACEHOLDER, token),
                    html=html.replace(TOKEN_PLACEHOLDER, token),
                    headers=list_headers(token, language),
                    message_id=make_msgid(domain=domain),
                    template_name="newsletter/email/issue",
                    label=issue.label,
                    created_at=now,
                    next_attempt_at=next_attempt,
                ),
            )
        )
        if len(chunk) >= CREATE_CHUNK:
            count += _create_deliveries(issue, chunk)
            chunk = []
    if chunk:
        count += _create_deliveries(issue, chunk)
    return count


def _create_deliveries(issue: Issue, chunk: list[tuple[int, OutgoingMail]]) -> int:
    # Plain bulk inserts (no ignore_conflicts): a delivery that already existed would abort the
    # whole start instead of leaving an orphan message behind.
    mails = OutgoingMail.objects.bulk_create([mail for _subscriber_id, mail in chunk])
    Delivery.objects.bulk_create(
        [
            Delivery(issue=issue, subscriber_id=subscriber_id, mail=mail)
            for (subscriber_id, _mail), mail in zip(chunk, mails, strict=True)
        ]
    )
    return len(mails)


def _create_deliveries_in_sql(issue: Issue, audience, rendered: dict, *, now: datetime, next_attempt: datetime) -> int:
    """The same rows as ``_create_deliveries_in_python``, written by one INSERT … SELECT in PostgreSQL.

    The database substitutes each subscriber's token into the once-rendered texts and headers
    (tokens are URL-safe, so they need no escaping in HTML or JSON); no row passes through Python.
    The message ids are taken from the outbox's sequence first, so each delivery knows its message.
    Plain inserts, as above: an existing delivery aborts the whole start.
    """
    mail_table = connection.ops.quote_name(OutgoingMail._meta.db_table)
    audience_sql, audience_params = audience.order_by().values("pk").query.sql_with_params()

    def by_language(values: dict[str, str]) -> tuple[str, list[str]]:
        """A CASE over the subscriber's language, Finnish when it is none of the others."""
        others = [language for language in values if language != "fi"]
        sql = "CASE language " + " ".join("WHEN %s THEN %s" for _ in others) + " ELSE %s END"
        return sql, [item for language in others for item in (language, values[language])] + [values["fi"]]

    subject_sql, subject_params = by_language({language: parts[0] for language, parts in rendered.items()})
    per_recipient = {
        "text": {language: parts[1] for language, parts in rendered.items()},
        "html": {language: parts[2] for language, parts in rendered.items()},
        "headers": {language: json.dumps(list_headers(TOKEN_PLACEHOLDER, language)) for language in rendered},
    }
    expressions, params = [], list(subject_params)
    for values in per_recipient.values():
        case_sql, case_params = by_language(values)
        expressions.append(f"replace({case_sql}, %s, token)")
        params += [*case_params, TOKEN_PLACEHOLDER]
    text_sql, html_sql, headers_sql = expressions
    headers_sql += "::jsonb"
    delivery_table = connection.ops.quote_name(Delivery._meta.db_table)
    # Only quoted table names and fixed fragments are formatted in; every value is a parameter.
    sql = f"""
        WITH audience AS MATERIALIZED (
            SELECT id AS subscriber_id, email, language, token,
                   nextval(pg_get_serial_sequence(%s, 'id')) AS mail_id
            FROM {connection.ops.quote_name(Subscriber._meta.db_table)}
            WHERE id IN ({audience_sql})
            ORDER BY id
        ), mails AS (
            INSERT INTO {mail_table} (
                id, "to", reply_to, from_email, language, subject, text, html, headers, attachments,
                message_id, template_name, label, status, attempts, last_error, created_at, next_attempt_at
            )
            SELECT mail_id, jsonb_build_array(email), '[]'::jsonb, %s, language,
                   {subject_sql}, {text_sql}, {html_sql}, {headers_sql}, '[]'::jsonb,
                   '<' || replace(gen_random_uuid()::text, '-', '') || '@' || %s || '>',
                   %s, %s, %s, 0, '', %s, %s
            FROM audience
            RETURNING id
        )
        INSERT INTO {delivery_table} (issue_id, subscriber_id, mail_id, failure_counted)
        SELECT %s, subscriber_id, mail_id, false FROM audience
    """  # noqa: S608
    all_params = [
        OutgoingMail._meta.db_table,
        *audience_params,
        settings.NEWSLETTER_FROM_EMAIL,
        *params,
        message_id_domain(),
        "newsletter/email/issue",
        issue.label,
        OutgoingMail.Status.QUEUED,
        now,
        next_attempt,
        issue.pk,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, all_params)
        return cursor.rowcount


def dispatch_start(issue_id: int) -> None:
    _publish(START_TASK, (issue_id,))


def dispatch_queued(*, issue_id: int, only_due: bool = True) -> int:
    """Hand the issue's queued rows to Celery in batches; how many batches."""
    rows = OutgoingMail.objects.filter(label=f"{LABEL_PREFIX}{issue_id}", status=OutgoingMail.Status.QUEUED)
    if only_due:
        now = timezone.now()
        rows = rows.filter(next_attempt_at__lte=now)
    mail_ids = list(rows.order_by("pk").values_list("pk", flat=True))
    if only_due and mail_ids:
        # Handed out again: not due for another sweep (ours or the outbox's) until their new tasks
        # have had the same time as the first ones.
        OutgoingMail.objects.filter(pk__in=mail_ids, status=OutgoingMail.Status.QUEUED).update(
            next_attempt_at=now + timedelta(seconds=settings.OUTBOX_SWEEP_AFTER_SECONDS)
        )
    size = settings.NEWSLETTER_BATCH_SIZE
    batches = [mail_ids[start : start + size] for start in range(0, len(mail_ids), size)]
    for batch in batches:
        if not _publish(BATCH_TASK, (issue_id, batch)):
            break
    return len(batches)


def _publish(task_name: str, args: tuple) -> bool:
    try:
        celery_app.tasks[task_name].apply_async(args=args, retry=True, retry_policy=PUBLISH_RETRY_POLICY)
    except Exception:
        # Whatever the transport's error, nothing is lost: the rows wait in the database for the sweep.
        logger.warning("Could not hand %s%s to Celery; the newsletter sweep will.", task_name, args, exc_info=True)
        return False
    return True


def _drop_unsubscribed(mail_ids: list[int]) -> None:
    """The audience was chosen at the start; who unsubscribed or bounced since is checked now."""
    with transaction.atomic():
        gone = Delivery.objects.filter(mail_id__in=mail_ids, mail__status=OutgoingMail.Status.QUEUED).exclude(
            subscriber__status=Subscriber.Status.CONFIRMED
        )
        gone_ids = list(gone.values_list("mail_id", flat=True))
        if gone_ids:
            Delivery.objects.filter(mail_id__in=gone_ids).update(failure_counted=True)
            OutgoingMail.objects.filter(pk__in=gone_ids, status=OutgoingMail.Status.QUEUED).update(
                status=OutgoingMail.Status.FAILED, last_error=UNSUBSCRIBED_ERROR
            )


@dataclass(slots=True)
class Claimed:
    """What sending one row needs (plain values: no model instance per message)."""

    pk: int
    to: list[str]
    from_email: str
    subject: str
    text: str
    html: str
    headers: dict[str, str]
    message_id: str
    attempts: int


CLAIMED_FIELDS = ("pk", "to", "from_email", "subject", "text", "html", "headers", "message_id", "attempts")


def _claim(mail_ids: list[int]) -> tuple[list[Claimed], datetime]:
    """Queued rows among ``mail_ids`` become ``sending`` with one in-flight mark, committed durably.

    The mark is taken for the whole batch before its first message goes out: a worker that dies
    anywhere in the batch leaves all its unrecorded rows ``sending``, which the outbox's sweep
    reports as ``unknown`` for the secretary (never resent on its own). Rows another worker holds
    are skipped (``skip_locked``).
    """
    now = timezone.now()
    with transaction.atomic():
        values = list(
            OutgoingMail.objects.select_for_update(skip_locked=True)
            .filter(pk__in=mail_ids, status=OutgoingMail.Status.QUEUED)
            .order_by("pk")
            .values_list(*CLAIMED_FIELDS)
        )
        if values:
            OutgoingMail.objects.filter(pk__in=[row[0] for row in values]).update(
                status=OutgoingMail.Status.SENDING, sending_since=now, attempts=F("attempts") + 1
            )
    return [Claimed(*row[:-1], attempts=row[-1] + 1) for row in values], now


def _record_sent_lazily(mail_ids: list[int]) -> None:
    """Record ``sent`` (one UPDATE) without waiting for the disk (PostgreSQL's asynchronous commit).

    Safe: if the database crashed before flushing it, the rows would be found ``sending`` and the
    sweep reports them as ``unknown``; they are never sent again on their own. The in-flight mark
    itself is committed durably.
    """
    if not mail_ids:
        return
    if connection.vendor != "postgresql":
        record_sent(mail_ids)
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        record_sent(mail_ids)


def _renew_mark(mail_ids: list[int]) -> set[int]:
    """Renew the in-flight mark of rows still ``sending``; the ids that are still ours.

    A batch slower than half the sending timeout would otherwise be declared ``unknown`` by the
    sweep while it is still sending; a row the sweep already took is not ours to send any more.
    """
    now = timezone.now()
    rows = OutgoingMail.objects.filter(pk__in=mail_ids, status=OutgoingMail.Status.SENDING)
    rows.update(sending_since=now)
    return set(rows.filter(sending_since=now).values_list("pk", flat=True))


def issue_send_batch(*, issue_id: int, mail_ids: Iterable[int]) -> int:
    """Send the still-queued rows among ``mail_ids`` over one SMTP connection; how many were sent."""
    mail_ids = list(mail_ids)
    _drop_unsubscribed(mail_ids)
    rows, marked_at = _claim(mail_ids)
    sent = 0
    if rows:
        sent = _send_rows(rows, marked_at)
    deliveries_count_failures(mail_ids=mail_ids)
    issue_finish_if_done(issue_id=issue_id)
    return sent


def _django_message(row: Claimed, backend):
    """The row through Django's message classes (what the raw builder leaves to it), with VERP."""
    message = build_message(
        OutgoingMail(
            pk=row.pk,
            to=row.to,
            from_email=row.from_email,
            subject=row.subject,
            text=row.text,
            html=row.html,
            headers=row.headers,
            message_id=row.message_id,
        ),
        backend,
    )
    address = verp_address(row.pk)
    if address:
        # Envelope sender per message (VERP) when a bounce mailbox is configured; From stays ours.
        message.extra_headers["From"] = message.from_email
        message.from_email = address
    return message


def _send_rows(rows: list[Claimed], marked_at: datetime) -> int:
    backend = get_connection(fail_silently=False)
    try:
        backend.open()
    except Exception as exc:
        error = classify_smtp_error(exc)[1]
        logger.warning("Could not connect to the SMTP server (%s); %s newsletter(s) wait.", error, len(rows))
        release_untried([row.pk for row in rows], error=error, retry_at=timezone.now() + retry_backoff(1))
        return 0
    # Django's SMTP backend keeps its smtplib connection open here; other backends (console,
    # in-memory) get Django's messages.
    smtp = getattr(backend, "connection", None)
    pipeline = None
    try:
        if isinstance(smtp, smtplib.SMTP):
            pipeline = SMTPPipeline(smtp, pipelining=smtp_prepare(smtp))
    except Exception as exc:
        error = classify_smtp_error(exc)[1]
        logger.warning("The SMTP server did not answer the greeting (%s); %s newsletter(s) wait.", error, len(rows))
        release_untried([row.pk for row in rows], error=error, retry_at=timezone.now() + retry_backoff(1))
        with contextlib.suppress(Exception):  # closing what is broken must not hide what was recorded
            backend.close()
        return 0
    raw = RawMessages()
    renew_after = timedelta(minutes=settings.OUTBOX_SENDING_TIMEOUT_MINUTES) / 2
    sent: list[int] = []
    recorded = 0
    index = 0

    def settle(outcomes: list[tuple[Claimed, Exception | None]]) -> None:
        for row, refusal in outcomes:
            if refusal is None:
                sent.append(row.pk)
            else:
                permanent, error = classify_smtp_error(refusal)
                record_failure(row.pk, row.attempts, error=error, permanent=permanent)

    try:
        while index < len(rows):
            if timezone.now() - marked_at > renew_after:
                # Record what went out so far, then renew the rest's mark (or find it taken).
                if pipeline is not None:
                    settle(pipeline.finish())
                _record_sent_lazily(sent[recorded:])
                recorded = len(sent)
                ours = _renew_mark([later.pk for later in rows[index:]])
                marked_at = timezone.now()
                rows = rows[:index] + [later for later in rows[index:] if later.pk in ours]
                if index >= len(rows):
                    break
            row = rows[index]
            index += 1
            message = (
                None
                if pipeline is None
                else raw.build(
                    to=row.to,
                    from_email=row.from_email,
                    subject=row.subject,
                    text=row.text,
                    html=row.html,
                    headers=row.headers,
                    message_id=row.message_id,
                )
            )
            try:
                if message is not None:
                    sender = verp_address(row.pk) or raw.sender_address(row.from_email)
                    settle(pipeline.send(row, sender, row.to[0], message))
                    continue
                if pipeline is not None:
                    settle(pipeline.finish())  # the connection is Django's for this one
                backend.send_messages([_django_message(row, backend)])
                settle([(row, None)])
            except Exception as exc:
                # The pipeline's held message (its answer is lost) and this one get a failed attempt.
                unsettled = [*pipeline.unsettled] if pipeline is not None else []
                settle([(failed, exc) for failed in (unsettled if row in unsettled else [*unsettled, row])])
                # After an error inside the pipeline its connection's state is unknown: stop using it.
                if message is not None or unsettled or smtp_connection_broken(exc):
                    # The rest of the batch was never tried: back to the queue, no attempt counted.
                    release_untried(
                        [later.pk for later in rows[index:]],
                        error=classify_smtp_error(exc)[1],
                        retry_at=timezone.now() + retry_backoff(row.attempts),
                    )
                    break
        else:
            if pipeline is not None:
                try:
                    settle(pipeline.finish())
                except Exception as exc:
                    settle([(failed, exc) for failed in pipeline.unsettled])
    finally:
        # One UPDATE for the batch's sent rows, also when something below us raised.
        _record_sent_lazily(sent[recorded:])
        try:
            backend.close()
        except Exception:
            logger.debug("Closing the SMTP connection failed", exc_info=True)
    return len(sent)


def deliveries_count_failures(*, mail_ids: Iterable[int] | None = None) -> int:
    """Count each permanently failed delivery once against its subscriber (suspension after several)."""
    deliveries = Delivery.objects.filter(mail__status=OutgoingMail.Status.FAILED, failure_counted=False)
    if mail_ids is not None:
        deliveries = deliveries.filter(mail_id__in=list(mail_ids))
    counted = 0
    for delivery_id, subscriber_id, error in deliveries.values_list("pk", "subscriber_id", "mail__last_error"):
        with transaction.atomic():
            if Delivery.objects.filter(pk=delivery_id, failure_counted=False).update(failure_counted=True):
                subscriber_record_hard_failure(subscriber_id=subscriber_id, error=error)
                counted += 1
    return counted


def issue_finish_if_done(*, issue_id: int) -> bool:
    """Close the issue once none of its rows is queued or sending (unknown ones stay on its report)."""
    busy = OutgoingMail.objects.filter(
        label=f"{LABEL_PREFIX}{issue_id}", status__in=[OutgoingMail.Status.QUEUED, OutgoingMail.Status.SENDING]
    ).exists()
    if busy:
        return False
    return bool(
        Issue.objects.filter(pk=issue_id, status=Issue.Status.SENDING).update(
            status=Issue.Status.SENT, finished_at=timezone.now()
        )
    )


def newsletter_requeue_abandoned(*, older_than: timedelta | None = None) -> int:
    """Rows claimed without an in-flight mark go back to ``queued``; how many.

    Batches claim with the mark now, so only rows claimed by the previous version (before an
    upgrade during a send) can be found here; they were never tried.
    """
    if older_than is None:
        older_than = timedelta(seconds=settings.NEWSLETTER_CLAIM_TIMEOUT_SECONDS)
    now = timezone.now()
    return OutgoingMail.objects.filter(
        label__startswith=LABEL_PREFIX,
        status=OutgoingMail.Status.SENDING,
        sending_since__isnull=True,
        next_attempt_at__lt=now - older_than,
    ).update(status=OutgoingMail.Status.QUEUED, attempts=F("attempts") - 1, next_attempt_at=now)


def newsletter_sweep() -> None:
    """Beat, every minute: start due issues, recover abandoned claims, re-dispatch, close finished issues."""
    for issue_id in Issue.objects.due().values_list("pk", flat=True):
        issue_send_start(issue_id=issue_id)
    newsletter_requeue_abandoned()
    deliveries_count_failures()
    for issue_id in Issue.objects.filter(status=Issue.Status.SENDING).values_list("pk", flat=True):
        if not issue_finish_if_done(issue_id=issue_id):
            dispatch_queued(issue_id=issue_id)


def issue_progress(issue: Issue) -> dict[str, int]:
    counts = dict(
        OutgoingMail.objects.filter(label=issue.label).values_list("status").annotate(count=Count("pk")).order_by()
    )
    unsubscribed = OutgoingMail.objects.filter(
        label=issue.label, status=OutgoingMail.Status.FAILED, last_error=UNSUBSCRIBED_ERROR
    ).count()
    queued = counts.get(OutgoingMail.Status.QUEUED, 0)
    sending = counts.get(OutgoingMail.Status.SENDING, 0)
    return {
        "total": issue.recipient_count,
        "sent": counts.get(OutgoingMail.Status.SENT, 0),
        "failed": counts.get(OutgoingMail.Status.FAILED, 0) - unsubscribed,
        "unsubscribed": unsubscribed,
        "unknown": counts.get(OutgoingMail.Status.UNKNOWN, 0),
        "remaining": queued + sending,
    }


@transaction.atomic
def issue_resend_unknown(*, issue: Issue, actor=None, request=None) -> int:
    """The secretary's decision: send again the rows a dead worker left undecided (it may duplicate)."""
    mail_ids = OutgoingMail.objects.filter(label=issue.label, status=OutgoingMail.Status.UNKNOWN).values_list(
        "pk", flat=True
    )
    resent = sum(outbox_resend(mail_id=pk) for pk in list(mail_ids))
    if resent:
        Issue.objects.filter(pk=issue.pk, status=Issue.Status.SENT).update(status=Issue.Status.SENDING)
        audit_record(
            action="newsletter.issue.unknown_resent",
            actor=actor,
            target=issue,
            details={"count": resent},
            request=request,
        )
    return resent


def failed_deliveries(issue: Issue):
    return (
        OutgoingMail.objects.filter(label=issue.label)
        .filter(Q(status=OutgoingMail.Status.FAILED) | Q(status=OutgoingMail.Status.UNKNOWN))
        .exclude(last_error=UNSUBSCRIBED_ERROR)
        .order_by("pk")
    )
