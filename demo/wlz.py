"""Wlz routes in the demo (issue 11): children in long residential care whose bill belongs to the Wlz.

Six routes of Voorbeeldstad at every step, dated around the demo's day so the route list, the stall
flag and the monthly report all show something: one transferred last month (its indication given last
month, its Jeugdwet trajectories ended with JZ588 39 and the ending tasks done), one transferred in the
spring, one with the indication given and its transfer ahead (open ending tasks), one application quiet
for ten weeks (the stall flag fires), one in voorbereiding and one refused.
Set-based like the rest of the demo: bulk_create_with_history / bulk_update_with_history.
"""

import datetime as dt

from django.db.models import Min, Q
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from cases.codes import EndReason
from cases.formatting import date as nl_date
from cases.models import Task, TaskKind, TaskOrigin, TaskStatus, Trajectory
from demo.history import BATCH, given_timestamps, model_field
from regie.codes import WlzStep
from regie.models import Decision, DecisionKind, WlzRoute

REASON = "Levenslange, intensieve zorg nodig: de rekening hoort bij de Wlz. Aanvraag bij het CIZ voorbereiden."


def _plan(today: dt.date) -> list[dict]:
    """The routes, oldest first; days relative to the demo's day and the first of last month."""
    first = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)  # of last month

    def ago(days: int) -> dt.date:
        return today - dt.timedelta(days=days)

    def last_month(days: int) -> dt.date:
        return first + dt.timedelta(days=days)

    transferred, granted, applied = WlzStep.TRANSFERRED, WlzStep.GRANTED, WlzStep.APPLIED
    return [
        # transferred in the spring
        {"step": transferred, "prepared_on": ago(330), "applied_on": ago(300), "granted_on": ago(230),
         "expected_end": ago(210), "transferred_on": ago(210)},
        # refused
        {"step": WlzStep.REFUSED, "prepared_on": ago(260), "applied_on": ago(230), "refused_on": ago(170)},
        # transferred last month: the month the report shows
        {"step": transferred, "prepared_on": last_month(-120), "applied_on": last_month(-84),
         "granted_on": last_month(2), "expected_end": last_month(16), "transferred_on": last_month(16)},
        # indication given, transfer ahead
        {"step": granted, "prepared_on": ago(150), "applied_on": ago(100), "granted_on": ago(12),
         "expected_end": today + dt.timedelta(days=24)},
        # application quiet for ten weeks: the stall flag
        {"step": applied, "prepared_on": ago(100), "applied_on": ago(70)},
        # just begun
        {"step": WlzStep.PREPARING, "prepared_on": ago(20)},
    ]  # fmt: skip


def write_wlz_routes(gemeente, regisseur, today: dt.date, clock) -> None:
    plan = _plan(today)
    decided = Decision.objects.filter(gemeente=gemeente).values("child_id")
    # Children in residential care for the longest time, with a casusregisseur and no decision yet.
    candidates = list(
        Trajectory.objects.filter(child__gemeente=gemeente, child__owner__isnull=False, end_date__isnull=True)
        .filter(Q(product__segment__is_residential=True) | Q(product__with_stay=True))
        .exclude(child_id__in=decided)
        .values("child_id", "child__owner_id")
        .annotate(first=Min("start_date"))
        .order_by("first", "child_id")[: len(plan)]
    )
    if len(candidates) < len(plan):
        return
    cost = Trajectory.objects.filter(child_id__in=[c["child_id"] for c in candidates]).open_cost_by_child(today)
    decisions, routes = [], []
    for spec, row in zip(plan, candidates, strict=True):
        prepared = spec["prepared_on"]
        when = clock.at(prepared, 14)
        decision = Decision(
            child_id=row["child_id"],
            gemeente=gemeente,
            kind=DecisionKind.WLZ,
            reason=REASON,
            follow_up_date=max(prepared + dt.timedelta(days=42), today + dt.timedelta(days=14))
            if spec["step"] in WlzRoute.OPEN_STEPS
            else prepared + dt.timedelta(days=42),
            actor="regisseur en casusregisseur",
            decided_by=regisseur,
            decided_at=when,
            cost_at_decision=cost.get(row["child_id"], 0),
        )
        decision._history_user, decision._history_date = regisseur, when
        decisions.append(decision)
    decisions = bulk_create_with_history(decisions, Decision, batch_size=BATCH)
    for spec, decision in zip(plan, decisions, strict=True):
        last = max(v for k, v in spec.items() if k.endswith("_on"))
        route = WlzRoute(
            child_id=decision.child_id,
            gemeente=gemeente,
            decision=decision,
            last_step_on=last,
            note="Indicatie CIZ ontvangen." if spec["step"] == WlzStep.GRANTED else "",
            created_by=regisseur,
            **spec,
        )
        route._history_user, route._history_date = regisseur, clock.at(last, 15)
        routes.append(route)
    routes = bulk_create_with_history(routes, WlzRoute, batch_size=BATCH)
    _ending_work(routes, {c["child_id"]: c["child__owner_id"] for c in candidates}, regisseur, clock)


def _ending_work(routes, owners: dict, regisseur, clock) -> None:
    """The ending tasks of every route with an indication; done (trajectories ended) where it transferred."""
    tasks, ended = [], []
    for route in routes:
        if route.granted_on is None:
            continue
        transfer = route.expected_end
        running = (
            Trajectory.objects.filter(child_id=route.child_id, end_date__isnull=True, start_date__lte=transfer)
            .filter(Q(actual_start_date__isnull=True) | Q(actual_start_date__lte=transfer))
            .select_related("product", "provider")
        )
        for trajectory in running:
            task = Task(
                child_id=route.child_id,
                gemeente_id=route.gemeente_id,
                kind=TaskKind.DECISION,
                title=(
                    f"Wlz-indicatie afgegeven: {trajectory.product.description} bij {trajectory.provider.name} "
                    f"beëindigen per {nl_date(transfer)}, reden 39 {EndReason.OTHER_DOMAIN.label}"
                )[:200],
                due_date=transfer,
                owner_id=owners[route.child_id],
                origin=TaskOrigin.DECISION,
                trajectory=trajectory,
                key=f"wlz:{route.pk}:einde:{trajectory.pk}",
                created_by=regisseur,
                created_at=clock.at(route.granted_on, 15),
            )
            if route.transferred_on is not None:
                trajectory.end_date, trajectory.end_reason = transfer, EndReason.OTHER_DOMAIN
                ended.append(trajectory)
                task.status, task.closed_at, task.closed_by_id = TaskStatus.DONE, clock.at(transfer, 11), task.owner_id
            tasks.append(task)
    with given_timestamps(model_field(Task, "created_at")):
        bulk_create_with_history(tasks, Task, batch_size=BATCH, default_user=regisseur)
    bulk_update_with_history(
        ended, Trajectory, ["end_date", "end_reason"], batch_size=BATCH, default_change_reason="overgang naar de Wlz"
    )
