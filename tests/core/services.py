"""Real services of our own for the tests that break them: a redis-server that
a test may freeze, stop and restart without persistence, and Celery workers
and relays started as the deployment starts them.

Ports come from ``PRIVATE_REDIS_PORTS`` (default ``6391-6399``): the first one
free is taken, so several runs on one machine do not collide.
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def redis_server_binary() -> str | None:
    return shutil.which("redis-server")


def _port_is_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _private_ports() -> range:
    first, _, last = os.environ.get("PRIVATE_REDIS_PORTS", "6391-6399").partition("-")
    return range(int(first), int(last or first) + 1)


class PrivateRedis:
    """A redis-server without persistence, on a port of our own."""

    def __init__(self):
        binary = redis_server_binary()
        if binary is None:
            pytest.fail("redis-server is not installed (apt-get install redis-server)")
        self.binary = binary
        self.port = next((p for p in _private_ports() if _port_is_free(p)), None)
        if self.port is None:
            pytest.fail(f"no free port in PRIVATE_REDIS_PORTS ({_private_ports()})")
        self.process = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def pid(self) -> int:
        return self.process.pid

    def start(self):
        self.process = subprocess.Popen(  # noqa: S603 - our own arguments
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if self.client().ping():
                    return
            except Exception:
                time.sleep(0.05)
        pytest.fail("private redis-server did not start")

    def client(self):
        import redis

        return redis.Redis.from_url(self.url, socket_timeout=2)

    def stop(self):
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGCONT)
            self.process.terminate()
            self.process.wait(timeout=10)

    def restart(self):
        """Stop and start again: without persistence, the queues are gone."""
        self.stop()
        self.start()

    def freeze(self):
        os.kill(self.process.pid, signal.SIGSTOP)

    def thaw(self):
        os.kill(self.process.pid, signal.SIGCONT)

    def queued(self, queue: str = "celery") -> int:
        return self.client().llen(queue)


class Process:
    """A platform process (worker, relay) started like the Procfile starts it,
    in its own process group so that a test can kill all of it at once."""

    def __init__(self, args: list[str], env: dict, log: Path):
        self.args, self.env, self.log = args, env, log
        self.popen = None

    def start(self):
        self.popen = subprocess.Popen(  # noqa: S603 - our own interpreter
            [sys.executable, *self.args],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def kill(self, sig=signal.SIGKILL):
        """Send ``sig`` to the whole process group (pool children too)."""
        if self.alive():
            os.killpg(self.popen.pid, sig)
            self.popen.wait(timeout=20)

    def stop(self):
        if self.alive():
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


#: Variables of the test run that a started process must not inherit.
_OWN_VARIABLES = (
    "DJANGO_",
    "PYTEST",
    "CELERY_",
    "TEST_NOW",
    "DATABASE_",
    "REDIS_URL",
    "NOTIFICATION_",
    "OUTBOX_",
    "HEALTH_",
)


def platform_env(**overrides) -> dict:
    """The environment of a worker or relay of the embedded default or a
    deployment: settings from variables, nothing else."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(_OWN_VARIABLES)
    }
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings.local", "DJANGO_DEBUG": "0"})
    env.update({k: str(v) for k, v in overrides.items()})
    return env


@contextlib.contextmanager
def celery_broker(settings, url: str, **options):
    """Make this test process publish to ``url`` (no in-process tasks), as a
    web process or relay of a deployment does; restore everything after."""
    from config.celery import app, broker_reset

    saved = (
        app.conf.broker_url,
        app.conf.broker_transport_options,
        app.conf.task_always_eager,
    )
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.broker_url = url
    app.conf.broker_transport_options = options
    app.conf.task_always_eager = False
    broker_reset()
    try:
        yield app
    finally:
        (
            app.conf.broker_url,
            app.conf.broker_transport_options,
            app.conf.task_always_eager,
        ) = saved
        broker_reset()


def database_url_for_tests() -> str:
    """The URL of the test database, for processes started by a test (which
    must use ``transactional_db``: they see committed rows only)."""
    from django.db import connection

    config = connection.settings_dict
    if config["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{config['NAME']}"
    user = config["USER"] or "postgres"
    password = f":{config['PASSWORD']}" if config["PASSWORD"] else ""
    host = config["HOST"] or "127.0.0.1"
    port = config["PORT"] or 5432
    return f"postgres://{user}{password}@{host}:{port}/{config['NAME']}"


def procfile_command(procfile: str, name: str, env: dict) -> list[str]:
    """The arguments of process ``name`` in ``procfile`` (relative to the
    repository), to run with this interpreter: the tests start exactly what
    serve.sh and a deployment start. ``${NAME:-default}`` takes ``env``."""
    import re
    import shlex

    def expand(word: str) -> str:
        return re.sub(
            r"\$\{(\w+)(?::-([^}]*))?\}",
            lambda m: env.get(m[1]) or m[2] or "",
            word,
        )

    for line in (ROOT / procfile).read_text().splitlines():
        key, _, command = line.partition(":")
        if key.strip() == name and not line.startswith("#"):
            words = [expand(w) for w in shlex.split(command)]
            if words[0] == "celery":
                return ["-m", "celery", *words[1:]]
            if words[0] == "python":
                return words[1:]
            raise AssertionError(f"cannot start {words[0]} from {procfile}")
    raise AssertionError(f"no process {name!r} in {procfile}")


def wait_for(predicate, *, timeout: float, interval: float = 0.2, what: str = ""):
    """Wait until ``predicate()`` is true; fail with ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout} s waiting for {what or predicate}")
