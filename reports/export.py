"""The report as data: CSV (the dashboard's download, the email's attachment, the command) and JSON.

The CSV goes through the project's one writer (cases/csv_export.py): ';', decimal commas, CRLF,
every text cell through the formula guard; a figure that cannot be computed reads "n.v.t.".
"""

from __future__ import annotations

import json
from decimal import Decimal

from django.http import HttpResponse

from cases import csv_export
from cases.formatting import NVT

from . import kpis
from .figures import Figure, FigureReport, figure_report, published
from .report import KpiReport

CSV_HEADER = ["gemeentecode", "gemeente", "maand", "sectie", "figuur", "uitsplitsing", "eenheid", "waarde"]


def csv_rows(report: FigureReport, figures: list[Figure]):
    """Every figure for every month, one row each."""
    for figure in figures:
        for period, value in zip(report.periods, figure.values, strict=True):
            yield (
                report.gemeente.code,
                report.gemeente.name,
                period.key,
                figure.section,
                figure.label,
                figure.breakdown,
                figure.unit,
                NVT if value is None else published(value, figure.unit),
            )


def csv_filename(report: FigureReport | KpiReport, suffix: str = "") -> str:
    return f"kpi-{report.gemeente.code}-{report.period.key}{suffix}.csv"


def _as_figures(report: FigureReport | KpiReport) -> FigureReport:
    return figure_report(report) if isinstance(report, KpiReport) else report


def report_csv(report: FigureReport | KpiReport, figures: list[Figure] | None = None, *, bom: bool = True) -> str:
    """The whole file as text; `bom=False` for the command's output to a terminal or a pipe."""
    report = _as_figures(report)
    figures = report.figures if figures is None else figures
    return csv_export.csv_text(CSV_HEADER, csv_rows(report, figures), bom=bom)


def report_csv_response(report: FigureReport, figures: list[Figure], suffix: str = "") -> HttpResponse:
    return csv_export.csv_response(csv_filename(report, suffix), CSV_HEADER, csv_rows(report, figures))


def _json_value(value, unit: str):
    if value is None:
        return NVT
    value = published(value, unit)
    if isinstance(value, Decimal):
        return float(value)
    return value


def report_json(report: FigureReport | KpiReport) -> str:
    report = _as_figures(report)
    figures = report.figures
    data = {
        "gemeente": {"code": report.gemeente.code, "naam": report.gemeente.name},
        "maand": report.period.key,
        "stand": report.computed_at.isoformat() if report.computed_at else None,
        "prognosemethode": kpis.FORECAST_METHOD,
        "figuren": [
            {
                "sleutel": f.key,
                "sectie": f.section,
                "figuur": f.label,
                "uitsplitsing": f.breakdown,
                "eenheid": f.unit,
                "waarde": _json_value(f.current, f.unit),
                "vorige_maand": _json_value(f.previous, f.unit),
                "trend": f.trend,
                "reeks": {p.key: _json_value(v, f.unit) for p, v in zip(report.periods, f.values, strict=True)},
            }
            for f in figures
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2)
