"""The cache shared by the web and worker processes (issue 14): where Redis runs, what the monthly run
warms is what a web process reads; when Redis is down, the pages compute instead of failing."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from reports.kpis import Period
from reports.models import SnapshotTrigger
from reports.snapshots import snapshots_take
from reports.tasks import warm_dashboard

from . import kpi_data

FEBRUARY = Period.month(2026, 2)
DASHBOARD = reverse("reports:dashboard")
QUEUE = reverse("regie:queue")
ROOT = Path(__file__).resolve().parents[2]


def _redis_cache(location: str, prefix: str) -> dict:
    return {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": location,
            "KEY_PREFIX": prefix,
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        }
    }


@pytest.fixture
def data(frozen_today, gemeente_a, gemeente_b):
    built = kpi_data.build(gemeente_a, gemeente_b)
    snapshots_take(FEBRUARY.with_months_before(12), [gemeente_a.pk], trigger=SnapshotTrigger.MONTHLY)
    return built


def test_with_redis_configured_every_process_shares_one_cache_that_tolerates_an_outage():
    env = {**os.environ, "REDIS_URL": "redis://127.0.0.1:6379/0", "DJANGO_SETTINGS_MODULE": "jeugdregie.settings"}
    env.setdefault("SECRET_KEY", "x")
    env.pop("CACHE_REDIS_URL", None)
    code = "from django.conf import settings; c = settings.CACHES['default']; print(c['BACKEND'], c['OPTIONS'])"
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.startswith("django_redis.cache.RedisCache")
    assert "'IGNORE_EXCEPTIONS': True" in out.stdout


def test_the_dashboard_and_the_queue_answer_when_the_cache_server_is_down(client, data, beleid_a, regisseur_a):
    # Port 1: nothing listens, every cache call fails at once.
    with override_settings(CACHES=_redis_cache("redis://127.0.0.1:1/0", "down")):
        client.force_login(beleid_a)
        response = client.get(DASHBOARD, {"maand": "2026-02"})
        assert response.status_code == 200
        assert "Stand van" in response.content.decode()
        client.force_login(regisseur_a)
        assert client.get(QUEUE).status_code == 200
        assert cache.get("anything") is None


@pytest.mark.skipif(not settings.REDIS_URL, reason="needs the Redis of REDIS_URL (CI sets it)")
def test_what_the_monthly_run_warms_is_read_by_a_web_process(
    client, data, gemeente_a, beleid_a, django_assert_num_queries
):
    import redis

    prefix = f"test-{uuid.uuid4().hex}"
    with override_settings(CACHES=_redis_cache(settings.REDIS_URL, prefix)):
        try:
            client.force_login(beleid_a)
            client.get(DASHBOARD, {"maand": "2026-01"})  # session, content types
            assert warm_dashboard(gemeente_a.pk, "2026-02") is True
            # The warmed page is in Redis itself, not in this process's memory: another process finds it.
            keys = redis.Redis.from_url(settings.REDIS_URL).keys(f"{prefix}:*reports:dashboard:*")
            assert len(keys) == 1
            # Read through Redis, the first view skips the two queries for the stored values.
            with django_assert_num_queries(9):
                assert "Stand van" in client.get(DASHBOARD, {"maand": "2026-02"}).content.decode()
        finally:
            cache.delete_pattern("*")
