"""The report as rows: one figure (a KPI, or one segment's or source's share of it), thirteen monthly
values. The dashboard's tables and cards, the CSV and JSON, the charts and the email all read these
rows, so every output shows the same numbers, formatted the same (cases/formatting.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from types import SimpleNamespace

from django.utils import timezone

from cases import formatting
from cases.codes import ReferrerType
from cases.formatting import NVT
from cases.models import Gemeente, Segment

from . import kpis
from .kpis import Period
from .kpis.flow import AGE_GROUPS
from .kpis.period import MONTH_NAMES
from .kpis.query import pct
from .kpis.referrals import WAIT_NORM_DAYS
from .report import KpiReport, MonthFigures


@dataclass
class Figure:
    key: str
    section: str
    label: str
    unit: str  # "aantal", "%", "€", "dagen", "werkdagen", "weken", "maanden", "1 op N"
    values: list  # per month, oldest first; None or NVT where a figure cannot be computed
    breakdown: str = ""
    key_figure: bool = False  # shown in the email's key-figure table

    @property
    def current(self):
        return self.values[-1]

    @property
    def previous(self):
        return self.values[-2] if len(self.values) > 1 else None

    @property
    def trend(self) -> str | None:
        """'up', 'down' or 'flat' against the month before; None where either month is n.v.t."""
        now, before = self.current, self.previous
        if not _is_number(now) or not _is_number(before):
            return None
        if now > before:
            return "up"
        return "down" if now < before else "flat"

    @property
    def full_label(self) -> str:
        return f"{self.label} – {self.breakdown}" if self.breakdown else self.label


def _is_number(value) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


SECTIONS = [
    "Instroom en uitstroom",
    "Jeugdigen in zorg",
    "Duur",
    "Verlengingen",
    "Stapeling",
    "Buiten-budgettaire inzet",
    "Uitgaven en budget",
    "Verwijzingen",
    "Wachttijd",
    "Afsluiting en herinstroom",
    "Signalen en Top 32",
    "Wlz",
    "Gedeclareerd vs toegewezen",
]


def report_figures(report: KpiReport) -> list[Figure]:
    """Every figure of the report, in the order the dashboard and the CSV show them."""
    months = report.months
    rows: list[Figure] = []

    def add(key, section, label, unit, getter, breakdown="", key_figure=False):
        rows.append(Figure(key, section, label, unit, [getter(m) for m in months], breakdown, key_figure))

    s = SECTIONS
    add("inflow.trajectories", s[0], "Gestarte trajecten", "aantal", lambda m: m.inflow.trajectories, key_figure=True)
    add("outflow.trajectories", s[0], "Beëindigde trajecten", "aantal", lambda m: m.outflow.trajectories,
        key_figure=True)  # fmt: skip
    add("inflow.youths", s[0], "Jeugdigen nieuw in zorg", "aantal", lambda m: m.inflow.youths)
    add("inflow.crisis", s[0], "Gestart met crisis (JZ020 46)", "aantal", lambda m: m.inflow.crisis)
    add("outflow.youths", s[0], "Jeugdigen uit zorg", "aantal", lambda m: m.outflow.youths)

    add("in_care.youths", s[1], "Jeugdigen in zorg", "aantal", lambda m: m.in_care.youths, key_figure=True)
    add("in_care.one_in_n", s[1], "1 op N jeugdigen (0-17) in zorg", "1 op N", lambda m: m.in_care.one_in_n,
        key_figure=True)  # fmt: skip
    add("in_care.with_stay_pct", s[1], "Jeugdigen in zorg met verblijf", "%", lambda m: m.in_care.with_stay_pct)
    add("in_care.without_stay_pct", s[1], "Jeugdigen in zorg zonder verblijf", "%",
        lambda m: m.in_care.without_stay_pct)  # fmt: skip
    add("in_care.one_in_n_target", s[1], "Doel 1 op N", "1 op N", lambda m: m.in_care.one_in_n_target)
    for seg in report.segments:
        add(f"in_care.segment{seg.number}", s[1], "Jeugdigen in zorg", "aantal",
            lambda m, n=seg.number: m.in_care.by_segment.get(n, 0), breakdown=str(seg))  # fmt: skip
    for label in AGE_GROUPS:
        add(f"in_care.age.{label}", s[1], "Jeugdigen in zorg naar leeftijd", "aantal",
            lambda m, a=label: m.in_care.by_age.get(a, 0), breakdown=f"{label} jaar")  # fmt: skip

    add("duration.median", s[2], "Mediane duur beëindigde trajecten", "maanden",
        lambda m: m.durations.total.median_months, key_figure=True)  # fmt: skip
    add("duration.mean", s[2], "Gemiddelde duur beëindigde trajecten", "maanden",
        lambda m: m.durations.total.mean_months)  # fmt: skip
    for label, _upper in kpis.DURATION_BINS:
        add(f"duration.bin.{label}", s[2], "Beëindigde trajecten naar duur", "aantal",
            lambda m, label=label: m.durations.total.bins[label], breakdown=label)  # fmt: skip
    add("duration.ended", s[2], "Beëindigde trajecten met gestarte zorg", "aantal",
        lambda m: m.durations.total.ended)  # fmt: skip
    for seg in report.segments:
        add(f"duration.median.segment{seg.number}", s[2], "Mediane duur", "maanden",
            lambda m, n=seg.number: _segment_duration(m, n, "median_months"), breakdown=str(seg))  # fmt: skip
    # The duration table per segment; a segment where nothing ended in the month is n.v.t. (no row).
    for seg in report.segments:
        n = seg.number
        add(f"duration.ended.segment{n}", DURATION_SEGMENTS_SECTION, "Beëindigde trajecten met gestarte zorg", "aantal",
            lambda m, n=n: _segment_duration(m, n, "ended"), breakdown=str(seg))  # fmt: skip
        add(f"duration.mean.segment{n}", DURATION_SEGMENTS_SECTION, "Gemiddelde duur", "maanden",
            lambda m, n=n: _segment_duration(m, n, "mean_months"), breakdown=str(seg))  # fmt: skip
        for label, _upper in kpis.DURATION_BINS:
            add(f"duration.bin.{label}.segment{n}", DURATION_SEGMENTS_SECTION, "Beëindigde trajecten naar duur",
                "aantal", lambda m, n=n, label=label: _segment_bin(m, n, label),
                breakdown=f"{seg} · {label}")  # fmt: skip

    add("extensions.granted", s[3], "Verlengingen toegekend", "aantal", lambda m: m.extensions.granted,
        key_figure=True)  # fmt: skip
    add("extensions.requested", s[3], "Verlengingen aangevraagd", "aantal", lambda m: m.extensions.requested)
    add("extensions.refused", s[3], "Verlengingen afgewezen", "aantal", lambda m: m.extensions.refused)
    add("extensions.share", s[3], "Lopende trajecten ooit verlengd", "%", lambda m: m.extensions.extended_pct,
        key_figure=True)  # fmt: skip

    add("stacking.two_plus", s[4], "Jeugdigen met 2+ trajecten tegelijk", "%",
        lambda m: m.stacking.two_plus_pct, key_figure=True)  # fmt: skip
    add("stacking.three_plus", s[4], "Jeugdigen met 3+ trajecten tegelijk", "%",
        lambda m: m.stacking.three_plus_pct)  # fmt: skip

    add("outside_budget.trajectories", s[5], "Trajecten buiten budget", "aantal",
        lambda m: m.outside_budget.trajectories, key_figure=True)  # fmt: skip
    add("outside_budget.cost", s[5], "Kosten buiten budget in de maand", "€", lambda m: m.outside_budget.cost,
        key_figure=True)  # fmt: skip

    add("spend.month", s[6], "Uitgaven in de maand", "€", lambda m: m.spend.month)
    add("spend.ytd", s[6], "Uitgaven sinds 1 januari", "€", lambda m: m.spend.year_to_date, key_figure=True)
    add("spend.forecast", s[6], "Prognose jaareinde", "€", lambda m: m.spend.forecast, key_figure=True)
    add("spend.run_rate", s[6], "Prognose bij gelijkblijvend tempo", "€", lambda m: m.spend.run_rate,
        key_figure=True)  # fmt: skip
    add("spend.budget", s[6], "Budget", "€", lambda m: m.spend.budget)
    add("spend.forecast_pct", s[6], "Prognose als deel van het budget", "%", lambda m: m.spend.forecast_pct,
        key_figure=True)  # fmt: skip
    for seg in report.segments:
        n = seg.number
        add(f"spend.month.segment{n}", s[6], "Uitgaven in de maand", "€",
            lambda m, n=n: _segment_spend(m, n).month, breakdown=str(seg))  # fmt: skip
    for seg in report.segments:
        n = seg.number
        add(f"spend.ytd.segment{n}", s[6], "Uitgaven sinds 1 januari", "€",
            lambda m, n=n: _segment_spend(m, n).year_to_date, breakdown=str(seg))  # fmt: skip
        add(f"spend.forecast.segment{n}", s[6], "Prognose jaareinde", "€",
            lambda m, n=n: _segment_spend(m, n).forecast, breakdown=str(seg))  # fmt: skip
        add(f"spend.run_rate.segment{n}", s[6], "Prognose bij gelijkblijvend tempo", "€",
            lambda m, n=n: _segment_spend(m, n).run_rate, breakdown=str(seg))  # fmt: skip
        add(f"spend.budget.segment{n}", s[6], "Budget", "€",
            lambda m, n=n: _segment_spend(m, n).budget, breakdown=str(seg))  # fmt: skip
        add(f"spend.unpriced.segment{n}", s[6], "Trajecten zonder prijs en zonder contract (prijs ontbreekt)", "aantal",
            lambda m, n=n: _segment_spend(m, n).unpriced, breakdown=str(seg))  # fmt: skip
        add(f"spend.contracts.segment{n}", s[6], "Taakgerichte contractsommen van het jaar", "€",
            lambda m, n=n: _segment_spend(m, n).contracts, breakdown=str(seg))  # fmt: skip

    add("referrals.total", s[7], "Verwijzingen", "aantal", lambda m: m.referrals.total, key_figure=True)
    add("referrals.specialised_pct", s[7], "Verwijzingen naar specialistische jeugdhulp", "%",
        lambda m: m.referrals.specialised_pct, key_figure=True)  # fmt: skip
    for value, label in ReferrerType.choices:
        add(f"referrals.{value}", s[7], "Verwijzingen", "aantal",
            lambda m, v=value: _source(m, v).referrals, breakdown=label)  # fmt: skip
    for value, label in ReferrerType.choices:
        add(f"referrals.{value}.specialised_pct", s[7], "Naar specialistische jeugdhulp", "%",
            lambda m, v=value: _source(m, v).specialised_pct, breakdown=label)  # fmt: skip

    add("waiting.median", s[8], "Mediane wachttijd", "dagen", lambda m: m.waiting.median_days, key_figure=True)
    weeks = report.current.waiting.norm_weeks  # the gemeente's wachttijd threshold, as the flag
    add("waiting.over_norm_pct", s[8], f"Langer dan {weeks} weken gewacht", "%", lambda m: m.waiting.over_norm_pct,
        key_figure=True)  # fmt: skip
    add("waiting.norm_weeks", s[8], "Wachttijdnorm van de gemeente", "weken", lambda m: m.waiting.norm_weeks)
    add("lead_time.requests", s[8], "Verzoeken om toewijzing (JW315)", "aantal", lambda m: m.lead_time.requests)
    add("lead_time.median", s[8], "Mediane doorlooptijd verzoek tot toewijzing (werkdagen)", "werkdagen",
        lambda m: m.lead_time.median_working_days)  # fmt: skip
    add("lead_time.within_norm_pct", s[8], "Verzoeken binnen 5 werkdagen toegewezen", "%",
        lambda m: m.lead_time.within_norm_pct, key_figure=True)  # fmt: skip

    add("end.as_planned_pct", s[9], "Volgens plan beëindigd", "%", lambda m: m.end_reasons.as_planned_pct)
    add("end.premature_pct", s[9], "Voortijdig beëindigd", "%", lambda m: m.end_reasons.premature_pct)
    add("re_entry.pct", s[9], "Binnen 12 maanden terug in zorg", "%", lambda m: m.re_entry.returned_pct)

    add("flags.raised", s[10], "Signalen afgegeven", "aantal", lambda m: m.flags.raised, key_figure=True)
    add("flags.resolved", s[10], "Signalen afgehandeld", "aantal", lambda m: m.flags.resolved, key_figure=True)
    add("top.reviewed_on_time", s[10], "Top 32 op tijd besproken", "%", lambda m: m.top_reviewed,
        key_figure=True)  # fmt: skip

    wlz = SECTIONS.index("Wlz")
    add("wlz.open", s[wlz], "Wlz-routes open", "aantal", lambda m: m.wlz.routes_open, key_figure=True)
    add("wlz.granted", s[wlz], "Wlz-indicaties afgegeven", "aantal", lambda m: m.wlz.granted, key_figure=True)
    add("wlz.median_weeks", s[wlz], "Mediane tijd van aanvraag CIZ tot indicatie", "weken",
        lambda m: m.wlz.median_weeks, key_figure=True)  # fmt: skip
    add("wlz.cost_off", s[wlz], "Jeugdwet-kosten per maand naar de Wlz", "€", lambda m: m.wlz.cost_off,
        key_figure=True)  # fmt: skip
    # Declarations (issue 12): over the segments and providers that declared in the month.
    declared = SECTIONS.index("Gedeclareerd vs toegewezen")
    add("declared.allocated", s[declared], "Toegewezen (P × Q) bij aanbieders die declareerden", "€",
        lambda m: m.declared.allocated)  # fmt: skip
    add("declared.declared", s[declared], "Gedeclareerd", "€", lambda m: m.declared.declared, key_figure=True)
    add("declared.pct", s[declared], "Gedeclareerd als deel van toegewezen", "%", lambda m: m.declared.declared_pct,
        key_figure=True)  # fmt: skip
    add("declared.approved", s[declared], "Toegekend (JW325)", "€", lambda m: m.declared.approved)
    add("declared.rejected", s[declared], "Afgewezen (JW325)", "€", lambda m: m.declared.rejected)
    add("declared.open", s[declared], "Nog niet beantwoord", "€", lambda m: m.declared.open)

    # The tables per provider: a provider's row exists in the months it has one (elsewhere n.v.t.).
    # Their own sections, outside SECTIONS: in the CSV and the snapshot, not in the "Alle cijfers" tables.
    declared_rows = {}
    for m in months:
        for r in m.declared.rows if m.declared else []:
            declared_rows.setdefault((r.segment_number, r.segment, r.provider), None)
    for number, segment, provider in declared_rows:
        for name, label in DECLARED_ROW_FIGURES.items():
            add(f"declared.row.{number}.{name}.{provider[:120]}", DECLARED_ROWS_SECTION, label, "€",
                lambda m, k=(number, provider), name=name: _declared_row(m, k, name),
                breakdown=f"{segment} · {provider}")  # fmt: skip
    providers = {}
    for m in months:
        for w in m.waiting_providers or []:
            providers.setdefault(w.provider, None)
    for provider in providers:
        for name, (label, unit) in PROVIDER_WAITING_FIGURES.items():
            add(f"waiting.provider.{name}.{provider[:120]}", PROVIDER_WAITING_SECTION, label, unit,
                lambda m, p=provider, name=name: _provider_waiting(m, p, name), breakdown=provider)  # fmt: skip
    return rows


DURATION_SEGMENTS_SECTION = "Duur per segment"
DECLARED_ROWS_SECTION = "Gedeclareerd per segment en aanbieder"
DECLARED_ROW_FIGURES = {
    "allocated": "Toegewezen (P × Q)",
    "declared": "Gedeclareerd",
    "approved": "Toegekend (JW325)",
    "rejected": "Afgewezen (JW325)",
    "open": "Nog niet beantwoord",
}
PROVIDER_WAITING_SECTION = "Wachttijd per aanbieder"
PROVIDER_WAITING_FIGURES = {
    "started": ("Zorg gestart", "aantal"),
    "median_days": ("Mediane wachttijd", "dagen"),
    "over_norm": ("Gestart na de wachttijdnorm", "aantal"),
    "waiting": ("Wacht nog op de laatste dag", "aantal"),
}


def _declared_row(month: MonthFigures, key: tuple[int, str], name: str):
    if month.declared is None:
        return None
    row = next((r for r in month.declared.rows if (r.segment_number, r.provider) == key), None)
    return getattr(row, name) if row else None


def _provider_waiting(month: MonthFigures, provider: str, name: str):
    row = next((w for w in month.waiting_providers or [] if w.provider == provider), None)
    return getattr(row, name) if row else None


def _segment_spend(month: MonthFigures, number: int) -> kpis.SegmentSpend:
    return next(s for s in month.spend.segments if s.number == number)


def _segment_duration(month: MonthFigures, number: int, name: str):
    duration = month.durations.by_segment.get(number)
    return getattr(duration, name) if duration else None


def _segment_bin(month: MonthFigures, number: int, label: str):
    duration = month.durations.by_segment.get(number)
    return duration.bins[label] if duration else None


def _source(month: MonthFigures, value: str) -> kpis.SourceReferrals:
    return next(s for s in month.referrals.sources if s.source == value)


# --- A report read from its figures ----------------------------------------------------------


@dataclass
class FigureReport:
    """A report as its figures: what the dashboard, the export and the email show.

    Built live from a KpiReport (`figure_report`) or read from stored snapshots (reports/snapshots.py);
    either way every table and chart reads the Figure rows, so a past month shows what was stored.
    """

    gemeente: Gemeente
    period: Period
    periods: list[Period]  # oldest first; the last one is `period`
    figures: list[Figure]
    segments: list[Segment]
    computed_at: dt.datetime | None = None  # when the stored figures of `period` were computed; None: live
    email_images: dict[str, bytes] | None = None  # rendered once, sent to every recipient
    quarter: FigureReport | None = None  # the quarterly update, when the month closes a quarter
    regie: object | None = None  # reports.regie_effect.RegieEffect, built once for all recipients
    reason: str = ""  # why the stored figures of `period` were recomputed ('' for the first snapshot)
    earlier: list = field(default_factory=list)  # earlier snapshots of `period`, newest first

    @property
    def stand(self) -> str:
        """'1 maart 2027 om 05:00': when the stored figures were computed ('' when live)."""
        return stand_text(self.computed_at) if self.computed_at else ""

    @cached_property
    def by_key(self) -> dict[str, Figure]:
        return {f.key: f for f in self.figures}

    @cached_property
    def current(self) -> SimpleNamespace:
        """The report's own month as the dashboard's tables and the charts read it (as MonthFigures)."""
        return current_month(self)


def stand_text(moment: dt.datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local.day} {MONTH_NAMES[local.month - 1]} {local.year} om {local:%H:%M}"


def figure_report(report: KpiReport) -> FigureReport:
    return FigureReport(report.gemeente, report.period, report.periods, report_figures(report), report.segments)


def current_month(report: FigureReport) -> SimpleNamespace:
    """The spend, duration, declaration and waiting tables of the report's month, from its figures."""

    def now(key, default=None):
        figure = report.by_key.get(key)
        return default if figure is None or figure.current is None else figure.current

    money = Decimal("0.00")
    segments = []
    for seg in report.segments:
        n = seg.number
        row = SimpleNamespace(
            number=n,
            name=seg.name,
            month=now(f"spend.month.segment{n}", money),
            year_to_date=now(f"spend.ytd.segment{n}", money),
            forecast=now(f"spend.forecast.segment{n}", money),
            run_rate=now(f"spend.run_rate.segment{n}", money),
            budget=now(f"spend.budget.segment{n}"),
            contracts=now(f"spend.contracts.segment{n}", money),
            unpriced=now(f"spend.unpriced.segment{n}", 0),
        )
        row.ytd_pct, row.forecast_pct = pct(row.year_to_date, row.budget), pct(row.forecast, row.budget)
        segments.append(row)
    spend = SimpleNamespace(
        year=report.period.end.year,
        segments=segments,
        month=now("spend.month", money),
        year_to_date=now("spend.ytd", money),
        forecast=now("spend.forecast", money),
        run_rate=now("spend.run_rate", money),
        budget=now("spend.budget"),
        forecast_pct=now("spend.forecast_pct"),
        contracts=sum((r.contracts for r in segments), money),
        unpriced=sum(r.unpriced for r in segments),
    )
    spend.ytd_pct = pct(spend.year_to_date, spend.budget)

    def duration(suffix: str) -> SimpleNamespace:
        return SimpleNamespace(
            ended=now(f"duration.ended{suffix}", 0),
            median_months=now(f"duration.median{suffix}"),
            mean_months=now(f"duration.mean{suffix}"),
            bins={label: now(f"duration.bin.{label}{suffix}", 0) for label, _upper in kpis.DURATION_BINS},
        )

    durations = SimpleNamespace(
        total=duration(""),
        by_segment={
            seg.number: duration(f".segment{seg.number}")
            for seg in report.segments
            if now(f"duration.ended.segment{seg.number}") is not None
        },
    )
    declared = kpis.Declared(
        rows=[
            kpis.DeclaredRow(
                segment_number=int(f.key.split(".")[2]),
                segment=f.breakdown.split(" · ", 1)[0],
                provider=f.breakdown.split(" · ", 1)[1],
                **{name: now(f.key.replace(".allocated.", f".{name}.", 1), money) for name in DECLARED_ROW_FIGURES},
            )
            for f in report.figures
            if f.section == DECLARED_ROWS_SECTION and ".allocated." in f.key and f.current is not None
        ]
    )
    waiting_providers = sorted(
        (
            kpis.ProviderWaiting(
                provider=f.breakdown,
                started=now(f"waiting.provider.started.{f.key.split('.', 3)[3]}", 0),
                median_days=now(f"waiting.provider.median_days.{f.key.split('.', 3)[3]}"),
                over_norm=now(f"waiting.provider.over_norm.{f.key.split('.', 3)[3]}", 0),
                waiting=now(f"waiting.provider.waiting.{f.key.split('.', 3)[3]}", 0),
            )
            for f in report.figures
            if f.key.startswith("waiting.provider.started.") and f.current is not None
        ),
        key=lambda r: (-r.waiting, -(r.median_days or 0), r.provider),
    )
    return SimpleNamespace(
        spend=spend,
        durations=durations,
        declared=declared,
        waiting=SimpleNamespace(norm_weeks=now("waiting.norm_weeks", WAIT_NORM_DAYS // 7)),
        waiting_providers=waiting_providers,
    )


# --- Dutch display ---------------------------------------------------------------------------

# Published counts of 1 to 4 children or trajectories are shown as "< 5" (dashboard, CSV, JSON, email):
# in a small gemeente "2 jeugdigen uit zorg" can point at a family. The rule is in docs/kpis.md.
SMALL_COUNT = 5
SMALL_COUNT_TEXT = f"< {SMALL_COUNT}"


def published(value, unit: str):
    """The value as it may be published: a count of 1-4 becomes "< 5"; 0 and everything else stay."""
    if unit == "aantal" and _is_number(value) and 0 < value < SMALL_COUNT:
        return SMALL_COUNT_TEXT
    return value


def format_value(value, unit: str) -> str:
    """A figure in its unit: '€ 1.234', '12,5%', '1 op 8,2', '3,5 mnd', '12 dagen', 'n.v.t.'."""
    if value is None or value == NVT:
        return NVT
    value = published(value, unit)
    if value == SMALL_COUNT_TEXT:
        return value
    if unit == "€":
        return formatting.euro(value)
    if unit == "%":
        return formatting.percent(value, 1)
    if unit == "1 op N":
        return f"1 op {formatting.number(value, 1)}"
    if unit in ("maanden", "dagen", "werkdagen", "weken"):
        return f"{formatting.number(value)} {'mnd' if unit == 'maanden' else unit}"
    return formatting.number(value, 0)


TREND_ARROWS = {"up": ("↑", "hoger"), "down": ("↓", "lager"), "flat": ("→", "gelijk")}
# The arrow as a screen reader reads it before the month before ("lager dan oktober 2026: 12").
TREND_COMPARED = {"up": "hoger dan", "down": "lager dan", "flat": "gelijk aan"}


def figure_row(figure: Figure) -> dict:
    """One figure as the dashboard and the email show it: formatted values and the trend arrow."""
    arrow, arrow_text = TREND_ARROWS.get(figure.trend, ("", "geen vergelijking"))
    return {
        "figure": figure,
        "current": format_value(figure.current, figure.unit),
        "previous": format_value(figure.previous, figure.unit),
        "values": [format_value(v, figure.unit) for v in figure.values],
        "arrow": arrow,
        "arrow_text": arrow_text,
        "compared": TREND_COMPARED.get(figure.trend, "geen vergelijking met"),
    }
