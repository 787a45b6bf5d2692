import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from organisations.demo import DEMO_PASSWORD, demo_organisations, seed_demo
from portal.registry import demo_data


class Command(BaseCommand):
    help = "Load deterministic, fictional demo associations (and demo accounts on DEBUG machines)."

    def add_arguments(self, parser):
        parser.add_argument("--organisations", type=int, default=5000, help="number of associations (default 5000)")
        parser.add_argument("--seed", type=int, default=1, help="random seed: the same seed gives the same data")
        parser.add_argument("--reset", action="store_true", help="delete existing demo data first")
        parser.add_argument(
            "--with-accounts",
            action="store_true",
            help="create the demo accounts even when DEBUG is off (they share a published password)",
        )

    def handle(self, *args, organisations: int, seed: int, reset: bool, with_accounts: bool, **options):
        if organisations < 0:
            raise CommandError("--organisations must be zero or more.")
        create_accounts = bool(settings.DEBUG or with_accounts)
        started = time.monotonic()
        if reset:
            # Other apps' demo rows point at demo associations: they go first, newest app first.
            for entry in reversed(demo_data()):
                if entry.delete is not None:
                    entry.delete()
        result = seed_demo(organisations=organisations, seed=seed, reset=reset, with_accounts=create_accounts)
        if result.created and connection.vendor == "postgresql" and not connection.in_atomic_block:
            # Refreshing the search index rewrote every new association once: reclaim the old row
            # versions and gather statistics now rather than whenever autovacuum gets to it.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM (ANALYZE) organisations_organisation, organisations_organisationsearchentry")
        elapsed = time.monotonic() - started
        if result.created:
            self.stdout.write(
                self.style.SUCCESS(f"Created {len(result.organisation_ids)} demo associations in {elapsed:.1f} s.")
            )
        else:
            self.stdout.write(
                f"Demo data already exists ({demo_organisations().count()} associations); nothing added. "
                "Use --reset to recreate it."
            )
        # Each app's demo (council, events, newsletter) adds itself once and says so when it exists.
        for entry in demo_data():
            entry.seed(seed=seed, stdout=self.stdout)
        if result.accounts:
            self.stdout.write(f"Demo accounts (password: {DEMO_PASSWORD}):")
            for account, detail in result.accounts:
                self.stdout.write(f"  {account.email:<28} {detail}")
        elif not create_accounts:
            self.stdout.write(
                "Demo accounts were not created because DEBUG is off; pass --with-accounts to create them."
            )
