"""The signal rules of DOMAIN.md §6, one function each: given today, a threshold and the scope (a Q on
trajectories, through `child__`), a queryset that selects its candidates' columns as c_<column>.

The database computes running time, cost, counts and stacking; regie/evaluation.py collects the
candidates of every rule into one table and brings the flags in step with it.
"""

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.db import models
from django.db.models import Count, Exists, F, Max, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Concat, Round, TruncDate

from cases.codes import Frequency
from cases.dbfuncs import AddDays, AddMonths, DaysBetween
from cases.models import Child, Extension, ExtensionStatus, StopReview, Trajectory
from referrals.models import Referral

from .codes import INDICATIVE_DETAIL, FlagCode, WlzStep
from .models import WlzRoute

COLUMNS = (
    "gemeente_id",
    "child_id",
    "subject_key",
    "trajectory_id",
    "value",
    "norm",
    "reference_date",
    "detail",
    "since",
)


class MonthsBetween(models.Func):
    """Whole calendar months from `start` to `end`, as Trajectory.running_months counts them."""

    output_field = models.IntegerField()
    arity = 2

    def _parts(self, compiler):
        start, end = self.source_expressions
        start_sql, start_params = compiler.compile(start)
        end_sql, end_params = compiler.compile(end)
        return start_sql, start_params, end_sql, end_params

    def as_sql(self, compiler, connection, **extra):
        s, sp, e, ep = self._parts(compiler)
        sql = (
            f"((EXTRACT(YEAR FROM ({e})::date) - EXTRACT(YEAR FROM ({s})::date)) * 12"
            f" + EXTRACT(MONTH FROM ({e})::date) - EXTRACT(MONTH FROM ({s})::date)"
            f" - CASE WHEN EXTRACT(DAY FROM ({e})::date) < EXTRACT(DAY FROM ({s})::date) THEN 1 ELSE 0 END)::integer"
        )
        return sql, [*ep, *sp, *ep, *sp, *ep, *sp]

    def as_sqlite(self, compiler, connection, **extra):
        s, sp, e, ep = self._parts(compiler)
        sql = (
            f"((CAST(strftime('%%Y', {e}) AS INTEGER) - CAST(strftime('%%Y', {s}) AS INTEGER)) * 12"
            f" + CAST(strftime('%%m', {e}) AS INTEGER) - CAST(strftime('%%m', {s}) AS INTEGER)"
            f" - CASE WHEN CAST(strftime('%%d', {e}) AS INTEGER) < CAST(strftime('%%d', {s}) AS INTEGER)"
            f" THEN 1 ELSE 0 END)"
        )
        return sql, [*ep, *sp, *ep, *sp, *ep, *sp]


# --- the rules: each returns a queryset selecting the COLUMNS (as c_<column>) of its candidates ------


def _date(day: dt.date):
    return Value(day, output_field=models.DateField())


def _open(today: dt.date, scope: Q):
    """Trajectories running today, of the children in scope."""
    return Trajectory.objects.filter(scope, end_date__isnull=True, start_date__lte=today).order_by()


def _started(today: dt.date, scope: Q):
    """Trajectories whose care actually started (JW305 or the toegang) and runs today: 'in zorg'."""
    return _open(today, scope).filter(actual_start_date__lte=today)


def _in_care(today, scope: Q) -> Q:
    # An uncorrelated IN: one pass over the started trajectories instead of a probe per child.
    return Q(pk__in=_started(today, scope).values("child_id"))


def _label(via: str = ""):
    """ "45A48 bij Kwadraad": the trajectory (reached through `via`) as the flag's sentence names it."""
    return Concat(F(f"{via}product__code"), Value(" bij "), F(f"{via}provider__name"), output_field=models.CharField())


def _per_trajectory(qs):
    return qs.annotate(
        c_gemeente_id=F("child__gemeente_id"), c_child_id=F("child_id"), c_subject_key=F("id"), c_trajectory_id=F("id")
    )


def rule_duration(today, threshold, scope):
    # Care runs from its actual start, not from the allocation (issue 12).
    qs = _started(today, scope).annotate(c_value=MonthsBetween(F("actual_start_date"), _date(today)))
    qs = qs.filter(c_value__gt=F("norm_months") + int(threshold))
    return _per_trajectory(qs).annotate(
        c_norm=F("norm_months"),
        c_reference_date=F("actual_start_date"),
        c_detail=_label(),
        # True from the day it ran norm + threshold + 1 whole months.
        c_since=AddMonths(F("actual_start_date"), F("norm_months") + int(threshold) + 1),
    )


def rule_cost(today, threshold, scope):
    qs = (
        _open(today, scope)
        .with_costs(today)
        .values(c_gemeente_id=F("child__gemeente_id"), c_child_id=F("child_id"))
        # Rounded to cents before the comparison, so the flag's number and its edge agree.
        .annotate(
            c_value=Round(Sum(F("cost_to_date") + F("committed")), 2),
            n_indicative=Count("indicative"),
            # The open cost moves when care is added: over the threshold since the latest open trajectory began.
            c_since=Max("start_date"),
        )
        .filter(c_value__gt=threshold)
    )
    # The sentence says when part of the cost is indicative (taakgericht care, no price per case).
    indicative = models.Case(
        models.When(n_indicative__gt=0, then=Value(INDICATIVE_DETAIL)),
        default=Value(""),
        output_field=models.CharField(),
    )
    return qs.annotate(c_norm=Value(threshold, output_field=models.DecimalField()), c_detail=indicative)


