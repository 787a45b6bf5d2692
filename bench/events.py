"""Benchmark of event registration under contention and of the public calendar, on PostgreSQL.

    python bench/events.py

1. ``--registrations`` (200) people register at once for an event of ``--seats`` (50) on-site
   seats, through the real view (Django's test client, one per thread, ``--concurrency`` threads
   released together) and PostgreSQL. Prints registrations/s, the median and 95th percentile
   latency, and the final confirmed and waiting counts; it fails (exit status 1) unless exactly
   ``--seats`` are confirmed and every registration is there exactly once.
2. The calendar with ``--events`` (10,000) public events: the median and p95 latency and the most
   queries per page of the upcoming list (unfiltered, by municipality, kind, sector, remote, a
   later page), the month view and the iCalendar feed of one municipality. Target: p95 ≤ 30 ms.

Uses a PostgreSQL database of its own (``--database-url``, default ``$BENCH_DATABASE_URL`` or
``postgres://postgres@127.0.0.1:5432/jt_bench_events``; created and migrated when missing).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time

from common import ensure_database, setup_django

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/jt_bench_events"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--registrations", type=int, default=200, help="people registering at once (default 200)")
    parser.add_argument("--seats", type=int, default=50, help="on-site seats of the event (default 50)")
    parser.add_argument("--concurrency", type=int, default=32, help="threads registering in parallel (default 32)")
    parser.add_argument("--events", type=int, default=10_000, help="events in the calendar (default 10000)")
    parser.add_argument("--repeat", type=int, default=60, help="requests per calendar scenario (default 60)")
    parser.add_argument(
        "--cold", action="store_true", help="drop the cached calendar before every request (as an event change does)"
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        help=f"PostgreSQL database of its own (default $BENCH_DATABASE_URL or {DEFAULT_DATABASE_URL})",
    )
    return parser.parse_args(argv)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def milliseconds(values: list[float]) -> str:
    return f"median {statistics.median(values) * 1000:.1f} ms, p95 {percentile(values, 0.95) * 1000:.1f} ms"


# 1. Registrations for the last seats ------------------------------------------------------------


def bench_registrations(*, people: int, seats: int, concurrency: int) -> bool:
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from forums.models import Event, Registration
    from organisations.models import Municipality

    Event.objects.filter(slug__startswith="bench-registrations").delete()
    start = timezone.now() + timezone.timedelta(days=30)
    event = Event.objects.create(
        title="Bench: registrations",
        slug=f"bench-registrations-{int(time.time())}",
        kind=Event.Kind.REGIONAL_FORUM,
        status=Event.Status.PUBLISHED,
        starts_at=start,
        ends_at=start + timezone.timedelta(hours=6),
        municipality=Municipality.objects.get(code="297"),
        on_site=True,
        remote=False,
        capacity=seats,
    )
    url = reverse("forums:register", args=[event.slug])
    queue = list(range(people))
    lock = threading.Lock()
    barrier = threading.Barrier(concurrency)
    latencies: list[float] = []
    failures: list[str] = []

    def worker() -> None:
        client = Client()
        try:
            barrier.wait()
            while True:
                with lock:
                    if not queue:
                        return
                    number = queue.pop()
                data = {
                    "name": f"Osallistuja {number}",
                    "email": f"bench{number}@example.org",
                    "participation": "on_site",
                }
                began = time.perf_counter()
                response = client.post(url, data)
                elapsed = time.perf_counter() - began
                with lock:
                    latencies.append(elapsed)
                    if response.status_code != 200:
                        failures.append(f"{number}: HTTP {response.status_code}")
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began

    registrations = Registration.objects.filter(event=event)
    confirmed = registrations.filter(status=Registration.Status.CONFIRMED).count()
    waiting = registrations.filter(status=Registration.Status.WAITING).count()
    distinct = registrations.values("email").distinct().count()
    print(
        f"registrations: {people} through the view with {concurrency} threads in {wall:.2f} s = "
        f"{people / wall:.0f} registrations/s; latency {milliseconds(latencies)}"
    )
    print(f"  final: {confirmed} confirmed, {waiting} waiting, {registrations.count()} rows, {distinct} addresses")
    ok = confirmed == seats and confirmed + waiting == people == registrations.count() == distinct and not failures
    print(
        f"  {'OK' if ok else 'FAILED'}: exactly {seats} confirmed, none lost or doubled"
        + (f"; {failures[:5]}" if failures else "")
    )
    return ok


# 2. The calendar ----------------------------------------------------------------------------------


def load_events(count: int) -> None:
    import random

    from django.db import connection
    from django.utils import timezone

    from forums.models import Event
    from organisations.models import Municipality, Sector

    existing = Event.objects.filter(slug__startswith="bench-calendar-").count()
    if existing == count:
        print(f"reusing {count} calendar events already in the database")
        return
    Event.objects.filter(slug__startswith="bench-calendar-").delete()
    rng = random.Random(7)
    municipalities = list(Municipality.objects.served())
    sectors = list(Sector.objects.all())
    now = timezone.now()
    kinds = [
        Event.Kind.ASSOCIATION_EVENT,
        Event.Kind.ASSOCIATION_EVENT,
        Event.Kind.ASSOCIATION_EVENT,
        Event.Kind.LOCAL_FORUM,
        Event.Kind.PARTNERSHIP_TABLE,
        Event.Kind.OTHER,
    ]
    events = []
    for number in range(count):
        start = now + timezone.timedelta(hours=rng.randrange(-24 * 365, 24 * 365))
        remote = rng.random() < 0.3
        events.append(
            Event(
                title=f"Tapahtuma {number}",
                slug=f"bench-calendar-{number}",
                kind=rng.choice(kinds),
                status=Event.Status.PUBLISHED if rng.random() < 0.95 else Event.Status.PENDING,
                description="<p>" + "Kuvaus. " * 40 + "</p>",
                starts_at=start,
                ends_at=start + timezone.timedelta(hours=rng.choice((2, 3, 6))),
                municipality=rng.choice(municipalities),
                on_site=True,
                remote=remote,
                remote_url="https://meet.example/x" if remote else "",
                capacity=rng.choice((None, 30, 100)),
            )
        )
    created = Event.objects.bulk_create(events, batch_size=2000)
    through = Event.sectors.through
    through.objects.bulk_create(
        [through(event_id=event.pk, sector_id=rng.choice(sectors).pk) for event in created if rng.random() < 0.7],
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE forums_event, forums_event_sectors")
    print(f"loaded {count} calendar events")


def bench_calendar(*, repeat: int, cold: bool) -> list[float]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from forums.selectors import bump_calendar_version
    from organisations.models import Municipality, Sector

    client = Client()
    codes = list(Municipality.objects.served().values_list("code", flat=True))
    sector_slugs = list(Sector.objects.values_list("slug", flat=True))
    today = timezone.localdate()
    calendar = reverse("forums:calendar")
    scenarios = {
        "upcoming, unfiltered": lambda i: calendar,
        "upcoming, municipality": lambda i: f"{calendar}?kunta={codes[i % len(codes)]}",
        "upcoming, kind + sector": lambda i: (
            f"{calendar}?tyyppi=yhdistyksen-tapahtuma&toimiala={sector_slugs[i % len(sector_slugs)]}"
        ),
        "upcoming, remote": lambda i: f"{calendar}?osallistuminen=etana",
        "upcoming, page 50": lambda i: f"{calendar}?page=50",
        "month view": lambda i: reverse("forums:month", args=[today.year, today.month]),
        "month view, municipality": lambda i: (
            reverse("forums:month", args=[today.year, today.month]) + f"?kunta={codes[i % len(codes)]}"
        ),
        "iCalendar, municipality": lambda i: reverse("forums:feed") + f"?kunta={codes[i % len(codes)]}",
    }
    every: list[float] = []
    for name, url_for in scenarios.items():
        client.get(url_for(0))  # warm the connection and the templates
        timings, most_queries = [], 0
        for i in range(repeat):
            if cold:
                bump_calendar_version()
            with CaptureQueriesContext(connection) as queries:
                began = time.perf_counter()
                response = client.get(url_for(i))
                timings.append(time.perf_counter() - began)
            assert response.status_code == 200, (name, response.status_code)
            most_queries = max(most_queries, len(queries))
        if not name.startswith("iCalendar"):
            every.extend(timings)
        print(f"  {name:<28} {milliseconds(timings)}, {most_queries} queries")
    return every


def main(argv=None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("EVENT_REGISTRATIONS_PER_HOUR", "1000000")
    os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
    ensure_database(args.database_url)
    setup_django(args.database_url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    ok = bench_registrations(people=args.registrations, seats=args.seats, concurrency=args.concurrency)
    load_events(args.events)
    print(
        f"calendar with {args.events} events ({args.repeat} requests per scenario, {'cold' if args.cold else 'warm'}):"
    )
    every = bench_calendar(repeat=args.repeat, cold=args.cold)
    p95 = percentile(every, 0.95) * 1000
    verdict = "met" if p95 <= 30 else "NOT met"
    print(f"calendar pages (list and month, not the feed): {milliseconds(every)} (target p95 <= 30 ms: {verdict})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
