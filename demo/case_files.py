"""The case files: households, children, referrals, trajectories, extensions and stop-strategy reviews.

Each row is stored as it stands today, with a history row for its first logging and for each later
event (`demo.history`), attributed to the demo user whose role does that work.
"""

from simple_history.utils import bulk_create_with_history

from cases.models import Child, Extension, ExtensionStatus, Household, StopReview, Trajectory, daily_cost
from demo.history import BATCH, given_timestamps, mark, model_field, store_as_logged
from demo.households import give_addresses
from demo.plan import GemeentePlan, TrajectoryPlan
from referrals.models import Referral


def write_cases(plan: GemeentePlan, gemeente, products, providers, staff, clock) -> None:
    toegang, toets = staff["toegang"], staff["toets"]
    with given_timestamps(
        model_field(Household, "created_at"),
        model_field(Child, "created_at"),
        model_field(Referral, "created_at"),
        model_field(Trajectory, "created_at"),
        model_field(Extension, "requested_at"),
    ):
        households = {}
        for household_plan in plan.households:
            when = clock.at(household_plan.created, 9, 15)
            households[id(household_plan)] = mark(
                Household(gemeente=gemeente, name=household_plan.name, created_at=when), toegang, when
            )
        give_addresses(list(households.values()), gemeente)
        bulk_create_with_history(list(households.values()), Household, batch_size=BATCH)

        children = {}
        for child_plan in plan.children:
            when = clock.at(child_plan.registered, 9, 20)
            children[id(child_plan)] = mark(
                Child(
                    gemeente=gemeente,
                    household=households[id(child_plan.household)],
                    first_name=child_plan.first_name,
                    name_prefix=child_plan.name_prefix,
                    last_name=child_plan.last_name,
                    birth_date=child_plan.birth_date,
                    created_at=when,
                ),
                toegang,
                when,
            )
        bulk_create_with_history(list(children.values()), Child, batch_size=BATCH)

        referrals, entries = {}, []
        for rp in plan.referrals:
            when = clock.at(rp.date, 9, 30)
            referral = mark(
                Referral(
                    child=children[id(rp.child)],
                    date=rp.date,
                    source=rp.source,
                    referrer_name=rp.referrer_name,
                    request_category=rp.request_category,
                    outcome=rp.outcome,
                    outcome_date=rp.outcome_date,
                    created_at=when,
                ),
                toegang,
                when,
            )
            referrals[id(rp)] = referral
            decided = []
            if rp.outcome:
                decided.append(
                    (
                        clock.at(rp.outcome_date, 9, 45),
                        toegang,
                        {"outcome": rp.outcome, "outcome_date": rp.outcome_date},
                    )
                )
            entries.append((referral, {"outcome": "", "outcome_date": None}, decided))
        store_as_logged(Referral, entries)

        trajectories, entries = [], []
        for tp in plan.trajectories:
            trajectory, first, changes = _trajectory_as_logged(
                tp, children, referrals, products, providers, toegang, toets, clock
            )
            trajectories.append(trajectory)
            entries.append((trajectory, first, changes))
        store_as_logged(Trajectory, entries)

        extensions, reviews = [], []
        for tp, trajectory in zip(plan.trajectories, trajectories, strict=True):
            for ep in tp.extensions:
                when = clock.at(ep.requested_on, 11)
                extension = mark(
                    Extension(
                        trajectory=trajectory,
                        requested_end_date=ep.requested_end,
                        requested_volume=ep.requested_volume,
                        reason=ep.reason,
                        requested_by=toegang,
                        requested_at=when,
                    ),
                    toegang,
                    when,
                )
                changes = []
                if ep.decided_on:
                    decision = {
                        "status": ep.status,
                        "decision_reason": ep.decision_reason,
                        "granted_end_date": ep.granted_end,
                        "granted_volume": ep.granted_volume,
                        "decided_by": toets,
                        "decided_at": _decided_at(ep, clock),
                    }
                    for name, value in decision.items():
                        setattr(extension, name, value)
                    changes.append((extension.decided_at, toets, decision))
                first = {
                    "status": ExtensionStatus.PENDING,
                    "decision_reason": "",
                    "granted_end_date": None,
                    "granted_volume": None,
                    "decided_by": None,
                    "decided_at": None,
                }
                extensions.append((extension, first, changes))
            for rp in tp.reviews:
                when = clock.at(rp.planned_on, 14)
                review = mark(
                    StopReview(
                        trajectory=trajectory,
                        due_date=rp.due,
                        planned_by=toegang,
                        done_date=rp.done,
                        outcome=rp.outcome,
                        note=rp.note,
                        done_by=toegang if rp.done else None,
                    ),
                    toegang,
                    when,
                )
                done = {"done_date": rp.done, "outcome": rp.outcome, "note": rp.note, "done_by": toegang}
                first = {"done_date": None, "outcome": "", "note": "", "done_by": None}
                reviews.append((review, first, [(clock.at(rp.done, 14, 30), toegang, done)] if rp.done else []))
        store_as_logged(Extension, extensions)
        store_as_logged(StopReview, reviews)


def _trajectory_as_logged(tp: TrajectoryPlan, children, referrals, products, providers, toegang, toets, clock):
    """The trajectory as it stands today, as first allocated, and each granted extension and its end."""
    product = products[tp.product.code]

    def cost(planned_end, volume):
        return daily_cost(
            tariff=tp.tariff, volume=volume, frequency=tp.frequency, start=tp.start, planned_end=planned_end
        )

    first = {
        "planned_end_date": tp.planned_end,
        "volume": tp.volume,
        "daily_cost": cost(tp.planned_end, tp.volume),
        "end_date": None,
        "end_reason": "",
        "version": 1,
    }
    changes, planned_end, volume, version = [], tp.planned_end, tp.volume, 1
    for ep in tp.extensions:
        if ep.status in (ExtensionStatus.APPROVED, ExtensionStatus.SHORTENED):
            planned_end, volume, version = ep.granted_end, ep.granted_volume or volume, version + 1
            changes.append(
                (
                    _decided_at(ep, clock),
                    toets,
                    {
                        "planned_end_date": planned_end,
                        "volume": volume,
                        "daily_cost": cost(planned_end, volume),
                        "version": version,
                    },
                )
            )
    if tp.end:
        version += 1
        changes.append(
            (clock.at(tp.end, 16), toegang, {"end_date": tp.end, "end_reason": tp.end_reason, "version": version})
        )
    when = clock.at(tp.start, 10)
    trajectory = mark(
        Trajectory(
            child=children[id(tp.child)],
            referral=referrals[id(tp.referral)],
            provider=providers[tp.provider.agb],
            product=product,
            start_date=tp.start,
            planned_end_date=planned_end,
            volume=volume,
            unit=product.unit,
            frequency=tp.frequency,
            tariff=tp.tariff,
            financing=tp.financing,
            norm_months=product.effective_norm_months,
            daily_cost=cost(planned_end, volume),
            end_date=tp.end,
            end_reason=tp.end_reason,
            version=version,
            outside_budget=bool(tp.outside_budget_reason),
            outside_budget_reason=tp.outside_budget_reason,
            created_at=when,
        ),
        toegang,
        when,
    )
    return trajectory, first, changes


def _decided_at(extension_plan, clock):
    """When the toetser decided an extension: its row and the trajectory it lengthens change then."""
    return clock.at(extension_plan.decided_on, 11, 30)
