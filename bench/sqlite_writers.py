"""Concurrent writers on the embedded default: N residents post reports at once.

Starts the processes of the root ``Procfile`` (what ``scripts/serve.sh`` runs:
runserver, a Celery worker with its beat on the folder broker, the outbox
relay) on a new SQLite database in a temporary folder, lets ``--clients``
residents post ``--reports`` reports in all to ``/report/b/<building>/`` at the
same time, waits until the work after each report is done, and prints the HTTP
answers, the cases stored, the notifications sent (each exactly once?) and the
time per report.

    .venv/bin/python bench/sqlite_writers.py                 # 4 clients, 300 reports
    .venv/bin/python bench/sqlite_writers.py --clients 8 --reports 600
"""

import argparse
import collections
import json
import os
import sqlite3
import statistics
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


def _environment(folder: Path, port: int) -> dict:
    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DJANGO_", "CELERY_"))
        },
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "CELERY_BROKER_DIR": str(folder / "broker"),
        "SERVE_ADDRESS": f"127.0.0.1:{port}",
        "NOTIFICATION_BACKENDS": "core.notifications.JsonLinesBackend",
        "NOTIFICATION_FILE": str(folder / "sent.jsonl"),
        # One address posts every report here: this measures writers, not the
        # per-address limits that a real crowd of residents never reaches.
        "RATE_LIMITS_ENABLED": "false",
    }
    env.pop("REDIS_URL", None)
    return env


def _world(env: dict) -> dict:
    """Migrate the throw-away database and make the world the clients use."""
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    made = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, json, sys; sys.path.insert(0, 'bench'); "
            "django.setup(); from _stack import world_create; "
            "print(json.dumps(world_create()))",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(made.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--reports", type=int, default=300)
    parser.add_argument("--keep", action="store_true", help="Keep the folder.")
    options = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="sqlite_writers_"))
    port = free_port()
    env = _environment(folder, port)
    print(f"folder {folder}; SQLite {folder / 'db.sqlite3'}; web on 127.0.0.1:{port}")
    world = _world(env)
    supervisor = Supervisor()
    procfile = ROOT / "Procfile"
    for name in ("web", "worker", "relay"):
        supervisor.add(
            Supervised(
                name, procfile_command(procfile, name, env), env, folder / f"{name}.log"
            )
        )
    supervisor.run()
    try:
        _measure(options, port, world, folder, supervisor)
    finally:
        supervisor.stop()
        if not options.keep:
            subprocess.run(["rm", "-rf", str(folder)], check=False)  # noqa: S603,S607


def _wait_for(probe) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            probe.prepare()
            return
        except (OSError, RuntimeError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def _post_all(options, port, world) -> tuple:
    """Every client posts its share at once; return statuses, latencies, time."""
    statuses = collections.Counter()
    latencies = []
    lock = threading.Lock()
    per_client = options.reports // options.clients

    def client(index):
        resident = Resident("127.0.0.1", port, world["building"], world["category"])
        resident.prepare()
        for n in range(per_client):
            started = time.monotonic()
            status = resident.report(f"并发报事 {index}-{n}")
            with lock:
                statuses[status] += 1
                latencies.append(time.monotonic() - started)

    threads = [
        threading.Thread(target=client, args=(i,)) for i in range(options.clients)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses, sorted(latencies), time.monotonic() - started, per_client


def _outcome(database, sent_file, world) -> tuple:
    """Cases stored, notifications sent per case (waiting up to 3 minutes for
    the worker), and outbox rows not done."""
    with sqlite3.connect(database) as db:
        stored = db.execute("SELECT count(*) FROM petitions_petition").fetchone()[0]
        ids = [r[0] for r in db.execute("SELECT id FROM petitions_petition")]
    keys = {f"petition:{pk}:new:{world['grid_user']}" for pk in ids}
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and not keys <= set(sent_counts(sent_file)):
        time.sleep(1)
    sent = sent_counts(sent_file)
    with sqlite3.connect(database) as db:
        unfinished = db.execute(
            "SELECT count(*) FROM core_outboxmessage WHERE done_at IS NULL"
        ).fetchone()[0]
    return stored, keys, sent, unfinished


def _measure(options, port, world, folder, supervisor):
    _wait_for(Resident("127.0.0.1", port, world["building"], world["category"]))
    statuses, latencies, took, per_client = _post_all(options, port, world)
    posted = per_client * options.clients
    stored, keys, sent, unfinished = _outcome(
        folder / "db.sqlite3", folder / "sent.jsonl", world
    )
    print(
        f"\n{options.clients} clients × {per_client} reports = {posted} posted "
        f"in {took:.1f} s"
    )
    errors = posted - statuses[302]
    print(f"HTTP answers: {dict(sorted(statuses.items()))}  → errors: {errors}")
    print(f"cases stored: {stored}")
    print(
        f"notifications: {sum(1 for k in keys if sent[k] == 1)} sent once, "
        f"{sum(1 for k in keys if sent[k] == 0)} missing, "
        f"{sum(1 for k in keys if sent[k] > 1)} sent more than once"
    )
    print(f"outbox rows not done: {unfinished}")
    print(
        f"time per report: median {statistics.median(latencies) * 1000:.0f} ms, "
        f"95th percentile {latencies[int(len(latencies) * 0.95)] * 1000:.0f} ms, "
        f"max {latencies[-1] * 1000:.0f} ms"
    )
    print(
        "process restarts: "
        + ", ".join(f"{p.name} {p.restarts}" for p in supervisor.processes.values())
    )


if __name__ == "__main__":
    main()
