#!/usr/bin/env bash
# Sets everything up and serves the portal with demo data at http://127.0.0.1:8000/
# (embedded defaults: SQLite, Celery eager, e-mail printed to the console).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
export DEBUG=${DEBUG:-1}
.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py seed_demo --organisations "${DEMO_ORGANISATIONS:-5000}" --seed 1
exec .venv/bin/python manage.py runserver 127.0.0.1:8000
