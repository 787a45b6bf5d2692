"""Benchmark: the staff import of N associations (default 20,000), as CSV and as XLSX.

    python bench/imports.py --rows 20000

Generates N fictional rows (names, home municipalities, sectors, target groups, e-mail addresses,
phone numbers, register numbers) in the served regions, writes them as CSV and as XLSX, and for
each file runs the dry run and then the import through the job service (``import_job_run``, the
body of the Celery task: reading the file, matching, bulk writes, progress, the search index),
in its own PostgreSQL database (created when missing; ``--database`` to change). The imported
associations are removed before each format. Prints rows per second and seconds for each step.
Target: 20,000 rows dry-run and import in under a minute each.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import time

from common import ensure_database, setup_django

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/jt_bench_imports"
HEADER = ["nimi", "kotikunta", "rekisterinumero", "toimialat", "kohderyhmät", "sähköposti", "puhelin", "postinumero",
          "postitoimipaikka", "kuvaus"]  # fmt: skip


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20_000, help="rows in the file (default 20000)")
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--formats", default="csv,xlsx", help="comma-separated: csv, xlsx")
    return parser.parse_args()


def rows(count: int, seed: int) -> list[list[str]]:
    from organisations.models import Municipality, Sector, TargetGroup

    rng = random.Random(seed)
    municipalities = list(Municipality.objects.served().values_list("name_fi", flat=True))
    sectors = list(Sector.objects.values_list("name_fi", flat=True))
    groups = list(TargetGroup.objects.values_list("name_fi", flat=True))
    words = ["Kylä", "Urheiluseura", "Kuoro", "Eläkeläiset", "Partio", "Teatteri", "Marttayhdistys", "Nuoriso"]
    result = []
    for number in range(count):
        home = rng.choice(municipalities)
        result.append(
            [
                f"{home}n {rng.choice(words)} {number + 1} ry",
                home,
                str(100_000 + number),
                ", ".join(rng.sample(sectors, rng.randint(1, 2))),
                rng.choice(groups),
                f"yhdistys{number + 1}@example.org",
                f"+358 40 {number % 1000:03d} {number % 10000:04d}",
                f"{rng.randint(70100, 79999)}",
                home,
                # One sentence: 20,000 rows must stay under the 5 MB upload limit.
                rng.choice(["Kuvitteellinen yhdistys vertailuajoa varten.", "Kerho kaikille.", ""]),
            ]
        )
    return result


def as_csv(data: list[list[str]]) -> bytes:
    stream = io.StringIO()
    writer = csv.writer(stream, delimiter=";")
    writer.writerow(HEADER)
    writer.writerows(data)
    return stream.getvalue().encode()


def as_xlsx(data: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(HEADER)
    for row in data:
        sheet.append(row)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def remove_imported() -> None:
    from django.db import connection

    # The bench's database is its own: no association survives from one format to the next.
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE organisations_organisation, organisations_historicalorganisation CASCADE")


def staff_user():
    from accounts.models import User

    user, _created = User.objects.get_or_create(email="bench-staff@example.org", defaults={"is_staff": True})
    return user


def finished_job(batch, kind: str) -> tuple[float, dict]:
    """The job's own seconds (claimed to done, as the worker recorded them) and its summary."""
    from organisations.models import ImportJob

    job = batch.jobs.filter(kind=kind).first()
    assert job is not None, batch.report.get("error")
    assert job.status == ImportJob.Status.DONE, (job.status, job.error)
    return (job.finished_at - job.started_at).total_seconds(), job.report["summary"]


def main() -> None:
    args = parse_args()
    ensure_database(args.database)
    # The task runs in this process, right after the commit that queued it (as in the demo).
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1"
    os.environ.pop("REDIS_URL", None)
    setup_django(args.database)
    from django.core.management import call_command

    from organisations.models import ImportJob, Organisation
    from organisations.services.imports import import_batch_apply, import_batch_create

    call_command("migrate", verbosity=0)
    user = staff_user()
    data = rows(args.rows, args.seed)
    files = {"csv": as_csv(data), "xlsx": as_xlsx(data)}
    for format in args.formats.split(","):
        remove_imported()
        content = files[format]
        # The task is run eagerly: the figures are the work, not the queue.
        started = time.perf_counter()
        batch = import_batch_create(user=user, file_name=f"bench.{format}", content=content)
        wall = time.perf_counter() - started
        dry_seconds, summary = finished_job(batch, ImportJob.Kind.DRY_RUN)
        assert Organisation.objects.count() == 0
        print(
            f"{format.upper():4} dry run {args.rows:>6} rows in {dry_seconds:6.2f} s = "
            f"{args.rows / dry_seconds:>7,.0f} rows/s ({len(content) / 1024 / 1024:.1f} MB file, "
            f"{wall:.2f} s with the upload; {summary})"
        )
        batch.refresh_from_db()
        import_batch_apply(batch=batch, user=user)
        import_seconds, summary = finished_job(batch, ImportJob.Kind.IMPORT)
        print(
            f"{format.upper():4} import  {args.rows:>6} rows in {import_seconds:6.2f} s = "
            f"{args.rows / import_seconds:>7,.0f} rows/s ({summary}, {Organisation.objects.count()} associations)"
        )
        # The same file again: every row now matches a listing (one query per chunk reads them).
        again = import_batch_create(user=user, file_name=f"bench.{format}", content=content)
        again_seconds, summary = finished_job(again, ImportJob.Kind.DRY_RUN)
        print(
            f"{format.upper():4} recheck {args.rows:>6} rows in {again_seconds:6.2f} s = "
            f"{args.rows / again_seconds:>7,.0f} rows/s (the same file after its import; {summary})"
        )
        verdict = "ok" if max(dry_seconds, import_seconds) < 60 * args.rows / 20_000 else "BELOW TARGET"
        print(f"{format.upper():4} target: under a minute each for 20,000 rows: {verdict}")


if __name__ == "__main__":
    main()
