"""Each KPI against tests/kpi_data.py, whose answers are worked out by hand in the comments here."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from cases.models import Product, YouthPopulation
from regie.models import Decision, Flag
from reports import kpis
from reports.kpis import Period

from ..factories import ChildFactory, TrajectoryFactory, ensure_catalogue
from . import kpi_data

FEB = Period.month(2026, 2)
EMPTY = Period.month(2020, 2)


@pytest.fixture
def data(frozen_today, gemeente_a, gemeente_b):
    return kpi_data.build(gemeente_a, gemeente_b)


def test_period_month_parsing_and_trend_window():
    assert FEB == Period(dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert Period.parse_month("2024-02").end == dt.date(2024, 2, 29)
    assert Period.month(2025, 12).end == dt.date(2025, 12, 31)
    window = FEB.with_months_before(12)
    assert [p.key for p in (window[0], window[-1])] == ["2025-02", "2026-02"] and len(window) == 13
    assert FEB.label == "februari 2026"
    assert Period.last_complete_month(dt.date(2026, 1, 5)).key == "2025-12"
    with pytest.raises(ValueError, match="JJJJ-MM"):
        Period.parse_month("feb 2026")


def test_inflow_counts_started_trajectories_and_youths_new_in_care(data, gemeente_a):
    # T4, T5, T6, T7 started in February. C2 (T2) and C4 (T9) were in care on 31 January; only C5 is new.
    assert kpis.inflow(gemeente_a, FEB) == kpis.Flow(trajectories=4, youths=1)


def test_outflow_counts_ended_trajectories_and_youths_who_left_care(data, gemeente_a):
    # T1, T2, T3 ended. C2 goes on with T4, so only C1 and C3 left care.
    assert kpis.outflow(gemeente_a, FEB) == kpis.Flow(trajectories=3, youths=2)


def test_youths_in_care_and_one_in_n(data, gemeente_a):
    result = kpis.youths_in_care(gemeente_a, FEB)
    # C1..C6 had care in February; C6 turned 18 before the 28th, so 5 count against the 50 youths.
    assert (result.youths, result.youths_under_18, result.population) == (6, 5, 50)
    assert result.one_in_n == 10.0
    assert result.by_segment == {5: 5, 1: 1, 3: 1}


def test_durations_of_ended_trajectories_with_cbs_bins(data, gemeente_a):
    result = kpis.durations(gemeente_a, FEB)
    # 41, 204 and 762 days (first and last day included).
    assert result.total.ended == 3
    assert result.total.median_days == 204
    assert result.total.mean_days == 335.7  # 1007 / 3
    assert result.total.median_months == 6.7  # 204 / 30.4375
    assert result.total.bins == {
        "0-3 mnd": 1, "3-6 mnd": 0, "6-12 mnd": 1, "1-2 jr": 0, "2-3 jr": 1, "3-4 jr": 0, "4+ jr": 0,
    }  # fmt: skip
    segment5 = result.by_segment[5]
    assert (segment5.ended, segment5.median_days, segment5.mean_days) == (2, 122.5, 122.5)
    assert result.by_segment[1].median_days == 762
    assert set(result.by_segment) == {1, 5}


def test_extensions_count_and_share_extended(data, gemeente_a):
    result = kpis.extensions(gemeente_a, FEB)
    # Requested in February: T9 (3rd) and T7 (27th). Decided: T9 granted, T8 refused.
    assert (result.requested, result.granted, result.refused) == (2, 1, 1)
    # Of the 9 trajectories active in February, T9 and T3 (shortened in 2025) have been extended.
    assert (result.active_trajectories, result.extended_trajectories) == (9, 2)
    assert result.extended_pct == 22.2


def test_stacking_on_the_last_day_of_the_month(data, gemeente_a):
    result = kpis.stacking(gemeente_a, FEB)
    # On 28 February: C2 (T4), C4 (T5, T6, T9), C5 (T7), C6 (T8).
    assert (result.youths, result.two_plus, result.three_plus) == (4, 1, 1)
    assert (result.two_plus_pct, result.three_plus_pct) == (25.0, 25.0)


def test_outside_budget_count_and_cost(data, gemeente_a):
    result = kpis.outside_budget(gemeente_a, FEB)
    # T6: € 50 a day from 5 to 28 February = 24 days. Gemeente B's maatwerk is not ours.
    assert result == kpis.OutsideBudget(trajectories=1, started=1, cost=Decimal("1200.00"))


def test_spend_per_segment_against_budget_with_forecast(data, gemeente_a):
    result = kpis.spend(gemeente_a, FEB)
    by_number = {s.number: s for s in result.segments}
    five = by_number[5]
    # February: T1 10×10 + T2 20×20 + T4 30×8 + T5 40×24 + T7 5×14 + T8 1×28 + T9 2×28.
    assert five.month == Decimal("1854.00")
    # Since 1 January: T1 10×41 + T2 20×51 + T4 240 + T5 960 + T7 70 + T8 1×59 + T9 2×59.
    assert five.year_to_date == Decimal("2877.00")
    # Still to come (1 March to planned end): T4 30×61 + T5 40×31 + T7 5×167 + T8 0 (planned end passed) + T9 2×92.
    assert five.committed == Decimal("4089.00")
    assert five.forecast == Decimal("6966.00")
    assert five.run_rate == Decimal("21417.00")  # 2877 + 10 more months at February's 1854
    assert (five.budget, five.ytd_pct, five.forecast_pct) == (Decimal("10000.00"), 28.8, 69.7)
    three = by_number[3]
    # T6: 24 days in February; committed to 31 December (planned end is in 2027): 306 days × 50.
    assert (three.month, three.committed, three.budget, three.forecast_pct) == (
        Decimal("1200.00"), Decimal("15300.00"), None, None,
    )  # fmt: skip
    assert by_number[1].unpriced == 1 and by_number[1].year_to_date == Decimal("0.00")  # T3 is taakgericht
    assert result.forecast == Decimal("23466.00")
    assert result.budget == Decimal("10000.00")


def test_referrals_per_source_and_share_to_specialised_care(data, gemeente_a):
    result = kpis.referrals_by_source(gemeente_a, FEB)
    by_source = {s.source: s for s in result.sources}
    assert (by_source["01"].referrals, by_source["01"].specialised) == (1, 1)  # led to T4
    assert (by_source["02"].referrals, by_source["02"].specialised_pct) == (2, 50.0)
    assert (by_source["02P"].referrals, by_source["02P"].specialised_pct) == (1, 0.0)  # POH-Jeugd on its own
    assert by_source["03"].referrals == 0 and by_source["03"].specialised_pct is None
    assert (result.total, result.specialised_pct) == (4, 50.0)


def test_waiting_time_median_and_share_over_eight_weeks(data, gemeente_a):
    result = kpis.waiting_time(gemeente_a, FEB)
    # T4 20 days, T5 35, T6 35, T7 76 (over 56).
    assert (result.started, result.median_days, result.over_norm, result.over_norm_pct) == (4, 35, 1, 25.0)


def test_end_reasons_and_re_entry(data, gemeente_a):
    ends = kpis.end_reasons(gemeente_a, FEB)
    assert (ends.ended, ends.as_planned, ends.premature, ends.as_planned_pct) == (3, 2, 1, 66.7)
    back = kpis.re_entry(gemeente_a, FEB)
    # Left care in February 2025: C8 (back in September) and C9.
    assert (back.cohort.key, back.left_care, back.returned, back.returned_pct) == ("2025-02", 2, 1, 50.0)


def _at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_default_timezone())


def test_flags_raised_and_resolved_in_the_month(gemeente_a, gemeente_b, regisseur_a):
    child = ChildFactory(gemeente=gemeente_a)
    made = [
        # (raised, resolved): raised in February, resolved in February, or neither.
        (_at(dt.date(2026, 2, 1), 0), None),  # the first moment of February counts
        (_at(dt.date(2026, 2, 10)), _at(dt.date(2026, 2, 20))),
        (_at(dt.date(2026, 1, 15)), _at(dt.date(2026, 2, 28), 23)),  # resolved in February only
        (_at(dt.date(2026, 1, 31), 23), _at(dt.date(2026, 3, 1), 0)),  # neither: January and March
    ]
    for i, (raised, resolved) in enumerate(made):
        Flag.objects.create(gemeente=gemeente_a, child=child, code="handmatig", subject_key=-i - 1, reason="test",
                            raised_at=raised, resolved_at=resolved, active=resolved is None)  # fmt: skip
    other = ChildFactory(gemeente=gemeente_b)  # another gemeente's flag never counts
    Flag.objects.create(gemeente=gemeente_b, child=other, code="handmatig", subject_key=-9, reason="test",
                        raised_at=_at(dt.date(2026, 2, 5)))  # fmt: skip
    assert kpis.flags_raised_resolved(gemeente_a, FEB) == kpis.FlagCounts(raised=2, resolved=2)
    assert kpis.flags_raised_resolved(gemeente_a, EMPTY) == kpis.FlagCounts(raised=0, resolved=0)


def test_share_of_top_cases_reviewed_by_their_follow_up_date(gemeente_a, regisseur_a):
    def decide(child, on: dt.date, follow_up: dt.date):
        return Decision.objects.create(
            child=child, gemeente=gemeente_a, kind="continue", reason="r", actor="regisseur",
            follow_up_date=follow_up, decided_by=regisseur_a, decided_at=_at(on),
        )  # fmt: skip

    on_time, late, never = (ChildFactory(gemeente=gemeente_a) for _ in range(3))
    decide(on_time, dt.date(2026, 1, 5), dt.date(2026, 2, 10))
    decide(on_time, dt.date(2026, 2, 10), dt.date(2026, 5, 1))  # reviewed on the follow-up day itself
    decide(late, dt.date(2026, 1, 5), dt.date(2026, 2, 10))
    decide(late, dt.date(2026, 2, 11), dt.date(2026, 5, 1))  # a day late
    decide(never, dt.date(2026, 1, 20), dt.date(2026, 2, 27))
    # Due in February: three decisions; one was followed by a new decision in time.
    assert kpis.top_reviewed_on_time(gemeente_a, FEB) == 33.3
    assert kpis.top_reviewed_on_time(gemeente_a, EMPTY) is None  # nothing due: n.v.t.


def test_a_month_without_data_gives_zeros_and_not_applicable(data, gemeente_a):
    assert kpis.inflow(gemeente_a, EMPTY) == kpis.Flow(0, 0)
    assert kpis.outflow(gemeente_a, EMPTY) == kpis.Flow(0, 0)
    in_care = kpis.youths_in_care(gemeente_a, EMPTY)
    assert (in_care.youths, in_care.population, in_care.one_in_n) == (0, None, None)
    d = kpis.durations(gemeente_a, EMPTY)
    assert (d.total.ended, d.total.median_days, d.total.mean_days, d.total.median_months) == (0, None, None, None)
    assert kpis.extensions(gemeente_a, EMPTY).extended_pct is None
    assert kpis.stacking(gemeente_a, EMPTY).two_plus_pct is None
    assert kpis.outside_budget(gemeente_a, EMPTY).cost == Decimal("0.00")
    spend = kpis.spend(gemeente_a, EMPTY)
    assert spend.forecast == Decimal("0.00") and spend.forecast_pct is None
    assert kpis.referrals_by_source(gemeente_a, EMPTY).specialised_pct is None
    w = kpis.waiting_time(gemeente_a, EMPTY)
    assert (w.started, w.median_days, w.over_norm_pct) == (0, None, None)
    assert kpis.re_entry(gemeente_a, EMPTY).returned_pct is None


def test_one_in_n_uses_only_the_population_of_the_gemeente(data, gemeente_b):
    # Gemeente B: one youth in care in February, population 10.
    assert kpis.youths_in_care(gemeente_b, FEB).one_in_n == 10.0


def test_each_month_of_a_series_equals_that_month_on_its_own(data, gemeente_a):
    """The 13-month report computes every KPI for all months in one query; no month may leak into another."""
    months = FEB.with_months_before(12) + [Period.month(2026, 3)]
    for name in ("inflow", "outflow", "youths_in_care", "durations", "extensions", "stacking", "outside_budget",
                 "spend", "referrals_by_source", "waiting_time", "end_reasons", "re_entry"):  # fmt: skip
        series = getattr(kpis, f"{name}_series")(gemeente_a, months)
        single = [getattr(kpis, name)(gemeente_a, month) for month in months]
        assert series == single, name
    # The data set has something to compare in most months, not only empty ones.
    assert sum(f.trajectories for f in kpis.inflow_series(gemeente_a, months)) > 4
    assert sum(d.total.ended for d in kpis.durations_series(gemeente_a, months)) > 3


def test_youths_in_care_by_age_and_the_one_in_n_target(frozen_today, gemeente_a):
    for birth in (dt.date(2023, 5, 1), dt.date(2014, 5, 1), dt.date(2010, 5, 1), dt.date(2007, 2, 28)):
        TrajectoryFactory(
            child=ChildFactory(gemeente=gemeente_a, birth_date=birth),
            start_date=dt.date(2026, 1, 5),
            planned_end_date=dt.date(2026, 12, 31),
        )
    YouthPopulation.objects.create(gemeente=gemeente_a, year=2026, count=300, one_in_n_target=120)
    in_care = kpis.youths_in_care(gemeente_a, FEB)
    # On 28 February 2026: 2, 11, 15 and — born 28 February 2007 — 19 years old (verlengde jeugdhulp).
    assert in_care.by_age == {"0-3": 1, "4-11": 1, "12-17": 1, "18+": 1} and in_care.verlengd == 1
    assert (in_care.one_in_n, in_care.one_in_n_target) == (100.0, 120)  # 300 / 3 under 18


def test_with_and_without_stay_and_started_with_crisis(frozen_today, gemeente_a):
    ensure_catalogue()
    crisis, foster = Product.objects.get(code="46A03"), Product.objects.get(code="44A07")  # both segment 1
    both, ambulant_only = ChildFactory(gemeente=gemeente_a), ChildFactory(gemeente=gemeente_a)
    dates = {"start_date": dt.date(2026, 2, 9), "planned_end_date": dt.date(2026, 6, 30)}
    TrajectoryFactory(child=both, product=crisis, unit="14", **dates)
    TrajectoryFactory(child=both, **dates)  # ambulant as well: counts in both, as CBS
    TrajectoryFactory(child=ambulant_only, **dates)
    TrajectoryFactory(
        child=ChildFactory(gemeente=gemeente_a), product=foster, unit="14", start_date=dt.date(2026, 1, 5)
    )
    in_care = kpis.youths_in_care(gemeente_a, FEB)
    assert (in_care.youths, in_care.with_stay, in_care.without_stay) == (3, 2, 2)
    assert (in_care.with_stay_pct, in_care.without_stay_pct) == (66.7, 66.7)
    assert kpis.inflow(gemeente_a, FEB).crisis == 1


def test_the_trend_reads_as_dutch_to_a_screen_reader():
    """The dashboard's hidden text before the month before: "gelijk aan", "hoger dan", "geen vergelijking met"."""
    from reports.figures import Figure, figure_row

    def compared(values):
        return figure_row(Figure("k", "s", "l", "aantal", values))["compared"]

    assert compared([5, 5]) == "gelijk aan"
    assert compared([4, 5]) == "hoger dan"
    assert compared([5, 4]) == "lager dan"
    assert compared([None, 4]) == "geen vergelijking met"
