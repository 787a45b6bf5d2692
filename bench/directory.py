"""Benchmark of the public directory on PostgreSQL.

    python bench/directory.py --organisations 110000

Loads N fictional associations into its own database (created when missing, migrated), then
requests the directory through Django's test client and prints the median and 95th percentile
latency and the number of database queries of: the unfiltered list, the list filtered by
municipality and sector, a free-text search, and a listing page. "warm" rotates through many
different filters with the application's caches working as in production; "cold" invalidates the
cached facet counts before every request (as an edit to any listing does), so they are computed
afresh.

The data comes from ``manage.py seed_demo`` when the project has it, otherwise from the bulk
loader below. A database that already holds N associations is reused (``--reload`` forces a
fresh load).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
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
    parser.add_argument("--own-loader", action="store_true", help="use the bench's loader even if seed_demo exists")
    return parser.parse_args(argv)


def ensure_database(url: str) -> None:
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


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ["DEBUG"] = "0"
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    os.environ["SECURE_COOKIES"] = "0"
    os.environ["STATIC_FROM_SOURCE"] = "1"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# The bench's own loader ------------------------------------------------------------------------

GENITIVES = {
    "Enonkoski": "Enonkosken", "Hirvensalmi": "Hirvensalmen", "Iisalmi": "Iisalmen", "Joroinen": "Joroisten",
    "Juva": "Juvan", "Kaavi": "Kaavin", "Kangasniemi": "Kangasniemen", "Keitele": "Keiteleen",
    "Kiuruvesi": "Kiuruveden", "Kuopio": "Kuopion", "Lapinlahti": "Lapinlahden", "Leppävirta": "Leppävirran",
    "Mikkeli": "Mikkelin", "Mäntyharju": "Mäntyharjun", "Pieksämäki": "Pieksämäen", "Pielavesi": "Pielaveden",
    "Puumala": "Puumalan", "Rantasalmi": "Rantasalmen", "Rautalampi": "Rautalammin", "Rautavaara": "Rautavaaran",
    "Savonlinna": "Savonlinnan", "Siilinjärvi": "Siilinjärven", "Sonkajärvi": "Sonkajärven", "Sulkava": "Sulkavan",
    "Suonenjoki": "Suonenjoen", "Tervo": "Tervon", "Tuusniemi": "Tuusniemen", "Varkaus": "Varkauden",
    "Vesanto": "Vesannon", "Vieremä": "Vieremän",
}  # fmt: skip
# Relative sizes: Kuopio has about 2,000 of Pohjois-Savo's 5,000 associations.
WEIGHTS = {"Kuopio": 40, "Iisalmi": 8, "Varkaus": 8, "Mikkeli": 12, "Savonlinna": 9, "Pieksämäki": 5, "Tervo": 1.2}
VILLAGES = [
    "Pohjois-", "Etelä-", "Itä-", "Länsi-", "Keski-", "Ala-", "Ylä-", "Vanha-", "Uusi-", "Järvi-",
    "Kirkonkylän ", "Harjun ", "Niemen ", "Lahden ", "Mäen ", "Salmen ", "Kosken ", "Rannan ", "Kankaan ", "Vaaran ",
]  # fmt: skip
STEMS = {
    "kulttuuri": ["Kuoro", "Teatteriyhdistys", "Soittokunta", "Kamarikuoro", "Kulttuuriyhdistys", "Taideyhdistys",
                  "Kotiseutuyhdistys", "Musiikkiyhdistys", "Kansantanssijat", "Valokuvaajat", "Kirjallisuusseura"],
    "urheilu-ja-liikunta": ["Urheiluseura", "Hiihtoseura", "Palloseura", "Voimistelijat", "Salibandyseura",
                            "Suunnistajat", "Ratsastusseura", "Tennisseura", "Uimaseura", "Pyöräilijät"],
    "vapaa-aika": ["Metsästysseura", "Kalastusseura", "Marttayhdistys", "Puutarhaseura", "Partiolaiset",
                   "Shakkikerho", "Moottorikerho", "Kennelkerho", "Veneseura", "Käsityöseura"],
    "sosiaali-ja-terveys": ["Eläkeläisyhdistys", "Omaishoitajat", "Sydänyhdistys", "Diabetesyhdistys",
                            "Mielenterveysseura", "Invalidit", "Näkövammaiset", "Reumayhdistys"],
    "asukas-ja-kylatoiminta": ["Kyläyhdistys", "Asukasyhdistys", "Kyläseura", "Omakotiyhdistys"],
    "ammatti-ja-elinkeino": ["Yrittäjät", "Ammattiosasto", "Maa- ja kotitalousnaiset", "Mehiläistarhaajat"],
    "poliittinen": ["Nuorisoyhdistys", "Työväenyhdistys", "Kunnallisjärjestö"],
    "uskonto-ja-maailmankatsomus": ["Rukoilevaisten yhdistys", "Lähetysseura", "Raamattupiiri"],
    "koulutus-ja-kasvatus": ["Vanhempainyhdistys", "Opintokerho", "Kansalaisopiston tukiyhdistys"],
    "ymparisto": ["Luonnonsuojeluyhdistys", "Lintuharrastajat", "Vesiensuojeluyhdistys"],
    "maanpuolustus": ["Reserviläiset", "Maanpuolustusnaiset", "Reserviupseerit"],
    "kansainvalinen": ["Ystävyysseura", "Monikulttuurinen yhdistys", "Kehitysyhteistyöyhdistys"],
    "muu": ["Yhdistys", "Kerho", "Seura"],
}  # fmt: skip
SENTENCES = [
    "Kokoonnumme viikoittain ja otamme mielellämme uusia jäseniä.",
    "Järjestämme tapahtumia, retkiä ja kursseja kaikenikäisille.",
    "Toimintamme on avointa kaikille kunnan asukkaille.",
    "Yhdistys on perustettu edistämään paikallista yhteisöllisyyttä.",
    "Tervetuloa mukaan kokeilemaan, ensimmäinen kerta on maksuton.",
    "Teemme yhteistyötä kunnan ja muiden yhdistysten kanssa.",
]


def own_loader(count: int, seed: int) -> None:
    from django.db import connection
    from django.utils import timezone
    from django.utils.text import slugify

    from organisations.models import Language, Municipality, Organisation, Sector, TargetGroup
    from organisations.search import refresh_search_index

    rng = random.Random(seed)
    municipalities = list(Municipality.objects.served())
    weights = [WEIGHTS.get(m.name_fi, 2.0) for m in municipalities]
    sectors = list(Sector.objects.all())
    shares = {"kulttuuri": 22, "urheilu-ja-liikunta": 18, "vapaa-aika": 17, "sosiaali-ja-terveys": 8}
    sector_weights = [shares.get(s.slug, 35 / (len(sectors) - len(shares))) for s in sectors]
    groups = list(TargetGroup.objects.all())
    languages = {language.code: language for language in Language.objects.all()}
    now = timezone.now()
    statuses = (
        [Organisation.Status.PUBLISHED] * 95 + [Organisation.Status.DRAFT] * 3 + [Organisation.Status.PENDING] * 2
    )
    slugs: set[str] = set()
    batch_size = 5000
    created_ids: list[int] = []
    for start in range(0, count, batch_size):
        rows, relations = [], []
        for _ in range(min(batch_size, count - start)):
            municipality = rng.choices(municipalities, weights)[0]
            own_sectors = {rng.choices(sectors, sector_weights)[0] for _ in range(rng.choice((1, 1, 1, 2)))}
            main = next(iter(own_sectors))
            stem = rng.choice(STEMS.get(main.slug, STEMS["muu"]))
            village = rng.choice(VILLAGES) if rng.random() < 0.5 else ""
            place = GENITIVES.get(municipality.name_fi, municipality.name_fi)
            if village.endswith("-"):
                name = f"{village}{place} {stem} ry" if rng.random() < 0.5 else f"{place} {village}{stem.lower()} ry"
            else:
                name = f"{village}{place} {stem} ry" if village else f"{place} {stem} ry"
            slug = slugify(name)[:200]
            base, number = slug, 1
            while slug in slugs:
                number += 1
                slug = f"{base}-{number}"
            slugs.add(slug)
            created = now - timedelta(days=rng.randint(0, 3650), minutes=rng.randint(0, 1440))
            rows.append(
                Organisation(
                    name=name,
                    slug=slug,
                    home_municipality=municipality,
                    description=" ".join(rng.sample(SENTENCES, 2)),
                    email=f"info@{slug[:40]}.example.org",
                    status=rng.choice(statuses),
                    created_at=created,
                    information_confirmed_at=created + timedelta(days=rng.randint(0, 365)),
                )
            )
            codes = ["fi"] + (["sv"] if rng.random() < 0.05 else []) + (["en"] if rng.random() < 0.1 else [])
            relations.append((own_sectors, rng.sample(groups, rng.choice((0, 1, 1, 2))), codes))
        created = Organisation.objects.bulk_create(rows, batch_size=batch_size)
        through_sectors, through_groups, through_languages = [], [], []
        for organisation, (own_sectors, own_groups, codes) in zip(created, relations, strict=True):
            through_sectors += [
                Organisation.sectors.through(organisation_id=organisation.pk, sector_id=s.pk) for s in own_sectors
            ]
            through_groups += [
                Organisation.target_groups.through(organisation_id=organisation.pk, targetgroup_id=g.pk)
                for g in own_groups
            ]
            through_languages += [
                Organisation.languages.through(organisation_id=organisation.pk, language_id=languages[c].pk)
                for c in codes
            ]
        Organisation.sectors.through.objects.bulk_create(through_sectors, batch_size=batch_size)
        Organisation.target_groups.through.objects.bulk_create(through_groups, batch_size=batch_size)
        Organisation.languages.through.objects.bulk_create(through_languages, batch_size=batch_size)
        created_ids += [organisation.pk for organisation in created]
    # updated_at is auto_now: spread it out so "recently updated" has something to sort.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE organisations_organisation SET updated_at = created_at + (id %% 400) * interval '1 day'", []
        )
    refresh_search_index(created_ids)


def load(count: int, seed: int, *, reload: bool, own: bool) -> float:
    from django.core.management import call_command, get_commands
    from django.db import connection

    from organisations.models import Organisation

    if not reload and Organisation.objects.count() == count:
        print(f"reusing {count} associations already in the database")
        return 0.0
    started = time.perf_counter()
    # The bench's database is its own: start from no associations at all.
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE organisations_organisation CASCADE")
    if "seed_demo" in get_commands() and not own:
        call_command("seed_demo", organisations=count, seed=seed, reset=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
        loader = "seed_demo"
    else:
        own_loader(count, seed)
        loader = "bench loader"
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    elapsed = time.perf_counter() - started
    print(f"loaded {Organisation.objects.count()} associations with the {loader} in {elapsed:.0f} s")
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
    load(args.organisations, args.seed, reload=args.reload, own=args.own_loader)
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
