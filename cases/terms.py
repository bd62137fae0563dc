"""The terms a new trajectory carries: the one rule for the toegang's form, the CSV import and the iJw import.

A trajectory keeps the tariff, financing and norm of its product as they were when it was allocated, so
a later tariff change does not rewrite past spend. Taakgericht care has no price per case. Care from a
provider without a contract is outside the budget by definition.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from . import formatting
from .codes import Financing, Frequency, Unit
from .models import daily_cost, units_per_day

NOT_CONTRACTED_REASON = "Niet-gecontracteerde aanbieder"


@dataclass(frozen=True)
class TrajectoryTerms:
    tariff: Decimal | None
    financing: str
    norm_months: int
    outside_budget: bool
    outside_budget_reason: str

    def as_fields(self) -> dict:
        # A shallow copy: asdict() deep-copies, four times slower on the import's path of every row.
        return dict(self.__dict__)


def trajectory_terms(
    product,
    provider,
    *,
    tariff: Decimal | None = None,
    outside_budget: bool = False,
    outside_budget_reason: str = "",
    financing: str | None = None,
) -> TrajectoryTerms:
    """Terms for a trajectory of `product` at `provider`.

    `tariff` is a price agreed for this allocation (an iJw budget, a CSV column); without one the
    product's tariff applies. The caller checks that an outside-budget choice has a reason.
    `financing` is the one an existing trajectory was allocated with, when an import gives it a new
    tariff: its financing stays as it was, whatever the product's is now.
    """
    financing = financing or product.financing
    if financing == Financing.TASK:
        tariff = None  # taakgericht: a lump sum per provider, no price per case
    elif tariff is None:
        tariff = product.tariff
    reason = outside_budget_reason.strip()
    if not provider.contracted:
        outside_budget = True
        reason = reason or NOT_CONTRACTED_REASON
    return TrajectoryTerms(
        tariff=tariff,
        financing=financing,
        norm_months=product.effective_norm_months,
        outside_budget=outside_budget,
        outside_budget_reason=reason if outside_budget else "",
    )


def monthly_cost(per_day: Decimal | None) -> Decimal | None:
    """Cost per month of a daily cost, as daily_cost spreads monthly volumes (12 months = 365 days)."""
    return None if per_day is None else (per_day * 365 / 12).quantize(Decimal("0.01"))


# --- volume: what is physically possible, and the product's norm ---------------------------------------

# The most of a unit one child can receive in one day (24 hours). Pieces and euros have no such limit.
MOST_PER_DAY = {Unit.MINUTE: Decimal(1440), Unit.HOUR: Decimal(24), Unit.DAY: Decimal(1), Unit.DAY_PART: Decimal(6)}
PER_DAY_TEXT = {Unit.MINUTE: "minuten", Unit.HOUR: "uur", Unit.DAY: "etmaal", Unit.DAY_PART: "dagdelen"}


def _volume_text(volume: Decimal, unit: str, frequency: str) -> str:
    return f"{formatting.number(volume, -2)} {Unit(unit).label.lower()} {Frequency(frequency).label.lower()}"


def volume_impossible(
    *, volume: Decimal, unit: str, frequency: str, start: dt.date, planned_end: dt.date
) -> str | None:
    """A Dutch refusal when the volume cannot be delivered in the time there is (more than 24 hours a day, …)."""
    limit = MOST_PER_DAY.get(unit)
    if limit is None or volume is None or planned_end < start:
        return None
    per_day = units_per_day(volume=volume, frequency=frequency, start=start, planned_end=planned_end)
    if per_day <= limit:
        return None
    return (
        f"Volume {_volume_text(volume, unit, frequency)} kan niet: dat is "
        f"{formatting.number(per_day, -1)} {PER_DAY_TEXT[unit]} per dag, en een dag heeft er hoogstens "
        f"{formatting.number(limit)}. Controleer het volume en de frequentie."
    )


def volume_norm_exceeded(
    product, *, volume: Decimal, unit: str, frequency: str, start: dt.date, planned_end: dt.date
) -> bool:
    """The volume is above the product's norm (compared per day, in the product's unit; equal is within)."""
    if product.norm_volume is None or volume is None or unit != product.unit or planned_end < start:
        return False
    per_day = units_per_day(volume=volume, frequency=frequency, start=start, planned_end=planned_end)
    norm = units_per_day(
        volume=product.norm_volume, frequency=product.norm_frequency, start=start, planned_end=planned_end
    )
    return per_day > norm


def volume_above_norm(
    product, *, volume: Decimal, unit: str, frequency: str, start: dt.date, planned_end: dt.date
) -> str | None:
    """What to tell the worker when the volume is above the product's norm (in the product's unit); else None."""
    checks = {"volume": volume, "unit": unit, "frequency": frequency, "start": start, "planned_end": planned_end}
    if not volume_norm_exceeded(product, **checks):
        return None
    return (
        f"Het volume ({_volume_text(volume, unit, frequency)}) ligt boven de norm voor {product.code} "
        f"({_volume_text(product.norm_volume, product.unit, product.norm_frequency)}). "
        "Geef een reden om het toch zo vast te leggen."
    )


# --- the actual start of care -----------------------------------------------------------------------------


def actual_start_problem(
    *,
    actual_start: dt.date,
    referral_date: dt.date | None,
    planned_end: dt.date | None,
    end: dt.date | None,
    today: dt.date | None,
) -> str | None:
    """A Dutch refusal naming the value when the actual start of care (JW305, the toegang's first contact, a CSV
    column) cannot be: before the referral, after the end (or the allocation's planned end), in the future.
    The one rule of the form, the CSV import and the JW305 import; `today` None skips the future check."""
    shown = formatting.date(actual_start)
    if referral_date is not None and actual_start < referral_date:
        return f"De start van de zorg ({shown}) ligt vóór de verwijzing van {formatting.date(referral_date)}."
    if end is not None and actual_start > end:
        return f"De start van de zorg ({shown}) ligt na het einde ({formatting.date(end)})."
    if planned_end is not None and actual_start > planned_end:
        return (
            f"De start van de zorg ({shown}) ligt na de geplande einddatum van de toewijzing "
            f"({formatting.date(planned_end)})."
        )
    if today is not None and actual_start > today:
        return f"De start van de zorg ({shown}) ligt in de toekomst; leg die vast als de zorg begonnen is."
    return None


# --- the cost a form shows before saving ---------------------------------------------------------------


@dataclass(frozen=True)
class CostPreview:
    basis: str
    per_month: Decimal | None = None
    until_end: Decimal | None = None
    impossible: str | None = None
    above_norm: str | None = None


def norm_text(product) -> str:
    """The product's volume norm as the toets reads it: '2,5 uur per week'; '' without a norm."""
    if product.norm_volume is None:
        return ""
    return _volume_text(product.norm_volume, product.unit, product.norm_frequency)


def cost_preview(
    product, *, tariff, financing, volume, unit, frequency, start: dt.date, planned_end: dt.date
) -> CostPreview:
    """What the start and change forms show before saving: the cost per month and until the planned end, on
    the same rules as the saved trajectory (P × Q, or for taakgericht care the reference tariff), and the
    volume checks the service will apply."""
    if volume is None or volume <= 0 or start is None or planned_end is None or planned_end < start:
        return CostPreview(basis="")
    checks = {"volume": volume, "unit": unit, "frequency": frequency, "start": start, "planned_end": planned_end}
    impossible = volume_impossible(**checks)
    above_norm = None if impossible else volume_above_norm(product, **checks)
    if financing == Financing.TASK:
        if product.reference_tariff is None:
            return CostPreview(
                basis="taakgericht: de indicatieve kosten volgen uit het contract van de aanbieder",
                impossible=impossible,
                above_norm=above_norm,
            )
        tariff, basis = product.reference_tariff, "indicatief (referentietarief)"
    elif tariff is None:
        return CostPreview(basis="prijs ontbreekt", impossible=impossible, above_norm=above_norm)
    else:
        basis = "P × Q"
    per_day = daily_cost(tariff=tariff, volume=volume, frequency=frequency, start=start, planned_end=planned_end)
    days = (planned_end - start).days + 1
    return CostPreview(
        basis=basis,
        per_month=monthly_cost(per_day),
        until_end=(per_day * days).quantize(Decimal("0.01")),
        impossible=impossible,
        above_norm=above_norm,
    )
