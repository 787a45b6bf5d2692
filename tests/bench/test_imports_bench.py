import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.subprocess
def test_imports_bench_runs_the_jobs_and_prints_figures(scratch_database):
    database = scratch_database("postgresql")
    result = subprocess.run(
        [sys.executable, "bench/imports.py", "--rows", "200", "--database", database.url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    for format in ("CSV", "XLSX"):
        for step in ("dry run", "import"):
            line = next(line for line in result.stdout.splitlines() if line.startswith(f"{format:4} {step}"))
            figures = re.search(r"(\d+) rows in\s+([\d.]+) s =\s+([\d,]+) rows/s", line)
            assert figures, line
            assert int(figures.group(1)) == 200
            assert "'create': 200" in line
