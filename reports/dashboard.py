"""The heavy part of the KPI dashboard: key figures, every section's tables and charts.

A closed month's part never changes once stored, so it is rendered once and cached under the ids of
its snapshots (a recomputed month gets a new key). The monthly run renders it for every gemeente with
KPI users right after the snapshots are taken, into the cache the web processes share (Redis, see
CACHES in the settings), so the first view of the month reads it too.
"""

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from cases.models import Gemeente

from . import kpis
from .charts import CHART_SECTIONS, render_svg, report_charts
from .figures import SECTIONS, figure_row
from .kpis import Period
from .snapshots import StoredMonth, stored_month, stored_report

STORED_PAGE_SECONDS = 7 * 24 * 3600


def stored_figures_html(gemeente: Gemeente, period: Period, stored: StoredMonth) -> str:
    return cache.get_or_set(
        f"reports:dashboard:{gemeente.pk}:{period.key}:{stored.key}",
        lambda: figures_html_render(stored_report(gemeente, period, stored=stored)[0]),
        STORED_PAGE_SECONDS,
    )


def stored_dashboard_warm(gemeente: Gemeente, period: Period) -> bool:
    """Render a closed month's figures into the cache before anyone asks; False when it is not stored."""
    stored = stored_month(gemeente, period)
    if stored is None:
        return False
    stored_figures_html(gemeente, period, stored)
    return True


def figures_html_render(report) -> str:
    """The key figures, every section's tables and charts of a report (live or stored)."""
    figures = report.figures
    charts = report_charts(report, figures)
    sections = []
    for title in SECTIONS:
        section_charts = [
            {"chart": c, "svg": render_svg(c, f"chart-{c.key}"), "rows": c.rows()}
            for c in charts
            if CHART_SECTIONS.get(c.key) == title
        ]
        section_figures = [figure_row(f) for f in figures if f.section == title]
        sections.append({"title": title, "slug": f"sectie-{len(sections) + 1}", "charts": section_charts,
                         "figures": section_figures})  # fmt: skip
    current = report.current
    context = {
        "gemeente": report.gemeente,
        "report": report,
        "period": report.period,
        "previous_period": report.period.shifted(-1),
        "sections": sections,
        "key_figures": [figure_row(f) for f in figures if f.key_figure],
        "spend": current.spend,
        "waiting_by_provider": current.waiting_providers,
        "durations": current.durations,
        "duration_rows": [
            (segment, current.durations.by_segment[segment.number])
            for segment in report.segments
            if segment.number in current.durations.by_segment
        ],
        "segments": report.segments,
        "forecast_method": kpis.FORECAST_METHOD,
        "bins": [label for label, _ in kpis.DURATION_BINS],
    }
    return mark_safe(render_to_string("reports/_dashboard_figures.html", context))  # noqa: S308 (our template)
