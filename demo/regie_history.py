"""The regisseur's past year in the demo: flags raised when the app would have raised them, and the Top N
of each past month.

The demo is written in one go and its flags are evaluated on the demo's day, so every flag would be
raised today: the monthly report would count no flags raised before this month ("signalen afgegeven" 0),
no Top N in past months ("Top 32 op tijd besproken" n.v.t.), and every case the regisseur decided on
would be back in the queue with a "new" flag raised after her decision. As if the app had run for a year
(GO_LIVE_DAYS): an engine flag is raised on the night its rule began to hold (its `since`), or on the day
the app went live when it held before; each past month's Top N is the children that then had a flag,
ranked by today's score (the demo has no past scores). Computed data, no history: set-based writes.
"""

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from cases.codes import EndReason
from cases.formatting import euro, number
from cases.models import Gemeente, Product, Task, TaskStatus, Trajectory
from cases.services import SCALE_DOWN_KEY_SUFFIX, as_user, trajectory_replace
from regie.codes import FlagCode
from regie.models import ChildScore, Decision, DecisionKind, Flag, TopMembership
from regie.ranking import regie_settings
from regie.scores import refresh_scores
from regie.services import proposed_monthly_cost

GO_LIVE_DAYS = 365
NIGHTLY_RUN = dt.time(6, 0)


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, NIGHTLY_RUN))


def _months(first: dt.date, before: dt.date) -> list[dt.date]:
    """First days of the months from `first`'s month up to, not including, `before`'s month."""
    months, month = [], first.replace(day=1)
    while month < before.replace(day=1):
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def regie_year(today: dt.date) -> None:
    """The demo's regie history of issue 11: past flags and Top N, and an afschalen to a lighter product."""
    scale_down_to_a_lighter_product(today)
    backdate_regie(today)
    resolved_with_ended_care(today)


def resolved_with_ended_care(today: dt.date) -> int:
    """The flags of the past year that care's end resolved: a trajectory that ran past its norm and ended
    since go-live had its 'duur boven norm' flag from the day it passed the norm until its end (the nightly
    run then found the rule no longer held). Without them the report's "signalen afgehandeld" is 0 for every
    past month, as the demo's evaluation only sees today's care."""
    go_live = today - dt.timedelta(days=GO_LIVE_DAYS)
    ended = Trajectory.objects.filter(end_date__gte=go_live, end_date__lt=today, norm_months__gt=0).values_list(
        "pk", "child_id", "child__gemeente_id", "start_date", "end_date", "norm_months"
    )
    flags = []
    for pk, child_id, gemeente_id, start, end, norm in ended:
        since = start + relativedelta(months=norm)
        if since >= end:
            continue
        ran = relativedelta(end, start)
        flags.append(
            Flag(
                gemeente_id=gemeente_id,
                child_id=child_id,
                code=FlagCode.DURATION,
                subject_key=pk,
                trajectory_id=pk,
                value=ran.years * 12 + ran.months,
                norm=norm,
                reference_date=since,
                since=since,
                firing=False,
                active=False,
                raised_at=_at(max(since, go_live)),
                resolved_at=_at(end + dt.timedelta(days=1)),
                resolution_note="Traject beëindigd",
            )
        )
    Flag.objects.bulk_create(flags, batch_size=1000, ignore_conflicts=True)
    return len(flags)


