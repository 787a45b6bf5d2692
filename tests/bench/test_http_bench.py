import os
import re
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import psycopg

ROOT = Path(__file__).resolve().parents[2]
KINDS = [
    "robots.txt",
    "front page",
    "directory, plain",
    "directory, municipality+sector",
    "directory, search",
    "directory, second pages",
    "listing",
    "municipality page",
]


def test_http_bench_serves_every_kind_of_page_through_gunicorn_and_stops_the_server():
    # The bench keeps its own database, next to the suite's: <name>_bench_http_test.
    parsed = urlparse(os.environ["DATABASE_URL"])
    database = parsed._replace(path=parsed.path + "_bench_http_test").geturl()
    # A fresh database each time: one left by an older schema would test the migrations instead.
    with psycopg.connect(parsed._replace(path="/postgres").geturl(), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{parsed.path.lstrip("/")}_bench_http_test" WITH (FORCE)')
    # The server's cache goes to the suite's Redis database (the bench empties it first).
    redis_url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
    if not re.search(r"/\d+$", redis_url):
        redis_url = redis_url.rstrip("/") + "/13"
    result = subprocess.run(
        [sys.executable, "bench/http_pages.py", "--organisations", "200", "--duration", "1", "--warmup", "0",
         "--database-url", database, "--redis-url", redis_url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    lines = result.stdout.splitlines()
    for kind in KINDS:
        line = next((line for line in lines if line.startswith(kind + " ")), None)
        assert line, f"no figures for {kind}:\n{result.stdout}"
        figures = re.fullmatch(
            re.escape(kind) + r"\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+(\d+)\s+(\d+)\s+([\d.]+) %.*", line
        )
        assert figures, line
        urls, per_second, _p50, _p99, non_2xx, errors, _share = figures.groups()
        assert int(urls) >= 1 and float(per_second) > 0, line
        assert (int(non_2xx), int(errors)) == (0, 0), line
    # Everything the bench started is gone: its server's port no longer answers.
    address = urlparse(re.search(r"^server (http://\S+);", result.stdout, re.MULTILINE).group(1))
    with socket.socket() as probe:
        assert probe.connect_ex((address.hostname, address.port)) != 0
