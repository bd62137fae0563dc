"""The report (dashboard, CSV, email) carries the age groups 0-3, 4-11, 12-17 and 18+ and the 1-op-N target
as a second line in the chart."""

import datetime as dt

from cases.models import YouthPopulation
from reports.charts.kpi import report_charts
from reports.figures import format_value, report_figures
from reports.kpis import Period
from reports.report import report_build

from ..factories import ChildFactory, TrajectoryFactory


def test_age_groups_and_the_target_line_in_the_report(frozen_today, gemeente_a):
    # On 28 February 2026: 2, 11, 11, 15 and 19 years old.
    for birth in (
        dt.date(2023, 5, 1),
        dt.date(2014, 5, 1),
        dt.date(2014, 6, 1),
        dt.date(2010, 5, 1),
        dt.date(2007, 2, 28),
    ):
        TrajectoryFactory(
            child=ChildFactory(gemeente=gemeente_a, birth_date=birth),
            start_date=dt.date(2026, 1, 5),
            planned_end_date=dt.date(2026, 12, 31),
        )
    YouthPopulation.objects.create(gemeente=gemeente_a, year=2026, count=400, one_in_n_target=120)
    report = report_build(gemeente_a, Period.month(2026, 2))
    figures = report_figures(report)
    by_key = {f.key: f for f in figures}
    ages = {
        by_key[f"in_care.age.{g}"].breakdown: by_key[f"in_care.age.{g}"].current
        for g in ("0-3", "4-11", "12-17", "18+")
    }
    assert ages == {"0-3 jaar": 1, "4-11 jaar": 2, "12-17 jaar": 1, "18+ jaar": 1}
    # 400 youths / 4 in care under 18 = 1 op 100; the council's target 1 op 120.
    assert format_value(by_key["in_care.one_in_n"].current, "1 op N") == "1 op 100,0"
    assert format_value(by_key["in_care.one_in_n_target"].current, "1 op N") == "1 op 120,0"
    chart = next(c for c in report_charts(report, figures) if c.key == "one_in_n")
    assert [s.name for s in chart.series] == ["1 op N", "Doel"]
    assert chart.series[1].values[-1] == 120
