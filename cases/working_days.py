"""Which days are working days in the Netherlands: one rule for everything that waits for one (the
monthly report on the first working day, the daily digest of Mijn werk on every working day)."""

import datetime as dt
import functools

import holidays
from dateutil.easter import easter


@functools.cache
def dutch_public_holidays(year: int) -> frozenset[dt.date]:
    """The days off of holidays.NL: New Year, Easter Monday, King's Day, Ascension, Whit Monday,
    Christmas, and Liberation Day in lustrum years (when it is a day off for government staff).

    Good Friday is left out: it is in the Algemene termijnenwet, so holidays.NL lists it, but it is
    no day off: the report and the digest go out that day.
    """
    good_friday = easter(year) - dt.timedelta(days=2)
    return frozenset(day for day in holidays.NL(years=year) if day != good_friday)


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in dutch_public_holidays(day.year)


def working_days_between(first: dt.date, last: dt.date) -> int:
    """Working days after `first` up to and including `last`: a request on Monday answered on Friday took 4.

    The iJw standard gives the gemeente 5 working days to answer a verzoek om toewijzing (JW315); this is
    the count that deadline reads. 0 when `last` is on or before `first`.
    """
    days, day = 0, first
    while day < last:
        day += dt.timedelta(days=1)
        days += is_working_day(day)
    return days