def backdate_regie(today: dt.date) -> dict[str, int]:
    """Backdate the engine flags' raised_at and record the Top N of the past months. Returns counts."""
    go_live = today - dt.timedelta(days=GO_LIVE_DAYS)
    flags = list(Flag.objects.filter(raised_by__isnull=True).only("pk", "since", "raised_at"))
    for flag in flags:
        flag.raised_at = _at(min(max(flag.since or today, go_live), today))
    Flag.objects.bulk_update(flags, ["raised_at"], batch_size=1000)
    refresh_scores(today=today)  # the score keeps when a child's last flag was raised

    memberships = []
    for gemeente in Gemeente.objects.filter(pk__in=ChildScore.objects.values("gemeente_id")):
        top_n = regie_settings(gemeente).top_n
        ranked = list(
            ChildScore.objects.filter(gemeente=gemeente)
            .order_by("-score", "child_id")
            .values_list("child_id", flat=True)
        )
        first_raised = dict(
            Flag.objects.filter(gemeente=gemeente, raised_by__isnull=True)
            .values("child_id")
            .annotate(first=Min("raised_at"))
            .values_list("child_id", "first")
        )
        for month in _months(go_live, today):
            month_end = (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
            flagged = [pk for pk in ranked if pk in first_raised and timezone.localdate(first_raised[pk]) <= month_end]
            for child_id in flagged[:top_n]:
                seen = max(month, timezone.localdate(first_raised[child_id]))
                memberships.append(TopMembership(gemeente=gemeente, child_id=child_id, month=month, first_seen=seen))
    TopMembership.objects.bulk_create(memberships, batch_size=1000, ignore_conflicts=True)
    return {"flags": len(flags), "top_months": len(memberships)}


def scale_down_to_a_lighter_product(today: dt.date, gemeente_code: str = "9901") -> Decision | None:
    """One afschalen done by changing to a lighter product (issue 11): the decision proposes the product of
    the same segment and unit just below the trajectory's tariff, and the casusregisseur changes the
    trajectory to it today through the trajectory services; the old one ends, the new one follows it, the
    task closes. The first open afschalen whose product has such a lighter one; None when none has."""
    decisions = (
        Decision.objects.filter(gemeente__code=gemeente_code, kind=DecisionKind.SCALE_DOWN, trajectory__end_date=None)
        .select_related("trajectory__product", "trajectory__provider", "trajectory__child__owner", "decided_by")
        .order_by("decided_at")
    )
    for decision in decisions:
        trajectory = decision.trajectory
        owner = trajectory.child.owner
        lighter = (
            Product.objects.filter(
                segment_id=trajectory.product.segment_id,
                unit=trajectory.unit,
                financing=trajectory.financing,
                active=True,
                tariff__lt=trajectory.tariff or 0,
            )
            .order_by("-tariff", "code")
            .first()
        )
        task = Task.objects.filter(key=f"besluit:{decision.pk}{SCALE_DOWN_KEY_SUFFIX}", status=TaskStatus.OPEN).first()
        if lighter is None or owner is None or task is None or trajectory.start_date >= today:
            continue  # done already (made lighter in volume), or nothing lighter to change to
        with transaction.atomic():
            decision.proposed_product = lighter
            decision.proposed_monthly_cost = proposed_monthly_cost(trajectory, lighter, decision.proposed_volume)
            as_user(decision, decision.decided_by).save(update_fields=["proposed_product", "proposed_monthly_cost"])
            task.title = (
                f"Afschalen volgens besluit: {trajectory.product.description} naar {lighter.code} "
                f"{lighter.description}, {number(decision.proposed_volume)} {lighter.get_unit_display().lower()} "
                f"{trajectory.get_frequency_display().lower()} (verwacht "
                f"{euro(decision.expected_monthly_saving)} per maand minder)"
            )[:200]
            as_user(task, decision.decided_by).save(update_fields=["title"])
            try:
                trajectory_replace(
                    user=owner,
                    trajectory=trajectory,
                    version=trajectory.version,
                    product=lighter,
                    provider=trajectory.provider,
                    start_date=today,
                    planned_end_date=max(trajectory.planned_end_date, today + dt.timedelta(days=182)),
                    volume=decision.proposed_volume,
                    frequency=trajectory.frequency,
                    end_reason=EndReason.BY_GEMEENTE,
                )
            except ValidationError:
                transaction.set_rollback(True)
                continue
        return decision
    return None
