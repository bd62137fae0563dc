"""The role-based home: each role starts where its work is."""

from django.conf import settings
from django.shortcuts import redirect
from health_check.checks import Database
from health_check.contrib.redis import Redis
from health_check.views import HealthCheckView
from redis.asyncio import Redis as RedisClient

from cases.models import Role
from reports.views import overview


def home(request):
    role = request.user.role
    if role == Role.TOETS:
        return redirect("cases:extension_queue")
    if role == Role.BEHEER and request.user.is_staff:
        return redirect("admin:index")
    if role == Role.BESTUURDER:
        return redirect("regie:escalations")
    if role in (Role.REGISSEUR, Role.TOEGANG):
        return redirect("werk:mine")
    return overview(request)


class HealthView(HealthCheckView):
    """The load balancer's health endpoint: the database, and the broker when there is one.

    200 when all pass, 500 otherwise; `?format=json` for a machine. It names services, never data.
    """

    def get_checks(self):
        checks = [Database()]
        if settings.REDIS_URL:
            checks.append(Redis(client_factory=lambda: RedisClient.from_url(settings.REDIS_URL)))
        yield from checks
