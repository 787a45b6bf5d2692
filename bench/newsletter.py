"""Benchmark: send one newsletter issue to N subscribers through Celery worker processes.

    python bench/newsletter.py --subscribers 20000 --workers 2

Uses its own PostgreSQL database (created and migrated when missing) and its own Redis database
number, starts an SMTP sink (``--sink``: a lean asyncio server or aiosmtpd, in a process of its own,
accepting, counting and discarding) and W
Celery worker processes (solo pool: one process each), loads N confirmed fictional subscribers,
then starts the issue as Celery beat would and waits until every delivery is decided. Prints the
time to create the deliveries, messages per second over the whole send (from the start, creation
included, to the last message recorded), the total time and the peak memory (VmHWM) of each
worker, the CPU time per message of the workers and the sink, and what the sink received (the run
fails unless every subscriber got exactly one message). Target: >= 800 messages/s with 2 workers on
a 2-core machine, the sink included.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
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
    parser.add_argument(
        "--sink",
        choices=["lean", "aiosmtpd"],
        default="lean",
        help="the SMTP sink: a minimal asyncio SMTP server (default) or aiosmtpd with a counting handler",
    )
    return parser.parse_args()


class SinkCounts:
    messages = 0
    recipients: set[str] = set()


def run_aiosmtpd_sink(port: int) -> object:
    """aiosmtpd with a minimal handler: no parsing, it counts messages and recipients."""
    from aiosmtpd.controller import Controller

    class Count:
        async def handle_DATA(self, server, session, envelope):
            SinkCounts.messages += 1
            SinkCounts.recipients.update(envelope.rcpt_tos)
            return "250 OK"

    controller = Controller(Count(), hostname="127.0.0.1", port=port)
    controller.start()
    return controller.stop


class LeanSMTP(asyncio.Protocol):
    """A minimal SMTP server (RFC 5321: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) that
    accepts every message, counts it and its recipients and discards it. It advertises PIPELINING
    (RFC 2920): a client may send MAIL, RCPT and DATA in one write. About a tenth of aiosmtpd's
    CPU per message, which matters when the sink shares the two cores with the workers."""

    def connection_made(self, transport) -> None:
        self.transport = transport
        self.buffer = b""
        self.in_data = False
        self.recipients: list[str] = []
        transport.write(b"220 bench-sink ESMTP\r\n")

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        replies = []
        while True:
            if self.in_data:
                # The message ends with a line holding a single dot (the client dot-stuffs others).
                end = self.buffer.find(b"\r\n.\r\n")
                if end < 0:
                    break
                self.buffer = self.buffer[end + 5 :]
                self.in_data = False
                SinkCounts.messages += 1
                SinkCounts.recipients.update(self.recipients)
                self.recipients = []
                replies.append(b"250 OK\r\n")
                continue
            end = self.buffer.find(b"\r\n")
            if end < 0:
                break
            line, self.buffer = self.buffer[:end], self.buffer[end + 2 :]
            verb = line[:4].upper()
            if verb == b"EHLO":
                replies.append(b"250-bench-sink\r\n250-PIPELINING\r\n250 8BITMIME\r\n")
            elif verb == b"MAIL":
                self.recipients = []
                replies.append(b"250 OK\r\n")
            elif verb == b"RCPT":
                address = line.partition(b"<")[2].partition(b">")[0]
                self.recipients.append(address.decode("utf-8", "replace").lower())
                replies.append(b"250 OK\r\n")
            elif verb == b"DATA":
                if self.recipients:
                    self.in_data = True
                    # A message may be empty: its end marker then follows at once.
                    self.buffer = b"\r\n" + self.buffer
                    replies.append(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                else:
                    replies.append(b"503 No valid recipients\r\n")
            elif verb == b"QUIT":
                replies.append(b"221 Bye\r\n")
                self.transport.write(b"".join(replies))
                self.transport.close()
                return
            elif verb in (b"HELO", b"RSET", b"NOOP"):
                if verb == b"RSET":
                    self.recipients = []
                replies.append(b"250 OK\r\n")
            else:
                replies.append(b"502 Command not implemented\r\n")
        if replies:
            self.transport.write(b"".join(replies))


def run_lean_sink(port: int) -> object:
    loop = asyncio.new_event_loop()
    server = loop.run_until_complete(loop.create_server(LeanSMTP, "127.0.0.1", port))
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    def stop() -> None:
        loop.call_soon_threadsafe(server.close)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)

    return stop


def run_sink(port: int, report: str, kind: str) -> None:
    """The SMTP server: accepts and discards every message, counting messages and distinct recipients.

    On SIGTERM it writes the counts to ``report`` as JSON.
    """
    # Blocked before the server's thread starts (it inherits the mask), so sigwait receives it.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    stop = run_lean_sink(port) if kind == "lean" else run_aiosmtpd_sink(port)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    stop()
    Path(report).write_text(json.dumps({"messages": SinkCounts.messages, "recipients": len(SinkCounts.recipients)}))


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit("the SMTP sink did not start") from None
            time.sleep(0.05)


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far (a figure the other processes' load does not change)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_memory_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def load_subscribers(count: int) -> None:
    from django.db import connection
    from django.utils import timezone

    from newsletter.models import Issue, Subscriber
    from portal.models import OutgoingMail

    Issue.objects.filter(title_fi__startswith="Bench").delete()
    OutgoingMail.objects.filter(label__startswith="newsletter.").delete()
    # Every run starts from the same tables, not from the previous runs' dead rows.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE portal_outgoingmail, newsletter_delivery")
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
        run_sink(args.sink_port, args.sink_report, args.sink)
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
    from django.db import connection
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
                [sys.executable, __file__, "--sink-port", str(port), "--sink-report", str(report), "--sink", args.sink],
                cwd=ROOT,
            )
        )
        wait_for_port(port)
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
        worker_cpu_before = sum(cpu_seconds(worker.pid) for worker in workers)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            own_backend = cursor.fetchone()[0]
        own_backend_before = cpu_seconds(own_backend)
        sink_cpu_before = cpu_seconds(children[0].pid)
        started = time.monotonic()
        created = issue_send_start(issue_id=issue.pk)
        created_after = time.monotonic() - started
        creation_cpu = cpu_seconds(own_backend) - own_backend_before
        # The batch that records the last message closes the issue. Polling the issue's status costs
        # nothing; counting its 20,000 messages ten times a second would load the database we measure.
        while Issue.objects.filter(pk=issue.pk, status=Issue.Status.SENDING).exists():
            if time.monotonic() - started > args.timeout:
                raise SystemExit("timed out")
            time.sleep(0.1)
        elapsed = time.monotonic() - started
        counts = dict(
            OutgoingMail.objects.filter(label=issue.label).values_list("status").annotate(n=Count("pk")).order_by()
        )
        peaks = [peak_memory_kb(worker.pid) for worker in workers]
        worker_cpu = sum(cpu_seconds(worker.pid) for worker in workers) - worker_cpu_before
        # The workers' database sessions began with this run (the workers are new); ours did not.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            backends = [pid for (pid,) in cursor.fetchall()]
        database_cpu = sum(cpu_seconds(pid) for pid in backends) + cpu_seconds(own_backend) - own_backend_before
        sink_cpu = cpu_seconds(children[0].pid) - sink_cpu_before
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
    print(f"subscribers {created}, workers {args.workers}, batch size {args.batch_size}, sink {args.sink}")
    print(f"deliveries created in {created_after:.2f} s")
    print(f"sent {sent}, other outcomes { ({k: v for k, v in counts.items() if k != 'sent'}) }")
    print(f"total {elapsed:.2f} s = {sent / elapsed:.0f} messages/s")
    print("peak worker memory " + ", ".join(f"{peak / 1024:.0f} MB" for peak in peaks))
    per_message = 1e6 / max(created, 1)
    print(
        f"CPU per message: workers {worker_cpu * per_message:.0f} µs, sink {sink_cpu * per_message:.0f} µs, "
        f"PostgreSQL {database_cpu * per_message:.0f} µs ({creation_cpu * per_message:.0f} µs creating the rows) "
        f"(workers {worker_cpu:.1f} s, sink {sink_cpu:.1f} s, PostgreSQL {database_cpu:.1f} s in all)"
    )
    print(f"the sink received {received['messages']} messages for {received['recipients']} distinct recipients")
    return 0 if sent == created == received["messages"] == received["recipients"] else 1


if __name__ == "__main__":
    sys.exit(main())
