import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import psycopg

ROOT = Path(__file__).resolve().parents[2]


def test_newsletter_bench_sends_everything_and_prints_figures():
    # Its own database next to the suite's, and the test Redis database number (purged by the bench).
    parsed = urlparse(os.environ["DATABASE_URL"])
    database = parsed._replace(path=parsed.path + "_nlbench_test").geturl()
    with psycopg.connect(parsed._replace(path="/postgres").geturl(), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{parsed.path.lstrip("/")}_nlbench_test" WITH (FORCE)')
    redis = os.environ.get("TEST_CELERY_BROKER_URL") or "redis://127.0.0.1:6379/14"
    result = subprocess.run(
        [
            sys.executable,
            "bench/newsletter.py",
            "--subscribers",
            "300",
            "--batch-size",
            "50",
            "--database",
            database,
            "--redis",
            redis,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    print(result.stdout)  # the figures, for -s
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"^sent 300, other outcomes \{\}$", result.stdout, re.M), result.stdout
    assert re.search(r"^total [\d.]+ s = \d+ messages/s$", result.stdout, re.M)
    assert re.search(r"^peak worker memory \d+ MB, \d+ MB$", result.stdout, re.M)
    # Counted by the SMTP server itself, not by the database.
    assert re.search(r"^the sink received 300 messages for 300 distinct recipients$", result.stdout, re.M)
