"""All gemeenten in one pass (issue 14): figures_for_gemeenten equals the report of each gemeente on its own,
figure for figure, in a number of queries that does not grow with the number of gemeenten."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import Declaration, SegmentBudget, TaskContract, YouthPopulation
from referrals.models import AllocationRequest
from regie.codes import FlagCode, WlzStep
from regie.models import Decision, Flag, FlagRule, TopMembership, WlzRoute
from reports.figures import report_figures
from reports.kpis import Period
from reports.report import KpiReport, figures_by_month, figures_for_gemeenten, report_build

from ..factories import ChildFactory, GemeenteFactory, ProviderFactory, ReferralFactory, UserFactory
from . import kpi_data

D = dt.date
FEB = Period.month(2026, 2)
WINDOW = FEB.with_months_before(12)

# Queries of figures_for_gemeenten, whatever the number of gemeenten (one or more families per KPI).
GROUPED_QUERIES = 38
# Queries of report_build for one gemeente: the grouped queries and the segment list.
REPORT_QUERIES = GROUPED_QUERIES + 1


def _at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_default_timezone())


def _build_gemeente_with_everything(gemeente):
    """Care under a taakgericht contract and by declaration, Wlz routes, flags, Top N, JW315 requests and
    its own wachttijd norm: every KPI family has something to count."""
    user = UserFactory(username="regisseur-c", role="regisseur", gemeenten=[gemeente])
    provider, contractor = ProviderFactory(name="Zorg Oost"), ProviderFactory(name="Taak BV")
    children = [ChildFactory(gemeente=gemeente, birth_date=D(2012 - i, 3, 1)) for i in range(8)]
    referral = ReferralFactory(child=children[0], date=D(2025, 11, 1), source="02")
    declared = kpi_data.trajectory(
        children[0], D(2025, 12, 1), tariff="80", referral=referral, provider=provider, actual_start_date=D(2026, 1, 6)
    )
    covered = kpi_data.trajectory(children[1], D(2025, 6, 1), tariff="30", segment=3, provider=contractor)
    kpi_data.trajectory(children[2], D(2025, 4, 1), end=D(2026, 1, 31), tariff="12", segment=2, end_reason="39")
    kpi_data.trajectory(children[2], D(2025, 5, 1), end=D(2026, 2, 3), tariff="7")  # stacking on 31 January
    kpi_data.trajectory(children[3], D(2025, 7, 1), tariff="25", segment=1, provider=provider)
    TaskContract.objects.create(
        gemeente=gemeente, provider=contractor, segment=covered.product.segment, year=2026, amount=Decimal("12000")
    )
    TaskContract.objects.create(
        gemeente=gemeente, provider=contractor, segment=covered.product.segment, year=2025, amount=Decimal("9000"),
        payment_schedule="quarterly",
    )  # fmt: skip
    for month, status, approved in ((12, "approved", "2400"), (1, "rejected", "0"), (2, "submitted", None)):
        first = D(2025 if month == 12 else 2026, month, 1)
        last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        Declaration.objects.create(
            trajectory=declared, provider=provider, month=first, period_start=first, period_end=last,
            volume=30, unit="04", debit_credit="D", amount=Decimal("2400"), reference=f"C{month}", source="ijw",
            status=status, approved_amount=None if approved is None else Decimal(approved),
        )  # fmt: skip
    WlzRoute.objects.create(
        child=children[2], gemeente=gemeente, created_by=user, step=WlzStep.GRANTED, prepared_on=D(2025, 10, 1),
        applied_on=D(2025, 11, 3), granted_on=D(2026, 1, 20), expected_end=D(2026, 3, 31), last_step_on=D(2026, 1, 20),
    )  # fmt: skip
    WlzRoute.objects.create(
        child=children[4], gemeente=gemeente, created_by=user, step=WlzStep.PREPARING, prepared_on=D(2025, 12, 1),
        last_step_on=D(2025, 12, 1),
    )  # fmt: skip
    Flag.objects.create(
        gemeente=gemeente, child=children[3], code="handmatig", subject_key=-1, reason="test",
        raised_at=_at(D(2026, 1, 10)), resolved_at=_at(D(2026, 2, 12)), active=False,
    )  # fmt: skip
    Flag.objects.create(
        gemeente=gemeente, child=children[0], code="handmatig", subject_key=-2, reason="test",
        raised_at=_at(D(2026, 2, 3)),
    )  # fmt: skip
    # January: the Top was not recorded, so the decisions due count; February: the Top members count.
    Decision.objects.create(
        child=children[3], gemeente=gemeente, kind="continue", reason="r", actor="regisseur",
        follow_up_date=D(2026, 1, 20), decided_by=user, decided_at=_at(D(2025, 12, 10)),
    )  # fmt: skip
    Decision.objects.create(
        child=children[3], gemeente=gemeente, kind="continue", reason="r", actor="regisseur",
        follow_up_date=D(2026, 4, 1), decided_by=user, decided_at=_at(D(2026, 1, 15)),
    )  # fmt: skip
    for child in children[:3]:
        TopMembership.objects.create(gemeente=gemeente, child=child, month=D(2026, 2, 1), first_seen=D(2026, 2, 2))
    TopMembership.objects.create(gemeente=gemeente, child=children[3], month=D(2026, 2, 1), first_seen=D(2026, 2, 2))
    request = AllocationRequest(
        child=children[5], provider=provider, provider_reference="R1", requested_on=D(2026, 2, 2)
    )
    request.answer(D(2026, 2, 5))
    request.save()
    AllocationRequest.objects.create(
        child=children[6], provider=provider, provider_reference="R2", requested_on=D(2026, 1, 12)
    )
    # A stricter wachttijd norm than the default: the over-norm count uses 4 weeks here only.
    FlagRule.objects.create(gemeente=gemeente, code=FlagCode.WAITING, threshold=4, weight=10)
    YouthPopulation.objects.create(gemeente=gemeente, year=2026, count=400, one_in_n_target=50)
    SegmentBudget.objects.create(gemeente=gemeente, segment=covered.product.segment, year=2026, amount=50000)


@pytest.fixture
def four_gemeenten(frozen_today, gemeente_a, gemeente_b):
    kpi_data.build(gemeente_a, gemeente_b)
    everything = GemeenteFactory(code="9903", name="Alleskunde")
    _build_gemeente_with_everything(everything)
    nothing = GemeenteFactory(code="9904", name="Leegdorp")
    SegmentBudget.objects.create(gemeente=nothing, segment=kpi_data.product_in_segment(5).segment, year=2026, amount=1)
    return [gemeente_a, gemeente_b, everything, nothing]


def _rows(gemeente, months):
    report = KpiReport(gemeente=gemeente, period=FEB, months=months)
    return [(f.key, f.breakdown, f.values) for f in report_figures(report)]


def test_all_gemeenten_at_once_equal_each_gemeente_on_its_own(four_gemeenten):
    together = figures_for_gemeenten([g.pk for g in four_gemeenten], WINDOW)
    assert set(together) == {g.pk for g in four_gemeenten}
    for gemeente in four_gemeenten:
        alone = figures_by_month(gemeente, WINDOW)
        assert _rows(gemeente, together[gemeente.pk]) == _rows(gemeente, alone), gemeente.name
        assert together[gemeente.pk] == alone  # also what the rows do not show (e.g. the stacking day)


def test_the_gemeente_with_everything_has_figures_in_every_family(four_gemeenten):
    """The equality above means something only if the families count something: check they do."""
    _a, b, everything, nothing = four_gemeenten
    figures = figures_for_gemeenten([everything.pk, nothing.pk, b.pk], WINDOW)
    december, january, february = figures[everything.pk][-3:]
    assert [r.declared for r in february.declared.rows] == [Decimal("2400.00")]
    assert january.declared.rejected == Decimal("2400.00") and december.declared.approved == Decimal("2400.00")
    assert february.spend.contracts == Decimal("12000.00")  # the 2026 contract, paid by month
    assert december.spend.contracts == Decimal("9000.00")
    assert (january.wlz.granted, january.wlz.median_weeks, february.wlz.routes_open) == (
        1,
        11.1,
        2,
    )  # 78 days from aanvraag to indicatie
    assert january.wlz.cost_off > 0  # the segment-2 care ended to the Wlz after the indication
    assert (january.flags.raised, february.flags.raised, february.flags.resolved) == (1, 1, 1)
    assert january.top_reviewed == 100.0  # due 20 January, decided again on the 15th
    assert february.top_reviewed == 25.0  # of four in the Top, only the one still covered
    assert (february.lead_time.requests, february.lead_time.answered) == (1, 1)
    assert january.stacking.two_plus == 1
    assert february.waiting.norm_weeks == 4 and figures[b.pk][-1].waiting.norm_weeks == 8
    assert january.waiting.started == 1 and january.waiting.over_norm == 1  # 66 days > 4 weeks
    # A gemeente without any care gets what its own report shows: zeros and n.v.t., its budget.
    empty = figures[nothing.pk][-1]
    assert (empty.inflow.trajectories, empty.in_care.youths, empty.durations.total.median_days) == (0, 0, None)
    assert empty.spend.budget == Decimal("1.00") and empty.spend.month == Decimal("0.00")
    assert (empty.top_reviewed, empty.stacking.youths, empty.declared.rows) == (None, 0, [])


def test_queries_do_not_grow_with_the_number_of_gemeenten(four_gemeenten):
    everything = four_gemeenten[2]
    with CaptureQueriesContext(connection) as one:
        figures_for_gemeenten([everything.pk], WINDOW)
    with CaptureQueriesContext(connection) as four:
        figures_for_gemeenten([g.pk for g in four_gemeenten], WINDOW)
    assert len(one) == len(four) == GROUPED_QUERIES


def test_the_report_of_one_gemeente_makes_a_fixed_number_of_queries(four_gemeenten, django_assert_num_queries):
    # docs/benchmarks.md states this number; the declarations make one query more when there are any.
    with django_assert_num_queries(REPORT_QUERIES):
        report_build(four_gemeenten[2], FEB)
    with django_assert_num_queries(REPORT_QUERIES - 1):
        report_build(four_gemeenten[3], FEB)
