"""What the regie did, in the monthly report: the expected and realised effect of the regisseur's
decisions on the year's spend beside the forecast, the latest Top N cohort then and now, and the open
knelpunten. Aggregates only (no case numbers, no names): beleid reads it on the dashboard and in the
email. Counts of 1-4 are published as "< 5", like every count of the report (reports/figures.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from cases.models import Gemeente
from regie.cohort import CohortComparison, cohort_compare, latest_cohort
from regie.effects import DecisionEffects, decision_effects
from regie.knelpunten import LINKABLE, KnelpuntRow, knelpunt_rows

from .figures import format_value
from .kpis import Period
from .report import KpiReport


@dataclass
class RegieEffect:
    as_of: dt.date
    effects: DecisionEffects
    forecast: Decimal
    comparison: CohortComparison | None
    knelpunten: list[KnelpuntRow]

    @property
    def forecast_after_pending(self) -> Decimal:
        """The forecast once the decisions not yet carried out are: their expected effect off it."""
        return self.forecast - self.effects.pending

    @property
    def effect_rows(self) -> list[dict]:
        rows = [
            {
                "label": k.label,
                "decisions": format_value(k.decisions, "aantal"),
                "expected": format_value(k.expected, "€"),
                "carried_out": format_value(k.carried_out, "aantal"),
                "realised": format_value(k.realised, "€"),
                "pending": format_value(k.pending, "€"),
            }
            for k in self.effects.kinds
        ]
        e = self.effects
        rows.append(
            {
                "label": "Totaal",
                "decisions": format_value(e.decisions, "aantal"),
                "expected": format_value(e.expected, "€"),
                "carried_out": format_value(sum(k.carried_out for k in e.kinds), "aantal"),
                "realised": format_value(e.realised, "€"),
                "pending": format_value(e.pending, "€"),
            }
        )
        return rows

    @property
    def cohort_rows(self) -> list[dict]:
        if self.comparison is None:
            return []
        return [
            {
                "label": g.label,
                "cases": format_value(g.cases, "aantal"),
                "then": format_value(g.then, "€"),
                "now": format_value(g.now, "€"),
                "difference": format_value(g.difference, "€"),
                "ended": format_value(g.ended, "aantal"),
                "scaled_down": format_value(g.scaled_down, "aantal"),
                "to_wlz": format_value(g.to_wlz, "aantal"),
            }
            for g in [*self.comparison.groups, self.comparison.total]
        ]

    @property
    def cohort_facts(self) -> dict:
        c = self.comparison
        if c is None:
            return {}
        return {
            "unreviewed": format_value(c.unreviewed, "aantal"),
            "left_care": format_value(c.left_care, "aantal"),
            "re_entered": format_value(c.re_entered, "aantal"),
            "re_entry_pct": format_value(c.re_entry_pct, "%"),
        }

    @property
    def knelpunt_rows(self) -> list[dict]:
        return [
            {
                "title": r.knelpunt.title,
                "status": r.knelpunt.get_status_display(),
                "decisions": format_value(r.decisions, "aantal"),
                "cases": format_value(r.cases, "aantal"),
            }
            for r in self.knelpunten
        ]


def regie_effect(report: KpiReport) -> RegieEffect:
    """The regie figures as they stood at the end of the report's period (today for the running month)."""
    return regie_effect_of(report.gemeente, report.period, report.current.spend.forecast)


REGIE_CACHE_SECONDS = 300  # decisions and knelpunten change during the day; a few minutes old is fine


def regie_effect_html_cached(gemeente: Gemeente, period: Period, forecast: Decimal) -> str:
    """For the dashboard: the section rendered, kept a few minutes (its queries read every decision of the year).

    The HTML is cached rather than the RegieEffect: unpickling its model instances cost 2-4 ms a view.
    """
    key = f"reports:regie-html:{gemeente.pk}:{period.key}:{forecast}"
    html = cache.get_or_set(
        key,
        lambda: render_to_string("reports/_regie_effect.html", {"regie": regie_effect_of(gemeente, period, forecast)}),
        REGIE_CACHE_SECONDS,
    )
    return mark_safe(html)


def regie_effect_of(gemeente: Gemeente, period: Period, forecast: Decimal) -> RegieEffect:
    as_of = min(period.end, timezone.localdate())
    cohort = latest_cohort(gemeente, on=as_of)
    return RegieEffect(
        as_of=as_of,
        effects=decision_effects(gemeente, year=period.end.year, as_of=as_of),
        forecast=forecast,
        comparison=cohort_compare(cohort, on=as_of) if cohort else None,
        knelpunten=knelpunt_rows(gemeente, statuses=LINKABLE),
    )
