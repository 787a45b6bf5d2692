"""Sentry reports errors only when ``SENTRY_DSN`` is set, and never with personal data.

Settings are read once per process, so each case starts Django in a fresh interpreter.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import json, django
django.setup()
import sentry_sdk
client = sentry_sdk.get_client()
print(json.dumps({
    "active": client.is_active(),
    "send_default_pii": client.options["send_default_pii"] if client.is_active() else None,
    "integrations": sorted(client.integrations) if client.is_active() else [],
}))
"""


def sentry_state(**environment: str) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith("SENTRY_")}
    completed = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "portal.settings", **environment},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads(completed.stdout.splitlines()[-1])


@pytest.mark.subprocess
def test_sentry_is_off_without_a_dsn():
    assert sentry_state()["active"] is False


@pytest.mark.subprocess
def test_sentry_reports_django_and_celery_errors_without_personal_data_when_a_dsn_is_set():
    # A DSN on a closed port: initialising sends nothing, so nothing leaves the machine.
    state = sentry_state(SENTRY_DSN="http://public-key@127.0.0.1:1/1")
    assert state["active"] is True
    assert state["send_default_pii"] is False
    assert {"django", "celery"} <= set(state["integrations"])
