"""Charts of the KPI report: one spec, drawn as inline SVG for the dashboard and as PNG for the email.

The SVG is written by hand (no JavaScript, no build step); the PNG uses matplotlib because mail
clients do not show SVG. Every chart has a table with the same numbers: that table is the chart's
text alternative on the page and in the CSV.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape

from cases.codes import ReferrerType

from .kpis import NVT
from .report import Figure, KpiReport, format_value

# Where each chart sits on the dashboard (kpi_report.SECTIONS).
CHART_SECTIONS = {
    "flow": "Instroom en uitstroom",
    "youth_flow": "Instroom en uitstroom",
    "in_care_segment": "Jeugdigen in zorg",
    "one_in_n": "Jeugdigen in zorg",
    "duration": "Duur",
    "duration_bins": "Duur",
    "extensions": "Verlengingen",
    "extensions_share": "Verlengingen",
    "stacking": "Stapeling",
    "outside_budget": "Buiten-budgettaire inzet",
    "spend_budget": "Uitgaven en budget",
    "forecast": "Uitgaven en budget",
    "spend_segment": "Uitgaven en budget",
    "referrals_source": "Verwijzingen",
    "referrals_specialised": "Verwijzingen",
    "waiting": "Wachttijd",
    "waiting_norm": "Wachttijd",
    "end_reasons": "Afsluiting en herinstroom",
}

# Okabe-Ito: distinguishable with the common forms of colour blindness.
COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#8a6d00"]
DASHES = ["", "6 3", "2 3", "8 3 2 3", "", "6 3", "2 3", "8 3 2 3"]


@dataclass
class Series:
    name: str
    values: list  # numbers, None or NVT (a gap)


@dataclass
class Chart:
    key: str
    title: str
    unit: str
    categories: list[str]
    series: list[Series]
    kind: str = "line"  # or "bar"
    note: str = ""
    figure_keys: tuple = ()  # the report figures behind the chart: its CSV download

    @property
    def has_data(self) -> bool:
        return any(_num(v) is not None for s in self.series for v in s.values)

    def rows(self) -> list[dict]:
        """The chart as a table: one row per category, one formatted cell per series."""
        return [
            {"category": cat, "cells": [format_value(s.values[i], self.unit) for s in self.series]}
            for i, cat in enumerate(self.categories)
        ]


def _num(value) -> float | None:
    if value is None or value == NVT:
        return None
    return float(value) if isinstance(value, int | float | Decimal) else None


def report_charts(report: KpiReport, figures: list[Figure]) -> list[Chart]:
    """The dashboard's charts, each from figures of the report (so chart, table and CSV agree)."""
    by_key = {f.key: f for f in figures}
    months = [p.short_label for p in report.periods]

    def line(key, title, unit, keys, names=None, note="", skip_empty=False):
        series = []
        for index, fkey in enumerate(keys):
            figure = by_key[fkey]
            if skip_empty and not any(_num(v) for v in figure.values):
                continue
            series.append(Series(names[index] if names else figure.breakdown or figure.label, figure.values))
        return Chart(key, title, unit, months, series, "line", note, tuple(keys))

    segs = report.segments
    current = report.current
    charts = [
        line("flow", "Gestarte en beëindigde trajecten", "aantal", ["inflow.trajectories", "outflow.trajectories"],
             ["Gestart", "Beëindigd"]),
        line("youth_flow", "Jeugdigen nieuw in zorg en uit zorg", "aantal", ["inflow.youths", "outflow.youths"],
             ["Nieuw in zorg", "Uit zorg"]),
        line("in_care_segment", "Jeugdigen in zorg per segment", "aantal",
             [f"in_care.segment{s.number}" for s in segs], [f"{s.number}. {s.name}" for s in segs]),
        line("one_in_n", "1 op N jeugdigen (0-17) in zorg", "1 op N", ["in_care.one_in_n"], ["1 op N"],
             note="Hoger is minder jeugdigen in zorg. Zonder ingevoerde jeugdpopulatie: n.v.t."),
        line("spend_segment", "Uitgaven per maand per segment", "€", [f"spend.month.segment{s.number}" for s in segs],
             [f"{s.number}. {s.name}" for s in segs]),
        Chart(
            "spend_budget",
            f"Uitgaven {current.spend.year} per segment tegenover budget (t/m {report.period.label})",
            "€",
            [f"{s.number}. {s.name}" for s in current.spend.segments],
            [
                Series("Uitgegeven", [s.year_to_date for s in current.spend.segments]),
                Series("Prognose jaareinde", [s.forecast for s in current.spend.segments]),
                Series("Budget", [s.budget for s in current.spend.segments]),
            ],
            "bar",
            figure_keys=tuple(
                f"spend.{kind}.segment{s.number}"
                for s in current.spend.segments
                for kind in ("ytd", "forecast", "budget")
            ),
        ),
        line("forecast", "Prognose jaareinde tegenover budget", "€",
             ["spend.forecast", "spend.run_rate", "spend.budget"],
             ["Prognose (ondergrens)", "Bij gelijkblijvend tempo", "Budget"]),
        line("referrals_source", "Verwijzingen per verwijzer", "aantal",
             [f"referrals.{value}" for value in ReferrerType.values], skip_empty=True),
        line("referrals_specialised", "Verwijzingen die leidden tot specialistische jeugdhulp", "%",
             ["referrals.specialised_pct"], ["Alle verwijzers"]),
        line("duration", "Mediane duur van beëindigde trajecten", "maanden",
             ["duration.median"] + [f"duration.median.segment{s.number}" for s in segs],
             ["Alle segmenten"] + [f"{s.number}. {s.name}" for s in segs], skip_empty=True),
        Chart(
            "duration_bins",
            f"Beëindigde trajecten in {report.period.label} naar duur (CBS-klassen)",
            "aantal",
            list(current.durations.total.bins),
            [Series("Trajecten", list(current.durations.total.bins.values()))],
            "bar",
            figure_keys=tuple(f"duration.bin.{label}" for label in current.durations.total.bins),
        ),
        line("extensions", "Verlengingen", "aantal",
             ["extensions.requested", "extensions.granted", "extensions.refused"],
             ["Aangevraagd", "Toegekend", "Afgewezen"]),
        line("extensions_share", "Lopende trajecten die ooit verlengd zijn", "%", ["extensions.share"], ["Verlengd"]),
        line("stacking", "Stapeling: jeugdigen met meerdere trajecten tegelijk", "%",
             ["stacking.two_plus", "stacking.three_plus"], ["2 of meer", "3 of meer"]),
        line("outside_budget", "Kosten buiten-budgettaire inzet per maand", "€", ["outside_budget.cost"],
             ["Buiten budget"]),
        line("waiting", "Mediane wachttijd van verwijzing tot start", "dagen", ["waiting.median"], ["Mediaan"]),
        line("waiting_norm", "Trajecten gestart na meer dan 8 weken wachten", "%", ["waiting.over_norm_pct"],
             ["Langer dan 8 weken"]),
        line("end_reasons", "Hoe trajecten eindigden", "%", ["end.as_planned_pct", "end.premature_pct"],
             ["Volgens plan", "Voortijdig"]),
    ]  # fmt: skip
    return charts


