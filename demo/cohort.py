"""The effect of the Top 32 in the demo: a peildatum nine months back, decisions on its cases since, and
the knelpunten the regisseur linked them to.

The Top 32 of nine months ago is rebuilt from the care running then (the demo has no scores of that day):
ranked by the cost of the open care, with the flags that cost, residential care and stacking gave.
Its trajectories are frozen by regie's own set-based statement (regie.cohort.cohort_freeze_trajectories).
Then the regisseur's decisions since: trajectories ended, scaled down and moved to the Wlz with their
tasks done, one case back in care within months, others continued or still unreviewed.
"""

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db import connection
from django.db.models import Q
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from cases.codes import EndReason
from cases.formatting import euro, number
from cases.models import Role, Task, TaskKind, TaskOrigin, TaskStatus, Trajectory, daily_cost
from cases.services.costs import indicative_costs_refresh
from cases.terms import monthly_cost
from demo.history import BATCH, given_timestamps, model_field
from regie.cohort import cohort_freeze_trajectories
from regie.models import Cohort, CohortMember, Decision, DecisionKind, Knelpunt, KnelpuntStatus, RegieSettings

COHORT_MONTHS_AGO = 9
# kind, how many, carried out
PLAN = (
    (DecisionKind.END, 3, True),
    (DecisionKind.SCALE_DOWN, 3, True),
    (DecisionKind.SCALE_DOWN, 1, False),
    (DecisionKind.WLZ, 2, True),
    (DecisionKind.CONTINUE, 4, False),
)
REASONS = {
    DecisionKind.END: "Doelen bereikt; verdere behandeling voegt niets toe. Overdracht naar het voorliggend veld.",
    DecisionKind.SCALE_DOWN: "Gezin stabiel: begeleiding halveren, evaluatie over drie maanden.",
    DecisionKind.WLZ: "Blijvende, intensieve zorgbehoefte: Wlz-indicatie aanvragen bij het CIZ.",
    DecisionKind.CONTINUE: "Behandeling werkt; zonder passend alternatief voortzetten tot de evaluatie.",
}
KNELPUNTEN = (
    (
        "Geen passend aanbod voor jongeren met complexe gedragsproblematiek in de regio",
        "Plaatsing buiten de regio of verlenging van verblijf bij gebrek aan een passende plek.",
        KnelpuntStatus.OPEN,
        (DecisionKind.ESCALATE, DecisionKind.END),
    ),
    (
        "Lichtere vervolgzorg ontbreekt: afschalen stokt bij de overgang naar ambulant",
        "Aanbieders hebben wachtlijsten voor ambulante vervolgzorg; afschalen duurt maanden.",
        KnelpuntStatus.IN_PROGRESS,
        (DecisionKind.SCALE_DOWN,),
    ),
    (
        "Wlz-aanvragen lopen vast in de voorbereiding",
        "Dossiers zijn onvolledig voor het CIZ; niemand trekt de aanvraag.",
        KnelpuntStatus.OPEN,
        (DecisionKind.WLZ,),
    ),
    (
        "Wachtlijst specialistische GGZ langer dan 12 weken",
        "Trajecten lopen door in afwachting van GGZ-behandeling.",
        KnelpuntStatus.OPEN,
        (DecisionKind.CONTINUE, DecisionKind.CASE_MEETING),
    ),
)


def write_cohort(gemeente, regisseur, today: dt.date, clock, *, seed: int) -> None:
    rng = random.Random(seed)
    peildatum = today - relativedelta(months=COHORT_MONTHS_AGO)
    indicative_costs_refresh(gemeente_ids=[gemeente.pk], today=today)
    cohort = _cohort(gemeente, regisseur, peildatum, clock)
    members = list(CohortMember.objects.filter(cohort=cohort).select_related("child").order_by("rank"))
    _decisions(gemeente, regisseur, members, peildatum, today, clock, rng)
    _knelpunten(gemeente, regisseur, peildatum, clock)


