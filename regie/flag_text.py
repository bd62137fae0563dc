"""The one-glance sentence of each flag, built from the numbers the evaluation stored.

Below the models (Flag.sentence calls it): it knows the codes, never the models.
"""

import datetime as dt

from dateutil.relativedelta import relativedelta

from cases.formatting import date as _date
from cases.formatting import euro, number

from .codes import FlagCode


def eighteenth_birthday(birth_date: dt.date) -> dt.date:
    return birth_date + relativedelta(years=18)  # born on 29 February: 28 February


def flag_sentence(flag) -> str:
    code, value, norm, detail = flag.code, flag.value, flag.norm, flag.detail
    if code == FlagCode.DURATION:
        return f"{detail} loopt {number(value)} maanden; norm voor dit product {number(norm)}"
    if code == FlagCode.COST:
        indicative = "; deels indicatief (taakgerichte zorg)" if detail == "indicatief" else ""
        return (
            f"lopende zorg kost {euro(value)} (tot nu plus verplicht tot geplande einde){indicative}; "
            f"drempel {euro(norm)}"
        )
    if code == FlagCode.EXTENSIONS:
        return f"{detail} is {number(value)}× verlengd; drempel {number(norm)}"
    if code == FlagCode.STACKING:
        return f"{number(value)} trajecten tegelijk; drempel {number(norm)}"
    if code == FlagCode.HOUSEHOLD_STACKING:
        return f"gezin heeft {number(value)} lopende trajecten tegelijk; drempel {number(norm)}"
    if code == FlagCode.WAITING:
        weeks = int(value or 0) // 7
        return (
            f"verwijzing van {_date(flag.reference_date)} wacht {weeks} weken zonder start van zorg; "
            f"norm {number(norm)} weken"
        )
    if code == FlagCode.PAST_END:
        planned_end = _date(flag.reference_date)
        return f"{detail}: geplande einddatum {planned_end} is {number(value)} dagen verstreken; traject loopt nog"
    if code == FlagCode.REVIEW_LATE:
        return (
            f"{detail}: stopstrategie-review was uiterlijk {_date(flag.reference_date)}; {number(value)} dagen te laat"
        )
    if code == FlagCode.TURNING_18:
        birthday = eighteenth_birthday(flag.reference_date) if flag.reference_date else None
        months_to_go = 18 * 12 - int(value or 0)
        if months_to_go > 0:
            return (
                f"wordt 18 op {_date(birthday)} (binnen {months_to_go} maanden) terwijl zorg loopt; "
                f"verlengde jeugdhulp of Wmo regelen (signaal {number(norm)} maanden vooraf)"
            )
        return f"is 18 sinds {_date(birthday)} en zorg loopt door (verlengde jeugdhulp)"
    if code == FlagCode.OUTSIDE_BUDGET:
        cost = f"; lopende kosten {euro(value)}" if value is not None else "; prijs ontbreekt"
        return f"{detail}{cost}"
    if code == FlagCode.RESIDENTIAL:
        return f"{detail}: verblijf sinds {_date(flag.reference_date)} ({number(value)} maanden)"
    if code == FlagCode.VOLUME:
        return f"{detail}: volume is {number(value)}% van het normvolume van dit product ({number(norm, -2)})"
    if code == FlagCode.MANUAL:
        return flag.reason
    return detail
