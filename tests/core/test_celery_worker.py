"""A real Celery worker takes a task from the real Redis and answers it."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from celery import Celery

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.redis
def test_celery_worker_runs_a_task_through_redis(tmp_path):
    """Start one worker of our app against REDIS_URL and get the ping back."""
    redis_url = os.environ["REDIS_URL"]  # CI sets it; a KeyError here is loud
    queue = f"smoke-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "REDIS_URL": redis_url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'worker.sqlite3'}",
    }
    worker = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--without-gossip",
            "--without-mingle",
            "-Q",
            queue,
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    client = Celery(broker=redis_url, backend=redis_url)
    try:
        result = client.send_task("core.ping", args=["红色物业"], queue=queue)
        assert result.get(timeout=60) == "红色物业"
    finally:
        worker.terminate()
        try:
            output, _ = worker.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            output, _ = worker.communicate()
        client.close()
    assert worker.returncode is not None, output
