"""What every benchmark needs: a PostgreSQL database of its own, Django set up against it, and the
associations loaded with ``manage.py seed_demo``."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
# Words residents search for, common and rare: "kylä", "kuopion" and "lasten" match a quarter of
# all associations, "kansantanssi" a handful.
SEARCH_WORDS = ["kylä", "eläkeläisten", "urheiluseura", "kuoro", "metsästys", "marttojen", "hiihto", "kuopion",
                "partio", "teatteri", "yrittäjät", "reserviläiset", "omaishoitajat", "kyläyhdistys tervo", "lasten",
                "sydän", "kalastus", "kansantanssi", "nuoriso", "luonnonsuojelu"]  # fmt: skip


def all_region_codes() -> list[str]:
    """Every region of Finland (the 19 maakunta codes of the reference data)."""
    with open(ROOT / "organisations" / "reference" / "regions.json", encoding="utf-8") as regions:
        return [row["code"] for row in json.load(regions)]


def portal_regions(option: str | None) -> str | None:
    """``PORTAL_REGIONS`` for a ``--regions`` option: None keeps the settings' default, ``all`` is
    the whole country, anything else is a comma-separated list of region codes."""
    if not option:
        return None
    if option == "all":
        return ",".join(all_region_codes())
    return option


def database_url_for(url: str, regions: str | None) -> str:
    """The bench database for a region set: the whole country's data is loaded into a database of
    its own (``<name>_all``), so switching ``--regions`` does not reload 110,000 associations."""
    if regions != "all":
        return url
    parts = urlsplit(url)
    return parts._replace(path=parts.path + "_all").geturl()


def ensure_database(url: str) -> None:
    """Create the benchmark's database when it is missing (it never touches the portal's own)."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}")


def setup_django(database_url: str, *, regions: str | None = None) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    # DEBUG would keep every query in memory and change what is measured.
    os.environ["DEBUG"] = "0"
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    os.environ["SECURE_COOKIES"] = "0"
    os.environ["STATIC_FROM_SOURCE"] = "1"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    if regions:
        os.environ["PORTAL_REGIONS"] = regions
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def load_associations(count: int, seed: int, *, reload: bool = False) -> float:
    """``count`` fictional associations spread over the served regions, from ``seed_demo``.

    A database already holding ``count`` associations in exactly the served regions is reused.
    Returns the seconds spent loading (0 when reused).
    """
    from django.core.management import call_command
    from django.db import connection

    from organisations.models import Municipality, Organisation

    if not reload and Organisation.objects.count() == count:
        served = set(Municipality.objects.served().values_list("region__code", flat=True).distinct())
        loaded = set(Organisation.objects.values_list("home_municipality__region__code", flat=True).distinct())
        # Loaded for other regions (another --regions), the data would not match the directory.
        if loaded == served or count == 0:
            print(f"reusing {count} associations already in the database")
            # A migration since the load may have rewritten every row (a new column filled in):
            # until (auto)vacuum sets the visibility map again, the facet counts' index-only scan
            # visits the table for every association (72 instead of 21 ms at 110,000). Production
            # gets there within minutes of such a change; measure that state, not the one before.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM (ANALYZE) organisations_organisation, organisations_organisationsearchentry")
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


def prepare_database(database_url: str, *, regions: str | None, count: int, seed: int, reload: bool) -> None:
    """Create, set up, migrate and fill the bench database: the first step of every benchmark."""
    ensure_database(database_url)
    setup_django(database_url, regions=regions)
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    load_associations(count, seed, reload=reload)
