"""The monthly report email: what one recipient receives, and the links in it.

HTML with the key figures and four charts as inline PNG images, a plain-text part with the same
figures, and the report's CSV attached. Sending it, once per recipient, is reports/delivery.py.
"""

from __future__ import annotations

from email.mime.image import MIMEImage
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import SafeMIMEMultipart
from django.template.loader import render_to_string
from django.urls import reverse

from . import kpis
from .charts import render_png, report_charts
from .export import csv_filename, report_csv
from .figures import FigureReport, figure_report, figure_row
from .kpis import Period
from .regie_effect import regie_effect
from .report import KpiReport, report_build


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


def report_email(
    report: FigureReport | KpiReport, *, to: str, subscription_pk: int | None = None, figures=None, charts=None
):
    """The email for one recipient: HTML with inline chart images, plain text, and the CSV attached.

    The monthly run passes the stored report (reports/snapshots.py, emailed_report): what is sent is
    what is stored."""
    if isinstance(report, KpiReport):
        report = figure_report(report)
    figures = report.figures if figures is None else figures
    charts = report_charts(report, figures) if charts is None else charts
    email_charts = [c for c in charts if c.key in EMAIL_CHARTS]
    if report.email_images is None:
        report.email_images = {f"chart-{c.key}": render_png(c) for c in email_charts}
    images = report.email_images
    key_figures = [figure_row(f) for f in figures if f.key_figure]
    quarter_figures = []
    if report.period.end.month % 3 == 0 and not report.period.is_quarter:
        # The month closes a quarter: the email carries the quarterly update (Teylingen) as well.
        if report.quarter is None:
            report.quarter = figure_report(
                report_build(report.gemeente, Period.quarter(report.period.end.year, report.period.end.month // 3))
            )
        quarter_figures = [figure_row(f) for f in report.quarter.figures if f.key_figure]
    if report.regie is None:
        report.regie = regie_effect(report)
    context = {
        "report": report,
        "key_figures": key_figures,
        "charts": [{"chart": c, "cid": f"chart-{c.key}"} for c in email_charts],
        "dashboard_url": dashboard_url(report),
        "unsubscribe_url": unsubscribe_url(subscription_pk) if subscription_pk else "",
        "forecast_method": kpis.FORECAST_METHOD,
        "previous_period": report.period.shifted(-1),
        "quarter": report.quarter,
        "quarter_figures": quarter_figures,
        "regie": report.regie,
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
    # With a BOM, as the dashboard's download: Excel reads the UTF-8 (ë, €) only with it.
    email.attach(csv_filename(report), report_csv(report, figures).encode("utf-8"), "text/csv")
    return email