# --- SVG -------------------------------------------------------------------------------------

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 78, 12, 14, 46


def _nice_ceiling(value: float) -> tuple[float, float]:
    """A round top for the y axis and its tick step (1, 2, 2.5 or 5 × 10^k)."""
    if value <= 0:
        return 1.0, 0.25
    raw_step = value / 4
    magnitude = 10 ** math.floor(math.log10(raw_step))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * magnitude
        if step >= raw_step:
            break
    return step * math.ceil(value / step), step


def _axis_label(value: float, unit: str) -> str:
    if unit == "€":
        if value >= 1_000_000:
            return f"€ {value / 1_000_000:.1f} mln".replace(".", ",")
        return format_value(value, "€")
    if unit == "%":
        return f"{value:g}%".replace(".", ",")
    return f"{value:g}".replace(".", ",")


def render_svg(chart: Chart, element_id: str) -> str:
    """Inline SVG; the title and description name the chart, the table next to it holds the numbers."""
    values = [_num(v) for s in chart.series for v in s.values]
    top, step = _nice_ceiling(max([v for v in values if v is not None] or [0]))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    n = len(chart.categories)

    def y(value: float) -> float:
        return TOP + plot_h - plot_h * value / top

    legend, legend_height = _legend(chart)
    height = HEIGHT + legend_height
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="{element_id}-t {element_id}-d"'
        ' xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif" font-size="11">',
        f'<title id="{element_id}-t">{escape(chart.title)}</title>',
        f'<desc id="{element_id}-d">{"Lijngrafiek" if chart.kind == "line" else "Staafgrafiek"}; '
        "de tabel bij deze grafiek geeft dezelfde cijfers.</desc>",
    ]
    tick = 0.0
    while tick <= top + step / 2:
        ty = y(tick)
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{ty:.1f}" y2="{ty:.1f}" stroke="#d0d0d0"/>')
        parts.append(
            f'<text x="{LEFT - 6}" y="{ty + 4:.1f}" text-anchor="end" fill="#333">'
            f"{escape(_axis_label(tick, chart.unit))}</text>"
        )
        tick += step
    slot = plot_w / max(n, 1)
    for i, cat in enumerate(chart.categories):
        cx = LEFT + slot * (i + 0.5)
        label = cat if len(cat) <= 14 else cat[:13] + "…"
        anchor = "middle" if chart.kind == "line" or n <= 7 else "end"
        parts.append(
            f'<text x="{cx:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="{anchor}" fill="#333">{escape(label)}</text>'
        )
    if chart.kind == "bar":
        group = slot * 0.8
        width = group / max(len(chart.series), 1)
        for si, series in enumerate(chart.series):
            for i, value in enumerate(series.values):
                v = _num(value)
                if v is None:
                    continue
                x = LEFT + slot * i + slot * 0.1 + width * si
                parts.append(
                    f'<rect x="{x:.1f}" y="{y(v):.1f}" width="{width - 1:.1f}" height="{y(0) - y(v):.1f}" '
                    f'fill="{COLOURS[si % len(COLOURS)]}"/>'
                )
    else:
        for si, series in enumerate(chart.series):
            colour, dash = COLOURS[si % len(COLOURS)], DASHES[si % len(DASHES)]
            segment: list[str] = []
            runs = []
            for i, value in enumerate(series.values):
                v = _num(value)
                if v is None:
                    if segment:
                        runs.append(segment)
                    segment = []
                    continue
                segment.append(f"{LEFT + slot * (i + 0.5):.1f},{y(v):.1f}")
            if segment:
                runs.append(segment)
            for run in runs:
                dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
                parts.append(
                    f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" stroke-width="2.5"{dash_attr}/>'
                )
                for point in run:
                    px, py = point.split(",")
                    parts.append(f'<circle cx="{px}" cy="{py}" r="3" fill="{colour}"/>')
    parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(0):.1f}" y2="{y(0):.1f}" stroke="#555"/>')
    parts.extend(legend)
    parts.append("</svg>")
    return "".join(parts)