def rule_extensions(today, threshold, scope):
    extended = (
        Extension.objects.filter(status__in=[ExtensionStatus.APPROVED, ExtensionStatus.SHORTENED])
        .filter(trajectory__in=_open(today, scope).values("pk"))
        .order_by()
        .values("trajectory_id")
        .annotate(n=Count("id"), last=Max("decided_at"))
        .filter(n__gte=threshold)
    )
    qs = _open(today, scope).filter(pk__in=extended.values("trajectory_id"))
    return _per_trajectory(qs).annotate(
        c_value=Subquery(extended.filter(trajectory_id=OuterRef("pk")).values("n")[:1]),
        c_since=TruncDate(Subquery(extended.filter(trajectory_id=OuterRef("pk")).values("last")[:1])),
        c_norm=Value(int(threshold)),
        c_detail=_label(),
    )


def rule_stacking(today, threshold, scope):
    return (
        _open(today, scope)
        .values(c_gemeente_id=F("child__gemeente_id"), c_child_id=F("child_id"))
        .annotate(c_value=Count("id"), c_since=Max("start_date"))
        .filter(c_value__gte=threshold)
        .annotate(c_norm=Value(int(threshold)))
    )


def rule_household_stacking(today, threshold, scope):
    households = (
        _open(today, scope)
        .values("child__household_id")
        .annotate(n=Count("id"), last=Max("start_date"))
        .filter(n__gte=threshold)
    )
    return (
        Child.objects.filter(scope_for_child(scope), _in_care(today, scope))
        .filter(household_id__in=households.values("child__household_id"))
        .order_by()
        .annotate(
            c_gemeente_id=F("gemeente_id"),
            c_child_id=F("id"),
            c_subject_key=F("household_id"),
            c_value=Subquery(households.filter(child__household_id=OuterRef("household_id")).values("n")[:1]),
            c_norm=Value(int(threshold)),
            c_since=Subquery(households.filter(child__household_id=OuterRef("household_id")).values("last")[:1]),
        )
    )


def rule_waiting(today, threshold, scope):
    # Waiting until care actually starts: an allocation that has not started does not end the wait.
    started = Trajectory.objects.filter(referral=OuterRef("pk"), actual_start_date__lte=today)
    return (
        Referral.objects.filter(scope, Q(outcome="") | Q(outcome="specialised"))
        .filter(date__lt=today - dt.timedelta(days=int(threshold * 7)))
        .exclude(Exists(started))
        .order_by()
        .annotate(
            c_gemeente_id=F("child__gemeente_id"),
            c_child_id=F("child_id"),
            c_subject_key=F("id"),
            c_value=DaysBetween(F("date"), _date(today)),
            c_norm=Value(threshold, output_field=models.DecimalField()),
            c_reference_date=F("date"),
            c_since=AddDays(F("date"), int(threshold * 7) + 1),
        )
    )


def rule_past_end(today, threshold, scope):
    qs = _open(today, scope).filter(planned_end_date__lt=today - dt.timedelta(days=int(threshold)))
    return _per_trajectory(qs).annotate(
        c_value=DaysBetween(F("planned_end_date"), _date(today)),
        c_norm=Value(int(threshold)),
        c_reference_date=F("planned_end_date"),
        c_detail=_label(),
        c_since=AddDays(F("planned_end_date"), int(threshold) + 1),
    )


def rule_review_late(today, threshold, scope):
    return (
        StopReview.objects.filter(
            trajectory__in=_open(today, scope).values("pk"),
            done_date__isnull=True,
            due_date__lt=today - dt.timedelta(days=int(threshold)),
        )
        .order_by()
        .annotate(
            c_gemeente_id=F("trajectory__child__gemeente_id"),
            c_child_id=F("trajectory__child_id"),
            c_subject_key=F("id"),
            c_trajectory_id=F("trajectory_id"),
            c_value=DaysBetween(F("due_date"), _date(today)),
            c_norm=Value(int(threshold)),
            c_reference_date=F("due_date"),
            c_detail=_label("trajectory__"),
            c_since=AddDays(F("due_date"), int(threshold) + 1),
        )
    )


def rule_turning_18(today, threshold, scope):
    # Turns 18 within `threshold` months, or is already 18+ (verlengde jeugdhulp), while care runs.
    latest_birth_date = today + relativedelta(months=int(threshold)) - relativedelta(years=18)
    return (
        Child.objects.filter(scope_for_child(scope), _in_care(today, scope), birth_date__lte=latest_birth_date)
        .order_by()
        .annotate(
            c_gemeente_id=F("gemeente_id"),
            c_child_id=F("id"),
            c_value=MonthsBetween(F("birth_date"), _date(today)),  # age in whole months
            c_norm=Value(int(threshold)),
            c_reference_date=F("birth_date"),
            c_since=AddMonths(F("birth_date"), 18 * 12 - int(threshold)),
        )
    )


