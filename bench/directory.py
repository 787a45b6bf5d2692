"""Benchmark of the public directory on PostgreSQL.

    python bench/directory.py --organisations 110000

Loads N fictional associations into its own database (created when missing, migrated), then
requests the directory through Django's test client and prints the median and 95th percentile
latency and the number of database queries of: the unfiltered list, the list filtered by
municipality and sector, a free-text search, and a listing page. "warm" rotates through many
different filters with the application's caches working as in production; "cold" invalidates the
cached facet counts before every request (as an edit to any listing does), so they are computed
afresh.

The data comes from ``manage.py seed_demo``. A database that already holds N associations is
reused (``--reload`` forces a fresh load).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from urllib.parse import urlencode

from common import ensure_database, setup_django

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/jt_bench"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organisations", type=int, default=110_000, help="associations to load (default 110000)")
    parser.add_argument("--repeat", type=int, default=100, help="requests per scenario (default 100)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        help=f"PostgreSQL database of its own (default $BENCH_DATABASE_URL or {DEFAULT_DATABASE_URL})",
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed of the data and the request mix")
    parser.add_argument("--reload", action="store_true", help="load the data again even if it is there")
    return parser.parse_args(argv)


def load(count: int, seed: int, *, reload: bool) -> float:
    from django.core.management import call_command
    from django.db import connection

    from organisations.models import Organisation

    if not reload and Organisation.objects.count() == count:
        print(f"reusing {count} associations already in the database")
        return 0.0
    started = time.perf_counter()
    # The bench's database is its own: start from no associations at all.
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE organisations_organisation CASCADE")
    call_command("seed_demo", organisations=count, seed=seed, reset=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    elapsed = time.perf_counter() - started
    print(f"loaded {Organisation.objects.count()} associations with seed_demo in {elapsed:.0f} s")
    return elapsed


# Measuring -------------------------------------------------------------------------------------


def measure(client, urls: list[str], *, cold: bool) -> tuple[list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from organisations.search import bump_directory_version

    timings, most_queries = [], 0
    for url in urls:
        if cold:
            # As after an edit: every facet count is recomputed (the reference data stays cached).
            bump_directory_version()
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        most_queries = max(most_queries, len(queries))
    return timings, most_queries


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def scenarios(rng: random.Random, repeat: int) -> dict[str, list[str]]:
    from organisations.models import Municipality, Organisation, Sector

    codes = list(Municipality.objects.served().values_list("code", flat=True))
    sectors = list(Sector.objects.values_list("slug", flat=True))
    words = ["kylä", "eläkeläisten", "urheiluseura", "kuoro", "metsästys", "marttojen", "hiihto", "kuopion",
             "partio", "teatteri", "yrittäjät", "reserviläiset", "omaishoitajat", "kyläyhdistys tervo", "lasten",
             "sydän", "kalastus", "kansantanssi", "nuoriso", "luonnonsuojelu"]  # fmt: skip
    slugs = list(Organisation.objects.published().order_by("?").values_list("slug", flat=True)[: max(repeat, 1)])
    return {
        "list, unfiltered": ["/yhdistykset/"] * repeat,
        "list, municipality+sector": [
            "/yhdistykset/?" + urlencode({"kunta": rng.choice(codes), "toimiala": rng.choice(sectors)})
            for _ in range(repeat)
        ],
        "search": ["/yhdistykset/?" + urlencode({"q": rng.choice(words)}) for _ in range(repeat)],
        "detail": [f"/yhdistykset/{rng.choice(slugs)}/" for _ in range(repeat)],
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    ensure_database(args.database_url)
    setup_django(args.database_url)
    from django.core.management import call_command
    from django.test import Client

    from organisations.search import voikko_available

    call_command("migrate", verbosity=0, interactive=False)
    load(args.organisations, args.seed, reload=args.reload)
    client = Client()
    rng = random.Random(args.seed)
    plan = scenarios(rng, args.repeat)
    # Warm up connections, templates and the reference-data cache.
    for urls in plan.values():
        client.get(urls[0])
    print(f"\nDirectory benchmark: {args.organisations} associations, {args.repeat} requests per scenario")
    print(f"Voikko: {'yes' if voikko_available() else 'no'}")
    print(f"{'scenario':<28} {'cache':<5} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for name, urls in plan.items():
        for cold in (False, True):
            if name == "detail" and cold:
                continue  # the listing page uses no cache
            timings, queries = measure(client, urls, cold=cold)
            print(
                f"{name:<28} {'cold' if cold else 'warm':<5} {statistics.median(timings):>10.1f} "
                f"{percentile(timings, 0.95):>8.1f} {queries:>8}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
