"""Duur counts from the actual start of care, as the duur flag does; an allocation never started has no duration."""

import datetime as dt

from reports import kpis
from reports.kpis import Period

from ..factories import ChildFactory, TrajectoryFactory


def test_duration_runs_from_the_actual_start_and_skips_care_that_never_started(gemeente_a):
    ended = {"end_date": dt.date(2026, 2, 27), "end_reason": "31", "planned_end_date": dt.date(2026, 6, 30)}
    # Allocated 5 January, care began 2 February: 2 February - 27 February is 26 days (not 54).
    TrajectoryFactory(
        child=ChildFactory(gemeente=gemeente_a),
        start_date=dt.date(2026, 1, 5),
        actual_start_date=dt.date(2026, 2, 2),
        **ended,
    )
    # Allocated 1 December, care from that day: 1 December - 27 February is 31 + 31 + 27 = 89 days.
    TrajectoryFactory(child=ChildFactory(gemeente=gemeente_a), start_date=dt.date(2025, 12, 1), **ended)
    # Allocated, ended without care ever starting: no duration.
    TrajectoryFactory(
        child=ChildFactory(gemeente=gemeente_a), start_date=dt.date(2026, 1, 12), actual_start_date=None, **ended
    )
    result = kpis.durations(gemeente_a, Period.month(2026, 2)).total
    assert (result.ended, result.median_days, result.mean_days) == (2, 57.5, 57.5)
    assert result.bins["0-3 mnd"] == 2
