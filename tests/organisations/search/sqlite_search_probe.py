"""Run by test_demo_words in a fresh process on a new SQLite database: the issue's searches on the
FTS5 table, printed as JSON (the suite itself runs on PostgreSQL)."""

import json
import os
import sys

import django

os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
django.setup()

from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from organisations import search  # noqa: E402
from organisations.models import Organisation  # noqa: E402
from organisations.search import fts  # noqa: E402
from tests.organisations.directory_helpers import make_organisation  # noqa: E402
from tests.organisations.search.demo_words import OPERATORS, SYNTAX, expected, make_associations, observe  # noqa: E402

assert connection.vendor == "sqlite"
call_command("migrate", verbosity=0)
make_associations()

# An upgraded demo database: its search entries exist, its FTS5 table is new.
call_command("migrate", "organisations", "0010", verbosity=0)
call_command("migrate", "organisations", verbosity=0)
migrated = observe(["kuoro"])["kuoro"]["names"]

# An FTS5 row lost behind the services' back: the index repair finds and rewrites it.
with connection.cursor() as cursor:
    choir = Organisation.objects.get(name="Kuopion Kuoro ry").pk
    cursor.execute(f"DELETE FROM {fts.TABLE} WHERE rowid = %s", [choir])  # noqa: S608
# Nothing told the directory its version moved, so the page cached above would still be served:
# drop it to see what the search itself finds now.
cache.clear()
lost = observe(["kuoro"])["kuoro"]["names"]
repaired = search.search_index_repair()

# A deleted association's row is left behind (nothing cascades into FTS5) until the next repair.
Organisation.objects.get(name="Savon Shakkikerho ry").delete()


def orphan_rows() -> int:
    existing = list(Organisation.objects.values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {fts.TABLE}")  # noqa: S608
        return cursor.fetchone()[0] - len(fts.stored(existing))


orphans = [orphan_rows()]
search.search_index_repair()
orphans.append(orphan_rows())
# Back as it was, for the searches below.
make_organisation(
    "Savon Shakkikerho ry",
    municipality="915",
    description="Kerho kokoontuu kylätalolla, ja eläkeläiset ovat tervetulleita.",
)

voikko = search.voikko_available()
words = [*expected(voikko=voikko), "eläkläiset", "kuoropoika", *SYNTAX, *OPERATORS]
json.dump(
    {
        "voikko": voikko,
        "words": observe(words),
        "migrated": migrated,
        "lost": lost,
        "repaired": repaired,
        "orphans": orphans,
    },
    sys.stdout,
)
