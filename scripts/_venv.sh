# Sourced by scripts/serve.sh and scripts/test.sh: make .venv exist and match
# requirements.txt, then put it first on PATH. Needs only Python 3.11.
set -euo pipefail

find_python() {
  for candidate in "${PYTHON:-}" python3.11 python3 python; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  echo "Python 3.11 is required (set PYTHON=/path/to/python3.11)." >&2
  return 1
}

bootstrap_pip() {
  # Debian's python3 without the python3-venv package has no ensurepip: fetch
  # pip's wheel from PyPI and let it install itself into the environment.
  .venv/bin/python - <<'PY'
import json, pathlib, subprocess, sys, tempfile, urllib.request
meta = json.load(urllib.request.urlopen("https://pypi.org/pypi/pip/json", timeout=60))
wheel = next(f for f in meta["urls"] if f["filename"].endswith(".whl"))
path = pathlib.Path(tempfile.mkdtemp()) / wheel["filename"]
path.write_bytes(urllib.request.urlopen(wheel["url"], timeout=120).read())
subprocess.check_call([sys.executable, f"{path}/pip", "install", "--quiet", str(path)])
PY
}

if [ ! -x .venv/bin/python ]; then
  python_bin=$(find_python)
  echo "Creating .venv with $python_bin …"
  if ! "$python_bin" -m venv .venv 2>/dev/null; then
    rm -rf .venv
    "$python_bin" -m venv --without-pip .venv
    bootstrap_pip
  fi
fi

stamp=.venv/.requirements.sha256
wanted=$(.venv/bin/python -c 'import hashlib,sys; print(hashlib.sha256(open("requirements.txt","rb").read()).hexdigest())')
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
  echo "Installing requirements into .venv …"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
  echo "$wanted" > "$stamp"
fi

export PATH="$PWD/.venv/bin:$PATH"
