"""A real worker on the real Redis of REDIS_URL: a task whose worker process is killed mid-run runs again.

Runs where REDIS_URL points at a reachable Redis; in CI (REQUIRE_SERVICES=1) a missing Redis is a
failure, never a skip (tests/regie/test_flag_worker.py: redis_url_or_skip).
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ..regie.test_flag_worker import redis_url_or_skip

pytestmark = pytest.mark.services
ROOT = Path(__file__).resolve().parents[2]
QUEUE = "jeugdregie-test-worker-lost"


def _wait_for(predicate, seconds: float):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_a_task_whose_worker_process_is_killed_runs_again(tmp_path):
    import redis
    from celery import Celery

    url = redis_url_or_skip()
    redis.Redis.from_url(url).delete(QUEUE)  # nothing left over from an earlier run
    env = {**os.environ, "REDIS_URL": url, "CELERY_TASK_ALWAYS_EAGER": "0"}
    env["DJANGO_SETTINGS_MODULE"] = "jeugdregie.settings_test"
    command = [sys.executable, "-m", "celery", "-A", "jeugdregie", "worker", "-I", "tests.security.worker_tasks"]
    command += ["-Q", QUEUE, "--pool=prefork", "--concurrency=1", "--without-gossip", "--without-mingle"]
    command += ["--without-heartbeat", "--loglevel=WARNING"]
    worker = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        marker = tmp_path / "marker"
        sender = Celery(broker=url)
        sender.send_task("tests.security.worker_tasks.slow_marker", args=[str(marker)], queue=QUEUE)
        assert _wait_for(marker.exists, 60), "the worker never started the task"
        child_pid = int(marker.read_text().split()[0])
        os.kill(child_pid, signal.SIGKILL)  # the worker process dies mid-task, as in an OOM kill
        assert _wait_for(lambda: "again" in marker.read_text(), 60), "the task was lost with its worker"
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
