"""The regisseur's Wlz pages (issue 11): the gemeente's routes, and one route with its next step.

Both start from the user's gemeenten: a route of another gemeente's child is a 404 (its child is not in
Child.objects.visible_to), and so is a ?gemeente= the user does not serve (cases.access.chosen_gemeente).
"""

from django.contrib import messages
from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from cases import formatting
from cases.access import chosen_gemeente, role_required
from cases.forms import run_service
from cases.models import CASE_DAILY_COST, Role, Task, Trajectory
from cases.readlog import log_read
from cases.terms import monthly_cost

from .codes import FlagCode, WlzStep
from .forms import WlzStepForm
from .models import DEFAULT_RULES, FlagRule, WlzRoute
from .wlz import WLZ_END_REASON, jeugdwet_monthly_cost, wlz_route_step


def _stall_weeks(gemeente_id: int) -> int | None:
    """The gemeente's threshold of the Wlz-route-stil rule (None when the beheerder switched it off)."""
    rule = FlagRule.objects.filter(gemeente_id=gemeente_id, code=FlagCode.WLZ_STALLED).values("threshold", "enabled")
    row = rule.first()
    if row is None:
        return int(DEFAULT_RULES[FlagCode.WLZ_STALLED][0])
    return int(row["threshold"]) if row["enabled"] else None


def _quiet_from(route: WlzRoute):
    return route.expected_end if route.step == WlzStep.GRANTED else route.last_step_on


def _mark_stalled(routes, threshold: int | None, today) -> None:
    """As the rule in regie/rules.py: an open route quiet for more than `threshold` weeks."""
    for route in routes:
        quiet = (today - _quiet_from(route)).days if route.is_open else 0
        route.weeks_quiet = max(quiet, 0) // 7
        route.stalled = threshold is not None and route.is_open and quiet > threshold * 7


@role_required(Role.REGISSEUR)
def wlz_routes(request):
    """Every Wlz route of the gemeente: open ones first (earliest step first), then the closed ones."""
    gemeente, gemeenten = chosen_gemeente(request)
    today = timezone.localdate()
    order = Case(
        *[When(step=step, then=Value(i)) for i, step in enumerate(WlzRoute.OPEN_STEPS)],
        default=Value(len(WlzRoute.OPEN_STEPS)),
        output_field=IntegerField(),
    )
    routes = list(
        WlzRoute.objects.filter(gemeente=gemeente)
        .select_related("child")
        .annotate(step_order=order)
        .order_by("step_order", "last_step_on", "pk")[:300]
    )
    threshold = _stall_weeks(gemeente.pk)
    _mark_stalled(routes, threshold, today)
    costs = jeugdwet_monthly_cost([r.child_id for r in routes])
    for route in routes:
        route.monthly_cost = costs.get(route.child_id)
    log_read(request, [r.child for r in routes], event="Wlz-routes")
    context = {
        "nav": "wlz",
        "gemeente": gemeente,
        "gemeenten": gemeenten,
        "open_routes": [r for r in routes if r.is_open],
        "closed_routes": [r for r in routes if not r.is_open],
        "threshold": threshold,
        "today": today,
    }
    return render(request, "regie/wlz_routes.html", context)


@role_required(Role.REGISSEUR)
def wlz_route(request, pk):
    """One route: its steps with their dates, the Jeugdwet care it ends and the ending tasks, and the
    form for the next step. A refused step comes back with everything typed and every error at once."""
    route = get_object_or_404(
        WlzRoute.objects.visible_to(request.user).select_related("child", "gemeente", "decision__decided_by"), pk=pk
    )
    form = None
    if route.is_open:
        form = WlzStepForm(request.POST or None, route=route)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            done = run_service(
                form,
                lambda: wlz_route_step(
                    user=request.user,
                    route=route,
                    step=data["step"],
                    date=data["date"],
                    expected_end=data.get("expected_end"),
                    owner=data.get("owner"),
                    note=data["note"],
                ),
            )
            if done:
                message = f"Wlz-route {route.child.case_number}: {WlzStep(done.step).phrase} vastgelegd."
                if done.step == WlzStep.GRANTED:
                    message += (
                        f" De trajecten worden per {formatting.date(done.expected_end)} beëindigd; "
                        "daarvoor staat een taak klaar."
                    )
                messages.success(request, message)
                return redirect("regie:wlz_route", route.pk)
    today = timezone.localdate()
    _mark_stalled([route], _stall_weeks(route.gemeente_id), today)
    running = list(
        Trajectory.objects.filter(child_id=route.child_id, end_date__isnull=True)
        .annotate(per_day=CASE_DAILY_COST)
        .select_related("product", "provider")
        .order_by("start_date", "pk")
    )
    for trajectory in running:
        trajectory.per_month = monthly_cost(trajectory.per_day)
    tasks = list(
        Task.objects.filter(child_id=route.child_id, key__startswith=f"wlz:{route.pk}:")
        .select_related("owner", "trajectory__product")
        .order_by("due_date", "pk")
    )
    ended = list(
        Trajectory.objects.filter(child_id=route.child_id, end_reason=WLZ_END_REASON, end_date__isnull=False)
        .select_related("product", "provider")
        .order_by("end_date", "pk")
    )
    log_read(request, [route.child], event="Wlz-route", opened=route.child)
    context = {
        "nav": "wlz",
        "child": route.child,
        "route": route,
        "form": form,
        "running": running,
        "monthly_cost": sum((t.per_month or 0 for t in running), 0),
        "ended": ended,
        "tasks": tasks,
        "today": today,
    }
    return render(request, "regie/wlz_route.html", context)
