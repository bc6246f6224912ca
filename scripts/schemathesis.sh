#!/usr/bin/env bash
# A bounded property-based run of the REST API against its own OpenAPI schema
# (schemathesis), as the demo's community staff, with valid and invalid input.
# It builds a throw-away SQLite database with the demo community, serves it
# with gunicorn on a free local port, and fails on any failed check: a 500, an
# answer the schema does not describe, bad input accepted, good input refused.
# The "ignored_auth" check is left out: it cannot take away the Authorization
# header given here, so it reports signed-in answers as accepted without
# sign-in; tests/core/test_schema_truth.py asks every operation without one.
# NUL bytes are not generated: every text input refuses them on purpose
# (PostgreSQL cannot store them). .ci/schemathesis.toml says what else is
# configured and why. Extra arguments go to `schemathesis run`
# (e.g. --max-examples 50).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh

work=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

export DJANGO_SETTINGS_MODULE=config.settings.local
export DJANGO_DEBUG=false
export DATABASE_URL="sqlite:///$work/db.sqlite3"
export DJANGO_VAR_DIR="$work/var"
export DJANGO_MEDIA_ROOT="$work/media"
# No worker runs here (the API is all that is asked); the run must not be
# slowed by the API's throttles.
export REDIS_URL=""
export DJANGO_LOG_LEVEL=WARNING
export API_THROTTLE_USER=1000000/min API_THROTTLE_ANON=1000000/min

echo "== schemathesis: building the demo community in $work"
python manage.py migrate --noinput -v0
python manage.py seed_demo >/dev/null
key=$(python manage.py shell -v0 -c "
from accounts.models import User
from accounts.services import api_token_create
_token, key = api_token_create(user=User.objects.get(username='dz_community'), name='schemathesis')
print(key)")

port=$(python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# No request-line limit: a huge generated query must reach the API, which
# answers for itself (the 414 of a proxy in front is not the API's answer).
gunicorn config.wsgi -b "127.0.0.1:$port" -w 1 --threads 1 --log-level warning \
  --limit-request-line 0 --limit-request-field_size 0 \
  --env DJANGO_SETTINGS_MODULE=config.settings.local >"$work/server.log" 2>&1 &
server=$!
python - "$port" <<'PY'
import sys, time, urllib.error, urllib.request
for _ in range(100):
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/healthz", timeout=2)
        break
    except urllib.error.HTTPError:
        break  # it answers (503: no worker or schedule runs here, none is needed)
    except OSError:
        time.sleep(0.2)
else:
    sys.exit("gunicorn did not answer /healthz")
PY

echo "== schemathesis: the API as community staff (dz_community), positive and negative"
status=0
schemathesis --config-file .ci/schemathesis.toml run "http://127.0.0.1:$port/api/schema/?format=json" \
  --header "Authorization: Token $key" \
  --include-path-regex '^/api/v1/' \
  --checks all \
  --exclude-checks ignored_auth \
  --mode all \
  --phases examples,coverage,fuzzing \
  --max-examples 25 \
  --seed 20261118 \
  --workers 1 \
  --request-timeout 30 \
  --generation-allow-x00 false \
  --no-color \
  "$@" || status=$?
if [ "$status" -ne 0 ]; then
  echo "== server log (last 50 lines)"
  tail -n 50 "$work/server.log"
fi
exit "$status"
