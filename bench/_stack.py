"""Shared parts of the stack benchmarks (``sqlite_writers.py``, ``faults.py``):
a small supervisor that starts the processes of a Procfile and restarts what
stops (as systemd's ``Restart=always`` does), a resident who posts reports over
HTTP like a phone, and a small world to report in.
"""

import collections
import contextlib
import http.client
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def free_port(candidates=range(8300, 8400)) -> int:
    for port in candidates:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port")


def procfile_command(procfile: Path, name: str, env: dict) -> list[str]:
    """The arguments of ``name`` in ``procfile``, ``${X:-d}`` filled from env."""
    for line in procfile.read_text().splitlines():
        key, _, command = line.partition(":")
        if key.strip() == name and not line.startswith("#"):
            words = [
                re.sub(
                    r"\$\{(\w+)(?::-([^}]*))?\}",
                    lambda m: env.get(m[1]) or m[2] or "",
                    word,
                )
                for word in shlex.split(command)
            ]
            program = {
                "python": [sys.executable],
                "celery": [sys.executable, "-m", "celery"],
            }
            if words[0] in program:
                return [*program[words[0]], *words[1:]]
            return [str(Path(sys.executable).parent / words[0]), *words[1:]]
    raise KeyError(name)


class Supervised:
    """One process, restarted after ``restart_after`` seconds whenever it
    stops, unless paused."""

    def __init__(self, name, args, env, log: Path, restart_after=1.0):
        self.name, self.args, self.env, self.log = name, args, env, log
        self.restart_after = restart_after
        self.popen = None
        self.restarts = 0
        self.paused = False
        self._lock = threading.Lock()

    def start(self):
        with self._lock:
            self.popen = subprocess.Popen(  # noqa: S603 - our own arguments
                self.args,
                cwd=ROOT,
                env=self.env,
                stdout=self.log.open("ab"),
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def resume(self):
        """Start a process stopped on purpose (not counted as a restart)."""
        self.start()
        self.paused = False

    def tick(self):
        """Restart the process if it stopped (called by the supervisor)."""
        if not self.paused and not self.alive():
            time.sleep(self.restart_after)
            if not self.paused and not self.alive():
                self.restarts += 1
                self.start()

    def signal_group(self, sig):
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, sig)

    def stop(self, timeout=30):
        self.paused = True
        if self.alive():
            self.signal_group(signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.signal_group(signal.SIGKILL)
                self.popen.wait(10)

    def children(self) -> list[int]:
        """Pids of the processes below this one (a worker's pool)."""
        found, todo = [], [self.popen.pid]
        while todo:
            pid = todo.pop()
            try:
                kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            except OSError:
                continue
            found += [int(k) for k in kids]
            todo += [int(k) for k in kids]
        return found


class Supervisor:
    """Keep processes running, like systemd units with Restart=always."""

    def __init__(self):
        self.processes: dict[str, Supervised] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def add(self, process: Supervised) -> Supervised:
        self.processes[process.name] = process
        process.start()
        return process

    def run(self):
        self._thread.start()

    def _watch(self):
        while not self._stop.is_set():
            for process in list(self.processes.values()):
                process.tick()
            time.sleep(0.2)

    def stop(self):
        self._stop.set()
        for process in self.processes.values():
            process.stop()


class Resident:
    """Posts reports to ``/report/b/<building>/`` like a phone's browser: reads
    the form for its CSRF cookie, then posts (one connection per request).
    Handles the Secure cookies of production settings behind a TLS proxy."""

    def __init__(self, host: str, port: int, building: int, category: str, https=False):
        self.host, self.port = host, port
        self.path = f"/report/b/{building}/?category={category}"
        self.https = https
        self.cookie = ""
        self.token = ""

    def _request(self, method, path, body=None, headers=None, timeout=30):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        headers = dict(headers or {})
        if self.https:
            headers["X-Forwarded-Proto"] = "https"
            headers["Referer"] = f"https://{self.host}:{self.port}{path}"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            return response.status, response.getheader("Set-Cookie") or "", data
        finally:
            conn.close()

    def prepare(self):
        status, cookie, _ = self._request("GET", self.path)
        if status != 200:
            raise RuntimeError(f"report form answered {status}")
        match = re.search(r"csrftoken=([^;]+)", cookie)
        self.token = match[1]
        self.cookie = f"csrftoken={self.token}"

    def report(self, text: str) -> int:
        """Post one report; return the HTTP status (0: no answer)."""
        from urllib.parse import urlencode

        body = urlencode(
            {
                "csrfmiddlewaretoken": self.token,
                "description": text,
                "reporter_phone": "13912345678",
                "idempotency_key": str(uuid.uuid4()),
            }
        )
        try:
            status, _, _ = self._request(
                "POST",
                self.path,
                body=body,
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Cookie": self.cookie,
                },
            )
        except OSError:
            return 0
        return status

    def get(self, path: str) -> tuple[int, bytes]:
        try:
            status, _, data = self._request("GET", path, timeout=10)
        except OSError:
            return 0, b""
        return status, data


def sent_counts(path: Path) -> collections.Counter:
    """How many times each notification key was sent (one JSON line each)."""
    if not path.exists():
        return collections.Counter()
    lines = path.read_text(encoding="utf-8").splitlines()
    return collections.Counter(json.loads(line)["key"] for line in lines if line)


def world_create() -> dict:
    """Create one community with a grid, a building, the leak category and a
    grid worker with a login (who is told of every report); return their ids."""
    from grids.models import Role
    from grids.services import role_assign, staff_account_create
    from tests.grids import factories as f
    from tests.petitions.factories import CategoryFactory

    district = f.DistrictFactory()
    subdistrict = f.SubdistrictFactory(district=district, name="湖西街道")
    community = f.CommunityFactory(subdistrict=subdistrict, name="端庄社区")
    grid = f.GridFactory(community=community, name="第一网格")
    compound = f.CompoundFactory(community=community, name="民生·壹号院")
    building = f.BuildingFactory(compound=compound, grid=grid)
    f.UnitFactory(building=building)
    category = CategoryFactory()
    person = f.PersonFactory(household=None, community=community, name="张网格")
    role_assign(actor=None, person=person, kind=Role.Kind.GRID_WORKER, grid=grid)
    user = staff_account_create(
        actor=None,
        person=person,
        username="bench_grid",
        password="Bench@2026x",  # noqa: S106 - a throw-away bench database
    )
    return {"building": building.pk, "category": category.code, "grid_user": user.pk}
