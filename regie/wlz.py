"""The Wlz route's writes (issue 11): a Wlz decision opens it, the regisseur records each next step.

One workflow with one door: the steps are regie.codes.WlzStep, the allowed moves WlzRoute.TRANSITIONS,
and `wlz_route_step` checks the move, the dates and the transfer under the route's row lock. When the
indication is given, the casusregisseur (or a chosen colleague) gets a task per running Jeugdwet
trajectory: end it from the transfer date with JZ588 reason 39. Ending the trajectory is the work that
closes the task (cases.services.trajectory_end closes the decision tasks of its trajectory).

Below regie/services.py: decision_record calls `wlz_route_open`; this module never imports services.
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from cases import formatting
from cases.codes import EndReason
from cases.models import CASE_DAILY_COST, Child, Role, TaskKind, TaskOrigin, Trajectory, User
from cases.services import as_user, task_create
from cases.terms import monthly_cost

from .codes import WlzStep
from .models import Decision, WlzRoute

# The JZ588 reason the ending tasks ask for: "Uitstroom naar ander domein (Wmo, Wlz, Zvw)".
WLZ_END_REASON = EndReason.OTHER_DOMAIN


def open_route_message(route: WlzRoute) -> str:
    return (
        f"Voor dossier {route.child.case_number} loopt al een Wlz-route (stap "
        f"'{WlzStep(route.step).phrase}' sinds {formatting.date(route.last_step_on)}). "
        "Leg de volgende stap vast op die route."
    )


def open_route_of(child: Child) -> WlzRoute | None:
    return WlzRoute.objects.open().filter(child=child).select_related("child").first()


def wlz_route_open(*, user, decision: Decision, expected_end: dt.date | None = None) -> WlzRoute:
    """Open the route of a Wlz decision, in voorbereiding from the decision day. Called inside
    decision_record's transaction (the child's row is locked): a second open route refuses the decision."""
    child = decision.child
    existing = open_route_of(child)
    if existing is not None:
        raise ValidationError({"kind": open_route_message(existing)})
    day = timezone.localtime(decision.decided_at).date()
    route = WlzRoute(
        child=child,
        gemeente_id=child.gemeente_id,
        decision=decision,
        step=WlzStep.PREPARING,
        prepared_on=day,
        last_step_on=day,
        expected_end=expected_end,
        created_by=user,
    )
    try:
        with transaction.atomic():
            as_user(route, user).save()
    except IntegrityError:
        # Another regisseur opened one at the same moment (wlz_route_one_open): hers stands.
        raise ValidationError({"kind": "Voor deze jeugdige is zojuist al een Wlz-route geopend."}) from None
    return route


def _step_errors(
    route: WlzRoute,
    *,
    step: str,
    date: dt.date | None,
    expected_end: dt.date | None,
    owner: User | None,
    running: list[Trajectory],
    today: dt.date,
) -> dict[str, str]:
    errors = {}
    allowed = route.TRANSITIONS[route.step]
    if step not in WlzStep.values:
        errors["step"] = "Kies de volgende stap."
    elif step not in allowed:
        wanted = WlzStep(step).phrase
        now = WlzStep(route.step).phrase
        if allowed:
            options = " of ".join(f"'{WlzStep(s).phrase}'" for s in allowed)
            errors["step"] = f"'{wanted}' kan niet na '{now}': eerst {options}."
        else:
            errors["step"] = f"Deze route is afgesloten ({now}); '{wanted}' kan niet meer."
    if date is None:
        errors["date"] = "Geef de datum van deze stap."
    elif date > today:
        errors["date"] = f"De datum {formatting.date(date)} ligt in de toekomst; leg de stap vast als hij gezet is."
    elif date < route.last_step_on:
        errors["date"] = (
            f"De datum {formatting.date(date)} ligt vóór de vorige stap ({formatting.date(route.last_step_on)})."
        )
    if step == WlzStep.GRANTED:
        if expected_end is None:
            errors["expected_end"] = "Geef de overgangsdatum: vanaf dan eindigt de Jeugdwet-zorg."
        elif date is not None and expected_end < date:
            errors["expected_end"] = (
                f"De overgangsdatum {formatting.date(expected_end)} ligt vóór de indicatie ({formatting.date(date)})."
            )
        else:
            early = [t for t in running if t.start_date > expected_end]
            if early:
                t = early[0]
                errors["expected_end"] = (
                    f"De overgangsdatum {formatting.date(expected_end)} ligt vóór de start van traject "
                    f"{t.product.code} bij {t.provider.name} ({formatting.date(t.start_date)})."
                )
    elif expected_end is not None and expected_end < today:
        errors["expected_end"] = f"Het verwachte einde {formatting.date(expected_end)} ligt in het verleden."
    if owner is not None and (not owner.is_active or owner.role != Role.TOEGANG or not owner.serves(route.gemeente_id)):
        name = owner.get_full_name() or owner.username
        errors["owner"] = f"{name} is geen toegangsmedewerker van deze gemeente; kies een collega van de gemeente."
    return errors


def _ending_owner(child: Child, chosen: User | None) -> dict:
    """The chosen colleague, else the casusregisseur, else the gemeente's toegang as a role."""
    if chosen is not None:
        return {"owner": chosen}
    owner = child.owner
    if owner is not None and owner.is_active and owner.serves(child.gemeente_id):
        return {"owner": owner}
    return {"owner_role": Role.TOEGANG}


