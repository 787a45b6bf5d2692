import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.subprocess
def test_selfservice_bench_runs_at_a_tiny_size_and_prints_figures(scratch_database):
    # Run once, small, so the benchmark never rots; its figures are read by people, not asserted.
    database = scratch_database("sqlite")
    environment = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": database.url,
        "MEDIA_ROOT": str(database.directory / "media"),
    }

    def run(*command: str) -> str:
        completed = subprocess.run(
            [sys.executable, *command], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=600
        )
        assert completed.returncode == 0, completed.stderr[-3000:]
        return completed.stdout

    run("manage.py", "migrate", "--verbosity", "0")
    run("manage.py", "seed_demo", "--organisations", "200", "--seed", "3")
    output = run("bench/bench_selfservice.py", "--samples", "10", "--listings", "20")
    assert re.search(r"median [\d.]+ ms, p95 [\d.]+ ms, found the original in \d+/10", output), output
    assert re.search(r"confirmation_reminders_send: \d+ listings asked .* second run sent 0 in", output), output
