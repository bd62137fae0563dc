"""KPI figures kept per gemeente and month (issue 14).

When a month closes, every figure of every gemeente is computed once and stored (KpiSnapshot with its
KpiSnapshotValue rows); the dashboard's past months, the export and the monthly email read them, so what
was sent is what is stored. Recomputing a month adds a new snapshot and keeps the old one: the newest
one of a month is what is shown, the older ones say what was reported before.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from cases.formatting import NVT
from cases.models import Gemeente, Segment, User

from .figures import Figure, FigureReport, figure_report, report_figures, stand_text
from .kpis import Period
from .models import KpiSnapshot, KpiSnapshotValue, SnapshotTrigger
from .report import TREND_MONTHS, KpiReport, figures_for_gemeenten, report_build

DECIMALS = Decimal(1).scaleb(-12)  # KpiSnapshotValue.value's decimal places
CENTS = Decimal("0.01")


def _stored(value) -> Decimal | None:
    if value is None or value == NVT:
        return None
    if isinstance(value, float):
        # Via repr: the shortest decimal that is this float, not its binary expansion.
        return Decimal(repr(value)).quantize(DECIMALS)
    return Decimal(value)


def _read(value: Decimal | None, unit: str):
    """A stored value as the report computed it: counts as int, money as Decimal, shares as float."""
    if value is None:
        return None
    if unit == "aantal":
        return int(value)
    if unit == "€":
        cents = value.quantize(CENTS)
        return cents if cents == value else value.normalize()
    return float(value)


# --- taking snapshots ------------------------------------------------------------------------


def snapshots_take(
    periods: list[Period],
    gemeente_ids: list[int] | None = None,
    *,
    trigger: str,
    user: User | None = None,
    reason: str = "",
    force: bool = False,
    at: dt.datetime | None = None,
) -> list[KpiSnapshot]:
    """Store every figure of each gemeente (all when None) for each of `periods` (months).

    Only the gemeente-months without a snapshot yet, unless `force`: then a new snapshot is added beside
    the old ones. The figures come from one call for all gemeenten and all months at once. `at` is the
    moment recorded as computed_at (now; the demo dates its history back).
    """
    periods = sorted(set(periods), key=lambda p: p.start)
    if gemeente_ids is None:
        gemeente_ids = list(Gemeente.objects.order_by("pk").values_list("pk", flat=True))
    months = [p.start for p in periods]
    have = set()
    if not force:
        have = set(
            KpiSnapshot.objects.filter(gemeente_id__in=gemeente_ids, month__in=months).values_list(
                "gemeente_id", "month"
            )
        )
    wanted = {g: [p for p in periods if (g, p.start) not in have] for g in gemeente_ids}
    wanted = {g: ps for g, ps in wanted.items() if ps}
    if not wanted:
        return []
    needed = sorted({p for ps in wanted.values() for p in ps}, key=lambda p: p.start)
    # The KPI series run over consecutive months: from the first month needed to the last.
    span = needed[-1].with_months_before(_months_between(needed[0], needed[-1]))
    by_gemeente = figures_for_gemeenten(sorted(wanted), span)
    gemeenten = Gemeente.objects.in_bulk(list(by_gemeente))
    segments = list(Segment.objects.order_by("number"))
    now = at or timezone.now()
    snapshots, rows = [], []
    for gemeente_id, month_figures in by_gemeente.items():
        gemeente = gemeenten[gemeente_id]
        for month in month_figures:
            if month.period not in wanted[gemeente_id]:
                continue
            report = KpiReport(gemeente=gemeente, period=month.period, months=[month], segments=segments)
            snapshot = KpiSnapshot(
                gemeente=gemeente,
                month=month.period.start,
                computed_at=now,
                trigger=trigger,
                triggered_by=user,
                reason=reason,
            )
            snapshots.append(snapshot)
            rows.append(report_figures(report))
    with transaction.atomic():
        KpiSnapshot.objects.bulk_create(snapshots)
        KpiSnapshotValue.objects.bulk_create(
            (
                KpiSnapshotValue(
                    snapshot=snapshot,
                    position=position,
                    key=f.key,
                    section=f.section,
                    label=f.label,
                    unit=f.unit,
                    breakdown=f.breakdown,
                    key_figure=f.key_figure,
                    value=_stored(f.values[0]),
                )
                for snapshot, figures in zip(snapshots, rows, strict=True)
                for position, f in enumerate(figures)
            ),
            batch_size=2000,
        )
    return snapshots


def _months_between(first: Period, last: Period) -> int:
    return (last.start.year - first.start.year) * 12 + last.start.month - first.start.month


def month_close(period: Period, *, force: bool = False) -> int:
    """The monthly run: snapshot `period` for every gemeente that has none yet. Returns how many were made."""
    return len(snapshots_take([period], trigger=SnapshotTrigger.MONTHLY, force=force))


def snapshot_recompute(*, gemeente: Gemeente, period: Period, user: User | None, reason: str, trigger: str):
    """A new snapshot of one gemeente's month after a correction; the earlier ones are kept."""
    if not reason.strip():
        raise ValueError("Geef de reden waarom de maand opnieuw wordt berekend.")
    return snapshots_take([period], [gemeente.pk], trigger=trigger, user=user, reason=reason.strip(), force=True)[0]


