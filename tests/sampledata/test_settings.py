"""The demo and the generator are development tooling: a deployment's
settings do not install them, so neither command exists there."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import django; django.setup();"
    "from django.conf import settings;"
    "from django.core.management import get_commands;"
    "commands = get_commands();"
    "print('sampledata' in settings.INSTALLED_APPS,"
    " 'seed_demo' in commands, 'generate_district' in commands)"
)


def _probe(settings_module: str) -> str:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings_module,
        "DJANGO_SECRET_KEY": "probe-only-" + "x" * 50,
        "DJANGO_ALLOWED_HOSTS": "example.org",
        # Production needs a broker to start; nothing connects to it here.
        "REDIS_URL": os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/9",
    }
    result = subprocess.run(  # noqa: S603 - our interpreter, our code
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_sampledata_is_installed_for_developers_only():
    """Local settings install the demo and generator commands; production does
    not, so ``seed_demo`` cannot load demo logins into a deployment."""
    assert _probe("config.settings.local") == "True True True"
    assert _probe("config.settings.production") == "False False False"