def rule_outside_budget(today, threshold, scope):
    qs = _open(today, scope).filter(outside_budget=True).with_costs(today)
    return _per_trajectory(qs).annotate(
        c_value=F("cost_to_date") + F("committed"),
        c_reference_date=F("start_date"),
        c_detail=Concat(_label(), Value(": "), F("outside_budget_reason"), output_field=models.CharField()),
        c_since=F("start_date"),
    )


def rule_residential(today, threshold, scope):
    qs = _open(today, scope).filter(Q(product__segment__is_residential=True) | Q(product__with_stay=True))
    return _per_trajectory(qs).annotate(
        c_value=MonthsBetween(F("start_date"), _date(today)),
        c_reference_date=F("start_date"),
        c_detail=_label(),
        c_since=F("start_date"),
    )


def _per_day(volume, frequency: str, allocated_days) -> models.Case:
    """Units per calendar day, by the rule of cases.models.units_per_day, as a float in the database."""
    real = models.FloatField()

    def rate(factor):
        return models.ExpressionWrapper(F(volume) * Value(1.0) * factor, output_field=real)

    return models.Case(
        models.When(**{frequency: Frequency.PER_DAY}, then=rate(Value(1.0))),
        models.When(**{frequency: Frequency.PER_WEEK}, then=rate(Value(1.0 / 7))),
        models.When(**{frequency: Frequency.PER_MONTH}, then=rate(Value(12.0 / 365))),
        default=models.ExpressionWrapper(F(volume) * Value(1.0) / allocated_days, output_field=real),
        output_field=real,
    )


def rule_volume(today, threshold, scope):
    """Volume boven norm: the trajectory's volume per day above the product's norm (same unit), by more than
    `threshold` percent. Value: the volume as a percentage of the norm."""
    days = DaysBetween(F("start_date"), F("planned_end_date")) + 1
    qs = (
        _open(today, scope)
        .filter(product__norm_volume__isnull=False, unit=F("product__unit"))
        .annotate(
            v_day=_per_day("volume", "frequency", days),
            n_day=_per_day("product__norm_volume", "product__norm_frequency", days),
        )
        .filter(v_day__gt=F("n_day") * (1 + float(threshold) / 100))
    )
    return _per_trajectory(qs).annotate(
        c_value=Round(Value(100.0) * F("v_day") / F("n_day")),
        c_norm=F("product__norm_volume"),
        c_reference_date=F("start_date"),
        c_detail=_label(),
        c_since=F("start_date"),
    )


def rule_wlz_stalled(today, threshold, scope):
    """Wlz-route stil: an open route with no step for more than `threshold` weeks. A route with its
    indication waits for the transfer date, so it is quiet from that day on, not from the indication."""
    quiet_from = models.Case(
        models.When(step=WlzStep.GRANTED, then=F("expected_end")),
        default=F("last_step_on"),
        output_field=models.DateField(),
    )
    days = int(threshold * 7)
    return (
        WlzRoute.objects.filter(scope, step__in=WlzRoute.OPEN_STEPS)
        .annotate(quiet_from=quiet_from)
        .filter(quiet_from__lt=today - dt.timedelta(days=days))
        .order_by()
        .annotate(
            c_gemeente_id=F("gemeente_id"),
            c_child_id=F("child_id"),
            c_subject_key=F("id"),
            c_value=DaysBetween(F("quiet_from"), _date(today)),
            c_norm=Value(threshold, output_field=models.DecimalField()),
            c_reference_date=F("quiet_from"),
            c_detail=F("step"),
            c_since=AddDays(F("quiet_from"), days + 1),
        )
    )


RULES = {
    FlagCode.DURATION: rule_duration,
    FlagCode.COST: rule_cost,
    FlagCode.EXTENSIONS: rule_extensions,
    FlagCode.STACKING: rule_stacking,
    FlagCode.HOUSEHOLD_STACKING: rule_household_stacking,
    FlagCode.WAITING: rule_waiting,
    FlagCode.PAST_END: rule_past_end,
    FlagCode.REVIEW_LATE: rule_review_late,
    FlagCode.TURNING_18: rule_turning_18,
    FlagCode.OUTSIDE_BUDGET: rule_outside_budget,
    FlagCode.RESIDENTIAL: rule_residential,
    FlagCode.VOLUME: rule_volume,
    FlagCode.WLZ_STALLED: rule_wlz_stalled,
}


def scope_for_child(scope_q: Q) -> Q:
    """Rules on Child receive the trajectory-side Q (child__...); strip the prefix."""
    children = []
    for child in scope_q.children:
        if isinstance(child, Q):
            children.append(scope_for_child(child))
        else:
            key, value = child
            children.append((key.removeprefix("child__"), value))
    q = Q()
    q.children, q.connector, q.negated = children, scope_q.connector, scope_q.negated
    return q
