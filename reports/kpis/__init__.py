"""The monthly KPIs management steers on (DOMAIN.md §7), each a function of (gemeente, period).

Every function runs a fixed number of aggregate queries, whatever the amount of data: counts,
sums and medians are computed in the database, and Python only reshapes the few rows that come
back (one per segment or per referral source at most). A figure that cannot be computed — a
share of nothing, a median of no values, a population nobody entered — is None, shown as
"n.v.t." (cases.formatting.NVT). The definitions, and where they differ from CBS Beleidsinformatie Jeugd, are in
docs/kpis.md; each function's docstring states the rule in one or two sentences.

Dates: a trajectory is *active* in a period when it started on or before the last day and had
not ended before the first day. Durations count both the first and the last day.

Each KPI family also has a `*_by_gemeente(gemeente_ids, periods)` form (issue 14) that groups the same
queries by gemeente, so every gemeente's figures come from one pass over the tables; `*_series` is that
form for one gemeente. Each KPI has a `*_series(gemeente, periods)` form that computes it for several consecutive,
non-overlapping periods in the same queries (one conditional aggregate per period), so the
13-month report scans the gemeente's trajectories once per KPI instead of thirteen times. The
single-period function is that series for one period: one definition, one code path.

One module per KPI family: flow (instroom, uitstroom, in zorg), durations, extensions (and stacking),
money (outside the budget, spend and forecast), referrals (and waiting time), outcomes (how care
ended, re-entry) and flags (signalen, Top 32); query holds the pieces they share. Callers use the
names below: `from reports import kpis; kpis.inflow(gemeente, period)`.
"""

from .declarations import (
    Declared,
    DeclaredRow,
    declared_vs_allocated,
    declared_vs_allocated_by_gemeente,
    declared_vs_allocated_series,
)
from .durations import DURATION_BINS, Durations, durations, durations_by_gemeente, durations_series
from .extensions import (
    Extensions,
    Stacking,
    extensions,
    extensions_by_gemeente,
    extensions_series,
    stacking,
    stacking_by_gemeente,
    stacking_series,
)
from .flags import FlagCounts, flags_by_gemeente, flags_raised_resolved, top_reviewed_by_gemeente, top_reviewed_on_time
from .flow import (
    Flow,
    InCare,
    inflow,
    inflow_by_gemeente,
    inflow_series,
    outflow,
    outflow_by_gemeente,
    outflow_series,
    youths_in_care,
    youths_in_care_by_gemeente,
    youths_in_care_series,
)
from .lead_time import LeadTime, allocation_lead_time, allocation_lead_time_by_gemeente, allocation_lead_time_series
from .money import (
    FORECAST_METHOD,
    OutsideBudget,
    SegmentSpend,
    Spend,
    outside_budget,
    outside_budget_by_gemeente,
    outside_budget_series,
    spend,
    spend_by_gemeente,
    spend_series,
)
from .outcomes import (
    EndReasons,
    ReEntry,
    end_reasons,
    end_reasons_by_gemeente,
    end_reasons_series,
    re_entry,
    re_entry_by_gemeente,
    re_entry_series,
)
from .period import Period
from .referrals import (
    ProviderWaiting,
    Referrals,
    SourceReferrals,
    Waiting,
    referrals_by_source,
    referrals_by_source_by_gemeente,
    referrals_by_source_series,
    waiting_by_provider,
    waiting_by_provider_by_gemeente,
    waiting_time,
    waiting_time_by_gemeente,
    waiting_time_series,
)
from .wlz import WlzFigures, wlz_by_gemeente, wlz_series

__all__ = [
    "allocation_lead_time_by_gemeente",
    "declared_vs_allocated_by_gemeente",
    "durations_by_gemeente",
    "end_reasons_by_gemeente",
    "extensions_by_gemeente",
    "flags_by_gemeente",
    "inflow_by_gemeente",
    "outflow_by_gemeente",
    "outside_budget_by_gemeente",
    "re_entry_by_gemeente",
    "referrals_by_source_by_gemeente",
    "spend_by_gemeente",
    "stacking_by_gemeente",
    "top_reviewed_by_gemeente",
    "waiting_time_by_gemeente",
    "wlz_by_gemeente",
    "youths_in_care_by_gemeente",
    "Declared",
    "DeclaredRow",
    "declared_vs_allocated",
    "declared_vs_allocated_series",
    "DURATION_BINS",
    "LeadTime",
    "allocation_lead_time",
    "allocation_lead_time_series",
    "Durations",
    "EndReasons",
    "Extensions",
    "FORECAST_METHOD",
    "FlagCounts",
    "Flow",
    "InCare",
    "OutsideBudget",
    "Period",
    "ReEntry",
    "Referrals",
    "SegmentSpend",
    "SourceReferrals",
    "Spend",
    "Stacking",
    "ProviderWaiting",
    "Waiting",
    "durations",
    "durations_series",
    "end_reasons",
    "end_reasons_series",
    "extensions",
    "extensions_series",
    "flags_raised_resolved",
    "inflow",
    "inflow_series",
    "outflow",
    "outflow_series",
    "outside_budget",
    "outside_budget_series",
    "re_entry",
    "re_entry_series",
    "referrals_by_source",
    "referrals_by_source_series",
    "spend",
    "spend_series",
    "stacking",
    "stacking_series",
    "top_reviewed_on_time",
    "waiting_by_provider",
    "waiting_by_provider_by_gemeente",
    "waiting_time",
    "waiting_time_series",
    "youths_in_care",
    "youths_in_care_series",
    "WlzFigures",
    "wlz_series",
]
