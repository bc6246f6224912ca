"""Rerun the fault table of issue 11 on a production-configured stack.

The stack: ``deploy/Procfile`` (gunicorn with 2 workers, a Celery worker with
2 pool processes, beat, the outbox relay) under production settings, on a
private PostgreSQL cluster (initdb in /tmp, port 5441–5449) and a private
redis-server without persistence (port 6391–6399). A small supervisor
restarts any process that stops, as the systemd units' ``Restart=always``
does; nothing is restarted by hand.

Residents post reports over HTTP (behind a TLS proxy, as in production) while
each fault is injected. After each row the script waits for the work to be
done and counts, at the notification backend (one line per message sent):

- lost: reports stored whose notification never arrived,
- duplicated: notifications sent more than once,
- HTTP 500 (and 503 "try again" while the database was down),
- recovered by itself: every notification arrived and /healthz answers 200
  again, with no step by hand (the restarts the supervisor made are listed).

    .venv/bin/python bench/faults.py                 # all rows, ~8 minutes
    .venv/bin/python bench/faults.py --freeze 30     # a shorter Redis freeze
    .venv/bin/python bench/faults.py --rows kill9,pool

The outbox's visibility window is shortened (``--visibility``, 60 s; 300 s in a
deployment) so that a lost message is handed on again within the run.
"""

import argparse
import collections
import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from _stack import (
    ROOT,
    Resident,
    Supervised,
    Supervisor,
    free_port,
    procfile_command,
    sent_counts,
)

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def _free(ports) -> int:
    for port in ports:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError(f"no free port in {ports}")


