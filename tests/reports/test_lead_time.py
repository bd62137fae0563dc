"""Doorlooptijd verzoek om toewijzing (JW315 -> JW301) and the share answered within 5 working days."""

import datetime as dt

import pytest
from django.urls import reverse

from cases.working_days import working_days_between
from referrals.models import AllocationRequest
from reports import kpis
from reports.figures import format_value, report_figures
from reports.kpis import Period
from reports.report import report_build

from ..factories import ChildFactory, ProviderFactory

FEB = Period.month(2026, 2)


@pytest.mark.parametrize(
    "first, last, days",
    [
        (dt.date(2026, 2, 2), dt.date(2026, 2, 2), 0),  # answered the same day
        (dt.date(2026, 2, 2), dt.date(2026, 2, 6), 4),  # Monday to Friday
        (dt.date(2026, 2, 2), dt.date(2026, 2, 9), 5),  # Monday to next Monday: the weekend does not count
        (dt.date(2026, 4, 24), dt.date(2026, 4, 28), 1),  # Friday to Tuesday over Koningsdag (Monday 27 April)
        (dt.date(2026, 2, 9), dt.date(2026, 2, 2), 0),
    ],
)
def test_working_days_between(first, last, days):
    assert working_days_between(first, last) == days


def _request(child, reference, requested, allocated=None):
    request = AllocationRequest(
        child=child, provider=ProviderFactory(), provider_reference=reference, requested_on=requested
    )
    if allocated:
        request.answer(allocated)
    request.save()
    return request


@pytest.fixture
def requests(gemeente_a, gemeente_b):
    child = ChildFactory(gemeente=gemeente_a)
    _request(child, "R1", dt.date(2026, 2, 2), dt.date(2026, 2, 6))  # 4 working days: in time
    _request(child, "R2", dt.date(2026, 2, 2), dt.date(2026, 2, 9))  # 5: in time, just
    _request(child, "R3", dt.date(2026, 2, 10), dt.date(2026, 2, 20))  # Tue 10 -> Fri 20: 8, late
    _request(child, "R4", dt.date(2026, 2, 25))  # not answered: late
    _request(child, "R5", dt.date(2026, 1, 30), dt.date(2026, 2, 2))  # January's
    _request(ChildFactory(gemeente=gemeente_b), "R6", dt.date(2026, 2, 3), dt.date(2026, 2, 3))  # another gemeente


def test_lead_time_of_the_months_requests(requests, gemeente_a):
    result = kpis.allocation_lead_time(gemeente_a, FEB)
    # R1..R4: 4 requests, 3 answered (4, 5 and 8 working days: median 5), 2 within 5 working days.
    assert result == kpis.LeadTime(requests=4, answered=3, within_norm=2, median_working_days=5)
    assert result.within_norm_pct == 50.0
    january = kpis.allocation_lead_time(gemeente_a, Period.month(2026, 1))
    # R5: Friday 30 January -> Monday 2 February is 1 working day.
    assert january == kpis.LeadTime(requests=1, answered=1, within_norm=1, median_working_days=1)
    assert kpis.allocation_lead_time(gemeente_a, Period.month(2025, 12)).within_norm_pct is None


def test_lead_time_in_the_report_and_its_key_figure(requests, gemeente_a):
    report = report_build(gemeente_a, FEB)
    figures = {f.key: f for f in report_figures(report)}
    assert figures["lead_time.requests"].current == 4
    assert figures["lead_time.within_norm_pct"].current == 50.0
    assert figures["lead_time.within_norm_pct"].values[-2] == 100.0  # January: R5
    assert figures["lead_time.within_norm_pct"].key_figure  # dashboard, monthly and quarterly email
    assert format_value(figures["lead_time.median"].current, "werkdagen") == "5 werkdagen"


def test_an_answer_before_the_request_counts_as_the_same_day(gemeente_a):
    request = _request(ChildFactory(gemeente=gemeente_a), "R7", dt.date(2026, 2, 10), dt.date(2026, 2, 5))
    assert (request.allocated_on, request.working_days) == (dt.date(2026, 2, 10), 0)


def test_the_dashboard_shows_the_lead_time_and_says_how_it_and_herhaald_beroep_are_counted(client, requests, beleid_a):
    client.force_login(beleid_a)
    html = client.get(reverse("reports:dashboard"), {"maand": "2026-02"}).text
    assert "Verzoeken binnen 5 werkdagen toegewezen" in html and "50,0%" in html
    assert "Mediane doorlooptijd verzoek tot toewijzing (werkdagen)" in html and "5 werkdagen" in html
    assert "<dt>Doorlooptijd verzoek om toewijzing</dt>" in html
    assert 'CBS-outcomecriterium 3.2 "geen nieuwe start jeugdhulp na beëindiging"' in html
