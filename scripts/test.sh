#!/usr/bin/env bash
# Sets everything up and runs the whole test suite against the PostgreSQL and Redis on
# 127.0.0.1 (override with DATABASE_URL / TEST_REDIS_URL). Exits non-zero if anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
bash scripts/install-browser.sh
.venv/bin/ruff check .
# The deployment checklist with production settings (no DEBUG, a real secret key).
env -u DEBUG SECRET_KEY="deploy-check-$(date +%s)-a-long-random-enough-secret-key-value" \
  DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/jarjestotori}" \
  .venv/bin/python manage.py check --deploy --fail-level WARNING
exec .venv/bin/python -m pytest "$@"
