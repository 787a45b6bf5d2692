"""Benchmark of the public directory on PostgreSQL.

    python bench/directory.py --organisations 110000

Loads N fictional associations into its own database (created when missing, migrated), then
requests the directory through Django's test client and prints the median and 95th percentile
latency and the number of database queries of: the unfiltered list, the list filtered by
municipality and sector, a free-text search, a listing page, the front page and a municipality
page. "warm" rotates through many different filters with the application's caches working as in
production; "cold" invalidates the cached facet counts before every request (as an edit to any
listing does), so they are computed afresh.

The data comes from ``manage.py seed_demo``. A database that already holds N associations is
reused (``--reload`` forces a fresh load). ``--regions all`` serves every region of Finland, with
the associations spread over the whole country in a database of its own (``<name>_all``).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from urllib.parse import urlencode

from common import SEARCH_WORDS, database_url_for, portal_regions, prepare_database

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
    parser.add_argument(
        "--regions",
        help="served regions: the settings' default when unset, 'all' for every region of Finland "
        "(in a database of its own, <name>_all), or comma-separated region codes",
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed of the data and the request mix")
    parser.add_argument("--reload", action="store_true", help="load the data again even if it is there")
    return parser.parse_args(argv)


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

    municipalities = list(Municipality.objects.served().order_by("code").values_list("code", "slug"))
    codes = [code for code, _slug in municipalities]
    sectors = list(Sector.objects.values_list("slug", flat=True))
    slugs = list(Organisation.objects.published().order_by("?").values_list("slug", flat=True)[: max(repeat, 1)])
    return {
        "list, unfiltered": ["/yhdistykset/"] * repeat,
        "list, municipality+sector": [
            "/yhdistykset/?" + urlencode({"kunta": rng.choice(codes), "toimiala": rng.choice(sectors)})
            for _ in range(repeat)
        ],
        "search": ["/yhdistykset/?" + urlencode({"q": rng.choice(SEARCH_WORDS)}) for _ in range(repeat)],
        "detail": [f"/yhdistykset/{rng.choice(slugs)}/" for _ in range(repeat)],
        "front page": ["/"] * repeat,
        "municipality page": [f"/kunnat/{rng.choice(municipalities)[1]}/" for _ in range(repeat)],
    }


def track_common_words(client) -> None:
    """Search each word of the mix once, as a site that has run for a while has: a common word's
    first search tracks it (organisations/search/tracked.py), one search a second at most, so the
    benchmark waits that second after each search that tracked one. A database that has tracked
    them already (the bench keeps it) waits for none."""
    from organisations.models import TrackedSearch
    from organisations.search.tracked import TRACK_INTERVAL_SECONDS

    tracked = TrackedSearch.objects.count()
    time.sleep(TRACK_INTERVAL_SECONDS)  # the warm-up's search may have just tracked one
    for word in SEARCH_WORDS:
        client.get("/yhdistykset/?" + urlencode({"q": word}))
        if TrackedSearch.objects.count() > tracked:
            tracked = TrackedSearch.objects.count()
            time.sleep(TRACK_INTERVAL_SECONDS)


def main(argv=None) -> int:
    args = parse_args(argv)
    database_url = database_url_for(args.database_url, args.regions)
    regions = portal_regions(args.regions)
    prepare_database(database_url, regions=regions, count=args.organisations, seed=args.seed, reload=args.reload)
    from django.conf import settings
    from django.test import Client

    from organisations.models import Municipality
    from organisations.search import voikko_available

    client = Client()
    rng = random.Random(args.seed)
    plan = scenarios(rng, args.repeat)
    # Warm up connections, templates and the reference-data cache.
    for urls in plan.values():
        client.get(urls[0])
    track_common_words(client)
    print(f"\nDirectory benchmark: {args.organisations} associations, {args.repeat} requests per scenario")
    print(
        f"Voikko: {'yes' if voikko_available() else 'no'}; regions {','.join(settings.PORTAL_REGIONS)} "
        f"({Municipality.objects.served().count()} municipalities)"
    )
    from organisations.models import TrackedSearch

    print(f"tracked searches: {TrackedSearch.objects.count()}")
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
