"""cases/formatting.py: the one Dutch display of figures, money, percentages and dates."""

import datetime as dt
from decimal import Decimal

from cases import formatting


def test_money_is_rounded_to_whole_euros_not_cut_off():
    assert formatting.euro(Decimal("13333.94")) == "€ 13.334"
    assert formatting.euro(Decimal("13333.49")) == "€ 13.333"
    assert formatting.euro(Decimal("95"), 2) == "€ 95,00"
    assert formatting.euro(-1250) == "€ -1.250"
    assert formatting.euro(None) == "—"


def test_numbers_and_percentages_round_half_up():
    assert formatting.number(Decimal("2.675"), 2) == "2,68"
    assert formatting.percent(Decimal("12.96")) == "13,0%"
    assert formatting.number(1234567) == "1.234.567"
    assert formatting.number(Decimal("12.5")) == "12,5"


def test_a_negative_number_of_decimals_shows_whole_numbers_bare_as_floatformat_does():
    assert formatting.number(Decimal("2.00"), -2) == "2"
    assert formatting.number(Decimal("2.50"), -2) == "2,50"
    assert formatting.number(Decimal("2.25"), -2) == "2,25"


def test_dates_are_day_month_year():
    assert formatting.date(dt.date(2026, 3, 2)) == "02-03-2026"
    assert formatting.date(None) == "—"
