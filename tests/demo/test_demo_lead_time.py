"""The demo's verzoeken om toewijzing give the lead-time KPI believable, non-zero figures."""

import datetime as dt
from io import StringIO

import time_machine
from django.core.management import call_command

from cases.models import Gemeente
from referrals.models import AllocationRequest
from reports import kpis
from reports.kpis import Period

NOVEMBER_2026 = dt.datetime(2026, 11, 16, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))


def test_the_demo_has_requests_mostly_answered_within_five_working_days(db):
    with time_machine.travel(NOVEMBER_2026, tick=False):
        call_command("demo_data", "--scale", "0.1", stdout=StringIO())
    gemeente = Gemeente.objects.get(code="9901")
    year = [kpis.allocation_lead_time(gemeente, Period.month(2026, m)) for m in range(1, 11)]
    requests = sum(m.requests for m in year)
    within = sum(m.within_norm for m in year)
    assert requests >= 30
    assert 0.5 < within / requests < 0.95  # most in time, a tail late
    assert all(m.median_working_days is not None for m in year if m.answered)
    assert AllocationRequest.objects.filter(allocated_on__isnull=True, requested_on__gte=dt.date(2026, 11, 4)).exists()
