"""Benchmark of the public pages through a real server: gunicorn, measured with wrk.

    python bench/http_pages.py --organisations 110000

Loads N fictional associations into its own PostgreSQL database (as bench/directory.py does), starts
gunicorn on a free port as production runs it (DEBUG off, 3 sync workers as in the Dockerfile and
docker-compose.yml, a random SECRET_KEY, static files collected and served by WhiteNoise, the cache
in a Redis database of its own, HTTPS behind a proxy), then runs Debian's wrk on each kind of page
in turn. Every kind rotates through hundreds of different addresses drawn from the database (a wrk
Lua script per kind), so caching one page proves nothing. ``/robots.txt`` measured through the same
server in the same run is the floor: each kind's throughput is printed as a share of it (the mean of
its figures at the start and at the end of the run), which varies far less between runs on a shared
machine than the absolute figures. Everything started is stopped at the end, on failure and on
Ctrl-C.

(Not ``http.py``: run as a script from this folder, that name would hide the standard library's
``http`` from urllib, Django and the other benchmarks.)
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from common import ROOT, SEARCH_WORDS, database_url_for, portal_regions, prepare_database

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/jt_bench_http"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
# Finnish lives at the root, Swedish and English under their prefixes; most visitors read Finnish.
LANGUAGE_PREFIXES = ["", "/sv", "/en"]
LANGUAGE_WEIGHTS = [8, 1, 1]
SORTS = [None, "nimi", "uusimmat", "paivitetyt"]
# Share of the robots.txt floor each kind should reach (issue 9).
TARGETS = {
    "front page": 50,
    "directory, plain": 25,
    "directory, municipality+sector": 25,
    "directory, search": 25,
    "directory, second pages": 25,
    "listing": 50,
    "municipality page": 50,
}
FLOOR = "robots.txt"
FLOOR_AGAIN = "robots.txt, again at the end"
RESULT_LINE = re.compile(r"^RESULT (.*)$", re.MULTILINE)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organisations", type=int, default=110_000, help="associations to load (default 110000)")
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per kind of page (default 10)")
    parser.add_argument("--warmup", type=int, default=1, help="seconds of wrk per kind before measuring (default 1)")
    parser.add_argument("--connections", type=int, default=8, help="wrk's open connections (default 8)")
    parser.add_argument(
        "--workers", type=int, default=3, help="gunicorn's sync workers (default 3, as in the Dockerfile)"
    )
    parser.add_argument("--urls", type=int, default=400, help="different addresses per kind at most (default 400)")
    parser.add_argument(
        "--regions",
        help="served regions: the settings' default when unset, 'all' for every region of Finland "
        "(in a database of its own, <name>_all), or comma-separated region codes",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        help=f"PostgreSQL database of its own (default $BENCH_DATABASE_URL or {DEFAULT_DATABASE_URL})",
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL),
        help="Redis database of its own for the cache, emptied first "
        f"(default $BENCH_REDIS_URL or {DEFAULT_REDIS_URL})",
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed of the data and the addresses")
    parser.add_argument("--reload", action="store_true", help="load the data again even if it is there")
    return parser.parse_args(argv)


# The addresses -----------------------------------------------------------------------------------


def language_prefix(rng: random.Random) -> str:
    return rng.choices(LANGUAGE_PREFIXES, LANGUAGE_WEIGHTS)[0]


def distinct(make, size: int, rng: random.Random) -> list[str]:
    """Up to ``size`` different addresses from ``make(rng)`` (fewer when fewer exist)."""
    seen: dict[str, None] = {}
    for _attempt in range(size * 20):
        seen.setdefault(make(rng), None)
        if len(seen) >= size:
            break
    return list(seen)


def query(path: str, **parameters) -> str:
    parameters = {name: value for name, value in parameters.items() if value is not None}
    return path + ("?" + urlencode(parameters) if parameters else "")


def name_words(count: int) -> list[str]:
    """Words residents would type: taken from the names of published associations."""
    from organisations.models import Organisation

    names = Organisation.objects.published().order_by("?").values_list("name", flat=True)[:count]
    words = {word.lower() for name in names for word in re.findall(r"\w{4,}", name) if not word.isdigit()}
    return sorted(words)


def url_plan(rng: random.Random, size: int) -> dict[str, list[str]]:
    """The addresses of each kind of page, drawn from the database."""
    from organisations.models import Municipality, Organisation, Sector

    municipalities = list(Municipality.objects.served().order_by("code").values_list("code", "slug"))
    codes = [code for code, _slug in municipalities]
    sectors = list(Sector.objects.order_by("pk").values_list("slug", flat=True))
    listing_slugs = list(Organisation.objects.published().order_by("?").values_list("slug", flat=True)[:size])
    words = SEARCH_WORDS + [word for word in name_words(size) if word not in SEARCH_WORDS]
    directory = "/yhdistykset/"

    def second_page(rng: random.Random) -> str:
        path = language_prefix(rng) + directory
        kind = rng.randrange(3)
        if kind == 0:
            return query(path, page=rng.randint(2, 50), jarjestys=rng.choice(SORTS))
        if kind == 1:
            return query(path, kunta=rng.choice(codes), page=2)
        return query(path, q=rng.choice(SEARCH_WORDS), page=2)

    return {
        FLOOR: ["/robots.txt"],
        # The front page has one address per language; campaign parameters make hundreds, as the
        # links people follow from newsletters and social media do.
        "front page": distinct(
            lambda rng: query(language_prefix(rng) + "/", utm_source="bench", utm_content=rng.randrange(10_000)),
            size,
            rng,
        ),
        # Only twelve unfiltered first pages exist: three languages times four sort orders.
        "directory, plain": [
            query(prefix + directory, jarjestys=sort) for prefix in LANGUAGE_PREFIXES for sort in SORTS
        ],
        "directory, municipality+sector": distinct(
            lambda rng: query(language_prefix(rng) + directory, kunta=rng.choice(codes), toimiala=rng.choice(sectors)),
            size,
            rng,
        ),
        "directory, search": distinct(
            lambda rng: query(language_prefix(rng) + directory, q=rng.choice(words)), size, rng
        ),
        "directory, second pages": distinct(second_page, size, rng),
        "listing": [f"{language_prefix(rng)}/yhdistykset/{slug}/" for slug in listing_slugs],
        "municipality page": distinct(
            lambda rng: f"{language_prefix(rng)}/kunnat/{rng.choice(municipalities)[1]}/", size, rng
        ),
    }


# The server ---------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_environment(args: argparse.Namespace, database_url: str, regions: str | None, static_root: Path) -> dict:
    """Production's settings (docker-compose.yml behind a TLS proxy), pointed at the bench's stores."""
    from django.core.management.utils import get_random_secret_key

    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "0",
        "SECRET_KEY": get_random_secret_key(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "REDIS_URL": args.redis_url,
        "STATIC_FROM_SOURCE": "0",
        "STATIC_ROOT": str(static_root),
        # Behind a TLS-terminating proxy, as in production: wrk sends X-Forwarded-Proto: https.
        "BEHIND_PROXY": "1",
        "SECURE_SSL_REDIRECT": "1",
        "SECURE_COOKIES": "1",
        "LOG_LEVEL": "WARNING",
    }
    for name in ("PORTAL_REGIONS", "CELERY_TASK_ALWAYS_EAGER", "DATABASE_POOL", "DATABASE_CONN_MAX_AGE"):
        environment.pop(name, None)
    if regions:
        environment["PORTAL_REGIONS"] = regions
    return environment


def empty_cache(redis_url: str) -> None:
    """Start from an empty cache: one left by an earlier run may describe other data."""
    import redis

    redis.Redis.from_url(redis_url).flushdb()


@dataclass
class Server:
    process: subprocess.Popen
    base_url: str
    log: Path

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        # gunicorn runs in a session of its own: its whole group goes, the workers with the arbiter.
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def start_server(environment: dict, workers: int, workdir: Path) -> Server:
    port = free_port()
    log = workdir / "gunicorn.log"
    command = [sys.executable, "-m", "gunicorn", "portal.wsgi:application", "--bind", f"127.0.0.1:{port}",
               "--workers", str(workers), "--worker-class", "sync", "--log-level", "warning"]  # fmt: skip
    with open(log, "w") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = Server(process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn stopped at start:\n{log.read_text()[-3000:]}")
        try:
            fetch(server.base_url + "/robots.txt")
            return server
        except (OSError, urllib.error.URLError):
            time.sleep(0.2)
    server.stop()
    raise SystemExit(f"gunicorn did not answer within 60 s:\n{log.read_text()[-3000:]}")


def fetch(url: str) -> int:
    # Only ever the bench's own server, over http.
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        response.read()
        return response.status


# wrk ----------------------------------------------------------------------------------------------

WRK_SCRIPT = """
-- Generated by bench/http_pages.py: rotates through the kind's addresses, counts every non-2xx answer.
local paths = {
%(paths)s
}
wrk.headers["X-Forwarded-Proto"] = "https"
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

