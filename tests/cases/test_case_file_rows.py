"""The case file's rows built in Python (cases/templatetags/case_file_rows.py) give the markup of the template
loops they replaced, escaping included: those loops are kept here as the reference, rendered over the same rows.

The rows are unsaved model instances with what cases.case_file.load_case_file sets on them, so every branch
(waiting, ended, no price, indicative, reviews late and planned, the links of a user who logs cases or not)
appears without a database."""

import datetime as dt
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.template import engines

from cases.case_file import Change, Event
from cases.codes import EndReason, Financing, Frequency, ReferrerType, Unit
from cases.models import CostBasisLabel, Product, Provider, Segment, StopReview, Trajectory

TODAY = dt.date(2026, 3, 2)
REFERENCE = (Path(__file__).parent / "case_file_rows_template.html").read_text()
ROWS = (
    "{% load case_file_rows %}  {% trajectory_rows trajectories rules %}\n  {% referral_rows referrals %}\n"
    "    {% timeline_items timeline %}\n    {% history_items changes %}\n"
)
Referral = Trajectory._meta.get_field("referral").related_model


def _product(pk, code, description):
    return Product(pk=pk, code=code, description=description, segment=Segment(pk=pk, number=pk))


def _trajectory(pk, *, reviews=(), **fields):
    defaults = {
        "product": _product(pk, "45A48", "Jeugdhulp <ambulant> & 'licht'"),
        "provider": Provider(pk=pk, name='Zorg & Co "Noord"'),
        "start_date": dt.date(2025, 1, 10),
        "planned_end_date": dt.date(2026, 1, 9),
        "norm_months": 12,
        "volume": Decimal("2.50"),
        "unit": Unit.HOUR,
        "frequency": Frequency.PER_WEEK,
        "financing": Financing.EFFORT,
        "tariff": Decimal("84.30"),
    }
    trajectory = Trajectory(pk=pk, **{**defaults, **fields})
    trajectory._prefetched_objects_cache = {"reviews": list(reviews)}  # as load_case_file's prefetch leaves them
    # What load_case_file sets, and the cost annotations:
    trajectory.referral = None
    trajectory.running = 13
    trajectory.over_norm = trajectory.is_open and trajectory.running > trajectory.norm_months
    trajectory.waiting = False
    trajectory.past_planned_end = False
    trajectory.pending_extension = None
    trajectory.granted_extensions = 0
    trajectory.cost_to_date = Decimal("12345.6789")
    trajectory.committed = Decimal("0")
    trajectory.cost_basis = CostBasisLabel.TARIFF
    return trajectory


def _trajectories():
    referral = Referral(pk=3, date=dt.date(2024, 12, 1), source=ReferrerType.GEMEENTE)
    waiting = _trajectory(
        1,
        family_informed_date=dt.date(2025, 1, 12),
        bridging_care="Oma & <opa>",
        outside_budget=True,
        outside_budget_reason="Maatwerk <script>",
        follows=_trajectory(9, end_date=dt.date(2025, 1, 9), product=_product(9, "45A<47>", "Vorige & eerste")),
        reviews=[
            StopReview(pk=11, due_date=dt.date(2026, 1, 1)),
            StopReview(pk=12, due_date=dt.date(2026, 5, 1)),
            StopReview(pk=13, due_date=dt.date(2026, 1, 1), done_date=dt.date(2026, 1, 2)),
        ],
    )
    waiting.referral = referral
    waiting.waiting = True
    waiting.past_planned_end = True
    waiting.pending_extension = SimpleNamespace(pk=5)
    waiting.granted_extensions = 2
    waiting.committed = Decimal("480.5")
    plain_waiting = _trajectory(2)
    plain_waiting.waiting = True
    ended = _trajectory(
        3,
        actual_start_date=dt.date(2025, 2, 1),
        end_date=dt.date(2025, 6, 30),
        end_reason=EndReason.AS_PLANNED,
        financing=Financing.TASK,
        tariff=None,
    )
    ended.committed = None
    ended.cost_basis = CostBasisLabel.MISSING
    ended.cost_to_date = None
    indicative = _trajectory(4, actual_start_date=dt.date(2025, 1, 10), volume=Decimal("3.00"))
    indicative.cost_basis = CostBasisLabel.CONTRACT
    unknown_reason = _trajectory(5, end_date=dt.date(2025, 3, 1), end_reason=None, unit="99", frequency="9")
    return [waiting, plain_waiting, ended, indicative, unknown_reason]


def _referrals():
    return [
        Referral(
            pk=21,
            date=dt.date(2025, 1, 5),
            source=ReferrerType.GEMEENTE,
            referrer_name="Dr. <b>O'Brien</b>",
            request_category="gedrag",
            outcome="specialised",
            outcome_date=dt.date(2025, 1, 20),
        ),
        Referral(pk=22, date=dt.date(2025, 2, 5), source="zz", request_category="onbekend", outcome=""),
    ]


def _timeline():
    return [
        Event(dt.date(2025, 2, 1), "start", "Start traject: 45A48 <ambulant> & zo", "gepland tot 01-02-2026"),
        Event(dt.date(999, 1, 5), "journaal", "Journaal: 'oud'"),
    ]


def _changes():
    at = dt.datetime(2026, 3, 1, 14, 5, 7, 123456, tzinfo=dt.UTC)
    return [
        Change(at, "Jan <Jansen>", "Traject gewijzigd", ["volume: 2 → 2,50", "reden: — → <b>'Maatwerk'</b> & meer"]),
        Change(at - dt.timedelta(days=200), "systeem", "Dossier aangemaakt", []),
    ]


@pytest.mark.parametrize("can_log_cases", [True, False])
@pytest.mark.parametrize("rules", [{"duur": 0}, {"duur": 6}, {}])
def test_the_rows_are_the_template_loops_markup(can_log_cases, rules):
    context = {
        "trajectories": _trajectories(),
        "rules": rules,
        "today": TODAY,
        "user": SimpleNamespace(can_log_cases=can_log_cases),
        "referrals": _referrals(),
        "timeline": _timeline(),
        "changes": _changes(),
    }
    engine = engines["django"]
    expected = engine.from_string(REFERENCE).render(context)
    assert engine.from_string(ROWS).render(context) == expected
    # The reference shows what the test is about: escaped text, every branch, the links or none.
    assert "Oma &amp; &lt;opa&gt;" in expected and "<script>" not in expected
    assert "review te laat" in expected and "review gepland" in expected and "prijs ontbreekt" in expected
    assert ("vastleggen" in expected) == can_log_cases and ("Start zorg / wachten" in expected) == can_log_cases
    assert ("boven norm" in expected) == (rules == {"duur": 0})