def _cohort(gemeente, regisseur, peildatum: dt.date, clock) -> Cohort:
    top_n = RegieSettings.objects.filter(gemeente=gemeente).values_list("top_n", flat=True).first() or 32
    running = (
        Trajectory.objects.filter(child__gemeente=gemeente, start_date__lte=peildatum)
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=peildatum))
        .values(
            "child_id",
            "start_date",
            "planned_end_date",
            "daily_cost",
            "indicative__daily_cost",
            "product__segment__number",
        )  # fmt: skip
    )
    cost, count, residential = defaultdict(Decimal), defaultdict(int), set()
    for t in running:
        per_day = t["daily_cost"] if t["daily_cost"] is not None else t["indicative__daily_cost"]
        days = (t["planned_end_date"] - t["start_date"]).days + 1
        cost[t["child_id"]] += (per_day or Decimal("0")) * days
        count[t["child_id"]] += 1
        if t["product__segment__number"] == 1:
            residential.add(t["child_id"])

    def flags(child_id):
        codes = []
        if cost[child_id] >= 50000:
            codes.append("kosten")
        if count[child_id] >= 3:
            codes.append("stapeling")
        if child_id in residential:
            codes.append("verblijf")
        return codes

    def score(child_id):
        points = {"kosten": 25, "stapeling": 10, "verblijf": 15}
        return (cost[child_id] / 1000 + sum(points[c] for c in flags(child_id))).quantize(Decimal("0.00001"))

    top = sorted(cost, key=lambda pk: (-score(pk), pk))[:top_n]
    cohort = Cohort(
        gemeente=gemeente,
        peildatum=peildatum,
        top_n=top_n,
        note="Nulmeting bij de start van de Top 32-aanpak",
        taken_by=regisseur,
        taken_at=clock.at(peildatum, 10),
    )
    cohort._history_user, cohort._history_date = regisseur, cohort.taken_at
    (cohort,) = bulk_create_with_history([cohort], Cohort)
    CohortMember.objects.bulk_create(
        [
            CohortMember(
                cohort=cohort,
                child_id=pk,
                rank=rank,
                score=score(pk),
                open_cost=cost[pk].quantize(Decimal("0.01")),
                flag_codes=",".join(flags(pk)),
            )
            for rank, pk in enumerate(top, start=1)
        ]
    )
    with connection.cursor() as cursor:
        cohort_freeze_trajectories(cursor, cohort)
    return cohort


def _owner(child) -> dict:
    return {"owner_id": child.owner_id} if child.owner_id else {"owner_role": Role.TOEGANG}


def _decisions(gemeente, regisseur, members, peildatum, today, clock, rng) -> None:
    """Decisions since the peildatum on the cohort's cases that have none yet (Mijn werk's decisions are
    recent; these spread over the nine months), with the trajectories changed and the tasks done."""
    decided = set(
        Decision.objects.filter(gemeente=gemeente, decided_at__date__gte=peildatum).values_list("child_id", flat=True)
    )
    free = [m for m in members if m.child_id not in decided]
    priced = defaultdict(list)
    for t in Trajectory.objects.filter(
        child_id__in=[m.child_id for m in free],
        end_date__isnull=True,
        daily_cost__isnull=False,
        start_date__lte=peildatum,
        planned_end_date__gt=today + dt.timedelta(days=60),
    ).select_related("product"):
        priced[t.child_id].append(t)
    running = defaultdict(list)  # what a Wlz indication ends: any Jeugdwet care, priced or taakgericht
    for t in Trajectory.objects.filter(
        child_id__in=[m.child_id for m in free], end_date__isnull=True, start_date__lte=peildatum
    ):
        running[t.child_id].append(t)
    open_count = {child_id: len(rows) for child_id, rows in running.items()}
    span = (today - peildatum).days
    decisions, tasks, changed, new_care = [], [], [], []
    back_in_care = 1  # one case that left care comes back within months
    for kind, how_many, carried_out in PLAN:
        acts = kind in (DecisionKind.SCALE_DOWN, DecisionKind.END)
        pool = [m for m in free if priced[m.child_id]] if acts else free
        if kind == DecisionKind.WLZ:
            # From the lighter end of the cohort: the heaviest cases stay in today's Top 32.
            pool = [m for m in reversed(free) if running[m.child_id]]
        for member in pool[:how_many]:
            free.remove(member)
            child = member.child
            day = peildatum + dt.timedelta(days=rng.randint(20, max(span - 120, 21)))
            when = clock.at(day, 15)
            decision = Decision(
                child=child,
                gemeente=gemeente,
                kind=kind,
                reason=REASONS[kind],
                # Reached by now: these cases are back in the queue when they still weigh (Mijn werk's
                # recent decisions are the ones that hold cases out of it).
                follow_up_date=min(day + dt.timedelta(days=rng.choice((60, 90, 120))), today - dt.timedelta(days=7)),
                actor=child.owner.get_full_name() if child.owner_id else "toegangsteam",
                decided_by=regisseur,
                decided_at=when,
                cost_at_decision=member.open_cost,
                flag_codes=member.flag_codes,
            )
            decision._history_user, decision._history_date = regisseur, when
            decisions.append(decision)
            if not (acts or kind == DecisionKind.WLZ):
                continue
            act_by = day + dt.timedelta(days=rng.choice((21, 28, 42)))
            done_on = act_by - dt.timedelta(days=rng.randint(2, 9))
            if kind == DecisionKind.WLZ:
                # The indication came: the Jeugdwet care ends, the bill moves to the Wlz.
                moved_on = act_by + dt.timedelta(days=90)
                if carried_out and moved_on < today:
                    for trajectory in running[member.child_id]:
                        trajectory.version += 1
                        trajectory._history_user = child.owner or regisseur
                        trajectory.end_date = max(moved_on, trajectory.actual_start_date or moved_on)
                        trajectory.end_reason = EndReason.OTHER_DOMAIN
                        changed.append(trajectory)
                continue
            trajectory = max(priced[member.child_id], key=lambda t: t.daily_cost)
            decision.trajectory = trajectory
            decision.act_by = act_by
            decision.monthly_cost_before = monthly_cost(trajectory.daily_cost)
            if kind == DecisionKind.SCALE_DOWN:
                decision.proposed_volume = max((trajectory.volume / 2).quantize(Decimal("1")), Decimal("1"))
                decision.proposed_monthly_cost = monthly_cost(
                    daily_cost(
                        tariff=trajectory.tariff,
                        volume=decision.proposed_volume,
                        frequency=trajectory.frequency,
                        start=trajectory.start_date,
                        planned_end=trajectory.planned_end_date,
                    )
                )
                title = (
                    f"Afschalen volgens besluit: {trajectory.product.description} naar "
                    f"{number(decision.proposed_volume)} "
                    f"(verwacht {euro(decision.expected_monthly_saving)} per maand minder)"
                )
                key = ":afschalen"
            else:
                decision.end_reason = EndReason.EARLY_AGREED
                title = f"Beëindigen volgens besluit: {trajectory.product.description}, reden {decision.end_reason}"
                key = ":einde"
            task = Task(
                child=child,
                gemeente=gemeente,
                kind=TaskKind.DECISION,
                title=title[:200],
                due_date=act_by,
                origin=TaskOrigin.DECISION,
                trajectory=trajectory,
                key=key,  # completed with the decision's id once it has one
                created_by=regisseur,
                created_at=when,
                **_owner(child),
            )
            if carried_out:
                trajectory.version += 1
                trajectory._history_user = child.owner or regisseur
                task.status = TaskStatus.DONE
                task.closed_at = clock.at(done_on, 11)
                task.closed_by_id = child.owner_id
                if kind == DecisionKind.SCALE_DOWN:
                    trajectory.volume = decision.proposed_volume
                    trajectory.refresh_daily_cost()
                else:
                    trajectory.end_date = max(done_on, trajectory.actual_start_date or done_on)
                    trajectory.end_reason = decision.end_reason
                    if back_in_care and open_count.get(member.child_id) == 1:
                        back_in_care -= 1
                        new_care.append(_back_in_care(trajectory, trajectory.end_date + dt.timedelta(days=75), today))
                changed.append(trajectory)
            tasks.append((decision, task))
    bulk_create_with_history(decisions, Decision, batch_size=BATCH)  # sets their ids
    rows = []
    for decision, task in tasks:
        task.key = f"besluit:{decision.pk}{task.key}"
        rows.append(task)
    with given_timestamps(model_field(Task, "created_at")):
        bulk_create_with_history(rows, Task, batch_size=BATCH, default_user=regisseur)
    if changed:
        bulk_update_with_history(
            changed,
            Trajectory,
            ["volume", "daily_cost", "end_date", "end_reason", "version"],
            batch_size=BATCH,
            default_user=regisseur,
            default_change_reason="regiebesluit uitgevoerd",
        )
    new_care = [t for t in new_care if t is not None]
    if new_care:
        bulk_create_with_history(new_care, Trajectory, batch_size=BATCH, default_user=regisseur)