function init(args)
  -- Each thread starts at its own place in the rotation.
  position = math.floor((id - 1) * #paths / %(threads)d)
  failures = 0
end

function request()
  position = position %% #paths + 1
  return wrk.format("GET", paths[position])
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    failures = failures + 1
  end
end

function done(summary, latency, requests)
  local failures = 0
  for _, thread in ipairs(threads) do
    failures = failures + thread:get("failures")
  end
  local errors = summary.errors
  io.write(string.format(
    "RESULT requests=%%d duration_us=%%d p50_us=%%d p99_us=%%d non2xx=%%d socket_errors=%%d\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), failures,
    errors.connect + errors.read + errors.write + errors.timeout))
end
"""


def wrk_script(paths: list[str], threads: int) -> str:
    for path in paths:
        # Every address is percent-encoded ASCII, so it is a plain Lua string literal.
        if not path.isascii() or '"' in path or "\\" in path:
            raise ValueError(f"not a plain address: {path!r}")
    return WRK_SCRIPT % {"paths": ",\n".join(f'"{path}"' for path in paths), "threads": threads}


def wrk_binary() -> str:
    """Debian's wrk, installed when it is missing (as root, or through sudo)."""
    found = shutil.which("wrk")
    if found:
        return found
    print("installing Debian's wrk")
    prefix = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run([*prefix, "apt-get", "update", "-qq"], check=True)
    subprocess.run(
        [*prefix, "env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "-qq",
         "--no-install-recommends", "wrk"],
        check=True,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    return shutil.which("wrk") or "wrk"


@dataclass
class Figures:
    urls: int
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def run_wrk(wrk: str, base_url: str, script: Path, *, seconds: int, connections: int, threads: int) -> Figures:
    completed = subprocess.run(
        [wrk, "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s",
         "-s", str(script), base_url],
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    match = RESULT_LINE.search(completed.stdout)
    if completed.returncode != 0 or not match:
        raise SystemExit(f"wrk failed ({completed.returncode}):\n{completed.stdout}\n{completed.stderr}")
    values = {name: int(value) for name, value in (pair.split("=") for pair in match.group(1).split())}
    return Figures(
        urls=0,
        requests=values["requests"],
        seconds=values["duration_us"] / 1e6,
        p50_ms=values["p50_us"] / 1000,
        p99_ms=values["p99_us"] / 1000,
        non_2xx=values["non2xx"],
        socket_errors=values["socket_errors"],
    )


def measure(wrk: str, server: Server, paths: list[str], workdir: Path, name: str, args) -> Figures:
    threads = max(1, min(2, args.connections))
    script = workdir / (re.sub(r"\W+", "-", name) + ".lua")
    script.write_text(wrk_script(paths, threads))
    # The first answer of each kind tells a broken address from a slow one before wrk hides it in a count.
    status = fetch(server.base_url + paths[0])
    if status != 200:
        raise SystemExit(f"{paths[0]} answered {status}")
    if args.warmup:
        run_wrk(wrk, server.base_url, script, seconds=args.warmup, connections=args.connections, threads=threads)
    figures = run_wrk(
        wrk, server.base_url, script, seconds=args.duration, connections=args.connections, threads=threads
    )
    figures.urls = len(paths)
    return figures


# The run ------------------------------------------------------------------------------------------


def report(results: dict[str, Figures]) -> None:
    floor = (results[FLOOR].per_second + results[FLOOR_AGAIN].per_second) / 2
    print(f"{'kind':<32} {'URLs':>5} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8} {'errors':>7}"
          f" {'of floor':>9} {'target':>7}")  # fmt: skip
    for name, figures in results.items():
        share = 100 * figures.per_second / floor if floor else 0.0
        target = TARGETS.get(name)
        verdict = "" if target is None else (f">={target} % ok" if share >= target else f">={target} % BELOW")
        print(
            f"{name:<32} {figures.urls:>5} {figures.per_second:>8.1f} {figures.p50_ms:>8.1f} {figures.p99_ms:>8.1f}"
            f" {figures.non_2xx:>8} {figures.socket_errors:>7} {share:>7.1f} % {verdict}"
        )


def load_average() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def main(argv=None) -> int:
    args = parse_args(argv)
    # Ctrl-C raises KeyboardInterrupt; a plain kill must unwind through the same clean-up.
    signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(128 + number))
    regions = portal_regions(args.regions)
    database_url = database_url_for(args.database_url, args.regions)
    wrk = wrk_binary()
    prepare_database(database_url, regions=regions, count=args.organisations, seed=args.seed, reload=args.reload)
    from django.conf import settings

    plan = url_plan(random.Random(args.seed), args.urls)
    server = None
    with tempfile.TemporaryDirectory(prefix="jt-bench-http-") as directory:
        workdir = Path(directory)
        environment = server_environment(args, database_url, regions, workdir / "static")
        try:
            subprocess.run(
                [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
                cwd=ROOT,
                env=environment,
                check=True,
            )
            empty_cache(args.redis_url)
            server = start_server(environment, args.workers, workdir)
            print(
                f"\nHTTP benchmark: {args.organisations} associations, regions {','.join(settings.PORTAL_REGIONS)}, "
                f"gunicorn with {args.workers} sync workers, wrk with {args.connections} connections, "
                f"{args.duration} s per kind after {args.warmup} s of warm-up"
            )
            print(f"server {server.base_url}; load average at start: {load_average()}")
            results = {name: measure(wrk, server, paths, workdir, name, args) for name, paths in plan.items()}
            # Other jobs on the machine come and go during a run: the floor is measured at both ends.
            results[FLOOR_AGAIN] = measure(wrk, server, plan[FLOOR], workdir, FLOOR_AGAIN, args)
            print(f"load average at end: {load_average()}\n")
            report(results)
        finally:
            if server is not None:
                server.stop()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        # The server is already stopped (main's clean-up ran on the way out).
        sys.exit("interrupted")
