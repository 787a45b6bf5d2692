"""Figures for the self-service: duplicate detection and the yearly confirmation run.

Run against a database with the demo data (``manage.py seed_demo``):

    DEBUG=1 DATABASE_URL=postgres://... python bench/bench_selfservice.py

Everything it writes is rolled back; e-mail goes to Django's in-memory backend.
"""

import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core import mail  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from organisations import services  # noqa: E402
from organisations.models import Editorship, Organisation  # noqa: E402


class Rollback(Exception):
    pass


def duplicate_checks(samples: int = 200) -> None:
    organisations = list(
        Organisation.objects.exclude(status=Organisation.Status.ARCHIVED)
        .select_related("home_municipality")
        .order_by("?")[:samples]
    )
    timings = []
    found = 0
    for organisation in organisations:
        started = time.perf_counter()
        matches = list(
            Organisation.objects.likely_duplicates(
                name=organisation.name.replace(" ry", "").lower(),
                home_municipality=organisation.home_municipality,
            ).values_list("pk", flat=True)
        )
        timings.append((time.perf_counter() - started) * 1000)
        found += organisation.pk in matches
    print(
        f"likely_duplicates over {Organisation.objects.count()} listings ({connection.vendor}): "
        f"median {statistics.median(timings):.1f} ms, p95 {sorted(timings)[int(len(timings) * 0.95)]:.1f} ms, "
        f"found the original in {found}/{len(organisations)}"
    )


def confirmation_run(listings: int = 1000) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    try:
        with transaction.atomic():
            ids = list(Organisation.objects.published().values_list("pk", flat=True)[:listings])
            Organisation.objects.filter(pk__in=ids).update(
                information_confirmed_at=timezone.now() - timedelta(days=400)
            )
            editor = User.objects.create_user("bench-editor@example.org")
            Editorship.objects.bulk_create([Editorship(organisation_id=pk, user=editor) for pk in ids])
            started = time.perf_counter()
            sent = services.confirmation_reminders_send()
            first = time.perf_counter() - started
            started = time.perf_counter()
            again = services.confirmation_reminders_send()
            second = time.perf_counter() - started
            print(
                f"confirmation_reminders_send: {sent} listings asked in {first:.2f} s "
                f"({first / max(sent, 1) * 1000:.1f} ms each, mail rendered and queued); "
                f"second run sent {again} in {second:.2f} s"
            )
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=200, help="duplicate checks to time")
    parser.add_argument("--listings", type=int, default=1000, help="listings due for confirmation")
    arguments = parser.parse_args()
    duplicate_checks(arguments.samples)
    confirmation_run(arguments.listings)
