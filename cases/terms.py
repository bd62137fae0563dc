"""The terms a new trajectory carries: the one rule for the toegang's form, the CSV import and the iJw import.

A trajectory keeps the tariff, financing and norm of its product as they were when it was allocated, so
a later tariff change does not rewrite past spend. Taakgericht care has no price per case. Care from a
provider without a contract is outside the budget by definition.
"""

from dataclasses import dataclass
from decimal import Decimal

from .codes import Financing

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
