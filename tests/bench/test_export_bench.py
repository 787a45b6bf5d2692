import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import psycopg

ROOT = Path(__file__).resolve().parents[2]


def test_export_bench_runs_through_the_view_and_prints_figures():
    # The bench keeps its own database, next to the suite's: <name>_bench_test.
    parsed = urlparse(os.environ["DATABASE_URL"])
    database = parsed._replace(path=parsed.path + "_bench_test").geturl()
    # A fresh database each time: one left by an older schema would test the migrations instead.
    with psycopg.connect(parsed._replace(path="/postgres").geturl(), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{parsed.path.lstrip("/")}_bench_test" WITH (FORCE)')
    result = subprocess.run(
        [sys.executable, "bench/export.py", "--organisations", "300", "--database", database],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    for format in ("CSV", "XLSX"):
        line = next(line for line in result.stdout.splitlines() if line.startswith(format))
        figures = re.search(r"(\d+) rows in\s+([\d.]+) s =\s+([\d,]+) rows/s.*growth\s+(-?[\d.]+) MB", line)
        assert figures, line
        assert int(figures.group(1)) == 300
        assert int(figures.group(3).replace(",", "")) > 0