def wlz_route_step(
    *,
    user,
    route: WlzRoute,
    step: str,
    date: dt.date | None,
    expected_end: dt.date | None = None,
    owner: User | None = None,
    note: str = "",
) -> WlzRoute:
    """Record the route's next step on `date`. Indicatie afgegeven needs the transfer date (expected_end)
    and gives the ending tasks; every error is reported at once and nothing is written on a refusal."""
    if user.role != Role.REGISSEUR or not user.serves(route.gemeente_id):
        message = "Alleen een regisseur van deze gemeente legt een stap van de Wlz-route vast."
        raise ValidationError({"__all__": message})
    today = timezone.localdate()
    with transaction.atomic():
        locked = WlzRoute.objects.select_for_update().select_related("child").get(pk=route.pk)
        running = list(
            Trajectory.objects.filter(child_id=locked.child_id, end_date__isnull=True)
            .select_related("product", "provider")
            .order_by("start_date", "pk")
        )
        errors = _step_errors(
            locked, step=step, date=date, expected_end=expected_end, owner=owner, running=running, today=today
        )
        if errors:
            raise ValidationError(errors)
        locked.step = step
        locked.last_step_on = date
        locked.note = (note or "").strip()[:500]
        if step == WlzStep.APPLIED:
            locked.applied_on = date
        elif step == WlzStep.GRANTED:
            locked.granted_on = date
        elif step == WlzStep.REFUSED:
            locked.refused_on = date
        elif step == WlzStep.TRANSFERRED:
            locked.transferred_on = date
        if expected_end is not None:
            locked.expected_end = expected_end
        as_user(locked, user).save()
        if step == WlzStep.GRANTED:
            _ending_tasks(user, locked, running, owner, today)
    return locked


def _ending_tasks(user, route: WlzRoute, running: list[Trajectory], owner: User | None, today: dt.date) -> None:
    transfer = route.expected_end
    reason = f"reden {WLZ_END_REASON} {WLZ_END_REASON.label}"
    for trajectory in running:
        task_create(
            user=user,
            child=route.child,
            kind=TaskKind.DECISION,
            # A transfer date already passed: the work is due now (a task is never due in the past).
            due_date=max(transfer, today),
            title=(
                f"Wlz-indicatie afgegeven: {trajectory.product.description} bij {trajectory.provider.name} "
                f"beëindigen per {formatting.date(transfer)}, {reason}"
            ),
            origin=TaskOrigin.DECISION,
            trajectory=trajectory,
            key=f"wlz:{route.pk}:einde:{trajectory.pk}",
            **_ending_owner(route.child, owner),
        )


def jeugdwet_monthly_cost(child_ids) -> dict[int, Decimal]:
    """What each child's running Jeugdwet care costs per month (the P × Q price, else the indicative one)."""
    rows = (
        Trajectory.objects.filter(child_id__in=child_ids, end_date__isnull=True)
        .order_by()
        .values("child_id")
        .annotate(per_day=Sum(CASE_DAILY_COST))
    )
    return {row["child_id"]: monthly_cost(row["per_day"]) or Decimal("0") for row in rows}
