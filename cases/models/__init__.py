"""The case file: gemeenten, users, children, households, care trajectories and their reviews.

Referrals live in the `referrals` app. Business writes go through `cases/services/`; reads of case
data start from `Child.objects.visible_to(user)` (or the matching queryset method on the related
model) so that one rule decides who sees which case. Import every model from here:
`from cases.models import Trajectory`; the modules below are how the file is organised, not an API.
"""

from .catalogue import (
    CASE_READER_ROLES,
    PAYMENT_TERMS,
    CostBasis,
    Gemeente,
    PaymentSchedule,
    Product,
    Provider,
    Role,
    Segment,
    SegmentBudget,
    TaskContract,
    User,
    YouthPopulation,
)
from .children import CaseAccessLog, Child, ChildQuerySet, FlagOutbox, Guardian, GuardianRelation, Household
from .declarations import DebitCredit, Declaration, DeclarationQuerySet, DeclarationSource, DeclarationStatus
from .trajectories import (
    CASE_DAILY_COST,
    CostBasisLabel,
    Extension,
    ExtensionStatus,
    IndicativeCost,
    ReviewOutcome,
    StopReview,
    Trajectory,
    TrajectoryQuerySet,
    daily_cost,
    units_per_day,
    whole_months,
)
from .work import JournalEntry, JournalKind, Task, TaskKind, TaskOrigin, TaskQuerySet, TaskStatus

__all__ = [
    "CASE_DAILY_COST",
    "CASE_READER_ROLES",
    "PAYMENT_TERMS",
    "CostBasis",
    "CostBasisLabel",
    "IndicativeCost",
    "PaymentSchedule",
    "TaskContract",
    "CaseAccessLog",
    "DebitCredit",
    "Declaration",
    "DeclarationQuerySet",
    "DeclarationSource",
    "DeclarationStatus",
    "Child",
    "ChildQuerySet",
    "Extension",
    "ExtensionStatus",
    "FlagOutbox",
    "Gemeente",
    "Guardian",
    "GuardianRelation",
    "Household",
    "JournalEntry",
    "JournalKind",
    "Product",
    "Provider",
    "ReviewOutcome",
    "Role",
    "Segment",
    "SegmentBudget",
    "StopReview",
    "Task",
    "TaskKind",
    "TaskOrigin",
    "TaskQuerySet",
    "TaskStatus",
    "Trajectory",
    "TrajectoryQuerySet",
    "User",
    "YouthPopulation",
    "daily_cost",
    "units_per_day",
    "whole_months",
]
