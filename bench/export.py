"""Benchmark: export every association as CSV and as XLSX through the real view.

    python bench/export.py --organisations 110000

Loads N fictional associations into its own PostgreSQL database (created when missing), logs in a
municipal contact whose scope covers the served regions, requests the export views with Django's
test Client and consumes the streamed response, then prints rows per second and the growth of the
process's peak resident memory (VmHWM, reset before each run through /proc/self/clear_refs; with
--tracemalloc the Python heap's peak instead). Targets: CSV >= 100,000 rows/s, XLSX >= 12,000 rows/s,
peak memory growth < 60 MB.
"""

from __future__ import annotations

import argparse
import gc
import os
import time
import tracemalloc

from common import ensure_database, setup_django

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/jt_bench_export"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organisations", type=int, default=110_000, help="associations to load (default 110000)")
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE))
    parser.add_argument("--tracemalloc", action="store_true", help="measure the Python heap instead of RSS")
    parser.add_argument("--runs", type=int, default=1, help="runs per format: the fastest time, the largest memory")
    return parser.parse_args()


def load(count: int) -> None:
    """``count`` fictional associations from ``manage.py seed_demo``, all published."""
    from django.core.management import call_command
    from django.db import connection

    from organisations.models import Organisation

    if Organisation.objects.published().count() == count and Organisation.objects.count() == count:
        print(f"Reusing the {count} associations already loaded.")
        return
    started = time.perf_counter()
    call_command("seed_demo", organisations=count, reset=True, verbosity=0)
    Organisation.objects.exclude(status=Organisation.Status.PUBLISHED).update(status=Organisation.Status.PUBLISHED)
    with connection.cursor() as cursor:
        # Fresh tables have no statistics yet; a deployment's would.
        cursor.execute("ANALYZE")
    print(f"Loaded {Organisation.objects.count()} associations in {time.perf_counter() - started:.1f} s.")


def municipal_contact():
    from accounts.models import User
    from organisations.models import MunicipalContact, Municipality

    user, _created = User.objects.get_or_create(email="bench-contact@example.org")
    contact, _created = MunicipalContact.objects.get_or_create(
        user=user, defaults={"name": "Bench Yhteyshenkilö", "is_public": False}
    )
    contact.municipalities.set(Municipality.objects.served())
    return user


def memory_kb(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not found in /proc/self/status")


def reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
        return True
    except OSError:
        return False


def run(client, url: str, use_tracemalloc: bool) -> tuple[float, int, float]:
    """(seconds, bytes, peak memory growth in MB) of one export, consumed chunk by chunk."""
    gc.collect()
    if use_tracemalloc:
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
    else:
        if not reset_peak():
            raise SystemExit("Cannot reset the peak RSS here; run with --tracemalloc.")
        base = memory_kb("VmRSS") * 1024
    started = time.perf_counter()
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    size = 0
    for piece in response.streaming_content:
        size += len(piece)
    elapsed = time.perf_counter() - started
    if use_tracemalloc:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    else:
        peak = memory_kb("VmHWM") * 1024
    return elapsed, size, (peak - base) / 1024 / 1024


def main() -> None:
    args = parse_args()
    ensure_database(args.database)
    setup_django(args.database)
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from organisations.models import ExportLog

    call_command("migrate", verbosity=0)
    load(args.organisations)
    client = Client()
    client.force_login(municipal_contact())
    # Warm-up: imports, translations and the first connection are not part of the figures.
    for format in ("csv", "xlsx"):
        b"".join(client.get(reverse("organisations:export", args=[format]) + "?q=ei-osumia-lammikko").streaming_content)
    mode = "Python heap peak (tracemalloc)" if args.tracemalloc else "peak RSS (VmHWM)"
    print(f"Exporting through the view; memory measured as {mode}.")
    targets = {"csv": 100_000, "xlsx": 12_000}
    for format, target in targets.items():
        best = None
        worst_growth = 0.0
        for _run in range(args.runs):
            elapsed, size, growth = run(client, reverse("organisations:export", args=[format]), args.tracemalloc)
            rows = ExportLog.objects.filter(format=format).latest("created_at").row_count
            if best is None or elapsed < best[0]:
                best = (elapsed, size, rows)
            # Memory: the worst run, not the fastest one (a later run reuses freed memory).
            worst_growth = max(worst_growth, growth)
        elapsed, size, rows = best
        growth = worst_growth
        rate = rows / elapsed
        verdict = "ok" if rate >= target and growth < 60 else "BELOW TARGET"
        print(
            f"{format.upper():4} {rows:>7} rows in {elapsed:6.2f} s = {rate:>9,.0f} rows/s "
            f"(target {target:,}), {size / 1024 / 1024:6.1f} MB, "
            f"peak memory growth {growth:5.1f} MB (target < 60) {verdict}"
        )


if __name__ == "__main__":
    main()