def _legend(chart: Chart) -> tuple[list[str], int]:
    """Legend items under the axis, wrapped onto as many rows as needed; returns (svg parts, extra height)."""
    parts, x, row = [], LEFT, 0
    for si, series in enumerate(chart.series):
        colour, dash = COLOURS[si % len(COLOURS)], DASHES[si % len(DASHES)]
        name = series.name if len(series.name) <= 40 else series.name[:39] + "…"
        width = 30 + 6.2 * len(name)
        if x + width > WIDTH - RIGHT and x > LEFT:
            x, row = LEFT, row + 1
        y = HEIGHT - 12 + row * 16
        if chart.kind == "line":
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            parts.append(
                f'<line x1="{x}" x2="{x + 18}" y1="{y}" y2="{y}" stroke="{colour}" stroke-width="2.5"{dash_attr}/>'
            )
        else:
            parts.append(f'<rect x="{x}" y="{y - 5}" width="14" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{x + 22}" y="{y + 4}" fill="#222">{escape(name)}</text>')
        x += width
    return parts, row * 16


# --- PNG (email) -----------------------------------------------------------------------------


def render_png(chart: Chart) -> bytes:
    """The same chart as a PNG for mail clients: 960 px wide, shown at 600 px so it stays sharp."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib.ticker import FuncFormatter

    fig, ax = plt.subplots(figsize=(6.4, 2.8), dpi=150)
    try:
        positions = range(len(chart.categories))
        if chart.kind == "bar":
            width = 0.8 / max(len(chart.series), 1)
            for si, series in enumerate(chart.series):
                values = [_num(v) or 0 for v in series.values]
                ax.bar([p + si * width - 0.4 + width / 2 for p in positions], values, width, label=series.name,
                       color=COLOURS[si % len(COLOURS)])  # fmt: skip
        else:
            for si, series in enumerate(chart.series):
                values = [_num(v) for v in series.values]
                ax.plot(list(positions), [math.nan if v is None else v for v in values], marker="o", markersize=3,
                        linewidth=2, label=series.name, color=COLOURS[si % len(COLOURS)],
                        linestyle=["-", "--", ":", "-."][si % 4])  # fmt: skip
        ax.set_xticks(list(positions))
        labels = [c if len(c) <= 14 else c[:13] + "…" for c in chart.categories]
        ax.set_xticklabels(labels, fontsize=7, rotation=0 if chart.kind == "line" else 20,
                           ha="center" if chart.kind == "line" else "right")  # fmt: skip
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: _axis_label(v, chart.unit)))
        ax.tick_params(axis="y", labelsize=7)
        ax.set_ylim(bottom=0)
        ax.grid(axis="y", color="#d0d0d0", linewidth=0.6)
        ax.spines[["top", "right"]].set_visible(False)
        ax.set_title(chart.title, fontsize=9, loc="left")
        fig.tight_layout()
        if len(chart.series) > 1:
            # Under the axis labels, in as many columns as fit; the saved image grows to hold it.
            handles, names = ax.get_legend_handles_labels()
            names = [name if len(name) <= 34 else name[:33] + "…" for name in names]
            below = -0.32 if chart.kind == "bar" else -0.14
            ax.legend(handles, names, fontsize=6.5, frameon=False, loc="upper left", bbox_to_anchor=(0, below),
                      ncol=3 if len(names) != 4 else 2)  # fmt: skip
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", bbox_inches="tight", pad_inches=0.08)
        return buffer.getvalue()
    finally:
        plt.close(fig)
