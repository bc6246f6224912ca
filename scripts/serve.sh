#!/usr/bin/env bash
# Set up and run the platform on its embedded default: SQLite, Celery tasks
# in-process, demo data loaded. Safe to run again: every step is idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh

python manage.py migrate --noinput -v0
python manage.py seed_demo

cat <<TXT

  Resident site   http://127.0.0.1:8000/
  Staff admin     http://127.0.0.1:8000/admin/
  REST API        http://127.0.0.1:8000/api/v1/
  API docs        http://127.0.0.1:8000/api/docs/   (schema: /api/schema/)
  Dashboard       http://127.0.0.1:8000/stats/dashboard/   (with the staff logins above)
  Health          http://127.0.0.1:8000/healthz

TXT
exec python manage.py runserver 127.0.0.1:8000
