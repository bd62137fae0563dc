"""The plan: everything the demo holds, drawn in memory before anything is written."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from cases.codes import Financing
from cases.models import ExtensionStatus
from demo.catalogue import ProductPlan, ProviderPlan


@dataclass(eq=False)
class HouseholdPlan:
    name: str
    created: dt.date


@dataclass(eq=False)
class ChildPlan:
    birth_date: dt.date
    anchor: dt.date  # first contact with the gemeente: siblings are grouped by it
    first_name: str = ""
    name_prefix: str = ""
    last_name: str = ""
    household: HouseholdPlan | None = None
    registered: dt.date | None = None


@dataclass(eq=False)
class ReferralPlan:
    child: ChildPlan
    date: dt.date
    source: str
    referrer_name: str
    request_category: str
    outcome: str = ""
    outcome_date: dt.date | None = None


@dataclass(eq=False)
class ExtensionPlan:
    requested_on: dt.date
    requested_end: dt.date
    requested_volume: Decimal | None
    reason: str
    status: str = ExtensionStatus.PENDING
    decided_on: dt.date | None = None
    granted_end: dt.date | None = None
    granted_volume: Decimal | None = None
    decision_reason: str = ""


@dataclass(eq=False)
class ReviewPlan:
    planned_on: dt.date
    due: dt.date
    done: dt.date | None = None
    outcome: str = ""
    note: str = ""


@dataclass(eq=False)
class TrajectoryPlan:
    child: ChildPlan
    referral: ReferralPlan
    product: ProductPlan
    provider: ProviderPlan
    start: dt.date
    planned_end: dt.date  # as first allocated
    volume: Decimal  # as first allocated
    frequency: str
    final_planned_end: dt.date
    final_volume: Decimal
    end: dt.date | None = None
    end_reason: str = ""
    outside_budget_reason: str = ""
    extensions: list = field(default_factory=list)
    reviews: list = field(default_factory=list)
    tariff: Decimal | None = None
    financing: str = Financing.EFFORT
    daily_cost: Decimal | None = None
    actual_start: dt.date | None = None  # None: allocated, care not started (the child waits)
    family_informed: dt.date | None = None
    bridging_care: str = ""

    def overlaps(self, first: dt.date, last: dt.date) -> bool:
        return self.start <= last and (self.end is None or self.end >= first)


@dataclass(eq=False)
class GemeentePlan:
    code: str
    name: str
    population: int
    youth_targets: dict
    spend_targets: dict | None  # None: not calibrated (Proefdorp follows Voorbeeldstad's tariffs)
    children: list = field(default_factory=list)
    referrals: list = field(default_factory=list)
    trajectories: list = field(default_factory=list)
    households: list = field(default_factory=list)


@dataclass
class DemoPlan:
    today: dt.date
    seed: int
    scale: float
    gemeenten: list
    tariffs: dict  # product code -> tariff per unit at today's price level (None: taakgericht)
    factors: dict  # segment -> calibration factor applied to the base tariffs
    reference_tariffs: dict = field(default_factory=dict)  # product code -> indicative tariff (taakgericht)
