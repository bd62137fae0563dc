"""What the demo achieved, measured from the database as the KPI pages do, printed beside its targets."""

import datetime as dt
from collections import Counter
from decimal import Decimal

from django.db.models import Count, Q, Sum

from cases import formatting
from cases.codes import ReferrerType
from cases.formatting import NVT
from cases.formatting import number as _int  # whole numbers: 1.959
from cases.models import Child, Extension, Gemeente, Segment, StopReview, TaskContract, Trajectory
from demo.distributions import REFERRER_SHARES
from demo.figures import CALIBRATION_YEAR, TARGET_YOUTHS_TOTAL, TASK_FINANCING_FROM, year_bounds
from demo.plan import GemeentePlan
from demo.users import format_logins
from referrals.models import Referral


def measure(gemeente: Gemeente, today: dt.date, plan: GemeentePlan | None = None, year: int = CALIBRATION_YEAR) -> dict:
    first, last = year_bounds(year)
    in_year = Trajectory.objects.filter(child__gemeente=gemeente, start_date__lte=last).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=first)
    )
    spend = {
        row["product__segment__number"]: row["total"] or Decimal("0")
        for row in in_year.with_cost_in_period(first, last, as_of=today)
        .values("product__segment__number")
        .annotate(total=Sum("period_cost"))
    }
    youths = dict(in_year.values_list("product__segment__number").annotate(n=Count("child", distinct=True)))
    trajectories = Trajectory.objects.filter(child__gemeente=gemeente)
    extensions = Counter(
        Extension.objects.filter(trajectory__child__gemeente=gemeente).values_list("status", flat=True)
    )
    reviews = StopReview.objects.filter(trajectory__child__gemeente=gemeente)
    household_sizes = Counter(
        Child.objects.filter(gemeente=gemeente, trajectories__isnull=False)
        .values("household")
        .annotate(n=Count("id", distinct=True))
        .values_list("n", flat=True)
    )
    # DOMAIN.md §5 gives the referrers of trajectories, so count trajectories by their referral's source.
    sources = Counter(dict(trajectories.values_list("referral__source").annotate(n=Count("id"))))
    open_now = trajectories.filter(end_date__isnull=True)
    return {
        "gemeente": gemeente,
        "year": year,
        "spend": spend,
        "youths": youths,
        "youths_total": in_year.values("child").distinct().count(),
        "spend_targets": plan.spend_targets if plan else None,
        "youth_targets": plan.youth_targets if plan else None,
        "children": Child.objects.filter(gemeente=gemeente).count(),
        "trajectories": trajectories.count(),
        "open": open_now.count(),
        "open_past_planned_end": open_now.filter(planned_end_date__lt=today).count(),
        "outside_budget": trajectories.filter(outside_budget=True).count(),
        "extensions": extensions,
        "reviews_done": reviews.filter(done_date__isnull=False).count(),
        "reviews_planned": reviews.filter(done_date__isnull=True, due_date__gte=today).count(),
        "reviews_overdue": reviews.filter(done_date__isnull=True, due_date__lt=today).count(),
        "households_multi": sum(size * n for size, n in household_sizes.items() if size >= 2),
        "sources": sources,
        "referrals": Referral.objects.filter(child__gemeente=gemeente).count(),
    }


# --- the printed report -----------------------------------------------------------------------------


def _pct(value, target) -> str:
    if not target:
        return NVT
    deviation = 100 * (Decimal(value) - Decimal(target)) / Decimal(target)
    return ("+" if deviation >= 0 else "") + formatting.percent(deviation)


