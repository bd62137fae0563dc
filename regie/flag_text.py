"""The one-glance sentence of each flag, built from the numbers the evaluation stored."""

import datetime as dt
from decimal import Decimal

from .flags import add_months


def euro(amount) -> str:
    """€ 63.400 — whole euros with a Dutch thousands separator."""
    if amount is None:
        return "—"
    return "€ " + f"{int(Decimal(amount).quantize(Decimal('1'))):,}".replace(",", ".")


def number(value) -> str:
    if value is None:
        return "—"
    value = Decimal(value)
    return str(int(value)) if value == value.to_integral_value() else f"{value:.1f}".replace(".", ",")


def eighteenth_birthday(birth_date: dt.date) -> dt.date:
    return add_months(birth_date, 18 * 12)  # born on 29 February: 28 February


def _date(day) -> str:
    return f"{day:%d-%m-%Y}" if day else "—"


def flag_sentence(flag) -> str:
    code, value, norm, detail = flag.code, flag.value, flag.norm, flag.detail
    if code == "duur":
        return f"{detail} loopt {number(value)} maanden; norm voor dit product {number(norm)}"
    if code == "kosten":
        return f"lopende zorg kost {euro(value)} (tot nu plus verplicht tot geplande einde); drempel {euro(norm)}"
    if code == "verlengingen":
        return f"{detail} is {number(value)}× verlengd; drempel {number(norm)}"
    if code == "stapeling":
        return f"{number(value)} trajecten tegelijk; drempel {number(norm)}"
    if code == "stapeling_gezin":
        return f"gezin heeft {number(value)} lopende trajecten tegelijk; drempel {number(norm)}"
    if code == "wachttijd":
        weeks = int(value or 0) // 7
        return (
            f"verwijzing van {_date(flag.reference_date)} wacht {weeks} weken zonder start van zorg; "
            f"norm {number(norm)} weken"
        )
    if code == "einddatum":
        planned_end = _date(flag.reference_date)
        return f"{detail}: geplande einddatum {planned_end} is {number(value)} dagen verstreken; traject loopt nog"
    if code == "review":
        return (
            f"{detail}: stopstrategie-review was uiterlijk {_date(flag.reference_date)}; {number(value)} dagen te laat"
        )
    if code == "18plus":
        birthday = eighteenth_birthday(flag.reference_date) if flag.reference_date else None
        months_to_go = 18 * 12 - int(value or 0)
        if months_to_go > 0:
            return (
                f"wordt 18 op {_date(birthday)} (binnen {months_to_go} maanden) terwijl zorg loopt; "
                f"verlengde jeugdhulp of Wmo regelen (signaal {number(norm)} maanden vooraf)"
            )
        return f"is 18 sinds {_date(birthday)} en zorg loopt door (verlengde jeugdhulp)"
    if code == "buiten_budget":
        cost = f"; lopende kosten {euro(value)}" if value is not None else "; taakgericht, geen prijs per casus"
        return f"{detail}{cost}"
    if code == "verblijf":
        return f"{detail}: verblijf sinds {_date(flag.reference_date)} ({number(value)} maanden)"
    if code == "handmatig":
        return flag.reason
    return detail
