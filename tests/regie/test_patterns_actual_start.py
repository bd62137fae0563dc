"""Patterns: the running time of flagged care counts from the actual start of care, as the duur flag does."""

import datetime as dt
from decimal import Decimal

from regie import flags
from regie.figures import pattern_groups
from regie.patterns import flagged_patterns

from ..factories import ChildFactory, ProviderFactory, TrajectoryFactory


def test_running_time_from_the_actual_start(frozen_today, gemeente_a):
    provider = ProviderFactory(name="Zorg Later Gestart")
    common = {"provider": provider, "planned_end_date": dt.date(2026, 12, 31), "volume": Decimal("30")}
    # Allocated 3 March 2025, care began 5 January 2026: 56 days to 2 March 2026 (not 364).
    TrajectoryFactory(
        child=ChildFactory(gemeente=gemeente_a),
        start_date=dt.date(2025, 3, 3),
        actual_start_date=dt.date(2026, 1, 5),
        **common,
    )
    # Allocated and started 1 December 2025: 91 days.
    TrajectoryFactory(child=ChildFactory(gemeente=gemeente_a), start_date=dt.date(2025, 12, 1), **common)
    flags.evaluate()  # 30 hours a week: both children are flagged for cost
    # The median of 56 and 91 days (from the allocated start it would be that of 364 and 91), live and stored.
    [row] = [r for r in flagged_patterns(gemeente_a, frozen_today)["provider"] if r.label == provider.name]
    assert row.median_days == 73.5
    [row] = [r for r in pattern_groups(gemeente_a, frozen_today)[0]["provider"] if r.label == provider.name]
    assert row.median_days == 73.5
