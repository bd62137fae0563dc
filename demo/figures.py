"""The figures the demo is calibrated to and its calendar: DOMAIN.md §5 and the tariff index."""

import datetime as dt
from decimal import Decimal

DEFAULT_SEED = 2024
VOORBEELDSTAD = ("9901", "Voorbeeldstad")
PROEFDORP = ("9902", "Proefdorp")
LOGGED_FROM = dt.date(2021, 1, 1)  # the gemeente logs in jeugdregie from here on
# Care is drawn as a steady flow from PROCESS_FROM; children whose care ended before LOGGED_FROM are
# left out, those still in care then are the files carried over at go-live. Without that run-in
# 2021-2023 would show a ramp (1,100 youths in 2021) instead of a gemeente in steady state.
PROCESS_FROM = dt.date(2019, 1, 1)
CALIBRATION_YEAR = 2024
TASK_FINANCING_FROM = dt.date(2027, 1, 1)

# DOMAIN.md §5, Leidschendam-Voorburg 2024: segment -> (spend in €, youths with care in the year).
TARGETS = {
    1: (Decimal("5980316"), 155),
    2: (Decimal("2410000"), 383),
    3: (Decimal("1356117"), 51),
    4: (Decimal("1573090"), 96),
    5: (Decimal("11061082"), 1959),
}
TARGET_YOUTHS_TOTAL = 2600  # "about 2,600 youths in care" (issue 2)
VOORBEELDSTAD_POPULATION = 17000  # youths 0-17; about 1 in 7, as in Haaglanden
PROEFDORP_SHARE = 0.058  # Proefdorp is ~150 youths in care: 5.8% of Voorbeeldstad
PROEFDORP_POPULATION = 1050

# Tariff index by year, relative to 2024 (the yearly indexation of Dutch youth-care tariffs). A
# trajectory keeps the tariff in force when it was allocated; the product carries this year's.
TARIFF_INDEX = {2021: 0.87, 2022: 0.895, 2023: 0.945, 2024: 1.0, 2025: 1.045, 2026: 1.08}


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    """The first and last day of a calendar year."""
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def tariff_index(year: int) -> float:
    if year in TARIFF_INDEX:
        return TARIFF_INDEX[year]
    last = max(TARIFF_INDEX)
    return TARIFF_INDEX[last] * 1.03 ** (year - last)
