import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_selfservice_bench_runs_at_a_tiny_size_and_prints_figures(tmp_path):
    # Run once, small, so the benchmark never rots; its figures are read by people, not asserted.
    environment = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bench.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
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
