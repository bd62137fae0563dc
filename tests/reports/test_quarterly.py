"""The quarterly update (Teylingen: "maandelijks trendrapportage en een voortgangsupdate per kwartaal")."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from reports import kpis
from reports.kpis import Period
from reports.mail import report_email
from reports.report import report_build

from . import kpi_data

Q4_2025 = Period.quarter(2025, 4)


@pytest.fixture
def data(frozen_today, gemeente_a, gemeente_b):
    return kpi_data.build(gemeente_a, gemeente_b)


def test_quarter_periods_and_labels():
    assert Q4_2025 == Period(dt.date(2025, 10, 1), dt.date(2025, 12, 31)) and Q4_2025.is_quarter
    assert (Q4_2025.key, Q4_2025.label, Q4_2025.short_label, Q4_2025.months) == (
        "2025-K4", "4e kwartaal 2025", "K4 25", 3,
    )  # fmt: skip
    assert Period.parse_quarter("2026-k1") == Period.quarter(2026, 1)
    assert [p.key for p in Period.quarter(2026, 1).with_quarters_before(4)] == [
        "2025-K1", "2025-K2", "2025-K3", "2025-K4", "2026-K1",
    ]  # fmt: skip
    assert Period.last_complete_quarter(dt.date(2026, 3, 2)) == Q4_2025
    assert not Period.month(2026, 1).is_quarter
    with pytest.raises(ValueError, match="JJJJ-Kn"):
        Period.parse_quarter("2026-Q5")


def test_a_quarter_adds_up_its_months(data, gemeente_a):
    quarter = Period.quarter(2026, 1)
    months = [Period.month(2026, m) for m in (1, 2, 3)]
    by_month = [{s.number: s for s in kpis.spend(gemeente_a, m).segments}[5].month for m in months]
    in_quarter = {s.number: s for s in kpis.spend(gemeente_a, quarter).segments}[5]
    assert in_quarter.month == sum(by_month, Decimal("0"))
    # Run rate: since 1 January plus the quarter's monthly pace for the 9 months left.
    assert in_quarter.run_rate == in_quarter.year_to_date + in_quarter.month * 9 / 3
    assert kpis.inflow(gemeente_a, quarter).trajectories == sum(kpis.inflow(gemeente_a, m).trajectories for m in months)


def test_quarterly_report_and_dashboard(client, data, gemeente_a, beleid_a):
    report = report_build(gemeente_a, Period.quarter(2026, 1))
    assert [p.key for p in report.periods][-2:] == ["2025-K4", "2026-K1"] and len(report.months) == 5
    client.force_login(beleid_a)
    html = client.get(reverse("reports:dashboard"), {"kwartaal": "2025-K4"}).content.decode()
    assert "Kwartaalrapportage Voorbeeldstad – 4e kwartaal 2025" in html and "de vier kwartalen" in html
    html = client.get(reverse("reports:dashboard"), {"kwartaal": "2027-K1"}).content.decode()
    assert "Dat kwartaal is nog niet begonnen" in html


def test_the_email_of_a_quarters_last_month_carries_the_quarterly_update(data, gemeente_a):
    december = report_email(report_build(gemeente_a, Period.month(2025, 12)), to="beleid@example.nl")
    assert "Kwartaalupdate 4e kwartaal 2025" in december.body
    assert "Kwartaalupdate 4e kwartaal 2025" in december.alternatives[0][0]
    february = report_email(report_build(gemeente_a, Period.month(2026, 2)), to="beleid@example.nl")
    assert "Kwartaalupdate" not in february.body
