"""What became of the regisseur's decisions: their tasks with status, and the saving they realised.

A decision's tasks carry its key ("besluit:<id>:…", regie/services.py), so the tasks of many decisions
are read in one query; so are the trajectories their savings are measured on. A fixed number of queries
for any number of decisions.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from cases.models import Task, TaskStatus, Trajectory
from cases.terms import monthly_cost

from .models import Decision


@dataclass
class DecisionOutcome:
    decision: Decision
    tasks: list = field(default_factory=list)
    done: bool = False  # every task of the decision is done
    realised_monthly_saving: Decimal | None = None  # once the work is done
    replacements: list = field(default_factory=list)  # the lighter trajectories that followed it


def _decision_pk(key: str) -> int | None:
    parts = key.split(":")
    return int(parts[1]) if len(parts) >= 2 and parts[0] == "besluit" and parts[1].isdigit() else None


def decision_outcomes(decisions) -> list[DecisionOutcome]:
    """Each decision with its tasks and, for a done afschalen or beëindigen, the realised saving per month.

    Realised saving: the trajectory's cost per month at the decision minus what it costs now; once it
    has ended, minus what the care that replaced it costs: the trajectories that follow it (a change to
    a lighter product) and the child's other running trajectories that started on or after the decision
    day (nothing for a plain end).
    """
    outcomes = [DecisionOutcome(d) for d in decisions]
    if not outcomes:
        return []
    by_pk = {o.decision.pk: o for o in outcomes}
    child_ids = {o.decision.child_id for o in outcomes}
    tasks = Task.objects.filter(child_id__in=child_ids, key__startswith="besluit:").order_by("due_date", "pk")
    for task in tasks.select_related("owner", "gemeente"):
        outcome = by_pk.get(_decision_pk(task.key))
        if outcome is not None:
            outcome.tasks.append(task)
    acting = [o for o in outcomes if o.decision.trajectory_id and o.decision.monthly_cost_before is not None]
    trajectories = Trajectory.objects.in_bulk([o.decision.trajectory_id for o in acting])
    running = list(
        Trajectory.objects.filter(child_id__in={o.decision.child_id for o in acting}, end_date__isnull=True)
        .select_related("product")
        .order_by("start_date", "pk")
    )
    for outcome in outcomes:
        outcome.done = bool(outcome.tasks) and all(t.status == TaskStatus.DONE for t in outcome.tasks)
    for outcome in acting:
        decision = outcome.decision
        if not outcome.done:
            continue
        trajectory = trajectories.get(decision.trajectory_id)
        if trajectory is None:
            continue
        if trajectory.end_date is None:
            now = monthly_cost(trajectory.daily_cost) or Decimal("0")
        else:
            decided_on = decision.decided_at.date()
            after = [
                t
                for t in running
                if t.child_id == decision.child_id and (t.follows_id == trajectory.pk or t.start_date >= decided_on)
            ]
            outcome.replacements = [t for t in after if t.follows_id == trajectory.pk]
            now = sum((monthly_cost(t.daily_cost) or Decimal("0") for t in after), Decimal("0"))
        outcome.realised_monthly_saving = decision.monthly_cost_before - now
    return outcomes