def format_report(report: dict) -> str:
    plan = report["plan"]
    segments = {s.number: s.name for s in Segment.objects.all()}
    lines = []
    for m in report["gemeenten"]:
        gemeente = m["gemeente"]
        calibrated = m["spend_targets"] is not None
        title = f"{gemeente.name} ({gemeente.code})"
        lines.append(
            title
            + (
                f" — geijkt op Leidschendam-Voorburg {m['year']}"
                if calibrated
                else f" — zelfde generator, kleine schaal ({m['year']})"
            )
        )
        header = f"  {'segment':<50}{'uitgaven':>14}"
        if calibrated:
            header += f"{'doel':>14}{'afw.':>8}"
        header += f"{'jeugdigen':>11}" + (f"{'doel':>7}{'afw.':>8}" if calibrated else "")
        lines.append(header)
        for number, name in segments.items():
            spend, youths = m["spend"].get(number, Decimal("0")), m["youths"].get(number, 0)
            row = f"  {str(number) + ' ' + name[:47]:<50}{formatting.euro(spend):>14}"
            if calibrated:
                target = m["spend_targets"].get(number)
                row += f"{formatting.euro(target):>14}{_pct(spend, target):>8}"
            row += f"{_int(youths):>11}"
            if calibrated:
                target = m["youth_targets"].get(number)
                row += f"{_int(target):>7}{_pct(youths, target):>8}"
            lines.append(row)
        total = sum(m["spend"].values(), Decimal("0"))
        total_row = f"  {'totaal':<50}{formatting.euro(total):>14}"
        if calibrated:
            total_target = sum(m["spend_targets"].values())
            total_row += f"{formatting.euro(total_target):>14}{_pct(total, total_target):>8}"
        lines.append(total_row)
        youth_line = f"  Jeugdigen met zorg in {m['year']} (uniek, alle segmenten): {_int(m['youths_total'])}"
        if calibrated:
            target = round(TARGET_YOUTHS_TOTAL * plan.scale)
            youth_line += f" (doel ca. {_int(target)}, {_pct(m['youths_total'], target)})"
        lines.append(youth_line)
        ext = m["extensions"]
        lines.append(
            f"  {_int(m['children'])} jeugdigen, {_int(m['referrals'])} verwijzingen, "
            f"{_int(m['trajectories'])} trajecten "
            f"({_int(m['open'])} lopend, {_int(m['open_past_planned_end'])} voorbij geplande einddatum, "
            f"{_int(m['outside_budget'])} buiten budget); {_int(m['households_multi'])} jeugdigen in een gezin "
            f"met 2+ kinderen in zorg"
        )
        lines.append(
            f"  Verlengingen: {ext.get('pending', 0)} wachten op toets, {ext.get('approved', 0)} toegekend, "
            f"{ext.get('shortened', 0)} korter toegekend, {ext.get('refused', 0)} afgewezen. Reviews: "
            f"{m['reviews_done']} uitgevoerd, {m['reviews_planned']} gepland, {m['reviews_overdue']} te laat"
        )
        total_sources = sum(m["sources"].values()) or 1
        shares = ", ".join(
            f"{ReferrerType(code).label.split(' (')[0].split(' /')[0].lower()} "
            f"{formatting.percent(100 * m['sources'].get(code, 0) / total_sources)} ({formatting.number(national)})"
            for code, national in REFERRER_SHARES.items()
        )
        lines.append(f"  Verwijzers van trajecten (tussen haakjes landelijk): {shares}")
        lines.append("")
    factors = ", ".join(f"{s}: {formatting.number(f, 2)}" for s, f in sorted(plan.factors.items()))
    contracts = TaskContract.objects.aggregate(n=Count("id"), total=Sum("amount"))
    lines.append(
        f"IJking: basistarieven per segment vermenigvuldigd met {factors} (seed {plan.seed}, schaal "
        f"{plan.scale:g}). Tot {formatting.date(TASK_FINANCING_FROM)} zijn alle segmenten P × Q; vanaf dan "
        f"koopt de regio segment 1-4 taakgericht in: {contracts['n']} contracten voor "
        f"{formatting.euro(contracts['total'] or 0)} (Beheer › Taakgerichte contracten)."
    )
    lines.append(
        f"Opgebouwd in {report['seconds_total']:.1f} s (plan {report['seconds_plan']:.1f} s, "
        f"database {report['seconds_write']:.1f} s; processortijd {report['seconds_cpu']:.1f} s)."
    )
    lines.append("")
    lines.append(format_logins())
    return "\n".join(lines)