def _as_postgres(args: list[str]) -> list[str]:
    """initdb and pg_ctl refuse to run as root: run them as postgres."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return args


class PrivatePostgres:
    """A PostgreSQL cluster of our own, so that it may be restarted."""

    def __init__(self, folder: Path):
        self.folder = folder / "pg"
        self.port = _free(range(5441, 5450))
        self.log = folder / "postgres.log"

    def ctl(self, *args):
        subprocess.run(  # noqa: S603 - our own arguments
            _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.folder), *args]),
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def start(self):
        self.folder.mkdir(parents=True)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
            shutil.chown(self.folder.parent, "postgres", "postgres")
        subprocess.run(  # noqa: S603 - our own arguments
            _as_postgres(
                [str(PG_BIN / "initdb"), "-D", str(self.folder), "-A", "trust",
                 "-U", "postgres", "--no-sync"]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c max_connections=100"
        )
        self.ctl("-l", str(self.log), "-o", options, "-w", "start")
        subprocess.run(  # noqa: S603 - our own arguments
            [shutil.which("createdb"), "-h", "127.0.0.1", "-p", str(self.port),
             "-U", "postgres", "red_b_faults"],
            check=True,
        )  # fmt: skip

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/red_b_faults"

    def restart(self):
        self.ctl("-m", "fast", "-w", "restart")

    def stop(self):
        with contextlib.suppress(subprocess.CalledProcessError):
            self.ctl("-m", "immediate", "-w", "stop")

    def query(self, sql: str, *params):
        import psycopg2

        conn = psycopg2.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname="red_b_faults"
        )
        try:
            with conn.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()
        finally:
            conn.close()


class PrivateRedis:
    def __init__(self):
        self.port = _free(range(6391, 6400))
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(  # noqa: S603 - our own arguments
            [shutil.which("redis-server"), "--port", str(self.port),
             "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        for _ in range(100):
            if self.queued() is not None:
                return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGCONT)
            self.process.terminate()
            self.process.wait(10)

    def restart(self):
        self.stop()
        self.start()

    def queued(self) -> int | None:
        import redis

        try:
            return redis.Redis(port=self.port, socket_timeout=1).llen("celery")
        except redis.RedisError:
            return None


class Load:
    """One resident posting a report every ``pause`` seconds in a thread."""

    def __init__(self, resident: Resident, pause=0.2):
        self.resident, self.pause = resident, pause
        self.statuses = collections.Counter()
        self._stop = threading.Event()
        self._thread = None

    def __enter__(self):
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self):
        n = 0
        while not self._stop.is_set():
            n += 1
            self.statuses[self.resident.report(f"故障演练 {n}")] += 1
            time.sleep(self.pause)

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


class Bench:
    def __init__(self, options):
        self.options = options
        self.folder = Path(tempfile.mkdtemp(prefix="red_b_faults_"))
        self.postgres = PrivatePostgres(self.folder)
        self.redis = PrivateRedis()
        self.port = free_port()
        self.sent_file = self.folder / "sent.jsonl"
        self.supervisor = Supervisor()
        self.rows = []

    def env(self) -> dict:
        keep = ("DJANGO_", "CELERY_", "DATABASE_", "REDIS_", "NOTIFICATION_", "OUTBOX_")
        return {
            **{k: v for k, v in os.environ.items() if not k.startswith(keep)},
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_STATIC_ROOT": str(self.folder / "static"),
            "DJANGO_MEDIA_ROOT": str(self.folder / "media"),
            "DATABASE_URL": self.postgres.url,
            "REDIS_URL": self.redis.url,
            "BIND": f"127.0.0.1:{self.port}",
            "WEB_WORKERS": "2",
            "WORKER_CONCURRENCY": "2",
            "OUTBOX_VISIBILITY_TIMEOUT": str(self.options.visibility),
            "NOTIFICATION_CLAIM_TIMEOUT": str(max(self.options.visibility - 20, 5)),
            "NOTIFICATION_BACKENDS": "tests.core.backends.SlowJsonLinesBackend",
            "NOTIFICATION_DELAY": "0.02",
            "NOTIFICATION_FILE": str(self.sent_file),
        }

    def setup(self):
        print(f"folder {self.folder}")
        self.postgres.start()
        self.redis.start()
        env = self.env()
        run = {"cwd": ROOT, "env": env, "check": True}
        for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
            subprocess.run(  # noqa: S603 - our own interpreter
                [sys.executable, "manage.py", *command, "-v0"], **run
            )
        import json

        self.world = json.loads(
            subprocess.run(
                [sys.executable, "-c",
                 "import django, json, sys; sys.path.insert(0, 'bench'); "
                 "django.setup(); from _stack import world_create; "
                 "print(json.dumps(world_create()))"],
                capture_output=True, text=True, **run,
            ).stdout.strip().splitlines()[-1]
        )  # fmt: skip
        procfile = ROOT / "deploy" / "Procfile"
        for name in ("web", "worker", "beat", "relay"):
            self.supervisor.add(
                Supervised(
                    name,
                    procfile_command(procfile, name, env),
                    env,
                    self.folder / f"{name}.log",
                )
            )
        self.supervisor.run()
        self.resident = self.new_resident()
        self.wait(lambda: self.health()[0] == 200, 150, "healthz 200 at start")
        print(
            f"stack up: gunicorn -w 2 on :{self.port}, worker -c 2, beat, relay; "
            f"PostgreSQL :{self.postgres.port}, Redis :{self.redis.port}"
        )

    def new_resident(self) -> Resident:
        resident = Resident(
            "127.0.0.1",
            self.port,
            self.world["building"],
            self.world["category"],
            https=True,
        )
        self.wait(lambda: _prepared(resident), 60, "the report form")
        return resident

    def health(self) -> tuple[int, float]:
        started = time.monotonic()
        status, _ = self.resident.get("/healthz")
        return status, time.monotonic() - started

    def wait(self, predicate, timeout, what):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(0.5)
        print(f"  (gave up waiting for {what} after {timeout} s)")
        return False

    def last_id(self) -> int:
        return self.postgres.query(
            "SELECT coalesce(max(id), 0) FROM petitions_petition"
        )[0][0]

    def post(self, n: int, clients: int = 4) -> collections.Counter:
        statuses = collections.Counter()

        def client(count):
            resident = self.new_resident()
            for i in range(count):
                statuses[resident.report(f"批量报事 {i}")] += 1

        threads = [
            threading.Thread(target=client, args=(n // clients,))
            for _ in range(clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return statuses

    def row(self, name: str, fault):
        print(f"\n== {name}")
        first = self.last_id()
        restarts = {p.name: p.restarts for p in self.supervisor.processes.values()}
        statuses = collections.Counter()
        started = time.monotonic()
        notes = fault(statuses) or ""
        fault_over = time.monotonic()
        ids = [r[0] for r in self.postgres.query(
            "SELECT id FROM petitions_petition WHERE id > %s", first)]  # fmt: skip
        grid_user = self.world["grid_user"]
        keys = {f"petition:{pk}:new:{grid_user}" for pk in ids}
        done = self.wait(
            lambda: (
                keys <= set(sent_counts(self.sent_file)) and self.health()[0] == 200
            ),
            self.options.visibility * 2 + 90,
            "every notification and healthz 200",
        )
        recovered_in = time.monotonic() - fault_over
        sent = sent_counts(self.sent_file)
        made = {
            p.name: p.restarts - restarts[p.name]
            for p in self.supervisor.processes.values()
            if p.restarts - restarts[p.name]
        }
        result = {
            "fault": name,
            "reports": len(ids),
            "lost": sum(1 for k in keys if sent[k] == 0),
            "duplicated": sum(1 for k in keys if sent[k] > 1),
            "500": statuses[500],
            "503": statuses[503],
            "other": sum(v for s, v in statuses.items() if s not in (302, 500, 503)),
            "recovered": done,
            "after": recovered_in,
            "restarts": ", ".join(f"{k} {v}" for k, v in made.items()) or "none",
            "took": fault_over - started,
            "notes": notes,
        }
        self.rows.append(result)
        print("  " + "; ".join(f"{k} {v}" for k, v in result.items() if k != "fault"))

    # --- the rows of the issue ------------------------------------------------

    def postgres_restarted_twice(self, statuses):
        with Load(self.new_resident()) as load:
            for _ in range(2):
                time.sleep(5)
                self.postgres.restart()
                time.sleep(10)
        statuses.update(load.statuses)

    def redis_frozen(self, statuses):
        slowest = 0.0
        with Load(self.new_resident()) as load:
            time.sleep(2)
            os.kill(self.redis.process.pid, signal.SIGSTOP)
            try:
                deadline = time.monotonic() + self.options.freeze
                while time.monotonic() < deadline:
                    _status, took = self.health()
                    slowest = max(slowest, took)
                    time.sleep(2)
            finally:
                os.kill(self.redis.process.pid, signal.SIGCONT)
            time.sleep(2)
        statuses.update(load.statuses)
        return f"froze {self.options.freeze} s; slowest /healthz {slowest:.2f} s"

    def redis_restarted_with_work_queued(self, statuses):
        worker = self.supervisor.processes["worker"]
        worker.stop()
        statuses.update(self.post(20))
        self.wait(lambda: self.redis.queued() == 20, 60, "20 queued in Redis")
        queued = self.redis.queued()
        self.redis.restart()
        worker.resume()
        return f"{queued} queued when Redis restarted"

    def worker_killed(self, statuses):
        worker = self.supervisor.processes["worker"]
        worker.stop()
        before = len(sent_counts(self.sent_file))
        statuses.update(self.post(300))
        self.wait(lambda: self.redis.queued() == 300, 90, "300 queued in Redis")
        queued = self.redis.queued()
        worker.resume()
        self.wait(
            lambda: len(sent_counts(self.sent_file)) - before >= 40, 60, "40 sent"
        )
        worker.signal_group(signal.SIGKILL)
        sent_at_kill = len(sent_counts(self.sent_file)) - before
        return f"{queued} queued; kill -9 after {sent_at_kill} sent"

    def pool_process_killed(self, statuses):
        worker = self.supervisor.processes["worker"]
        before = len(sent_counts(self.sent_file))
        thread = threading.Thread(target=lambda: statuses.update(self.post(100)))
        thread.start()
        self.wait(
            lambda: len(sent_counts(self.sent_file)) - before >= 10, 60, "10 sent"
        )
        children = worker.children()
        if children:
            os.kill(children[0], signal.SIGKILL)
        thread.join()
        return f"killed pool process {children[:1]}"

    def teardown(self):
        self.supervisor.stop()
        self.redis.stop()
        self.postgres.stop()
        if not self.options.keep:
            shutil.rmtree(self.folder, ignore_errors=True)

    def table(self):
        print(
            "\n| fault | reports | lost | duplicated | HTTP 500 | HTTP 503 "
            "| recovered by itself | after | supervisor restarts | notes |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|")
        for r in self.rows:
            print(
                f"| {r['fault']} | {r['reports']} | {r['lost']} | {r['duplicated']} "
                f"| {r['500']} | {r['503']} | {'yes' if r['recovered'] else 'NO'} "
                f"| {r['after']:.0f} s | {r['restarts']} | {r['notes']} |"
            )


def _prepared(resident: Resident) -> bool:
    try:
        resident.prepare()
    except (OSError, RuntimeError, TypeError):
        return False
    return True


ROWS = {
    "postgres": ("PostgreSQL restarted (pg_ctl restart -m fast), twice",
                 Bench.postgres_restarted_twice),
    "freeze": ("Redis frozen (SIGSTOP)", Bench.redis_frozen),
    "redis": ("Redis restarted without persistence, 20 tasks queued",
              Bench.redis_restarted_with_work_queued),
    "kill9": ("worker killed with kill -9, 300 queued", Bench.worker_killed),
    "pool": ("one pool process killed", Bench.pool_process_killed),
}  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--freeze", type=int, default=150, help="Seconds Redis is frozen."
    )
    parser.add_argument("--visibility", type=int, default=60)
    parser.add_argument("--rows", default=",".join(ROWS), help=",".join(ROWS))
    parser.add_argument("--keep", action="store_true", help="Keep the folder.")
    options = parser.parse_args()
    bench = Bench(options)
    try:
        bench.setup()
        for key in options.rows.split(","):
            name, fault = ROWS[key]
            bench.row(name, lambda statuses, fault=fault: fault(bench, statuses))
    finally:
        bench.teardown()
    bench.table()


if __name__ == "__main__":
    main()
