"""The KPI report's charts: which figures each one draws, and where it sits on the dashboard."""

from __future__ import annotations

from cases.codes import ReferrerType

from ..figures import Figure
from ..kpis.flow import AGE_GROUPS
from ..report import KpiReport
from .spec import Chart, Series, number

# Where each chart sits on the dashboard (figures.SECTIONS).
CHART_SECTIONS = {
    "flow": "Instroom en uitstroom",
    "youth_flow": "Instroom en uitstroom",
    "in_care_segment": "Jeugdigen in zorg",
    "one_in_n": "Jeugdigen in zorg",
    "in_care_age": "Jeugdigen in zorg",
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


def report_charts(report: KpiReport, figures: list[Figure]) -> list[Chart]:
    """The dashboard's charts, each from figures of the report (so chart, table and CSV agree)."""
    by_key = {f.key: f for f in figures}
    months = [p.short_label for p in report.periods]
    weeks = report.current.waiting.norm_weeks  # the gemeente's wachttijd threshold

    def line(key, title, unit, keys, names=None, note="", skip_empty=False):
        series = []
        for index, fkey in enumerate(keys):
            figure = by_key[fkey]
            if skip_empty and not any(number(v) for v in figure.values):
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
        line("one_in_n", "1 op N jeugdigen (0-17) in zorg, met het doel van de raad", "1 op N",
             ["in_care.one_in_n", "in_care.one_in_n_target"], ["1 op N", "Doel"],
             note="Hoger is minder jeugdigen in zorg. Zonder ingevoerde jeugdpopulatie of doel: n.v.t."),
        line("in_care_age", "Jeugdigen in zorg naar leeftijd", "aantal",
             [f"in_care.age.{label}" for label in AGE_GROUPS], [f"{label} jaar" for label in AGE_GROUPS]),
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
        line("waiting_norm", f"Trajecten gestart na meer dan {weeks} weken wachten", "%", ["waiting.over_norm_pct"],
             [f"Langer dan {weeks} weken"]),
        line("end_reasons", "Hoe trajecten eindigden", "%", ["end.as_planned_pct", "end.premature_pct"],
             ["Volgens plan", "Voortijdig"]),
    ]  # fmt: skip
    return charts
