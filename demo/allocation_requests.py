"""Verzoeken om toewijzing (iJw JW315) in the demo, so the KPI "doorlooptijd verzoek tot toewijzing" has figures.

Providers ask for about half of the allocations of the last fifteen months (the rest the toegang allocates on
its own initiative). Most are answered within the iJw term of 5 working days; a tail takes two or three
weeks, as in a busy month; a few recent requests are still unanswered.
"""

import datetime as dt
import random

from cases.models import Trajectory
from cases.working_days import is_working_day
from referrals.models import AllocationRequest

ASKED_SHARE = 0.5
# Working days to the allocation, and how often: most in time, a tail over the term.
LEAD_DAYS = [0, 1, 2, 3, 4, 5, 7, 9, 12, 16]
LEAD_WEIGHTS = [4, 10, 14, 14, 11, 8, 6, 4, 3, 2]
UNANSWERED = 6


def _working_days_before(day: dt.date, days: int) -> dt.date:
    while days:
        day -= dt.timedelta(days=1)
        days -= is_working_day(day)
    return day


def write_allocation_requests(today: dt.date, *, seed: int) -> int:
    rng = random.Random(seed)
    since = today - dt.timedelta(days=460)
    trajectories = (
        Trajectory.objects.filter(start_date__gte=since, start_date__lte=today, referral__isnull=False)
        .values_list("pk", "child_id", "provider_id", "start_date", "referral__date")
        .order_by("pk")
    )
    requests = []
    for pk, child_id, provider_id, start, referral_date in trajectories:
        if rng.random() >= ASKED_SHARE:
            continue
        lead = rng.choices(LEAD_DAYS, LEAD_WEIGHTS)[0]
        # Allocated a few days before care starts; asked `lead` working days before that.
        allocated = max(start - dt.timedelta(days=rng.randint(1, 10)), referral_date)
        asked = max(_working_days_before(allocated, lead), referral_date)
        request = AllocationRequest(
            child_id=child_id, provider_id=provider_id, provider_reference=f"DEMO-{pk}", requested_on=asked
        )
        request.answer(allocated)
        requests.append(request)
    # Recent requests the gemeente has not answered yet (no allocation, so no trajectory to hang them on).
    for i, request in enumerate(rng.sample(requests, min(UNANSWERED, len(requests)))):
        requests.append(
            AllocationRequest(
                child_id=request.child_id,
                provider_id=request.provider_id,
                provider_reference=f"DEMO-OPEN-{i}",
                requested_on=today - dt.timedelta(days=rng.randint(1, 12)),
            )
        )
    AllocationRequest.objects.bulk_create(requests, batch_size=1000)
    return len(requests)