def _back_in_care(ended: Trajectory, start: dt.date, today: dt.date) -> Trajectory | None:
    """New, lighter care of the same kind for a child who left care: re-entry within 12 months."""
    if start > today - dt.timedelta(days=7):
        return None
    again = Trajectory(
        child_id=ended.child_id,
        referral_id=ended.referral_id,
        provider_id=ended.provider_id,
        product_id=ended.product_id,
        start_date=start,
        actual_start_date=start + dt.timedelta(days=7),
        planned_end_date=start + dt.timedelta(days=182),
        volume=max((ended.volume / 2).quantize(Decimal("1")), Decimal("1")),
        unit=ended.unit,
        frequency=ended.frequency,
        tariff=ended.tariff,
        financing=ended.financing,
        norm_months=ended.norm_months,
    )
    again.refresh_daily_cost()
    return again


def _knelpunten(gemeente, regisseur, peildatum, clock) -> None:
    """Four knelpunten, each linked to the decisions of the kinds that ran into it."""
    decisions = list(Decision.objects.filter(gemeente=gemeente).order_by("decided_at", "pk"))
    rows = []
    for i, (title, description, status, _) in enumerate(KNELPUNTEN):
        knelpunt = Knelpunt(
            gemeente=gemeente,
            title=title,
            description=description,
            status=status,
            created_by=regisseur,
            created_at=clock.at(peildatum + dt.timedelta(days=30 + 21 * i), 16),
        )
        knelpunt._history_user, knelpunt._history_date = regisseur, knelpunt.created_at
        rows.append(knelpunt)
    created = bulk_create_with_history(rows, Knelpunt, batch_size=BATCH)
    for knelpunt, (_, _, _, kinds) in zip(created, KNELPUNTEN, strict=True):
        linked = [d for kind in kinds for d in [d for d in decisions if d.kind == kind][:3]]
        knelpunt._history_user = regisseur
        knelpunt.decisions.set(linked)
