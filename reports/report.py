"""The monthly KPI report of one gemeente: every KPI for the month and the 12 months before it.

`report_build` computes every KPI of reports/kpis for the trend window in a fixed number of
queries. What reads the report: reports/figures.py flattens it into rows (one figure, thirteen
monthly values) that the dashboard tables, the CSV and JSON (reports/export.py), the charts
(reports/charts) and the email (reports/mail.py) all use, so every output shows the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cases.models import Gemeente, Segment

from . import kpis
from .kpis import Period

TREND_MONTHS = 12


@dataclass
class MonthFigures:
    """Every KPI of one gemeente for one period."""

    period: Period
    inflow: kpis.Flow
    outflow: kpis.Flow
    in_care: kpis.InCare
    durations: kpis.Durations
    extensions: kpis.Extensions
    stacking: kpis.Stacking
    outside_budget: kpis.OutsideBudget
    spend: kpis.Spend
    referrals: kpis.Referrals
    waiting: kpis.Waiting
    end_reasons: kpis.EndReasons
    re_entry: kpis.ReEntry
    flags: kpis.FlagCounts
    top_reviewed: float | None
    wlz: kpis.WlzFigures
    declared: kpis.Declared | None = None  # declared vs allocated per segment and provider (issue 12)
    lead_time: kpis.LeadTime | None = None  # JW315 -> JW301 (issue 12)
    waiting_providers: list[kpis.ProviderWaiting] | None = None  # wachttijd per aanbieder


# Each KPI family's grouped form: {gemeente id: [value per period]} for many gemeenten in a fixed number of queries.
GROUPED = {
    "inflow": kpis.inflow_by_gemeente,
    "outflow": kpis.outflow_by_gemeente,
    "in_care": kpis.youths_in_care_by_gemeente,
    "durations": kpis.durations_by_gemeente,
    "extensions": kpis.extensions_by_gemeente,
    "stacking": kpis.stacking_by_gemeente,
    "outside_budget": kpis.outside_budget_by_gemeente,
    "spend": kpis.spend_by_gemeente,
    "referrals": kpis.referrals_by_source_by_gemeente,
    "waiting": kpis.waiting_time_by_gemeente,
    "end_reasons": kpis.end_reasons_by_gemeente,
    "re_entry": kpis.re_entry_by_gemeente,
    "flags": kpis.flags_by_gemeente,
    "top_reviewed": kpis.top_reviewed_by_gemeente,
    "wlz": kpis.wlz_by_gemeente,
    "declared": kpis.declared_vs_allocated_by_gemeente,
    "lead_time": kpis.allocation_lead_time_by_gemeente,
    "waiting_providers": kpis.waiting_by_provider_by_gemeente,
}


def figures_for_gemeenten(gemeente_ids: list[int], periods: list[Period]) -> dict[int, list[MonthFigures]]:
    """Every KPI of every gemeente in `gemeente_ids` for each of `periods` (consecutive months), from
    statements grouped by gemeente: the same fixed number of queries for one gemeente or all of them."""
    gemeente_ids = list(gemeente_ids)
    series = {name: grouped_form(gemeente_ids, periods) for name, grouped_form in GROUPED.items()}
    return {
        g: [
            MonthFigures(period=p, **{name: values[g][i] for name, values in series.items()})
            for i, p in enumerate(periods)
        ]
        for g in gemeente_ids
    }


def figures_by_month(gemeente: Gemeente, periods: list[Period]) -> list[MonthFigures]:
    """Every KPI for each of `periods` (consecutive months): each KPI runs its queries once for all."""
    return figures_for_gemeenten([gemeente.pk], periods)[gemeente.pk]


def month_figures(gemeente: Gemeente, period: Period) -> MonthFigures:
    return figures_by_month(gemeente, [period])[0]


@dataclass
class KpiReport:
    gemeente: Gemeente
    period: Period
    months: list[MonthFigures]  # oldest first; the last one is `period`
    segments: list[Segment] = field(default_factory=list)
    email_images: dict[str, bytes] | None = None  # rendered once, sent to every recipient
    quarter: KpiReport | None = None  # the quarterly update, when the month closes a quarter (built once)
    regie: object | None = None  # reports.regie_effect.RegieEffect for the email, built once for all recipients

    @property
    def current(self) -> MonthFigures:
        return self.months[-1]

    @property
    def periods(self) -> list[Period]:
        return [m.period for m in self.months]


QUARTERS_BEFORE = 4  # the quarterly update: the quarter and the four before it (a year back and the same quarter)


def report_build(gemeente: Gemeente, period: Period) -> KpiReport:
    """All KPIs for `period` and the 12 months before it — or, for a quarter, the 4 quarters before it (the
    quarterly update: every KPI is a series over consecutive periods, of any length) — in a fixed number
    of queries."""
    if period.is_quarter:
        months = figures_by_month(gemeente, period.with_quarters_before(QUARTERS_BEFORE))
    else:
        months = figures_by_month(gemeente, period.with_months_before(TREND_MONTHS))
    return KpiReport(gemeente=gemeente, period=period, months=months, segments=list(Segment.objects.order_by("number")))
