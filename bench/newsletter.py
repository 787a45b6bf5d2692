"""Benchmark: send one newsletter issue to N subscribers through Celery worker processes.

    python bench/newsletter.py --subscribers 20000 --workers 2

Uses its own PostgreSQL database (created and migrated when missing) and its own Redis database
number, starts an SMTP sink (aiosmtpd, in a process of its own, accepting and discarding) and W
Celery worker processes (solo pool: one process each), loads N confirmed fictional subscribers,
then starts the issue as Celery beat would and waits until every delivery is decided. Prints the
time to create the deliveries, messages per second over the whole send (from the start, creation
included, to the last message recorded), the total time and the peak memory (VmHWM) of each
worker. Target: >= 800 messages/s with 2 workers on a 2-core machine, the sink included.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, ensure_database, setup_django

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/jt_bench_newsletter"
DEFAULT_REDIS = "redis://127.0.0.1:6379/12"
BENCH_DOMAIN = "bench-uutiskirje.example"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=200, help="messages per Celery batch (one SMTP connection)")
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE))
    parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS))
    parser.add_argument("--timeout", type=float, default=600, help="give up after this many seconds")
    parser.add_argument("--sink-port", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--sink-report", default="", help=argparse.SUPPRESS)
    return parser.parse_args()


def run_sink(port: int, report: str) -> None:
    """The SMTP server: accepts and discards every message, counting messages and distinct recipients.

    A minimal aiosmtpd handler (no parsing); on SIGTERM it writes the counts to ``report`` as JSON.
    """
    from aiosmtpd.controller import Controller

    class Count:
        messages = 0
        recipients: set[str] = set()

        async def handle_DATA(self, server, session, envelope):
            Count.messages += 1
            Count.recipients.update(envelope.rcpt_tos)
            return "250 OK"

    # Blocked before the server's thread starts (it inherits the mask), so sigwait receives it.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    controller = Controller(Count(), hostname="127.0.0.1", port=port)
    controller.start()
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    controller.stop()
    Path(report).write_text(json.dumps({"messages": Count.messages, "recipients": len(Count.recipients)}))


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def peak_memory_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def load_subscribers(count: int) -> None:
    from django.utils import timezone

    from newsletter.models import Issue, Subscriber
    from portal.models import OutgoingMail

    Issue.objects.filter(title_fi__startswith="Bench").delete()
    OutgoingMail.objects.filter(label__startswith="newsletter.").delete()
    existing = Subscriber.objects.filter(email__endswith=f"@{BENCH_DOMAIN}").count()
    if existing != count:
        Subscriber.objects.all().delete()
        now = timezone.now()
        Subscriber.objects.bulk_create(
            [
                Subscriber(
                    email=f"tilaaja{number:06d}@{BENCH_DOMAIN}",
                    status=Subscriber.Status.CONFIRMED,
                    consent_requested_at=now,
                    consent_confirmed_at=now,
                )
                for number in range(count)
            ],
            batch_size=5000,
        )


def main() -> int:
    args = parse_args()
    if args.sink_port:
        run_sink(args.sink_port, args.sink_report)
        return 0
    port = free_port()
    os.environ.update(
        {
            "CELERY_BROKER_URL": args.redis,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(port),
            "NEWSLETTER_BATCH_SIZE": str(args.batch_size),
            # Only the newsletter's own dispatch sends in the bench (no beat runs).
            "OUTBOX_SWEEP_AFTER_SECONDS": "3600",
        }
    )
    ensure_database(args.database)
    setup_django(args.database)
    from django.core.management import call_command
    from django.db.models import Count
    from django.utils import timezone

    from newsletter.models import Issue
    from newsletter.services_sending import issue_send_start
    from portal.celery import app
    from portal.models import OutgoingMail

    call_command("migrate", verbosity=0)
    load_subscribers(args.subscribers)
    app.control.purge()

    children: list[subprocess.Popen] = []
    report = Path(tempfile.mkdtemp(prefix="newsletter-bench-")) / "sink.json"
    try:
        children.append(
            subprocess.Popen(
                [sys.executable, __file__, "--sink-port", str(port), "--sink-report", str(report)], cwd=ROOT
            )
        )
        workers = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "portal",
                    "worker",
                    "--pool=solo",
                    f"--hostname=bench{index}@%h",
                    "--without-mingle",
                    "--without-gossip",
                    "--loglevel=WARNING",
                ],
                cwd=ROOT,
                env=os.environ.copy(),
            )
            for index in range(args.workers)
        ]
        children.extend(workers)
        deadline = time.monotonic() + 60
        while len(app.control.ping(timeout=0.5) or []) < args.workers:
            if time.monotonic() > deadline:
                raise SystemExit("the workers did not start")

        issue = Issue.objects.create(
            title_fi="Bench: uutiskirje",
            body_fi="<p>Tervetuloa syksyn tapahtumiin! " + "Yhdistykset esittäytyvät kirjastolla. " * 20 + "</p>",
            include_new_organisations=False,
            status=Issue.Status.SCHEDULED,
            scheduled_at=timezone.now(),
        )
        started = time.monotonic()
        created = issue_send_start(issue_id=issue.pk)
        created_after = time.monotonic() - started
        busy = OutgoingMail.objects.filter(
            label=issue.label, status__in=[OutgoingMail.Status.QUEUED, OutgoingMail.Status.SENDING]
        )
        while busy.exists():
            if time.monotonic() - started > args.timeout:
                raise SystemExit(f"timed out with {busy.count()} messages left")
            time.sleep(0.1)
        elapsed = time.monotonic() - started
        counts = dict(
            OutgoingMail.objects.filter(label=issue.label).values_list("status").annotate(n=Count("pk")).order_by()
        )
        peaks = [peak_memory_kb(worker.pid) for worker in workers]
    finally:
        for child in children:
            child.terminate()
        for child in children:
            try:
                child.wait(timeout=20)
            except subprocess.TimeoutExpired:
                child.kill()

    sent = counts.get(OutgoingMail.Status.SENT, 0)
    received = json.loads(report.read_text())
    print(f"subscribers {created}, workers {args.workers}, batch size {args.batch_size}")
    print(f"deliveries created in {created_after:.2f} s")
    print(f"sent {sent}, other outcomes { ({k: v for k, v in counts.items() if k != 'sent'}) }")
    print(f"total {elapsed:.2f} s = {sent / elapsed:.0f} messages/s")
    print("peak worker memory " + ", ".join(f"{peak / 1024:.0f} MB" for peak in peaks))
    print(f"the sink received {received['messages']} messages for {received['recipients']} distinct recipients")
    return 0 if sent == created == received["messages"] == received["recipients"] else 1


if __name__ == "__main__":
    sys.exit(main())
