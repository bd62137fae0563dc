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
    # Wachttijd per aanbieder: only for the report's own month (the last one), where the dashboard shows it.
    waiting_providers: list[kpis.ProviderWaiting] | None = None


def figures_by_month(gemeente: Gemeente, periods: list[Period]) -> list[MonthFigures]:
    """Every KPI for each of `periods` (consecutive months): each KPI runs its queries once for all."""
    series = {
        "inflow": kpis.inflow_series(gemeente, periods),
        "outflow": kpis.outflow_series(gemeente, periods),
        "in_care": kpis.youths_in_care_series(gemeente, periods),
        "durations": kpis.durations_series(gemeente, periods),
        "extensions": kpis.extensions_series(gemeente, periods),
        "stacking": kpis.stacking_series(gemeente, periods),
        "outside_budget": kpis.outside_budget_series(gemeente, periods),
        "spend": kpis.spend_series(gemeente, periods),
        "referrals": kpis.referrals_by_source_series(gemeente, periods),
        "waiting": kpis.waiting_time_series(gemeente, periods),
        "end_reasons": kpis.end_reasons_series(gemeente, periods),
        "re_entry": kpis.re_entry_series(gemeente, periods),
        "wlz": kpis.wlz_series(gemeente, periods),
        "declared": kpis.declared_vs_allocated_series(gemeente, periods),
        "lead_time": kpis.allocation_lead_time_series(gemeente, periods),
    }
    return [
        MonthFigures(
            period=p,
            flags=kpis.flags_raised_resolved(gemeente, p),
            top_reviewed=kpis.top_reviewed_on_time(gemeente, p),
            waiting_providers=kpis.waiting_by_provider(gemeente, p) if i == len(periods) - 1 else None,
            **{name: values[i] for name, values in series.items()},
        )
        for i, p in enumerate(periods)
    ]


def figures_for_gemeenten(gemeente_ids: list[int], periods: list[Period]) -> dict[int, list[MonthFigures]]:
    """Every KPI of each gemeente for each of `periods`, keyed by gemeente id.

    Provisional: loops `figures_by_month` per gemeente. The set-based version (one pass grouped by
    gemeente and month, branch kpi-grouped) replaces it with the same signature.
    """
    gemeenten = Gemeente.objects.filter(pk__in=gemeente_ids).order_by("pk")
    return {g.pk: figures_by_month(g, periods) for g in gemeenten}


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