# --- reading them back -----------------------------------------------------------------------


@dataclass
class StoredMonth:
    """The newest snapshot of each month of a report's window, and the earlier ones of its own month."""

    latest: list[KpiSnapshot]  # one per month, oldest first; the last one is the report's month
    earlier: list[KpiSnapshot]  # earlier snapshots of the report's month, newest first

    @property
    def own(self) -> KpiSnapshot:
        return self.latest[-1]

    @property
    def computed_at(self) -> dt.datetime:
        return self.own.computed_at

    @property
    def stand(self) -> str:
        return stand_text(self.computed_at)

    @property
    def reason(self) -> str:
        return self.own.reason

    @property
    def key(self) -> str:
        """Names exactly these snapshots: a recomputed month gives another key."""
        return ",".join(str(s.pk) for s in self.latest)

    @cached_property
    def forecast(self) -> Decimal:
        value = self.own.values.filter(key="spend.forecast").values_list("value", flat=True).first()
        return _read(value, "€") or Decimal("0.00")


def stored_month(gemeente: Gemeente, period: Period) -> StoredMonth | None:
    """The snapshots of a closed month and the 12 before it (one query); None when one is missing, or
    for a quarter or the running month (computed live)."""
    if period.is_quarter or period.end >= timezone.localdate():
        return None
    stored, _missing = _stored_snapshots(gemeente, period)
    return stored


def _stored_snapshots(gemeente: Gemeente, period: Period) -> tuple[StoredMonth | None, list[Period]]:
    periods = period.with_months_before(TREND_MONTHS)
    snapshots = list(
        KpiSnapshot.objects.filter(gemeente=gemeente, month__in=[p.start for p in periods])
        .select_related("triggered_by")
        .order_by("month", "-computed_at", "-pk")
    )
    latest: dict[dt.date, KpiSnapshot] = {}
    for snapshot in snapshots:
        latest.setdefault(snapshot.month, snapshot)
    missing = [p for p in periods if p.start not in latest]
    if missing:
        return None, missing
    earlier = [s for s in snapshots if s.month == period.start][1:]
    return StoredMonth([latest[p.start] for p in periods], earlier), []


def stored_report(
    gemeente: Gemeente, period: Period, *, stored: StoredMonth | None = None
) -> tuple[FigureReport | None, list[Period]]:
    """The report of `period` and the 12 months before it from the newest snapshot of each month.

    Returns (report, []) or, when a month has no snapshot, (None, the months missing). Three queries
    whatever the size of the gemeente (two when `stored` is given).
    """
    periods = period.with_months_before(TREND_MONTHS)
    if stored is None:
        stored, missing = _stored_snapshots(gemeente, period)
        if stored is None:
            return None, missing
    index = {s.pk: i for i, s in enumerate(stored.latest)}
    figures: dict[str, Figure] = {}
    values = KpiSnapshotValue.objects.filter(snapshot_id__in=list(index)).order_by("position")
    for snapshot_id, key, section, label, unit, breakdown, key_figure, value in values.values_list(
        "snapshot_id", "key", "section", "label", "unit", "breakdown", "key_figure", "value"
    ):
        i = index[snapshot_id]
        figure = figures.get(key)
        if figure is None:
            figure = figures[key] = Figure(key, section, label, unit, [None] * len(periods), breakdown, key_figure)
        if i == len(periods) - 1:  # the report's own month names the figure (a norm in a label can change)
            figure.section, figure.label, figure.unit, figure.breakdown = section, label, unit, breakdown
            figure.key_figure = key_figure
        figure.values[i] = _read(value, unit)
    report = FigureReport(
        gemeente=gemeente,
        period=period,
        periods=periods,
        figures=list(figures.values()),  # in the stored order (report_figures)
        segments=list(Segment.objects.order_by("number")),
        computed_at=stored.computed_at,
        reason=stored.reason,
        earlier=stored.earlier,
    )
    return report, []


def emailed_report(gemeente: Gemeente, period: Period) -> FigureReport:
    """The month's report as the email sends it: from the snapshots, taking those still missing first."""
    report, missing = stored_report(gemeente, period)
    if report is None:
        snapshots_take(missing, [gemeente.pk], trigger=SnapshotTrigger.EMAIL)
        report, missing = stored_report(gemeente, period)
    return report


# --- what the dashboard shows ----------------------------------------------------------------

LIVE_CACHE_SECONDS = 300  # the running month changes all day; a few minutes old is fine for beleid


def live_report(gemeente: Gemeente, period: Period) -> FigureReport:
    """The report computed now (the running month, a quarter, a month without snapshots), cached briefly
    in the shared cache (Redis where it runs; a miss when Redis is down)."""
    key = f"reports:live:{gemeente.pk}:{period.key}"
    return cache.get_or_set(key, lambda: figure_report(report_build(gemeente, period)), LIVE_CACHE_SECONDS)


def dashboard_report(gemeente: Gemeente, period: Period) -> FigureReport:
    """A month that has ended, from its snapshots; the running month, a quarter or a month whose
    snapshots are missing, computed live (cached briefly)."""
    if not period.is_quarter and period.end < timezone.localdate():
        report, _missing = stored_report(gemeente, period)
        if report is not None:
            return report
    return live_report(gemeente, period)
