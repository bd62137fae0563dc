"""A real Celery worker on the real Redis of REDIS_URL: a saved change is flagged shortly after commit.

Runs where REDIS_URL points at a reachable Redis; in CI (REQUIRE_SERVICES=1) a missing Redis is a
failure, never a skip.
"""

import datetime as dt
import os
import time
from decimal import Decimal

import pytest
from django.conf import settings

from cases import services
from regie.models import Flag

from ..factories import ChildFactory, TrajectoryFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def redis_url_or_skip() -> str:
    import redis

    url = settings.REDIS_URL
    problem = "REDIS_URL is not set" if not url else None
    if url:
        try:
            redis.Redis.from_url(url, socket_connect_timeout=2).ping()
        except Exception as exc:  # noqa: BLE001
            problem = f"Redis at {url} is unreachable: {exc}"
    if problem:
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(problem)
        pytest.skip(problem)
    return url


@pytest.fixture
def worker():
    from celery.contrib.testing.worker import start_worker

    from jeugdregie.celery import app

    url = redis_url_or_skip()
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager", "task_default_queue")}
    # A queue of its own, so tasks other tests left in Redis are not ours to run.
    app.conf.update(broker_url=url, task_always_eager=False, task_default_queue="jeugdregie-test-flags")
    app._pool = None
    app.amqp._producer_pool = None
    app.amqp.queues = app.amqp.Queues(())  # rebuilt from task_default_queue
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=10):
            yield app
    finally:
        app.conf.update(**saved)
        app._pool = None
        app.amqp._producer_pool = None


def test_worker_raises_flag_after_save(worker, gemeente_a, toegang_a):
    today = dt.date.today()
    child = ChildFactory(gemeente=gemeente_a)
    trajectory = TrajectoryFactory(
        child=child, start_date=today - dt.timedelta(days=100), planned_end_date=today + dt.timedelta(days=60)
    )
    assert not Flag.objects.exists()
    services.trajectory_change(
        user=toegang_a,
        trajectory=trajectory,
        version=trajectory.version,
        provider=trajectory.provider,
        start_date=trajectory.start_date,
        planned_end_date=today - dt.timedelta(days=3),
        volume=Decimal("2"),
        frequency="2",
        outside_budget=False,
        outside_budget_reason="",
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not Flag.objects.filter(child=child, code="einddatum").exists():
        time.sleep(0.2)
    flag = Flag.objects.get(child=child, code="einddatum")
    assert flag.active and flag.value == 3
