"""The one-glance sentence of each flag, built from the numbers the evaluation stored.

Below the models (Flag.sentence calls it): it knows the codes, never the models.
"""

import datetime as dt

from dateutil.relativedelta import relativedelta

from cases.formatting import date as _date
from cases.formatting import euro, number

from .codes import INDICATIVE_DETAIL, FlagCode, WlzStep


def eighteenth_birthday(birth_date: dt.date) -> dt.date:
    return birth_date + relativedelta(years=18)  # born on 29 February: 28 February


def flag_sentence(flag) -> str:
    code, value, norm, detail = flag.code, flag.value, flag.norm, flag.detail
    if code == FlagCode.DURATION:
        return f"{detail} loopt {number(value)} maanden; norm voor dit product {number(norm)}"
    if code == FlagCode.COST:
        indicative = "; deels indicatief (taakgerichte zorg)" if detail == INDICATIVE_DETAIL else ""
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
    if code == FlagCode.WLZ_STALLED:
        step = WlzStep(detail).phrase if detail in WlzStep.values else detail
        weeks = int(value or 0) // 7
        return (
            f"Wlz-route staat sinds {_date(flag.reference_date)} stil op '{step}' ({weeks} weken zonder nieuwe stap); "
            f"drempel {number(norm)} weken"
        )
    if code == FlagCode.MANUAL:
        return flag.reason
    return detail


# The short label of a flag on a chip in the queue; the full label and sentence are one click away.
CHIP_LABELS = {
    FlagCode.DURATION: "Duur",
    FlagCode.COST: "Kosten",
    FlagCode.EXTENSIONS: "Verlengd",
    FlagCode.STACKING: "Stapeling",
    FlagCode.HOUSEHOLD_STACKING: "Stapeling gezin",
    FlagCode.WAITING: "Wacht",
    FlagCode.PAST_END: "Einde verstreken",
    FlagCode.REVIEW_LATE: "Review laat",
    FlagCode.TURNING_18: "18+",
    FlagCode.OUTSIDE_BUDGET: "Buiten budget",
    FlagCode.RESIDENTIAL: "Verblijf",
    FlagCode.VOLUME: "Volume",
    FlagCode.WLZ_STALLED: "Wlz stil",
    FlagCode.MANUAL: "Handmatig",
}


def flag_key_number(flag) -> str:
    """The one number of a flag that a chip in the queue shows beside its label ("Duur 19 mnd");
    the full sentence stays one click away."""
    code, value = flag.code, flag.value
    if value is None:
        return ""
    if code in (FlagCode.DURATION, FlagCode.RESIDENTIAL):
        return f"{number(value)} mnd"
    if code in (FlagCode.COST, FlagCode.OUTSIDE_BUDGET):
        return f"€ {number(value / 1000, 0)}k"
    if code == FlagCode.EXTENSIONS:
        return f"{number(value)}×"
    if code in (FlagCode.STACKING, FlagCode.HOUSEHOLD_STACKING):
        return number(value)
    if code in (FlagCode.WAITING, FlagCode.WLZ_STALLED):
        return f"{int(value) // 7} wk"
    if code in (FlagCode.PAST_END, FlagCode.REVIEW_LATE):
        return f"+{number(value)} d"
    if code == FlagCode.VOLUME:
        return f"{number(value)}%"
    return ""
