#!/usr/bin/env bash
# Set up and run the platform on its embedded default: SQLite, a folder as the
# Celery broker, demo data loaded; then the web server, a Celery worker with
# its beat schedule and the outbox relay (Procfile, run by honcho; Ctrl-C stops
# all three). Safe to run again: every step is idempotent.
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
  我的 (residents) http://127.0.0.1:8000/me/   (text-message codes are printed
                  in this log: "NOTIFY 139****5678 验证码: 您的验证码为 …")

  Background work: a Celery worker with its beat schedule (escalation,
  reminders, auto-close, statistics every 5 minutes) and the outbox relay run
  beside the web server.

TXT
exec honcho start -f Procfile
