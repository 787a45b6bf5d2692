import os
import re
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parents[2]


def test_events_bench_runs_small_and_fills_exactly_the_seats():
    # Run once, small, on a database of its own (dropped afterwards), so the benchmark never rots.
    base = urlsplit(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jarjestotori"))
    name = f"jt_bench_events_{uuid.uuid4().hex[:8]}"
    url = base._replace(path=f"/{name}").geturl()
    try:
        completed = subprocess.run(
            [
                sys.executable,
                "bench/events.py",
                "--database-url",
                url,
                "--registrations",
                "12",
                "--seats",
                "5",
                "--concurrency",
                "4",
                "--events",
                "150",
                "--repeat",
                "2",
            ],
            cwd=ROOT,
            env={**os.environ, "DEBUG": "0"},
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
        output = completed.stdout
        assert "final: 5 confirmed, 7 waiting, 12 rows, 12 addresses" in output, output
        assert re.search(r"calendar pages \(list and month, not the feed\): median [\d.]+ ms, p95 [\d.]+ ms", output), (
            output
        )
    finally:
        with psycopg.connect(base._replace(path="/postgres").geturl(), autocommit=True) as connection:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
