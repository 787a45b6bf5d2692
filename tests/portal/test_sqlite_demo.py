import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.subprocess
def test_the_embedded_sqlite_default_serves_the_directory_and_exports(scratch_database):
    # README's first command runs on SQLite; CI's suite runs on PostgreSQL, so this guards the default.
    database = scratch_database("sqlite")
    environment = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": database.url,
        "ALLOWED_HOSTS": "testserver",
        "MEDIA_ROOT": str(database.directory / "media"),
    }
    completed = subprocess.run(
        [sys.executable, "-m", "tests.portal.sqlite_demo_probe"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    results = json.loads(completed.stdout)
    assert {url: result["status"] for url, result in results.items()} == dict.fromkeys(results, 200)
    assert results["/yhdistykset/?q=kyl%C3%A4"]["heading"].split()[0].isdigit()
    assert int(results["/yhdistykset/?q=kyl%C3%A4"]["heading"].split()[0]) > 0
    assert results["/yhdistykset/vienti/csv/?toimiala=kulttuuri"]["lines"] > 1
    assert results["/yhdistykset/vienti/xlsx/"]["size"] > 1000
