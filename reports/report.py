"""The monthly KPI report of one gemeente: the figures, their CSV/JSON form, and the email.

`report_build` computes every KPI of cases/kpis.py for the month and the 12 months before it.
`report_figures` flattens that into rows (one figure, thirteen monthly values) that the dashboard
tables, the CSV export, the command's JSON and the email's key-figure table all read, so every
output shows the same numbers. `report_email` builds the email one recipient receives.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from decimal import Decimal
from email.mime.image import MIMEImage
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import SafeMIMEMultipart
from django.template.loader import render_to_string
from django.urls import reverse

from cases.codes import ReferrerType
from cases.csv_safety import safe_cell
from cases.models import Gemeente, Segment

from . import kpis
from .kpis import NVT, Period

TREND_MONTHS = 12


@dataclass
class MonthFigures:
    """Every KPI of one gemeente for one period."""

    period: Period
    inflow: kpis.Flow
    outflow: kpis.Flow
    in_care: kpis.InCare
    durations: kpis.Durations
    extensions: kpis.Extensions
    stacking: kpis.Stacking
    outside_budget: kpis.OutsideBudget
    spend: kpis.Spend
    referrals: kpis.Referrals
    waiting: kpis.Waiting
    end_reasons: kpis.EndReasons
    re_entry: kpis.ReEntry
    flags: kpis.FlagCounts
    top_reviewed: float | None


def figures_by_month(gemeente: Gemeente, periods: list[Period]) -> list[MonthFigures]:
    """Every KPI for each of `periods` (consecutive months): each KPI runs its queries once for all."""
    series = {
        "inflow": kpis.inflow_series(gemeente, periods),
        "outflow": kpis.outflow_series(gemeente, periods),
        "in_care": kpis.youths_in_care_series(gemeente, periods),
        "durations": kpis.durations_series(gemeente, periods),
        "extensions": kpis.extensions_series(gemeente, periods),
        "stacking": kpis.stacking_series(gemeente, periods),
        "outside_budget": kpis.outside_budget_series(gemeente, periods),
        "spend": kpis.spend_series(gemeente, periods),
        "referrals": kpis.referrals_by_source_series(gemeente, periods),
        "waiting": kpis.waiting_time_series(gemeente, periods),
        "end_reasons": kpis.end_reasons_series(gemeente, periods),
        "re_entry": kpis.re_entry_series(gemeente, periods),
    }
    return [
        MonthFigures(
            period=p,
            flags=kpis.flags_raised_resolved(gemeente, p),
            top_reviewed=kpis.top_reviewed_on_time(gemeente, p),
            **{name: values[i] for name, values in series.items()},
        )
        for i, p in enumerate(periods)
    ]


def month_figures(gemeente: Gemeente, period: Period) -> MonthFigures:
    return figures_by_month(gemeente, [period])[0]


@dataclass
class KpiReport:
    gemeente: Gemeente
    period: Period
    months: list[MonthFigures]  # oldest first; the last one is `period`
    segments: list[Segment] = field(default_factory=list)
    email_images: dict[str, bytes] | None = None  # rendered once, sent to every recipient

    @property
    def current(self) -> MonthFigures:
        return self.months[-1]

    @property
    def periods(self) -> list[Period]:
        return [m.period for m in self.months]


def report_build(gemeente: Gemeente, period: Period) -> KpiReport:
    """All KPIs for `period` and the 12 months before it, in a fixed number of queries."""
    months = figures_by_month(gemeente, period.with_months_before(TREND_MONTHS))
    return KpiReport(gemeente=gemeente, period=period, months=months, segments=list(Segment.objects.order_by("number")))


# --- figures: one row per figure, one value per month ----------------------------------------


@dataclass
class Figure:
    key: str
    section: str
    label: str
    unit: str  # "aantal", "%", "€", "dagen", "maanden", "1 op N"
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
    add("outflow.youths", s[0], "Jeugdigen uit zorg", "aantal", lambda m: m.outflow.youths)

    add("in_care.youths", s[1], "Jeugdigen in zorg", "aantal", lambda m: m.in_care.youths, key_figure=True)
    add("in_care.one_in_n", s[1], "1 op N jeugdigen (0-17) in zorg", "1 op N", lambda m: m.in_care.one_in_n,
        key_figure=True)  # fmt: skip
    for seg in report.segments:
        add(f"in_care.segment{seg.number}", s[1], "Jeugdigen in zorg", "aantal",
            lambda m, n=seg.number: m.in_care.by_segment.get(n, 0), breakdown=str(seg))  # fmt: skip

    add("duration.median", s[2], "Mediane duur beëindigde trajecten", "maanden",
        lambda m: m.durations.total.median_months, key_figure=True)  # fmt: skip
    add("duration.mean", s[2], "Gemiddelde duur beëindigde trajecten", "maanden",
        lambda m: m.durations.total.mean_months)  # fmt: skip
    for label, _upper in kpis.DURATION_BINS:
        add(f"duration.bin.{label}", s[2], "Beëindigde trajecten naar duur", "aantal",
            lambda m, label=label: m.durations.total.bins[label], breakdown=label)  # fmt: skip
    for seg in report.segments:
        add(f"duration.median.segment{seg.number}", s[2], "Mediane duur", "maanden",
            lambda m, n=seg.number: _segment_duration(m, n), breakdown=str(seg))  # fmt: skip

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
        add(f"spend.unpriced.segment{n}", s[6], "Trajecten zonder prijs per casus (taakgericht)", "aantal",
            lambda m, n=n: _segment_spend(m, n).unpriced, breakdown=str(seg))  # fmt: skip

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
    add("waiting.over_norm_pct", s[8], "Langer dan 8 weken gewacht", "%", lambda m: m.waiting.over_norm_pct,
        key_figure=True)  # fmt: skip

    add("end.as_planned_pct", s[9], "Volgens plan beëindigd", "%", lambda m: m.end_reasons.as_planned_pct)
    add("end.premature_pct", s[9], "Voortijdig beëindigd", "%", lambda m: m.end_reasons.premature_pct)
    add("re_entry.pct", s[9], "Binnen 12 maanden terug in zorg", "%", lambda m: m.re_entry.returned_pct)

    add("flags.raised", s[10], "Signalen afgegeven", "aantal", lambda m: m.flags.raised, key_figure=True)
    add("flags.resolved", s[10], "Signalen afgehandeld", "aantal", lambda m: m.flags.resolved, key_figure=True)
    add("top.reviewed_on_time", s[10], "Top 32 op tijd besproken", "%", lambda m: m.top_reviewed,
        key_figure=True)  # fmt: skip
    return rows


def _segment_spend(month: MonthFigures, number: int) -> kpis.SegmentSpend:
    return next(s for s in month.spend.segments if s.number == number)


def _segment_duration(month: MonthFigures, number: int):
    duration = month.durations.by_segment.get(number)
    return duration.median_months if duration else None


def _source(month: MonthFigures, value: str) -> kpis.SourceReferrals:
    return next(s for s in month.referrals.sources if s.source == value)


# --- formatting ------------------------------------------------------------------------------


def _dutch_number(value, decimals: int) -> str:
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def format_value(value, unit: str) -> str:
    """Dutch display: '€ 1.234', '12,5%', '1 op 8,2', 'n.v.t.'."""
    if value is None or value == NVT:
        return NVT
    if unit == "€":
        return f"€ {_dutch_number(value, 0)}"
    if unit == "%":
        return f"{_dutch_number(value, 1)}%"
    if unit == "1 op N":
        return f"1 op {_dutch_number(value, 1)}"
    if unit in ("maanden", "dagen"):
        decimals = 0 if float(value).is_integer() else 1
        return f"{_dutch_number(value, decimals)} {'mnd' if unit == 'maanden' else 'dagen'}"
    return _dutch_number(value, 0)


TREND_ARROWS = {"up": ("↑", "hoger"), "down": ("↓", "lager"), "flat": ("→", "gelijk")}


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
    }


# --- CSV and JSON ----------------------------------------------------------------------------

CSV_HEADER = ["gemeentecode", "gemeente", "maand", "sectie", "figuur", "uitsplitsing", "eenheid", "waarde"]
# A spreadsheet must never run a cell as a formula: the project's one rule for every CSV.
csv_safe = safe_cell


def _csv_number(value) -> str:
    # Dutch spreadsheets read a decimal comma; no thousands separator.
    if value is None or value == NVT:
        return NVT
    return str(value).replace(".", ",")


def report_csv(report: KpiReport, figures: list[Figure] | None = None) -> str:
    """Every figure for every month, one row each; ';'-separated with decimal commas (Dutch Excel)."""
    figures = report_figures(report) if figures is None else figures
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for figure in figures:
        for period, value in zip(report.periods, figure.values, strict=True):
            writer.writerow(
                [
                    csv_safe(cell)
                    for cell in (
                        report.gemeente.code,
                        report.gemeente.name,
                        period.key,
                        figure.section,
                        figure.label,
                        figure.breakdown,
                        figure.unit,
                        _csv_number(value),
                    )
                ]
            )
    return out.getvalue()


def _json_value(value):
    if value is None:
        return NVT
    if isinstance(value, Decimal):
        return float(value)
    return value


def report_json(report: KpiReport) -> str:
    figures = report_figures(report)
    data = {
        "gemeente": {"code": report.gemeente.code, "naam": report.gemeente.name},
        "maand": report.period.key,
        "prognosemethode": kpis.FORECAST_METHOD,
        "figuren": [
            {
                "sleutel": f.key,
                "sectie": f.section,
                "figuur": f.label,
                "uitsplitsing": f.breakdown,
                "eenheid": f.unit,
                "waarde": _json_value(f.current),
                "vorige_maand": _json_value(f.previous),
                "trend": f.trend,
                "reeks": {p.key: _json_value(v) for p, v in zip(report.periods, f.values, strict=True)},
            }
            for f in figures
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2)


# --- the email -------------------------------------------------------------------------------


class RelatedEmail(EmailMultiAlternatives):
    """An email whose HTML shows images by Content-ID: mixed[related[alternative[text, html], images], files].

    Mail clients show cid: images only when they sit in a multipart/related next to the HTML.
    """

    def __init__(self, *args, inline_images: dict[str, bytes] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.inline_images = inline_images or {}

    def _create_alternatives(self, msg):
        msg = super()._create_alternatives(msg)
        if not self.inline_images:
            return msg
        related = SafeMIMEMultipart(_subtype="related", encoding=self.encoding or settings.DEFAULT_CHARSET)
        related.attach(msg)
        for cid, png in self.inline_images.items():
            image = MIMEImage(png, "png")
            image.add_header("Content-ID", f"<{cid}>")
            image.add_header("Content-Disposition", "inline", filename=f"{cid}.png")
            related.attach(image)
        return related


def dashboard_url(report: KpiReport) -> str:
    path = reverse("reports:dashboard")
    return f"{settings.SITE_URL.rstrip('/')}{path}?gemeente={report.gemeente.code}&maand={report.period.key}"


UNSUBSCRIBE_SALT = "cases.report-unsubscribe"


def unsubscribe_token(subscription_pk: int) -> str:
    return signing.dumps(subscription_pk, salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(subscription_pk: int) -> str:
    path = reverse("reports:unsubscribe")
    return f"{settings.SITE_URL.rstrip('/')}{path}?{urlencode({'t': unsubscribe_token(subscription_pk)})}"


EMAIL_CHARTS = ["flow", "in_care_segment", "spend_budget", "referrals_source"]


def report_subject(report: KpiReport) -> str:
    return f"Maandrapportage jeugdhulp {report.gemeente.name}, {report.period.label}"


def report_email(report: KpiReport, *, to: str, subscription_pk: int | None = None, figures=None, charts=None):
    """The email for one recipient: HTML with inline chart images, plain text, and the CSV attached."""
    from .charts import render_png, report_charts

    figures = report_figures(report) if figures is None else figures
    charts = report_charts(report, figures) if charts is None else charts
    email_charts = [c for c in charts if c.key in EMAIL_CHARTS]
    if report.email_images is None:
        report.email_images = {f"chart-{c.key}": render_png(c) for c in email_charts}
    images = report.email_images
    key_figures = [figure_row(f) for f in figures if f.key_figure]
    context = {
        "report": report,
        "key_figures": key_figures,
        "charts": [{"chart": c, "cid": f"chart-{c.key}"} for c in email_charts],
        "dashboard_url": dashboard_url(report),
        "unsubscribe_url": unsubscribe_url(subscription_pk) if subscription_pk else "",
        "forecast_method": kpis.FORECAST_METHOD,
        "previous_period": report.period.shifted(-1),
    }
    headers = {}
    if subscription_pk:
        headers["List-Unsubscribe"] = f"<{context['unsubscribe_url']}>"
    email = RelatedEmail(
        subject=report_subject(report),
        body=render_to_string("reports/email.txt", context),
        to=[to],
        headers=headers,
        inline_images=images,
    )
    email.attach_alternative(render_to_string("reports/email.html", context), "text/html")
    email.attach(
        f"kpi-{report.gemeente.code}-{report.period.key}.csv",
        ("\ufeff" + report_csv(report, figures)).encode("utf-8"),
        "text/csv",
    )
    return email
