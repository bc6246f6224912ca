#!/usr/bin/env bash
# Create or refresh .venv and run the whole test suite. Extra arguments go to
# pytest. Browser tests run when Chromium is installed; Redis tests when
# REDIS_URL is set. Outside CI, missing ones are skipped and said so below;
# under CI=true they fail instead.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh

chromium=${CHROMIUM_PATH:-$(command -v chromium || true)}
if [ -z "$chromium" ]; then
  echo "NOTE: no Chromium found: browser tests will be SKIPPED (apt-get install chromium)."
fi
if [ -z "${REDIS_URL:-}" ]; then
  echo "NOTE: REDIS_URL unset: the Celery-worker-through-Redis test will be SKIPPED."
fi
echo "Database: ${DATABASE_URL:-embedded SQLite}"

exec python -m pytest "$@"
