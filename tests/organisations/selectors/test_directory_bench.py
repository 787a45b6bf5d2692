"""The directory benchmark keeps working: run it once, tiny, as the README tells."""

import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
from psycopg import sql

ROOT = Path(__file__).resolve().parents[3]
SCENARIOS = r"list, unfiltered|list, municipality\+sector|search|detail|front page|municipality page"
FIGURES = re.compile(rf"^({SCENARIOS})\s+(warm|cold)\s+(\d+\.\d)\s+(\d+\.\d)\s+(\d+)$", re.M)


@pytest.fixture
def bench_database_url():
    parts = urlsplit(os.environ["DATABASE_URL"])
    name = f"{parts.path.lstrip('/')}_bench_smoke"
    url = parts._replace(path=f"/{name}").geturl()
    yield url
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as connection:
        # --regions all keeps the whole country's data in a database of its own, <name>_all.
        for database in (name, f"{name}_all"):
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))


@pytest.mark.parametrize(("regions", "municipalities"), [([], 30), (["--regions", "all"], 308)])
def test_directory_bench_loads_data_and_prints_figures(bench_database_url, regions, municipalities):
    result = subprocess.run(
        [sys.executable, "bench/directory.py", "--organisations", "200", "--repeat", "3", "--reload", *regions],
        cwd=ROOT,
        env={**os.environ, "BENCH_DATABASE_URL": bench_database_url},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "loaded 200 associations" in result.stdout
    assert f"({municipalities} municipalities)" in result.stdout
    figures = FIGURES.findall(result.stdout)
    assert {(name, cache) for name, cache, *_ in figures} == {
        ("list, unfiltered", "warm"),
        ("list, unfiltered", "cold"),
        ("list, municipality+sector", "warm"),
        ("list, municipality+sector", "cold"),
        ("search", "warm"),
        ("search", "cold"),
        ("detail", "warm"),
        ("front page", "warm"),
        ("front page", "cold"),
        ("municipality page", "warm"),
        ("municipality page", "cold"),
    }
    for _name, _cache, median, p95, queries in figures:
        assert 0 < float(median) <= float(p95)
        # An anonymous directory page repeated while nothing changes comes whole from the cache.
        assert 0 <= int(queries) <= 10
