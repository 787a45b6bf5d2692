import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.subprocess
def test_export_bench_runs_through_the_view_and_prints_figures(scratch_database):
    # A fresh PostgreSQL database each time: one left by an older schema would test the migrations.
    database = scratch_database("postgresql")
    result = subprocess.run(
        [sys.executable, "bench/export.py", "--organisations", "300", "--database", database.url],
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
