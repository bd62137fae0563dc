"""The KPI dashboard and the monthly email on the demo data, in headless Chromium."""

import email
import email.policy
import re

import pytest

from cases.models import Gemeente, User
from demo import builder as demo
from reports.kpis import Period
from reports.mail import report_email
from reports.models import ReportSubscription
from reports.report import report_build

from ..conftest import assert_accessible, login, screenshot
from ..factories import ensure_catalogue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_data(db):
    ensure_catalogue()
    demo.build_demo(scale=0.1)
    return Gemeente.objects.get(code="9901")


def test_beleid_reads_the_dashboard_and_prints_it(page, demo_data):
    login(page, "beleid", password="demo-jeugdregie")
    page.get_by_role("link", name="Maandrapportage", exact=True).click()
    page.wait_for_load_state("networkidle")
    month = Period.last_complete_month()
    assert page.get_by_role("heading", name=f"Maandrapportage Voorbeeldstad – {month.label}").is_visible()
    assert page.locator("svg.chart").count() >= 15
    page.get_by_text("Tabel bij „Gestarte en beëindigde trajecten”").click()
    assert page.get_by_role("region", name="Tabel Gestarte en beëindigde trajecten").is_visible()
    assert_accessible(page)
    screenshot(page, "kpi-dashboard")
    page.emulate_media(media="print")
    assert not page.locator(".kpi-select").is_visible()  # the print CSS hides the controls
    screenshot(page, "kpi-dashboard-print")


def test_the_email_html_renders(page, demo_data, settings):
    settings.SITE_URL = "https://jeugdregie.example.nl"
    user = User.objects.get(username="beleid")
    subscription = ReportSubscription.objects.create(gemeente=demo_data, user=user)
    report = report_build(demo_data, Period.last_complete_month())
    message = email.message_from_bytes(
        report_email(report, to="beleid@example.nl", subscription_pk=subscription.pk).message().as_bytes(),
        policy=email.policy.default,
    )
    html = message.get_body(preferencelist=("html",)).get_content()
    # A mail client resolves cid: from the related parts; here they become data: URLs.
    for part in message.walk():
        if part.get_content_type() == "image/png":
            cid = part["Content-ID"].strip("<>")
            data = part.get_payload().replace("\n", "")
            html = html.replace(f"cid:{cid}", f"data:image/png;base64,{data}")
    assert not re.search(r'src="cid:', html)
    page.set_viewport_size({"width": 720, "height": 900})
    page.set_content(html)
    assert page.get_by_role("heading", name=f"Voorbeeldstad – {report.period.label}").is_visible()
    widths = page.eval_on_selector_all("img", "imgs => imgs.map(i => i.naturalWidth)")
    assert len(widths) == 4 and all(w > 0 for w in widths)  # every inline chart decodes
    assert_accessible(page)
    screenshot(page, "kpi-email")
