"""The Wlz figures of the monthly report (docs/kpis.md, "Wlz"), with hand-computed answers.

February 2026 in gemeente A:
- route 1: aanvraag 1 Dec, indicatie 9 Feb (70 days = 10 weeks), overgang 16 Feb; its child's two
  trajectories (45A48, 4 and 2 hours a week at € 95) ended 16 Feb with reason 39:
  € 54,2857 + € 27,1429 = € 81,4286 a day × 365/12 = € 2.476,79 a month taken off.
- route 2: aanvraag 5 Jan, indicatie 23 Feb (49 days = 7 weeks), transfer ahead; a trajectory of its child
  that ended 10 Feb with reason 39, before the indication, is not the route's doing.
- route 3: aanvraag 19 Jan, afgewezen 20 Feb. Route 4: voorbereiding since 2 Feb.
- another child's trajectory ended with reason 39 without a route: not counted.
Open on 28 Feb: routes 2 and 4. Indications: 2. Median weeks: (10 + 7) / 2 = 8,5.
January: open on 31 Jan: routes 1, 2, 3 (route 4 began in February); nothing given, nothing taken off.
"""

import datetime as dt
from decimal import Decimal

import pytest

from regie.codes import WlzStep
from regie.models import WlzRoute
from reports import kpis
from reports.figures import format_value, report_figures
from reports.kpis import Period
from reports.report import report_build

from ..factories import ChildFactory, TrajectoryFactory

pytestmark = pytest.mark.django_db

FEBRUARY = Period.month(2026, 2)
JANUARY = Period.month(2026, 1)


def _route(gemeente, user, **fields):
    child = ChildFactory(gemeente=gemeente)
    fields.setdefault("last_step_on", max(d for k, d in fields.items() if k.endswith("_on")))
    return WlzRoute.objects.create(child=child, gemeente=gemeente, created_by=user, **fields)


def _ended(child, volume, day):
    return TrajectoryFactory(
        child=child,
        volume=Decimal(volume),
        planned_end_date=dt.date(2026, 12, 31),
        end_date=day,
        end_reason="39",
    )


@pytest.fixture
def routes(gemeente_a, gemeente_b, regisseur_a):
    one = _route(
        gemeente_a,
        regisseur_a,
        step=WlzStep.TRANSFERRED,
        prepared_on=dt.date(2025, 11, 3),
        applied_on=dt.date(2025, 12, 1),
        granted_on=dt.date(2026, 2, 9),
        transferred_on=dt.date(2026, 2, 16),
        expected_end=dt.date(2026, 2, 16),
    )
    _ended(one.child, "4", dt.date(2026, 2, 16))
    _ended(one.child, "2", dt.date(2026, 2, 16))
    two = _route(
        gemeente_a,
        regisseur_a,
        step=WlzStep.GRANTED,
        prepared_on=dt.date(2025, 12, 15),
        applied_on=dt.date(2026, 1, 5),
        granted_on=dt.date(2026, 2, 23),
        expected_end=dt.date(2026, 3, 30),
    )
    _ended(two.child, "4", dt.date(2026, 2, 10))
    _route(
        gemeente_a,
        regisseur_a,
        step=WlzStep.REFUSED,
        prepared_on=dt.date(2026, 1, 12),
        applied_on=dt.date(2026, 1, 19),
        refused_on=dt.date(2026, 2, 20),
    )
    _route(gemeente_a, regisseur_a, step=WlzStep.PREPARING, prepared_on=dt.date(2026, 2, 2))
    _ended(ChildFactory(gemeente=gemeente_a), "4", dt.date(2026, 2, 12))
    # Another gemeente's route counts there, not here.
    _route(gemeente_b, regisseur_a, step=WlzStep.PREPARING, prepared_on=dt.date(2026, 1, 5))


def test_wlz_figures_of_a_month_and_the_month_before(gemeente_a, routes, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        january, february = kpis.wlz_series(gemeente_a, [JANUARY, FEBRUARY])
    assert february == kpis.WlzFigures(routes_open=2, granted=2, median_weeks=8.5, cost_off=Decimal("2476.79"))
    assert january == kpis.WlzFigures(routes_open=3, granted=0, median_weeks=None, cost_off=Decimal("0.00"))


def test_the_report_and_email_rows_show_the_wlz_section(gemeente_a, routes):
    figures = {f.key: f for f in report_figures(report_build(gemeente_a, FEBRUARY))}
    wlz = [f for f in figures.values() if f.section == "Wlz"]
    assert [f.key for f in wlz] == ["wlz.open", "wlz.granted", "wlz.median_weeks", "wlz.cost_off"]
    assert all(f.key_figure for f in wlz)
    assert format_value(figures["wlz.median_weeks"].current, "weken") == "8,5 weken"
    assert format_value(figures["wlz.cost_off"].current, "€") == "€ 2.477"
    assert figures["wlz.open"].values[-2:] == [3, 2]
