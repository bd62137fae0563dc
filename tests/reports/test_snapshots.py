"""KPI figures kept per gemeente and month (issue 14): what is stored is what the live report computes,
what the dashboard and the email show for a closed month, and who may recompute a month."""

import datetime as dt
import io
import math
import re
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.figures import PROVIDER_WAITING_SECTION, figure_report
from reports.kpis import Period
from reports.models import KpiSnapshot, ReportSubscription, SnapshotTrigger
from reports.report import report_build
from reports.snapshots import snapshot_recompute, snapshots_take, stored_report
from reports.tasks import close_month, send_gemeente_report, warm_dashboard

from ..factories import ChildFactory
from . import kpi_data

FEBRUARY = Period.month(2026, 2)
URL = reverse("reports:dashboard")
RECOMPUTE = reverse("admin:reports_kpisnapshot_recompute")


@pytest.fixture
def data(frozen_today, gemeente_a, gemeente_b):
    return kpi_data.build(gemeente_a, gemeente_b)


def _store_trend(gemeente):
    """Every month of February's trend window, as the first monthly runs would have stored them."""
    return snapshots_take(FEBRUARY.with_months_before(12), [gemeente.pk], trigger=SnapshotTrigger.MONTHLY)


def _start_three_more_in_february(gemeente):
    """A correction after the month closed: three trajectories started in February are entered late."""
    for _ in range(3):
        kpi_data.trajectory(ChildFactory(gemeente=gemeente), dt.date(2026, 2, 9), tariff="10")


def _card(html: str, label: str) -> str:
    """The value on the dashboard's key-figure card with this label."""
    found = re.search(rf'<span class="kpi-label">{label}</span>\s*<span class="kpi-value">([^<]*)</span>', html)
    return found.group(1)


def _same(stored, live) -> bool:
    if isinstance(live, float) or isinstance(stored, float):
        return stored is not None and live is not None and math.isclose(stored, live, abs_tol=1e-9)
    return stored == live


def test_the_stored_figures_are_the_live_figures(data, gemeente_a):
    _store_trend(gemeente_a)

    stored, missing = stored_report(gemeente_a, FEBRUARY)
    live = figure_report(report_build(gemeente_a, FEBRUARY))

    assert missing == [] and stored.computed_at is not None
    assert len(live.figures) > 150  # every figure of the report, not a selection
    for figure in live.figures:
        kept = stored.by_key[figure.key]
        assert (kept.label, kept.section, kept.unit, kept.breakdown) == (
            figure.label,
            figure.section,
            figure.unit,
            figure.breakdown,
        )
        # Live, the wachttijd per aanbieder is computed for the report's month only; stored, for every month.
        months = [-1] if figure.section == PROVIDER_WAITING_SECTION else range(13)
        for i in months:
            assert _same(kept.values[i], figure.values[i]), (figure.key, i, kept.values[i], figure.values[i])
    # Money to the cent, counts as whole numbers.
    assert stored.by_key["spend.forecast"].current == Decimal("23466.00")
    assert stored.by_key["inflow.trajectories"].current == 4 and isinstance(
        stored.by_key["inflow.trajectories"].current, int
    )
    assert stored.current.waiting_providers == live.current.waiting_providers


def test_a_month_without_snapshots_says_which_months_are_missing(data, gemeente_a):
    snapshots_take([FEBRUARY], [gemeente_a.pk], trigger=SnapshotTrigger.COMMAND)

    report, missing = stored_report(gemeente_a, FEBRUARY)

    assert report is None
    assert missing == FEBRUARY.with_months_before(12)[:-1]


def test_the_dashboard_shows_the_stored_month_until_it_is_recomputed(client, data, gemeente_a, beleid_a, beheer_a):
    _store_trend(gemeente_a)
    _start_three_more_in_february(gemeente_a)
    client.force_login(beleid_a)

    response = client.get(URL, {"maand": "2026-02"})
    html = response.content.decode()
    assert _card(html, "Gestarte trajecten") == "&lt; 5"  # 4 as stored, not the 7 the data now say
    assert "Stand van 2 maart 2026 om 09:00." in html

    with time_machine.travel(dt.datetime(2026, 3, 2, 13, 30, tzinfo=dt.UTC), tick=False):
        snapshot_recompute(
            gemeente=gemeente_a,
            period=FEBRUARY,
            user=beheer_a,
            reason="Drie starts van februari laat ingevoerd",
            trigger=SnapshotTrigger.BEHEERDER,
        )
        client.force_login(beleid_a)  # a new working session that afternoon
        response = client.get(URL, {"maand": "2026-02"})
    html = response.content.decode()

    assert _card(html, "Gestarte trajecten") == "7"
    assert "Stand van 2 maart 2026 om 14:30." in html
    assert "Opnieuw berekend: Drie starts van februari laat ingevoerd" in html
    assert "Eerder vastgelegde cijfers van februari 2026" in html
    assert "Stand van 02-03-2026 09:00 (maandafsluiting)" in html
    # The March report still has the answer to "what did we report for February".
    first, second = KpiSnapshot.objects.filter(gemeente=gemeente_a, month=FEBRUARY.start).order_by("computed_at", "pk")
    assert first.values.get(key="inflow.trajectories").value == 4
    assert second.values.get(key="inflow.trajectories").value == 7


def test_the_csv_of_a_closed_month_is_the_stored_one(client, data, gemeente_a, beleid_a):
    _store_trend(gemeente_a)
    _start_three_more_in_february(gemeente_a)
    client.force_login(beleid_a)

    content = client.get(reverse("reports:export"), {"maand": "2026-02"}).content.decode("utf-8-sig")

    assert "2026-02;Instroom en uitstroom;Gestarte trajecten;;aantal;< 5" in content


def test_the_email_sends_the_stored_figures(data, gemeente_a, beleid_a):
    ReportSubscription.objects.create(gemeente=gemeente_a, user=beleid_a)
    _store_trend(gemeente_a)
    _start_three_more_in_february(gemeente_a)

    assert send_gemeente_report(gemeente_a.pk, "2026-02")["sent"] == 1

    text = mail.outbox[0].body
    assert "- Gestarte trajecten: < 5" in text  # 4 as stored; the data now say 7
    assert "Stand van 2 maart 2026 om 09:00." in text


def test_the_email_stores_the_month_when_it_is_missing(data, gemeente_a, beleid_a):
    ReportSubscription.objects.create(gemeente=gemeente_a, user=beleid_a)

    send_gemeente_report(gemeente_a.pk, "2026-02")

    months = KpiSnapshot.objects.filter(gemeente=gemeente_a, trigger=SnapshotTrigger.EMAIL).values_list(
        "month", flat=True
    )
    assert sorted(months) == [p.start for p in FEBRUARY.with_months_before(12)]
    # A retry after a correction sends what the first recipient got.
    _start_three_more_in_february(gemeente_a)
    send_gemeente_report(gemeente_a.pk, "2026-02", force=True)
    assert "- Gestarte trajecten: < 5" in mail.outbox[-1].body


def test_closing_the_month_twice_stores_it_once(data, gemeente_a, gemeente_b):
    assert close_month() == 2  # February, for both gemeenten, in one pass
    assert close_month() == 0
    assert KpiSnapshot.objects.filter(month=FEBRUARY.start).count() == 2
    assert close_month(force=True) == 2
    assert KpiSnapshot.objects.filter(month=FEBRUARY.start).count() == 4


def test_the_command_stores_one_gemeente_and_recomputes_only_with_a_reason(data, gemeente_a, gemeente_b):
    out = io.StringIO()
    call_command("kpi_snapshot", month="2026-02", gemeente="9901", stdout=out)
    assert "1 momentopname(n) vastgelegd" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("kpi_snapshot", month="2026-02", gemeente="9901", force=True, stdout=out)
    with pytest.raises(CommandError):
        call_command("kpi_snapshot", month="2026-03", stdout=out)  # the running month
    call_command("kpi_snapshot", month="2026-02", gemeente="9901", force=True, reason="Correctie", stdout=out)
    assert list(KpiSnapshot.objects.order_by("computed_at", "pk").values_list("gemeente__code", "reason")) == [
        ("9901", ""),
        ("9901", "Correctie"),
    ]


def test_the_beheerder_recomputes_a_month_of_their_own_gemeente(client, data, gemeente_a, gemeente_b, beheer_a):
    snapshots_take([FEBRUARY], None, trigger=SnapshotTrigger.MONTHLY)
    client.force_login(beheer_a)

    response = client.post(RECOMPUTE, {"gemeente": gemeente_a.pk, "month": "2026-02", "reason": "Late declaraties"})

    assert response.status_code == 302
    newest = KpiSnapshot.objects.filter(gemeente=gemeente_a).latest("pk")
    assert (newest.trigger, newest.triggered_by, newest.reason) == (
        SnapshotTrigger.BEHEERDER,
        beheer_a,
        "Late declaraties",
    )
    assert KpiSnapshot.objects.filter(gemeente=gemeente_a, month=FEBRUARY.start).count() == 2


def test_a_beheerder_cannot_recompute_or_see_another_gemeente(client, data, gemeente_a, gemeente_b, beheer_a):
    snapshots_take([FEBRUARY], None, trigger=SnapshotTrigger.MONTHLY)
    other = KpiSnapshot.objects.get(gemeente=gemeente_b)
    client.force_login(beheer_a)

    response = client.post(RECOMPUTE, {"gemeente": gemeente_b.pk, "month": "2026-02", "reason": "Poging"})

    assert response.status_code == 200 and "gemeente" in response.context["form"].errors
    assert KpiSnapshot.objects.filter(gemeente=gemeente_b).count() == 1
    changelist = client.get(reverse("admin:reports_kpisnapshot_changelist")).content.decode()
    assert "Voorbeeldstad" in changelist and "Proefdorp" not in changelist
    assert client.get(reverse("admin:reports_kpisnapshot_change", args=[other.pk])).status_code == 302


def test_only_a_beheerder_may_recompute(client, data, beleid_a):
    client.force_login(beleid_a)
    response = client.post(RECOMPUTE, {"month": "2026-02", "reason": "x"})
    assert response.status_code == 302 and "login" in response["Location"]
    assert not KpiSnapshot.objects.exists()


def test_the_running_month_cannot_be_recomputed_by_the_beheerder(client, data, gemeente_a, beheer_a):
    client.force_login(beheer_a)
    response = client.post(RECOMPUTE, {"gemeente": gemeente_a.pk, "month": "2026-03", "reason": "Te vroeg"})
    assert "month" in response.context["form"].errors


def test_a_closed_month_costs_the_same_few_queries_however_large_the_gemeente(
    client, data, gemeente_a, beleid_a, django_assert_num_queries
):
    _store_trend(gemeente_a)
    client.force_login(beleid_a)
    client.get(URL, {"maand": "2026-02"})  # session, content types
    cache.clear()
    with CaptureQueriesContext(connection) as small:
        assert client.get(URL, {"maand": "2026-02"}).status_code == 200
    for _ in range(40):
        kpi_data.trajectory(ChildFactory(gemeente=gemeente_a), dt.date(2026, 1, 9), tariff="12", segment=2)
    snapshots_take(FEBRUARY.with_months_before(12), [gemeente_a.pk], trigger=SnapshotTrigger.COMMAND, force=True)

    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(URL, {"maand": "2026-02"}).status_code == 200
    # Pinned. The first view of the stored month: session, user, the user's gemeenten, the 13 months'
    # snapshots, the stored forecast, their values, the segments, the subscription, and the regie
    # effect (cohort, decisions, knelpunten).
    assert len(small.captured_queries) == 11
    # Every later view: the page's tables come from the cache under these snapshots' ids.
    with django_assert_num_queries(6):
        assert client.get(URL, {"maand": "2026-02"}).status_code == 200


def test_the_monthly_run_renders_the_dashboard_before_its_first_view(
    client, data, gemeente_a, gemeente_b, beleid_a, django_assert_num_queries
):
    snapshots_take(FEBRUARY.with_months_before(12)[:-1], [gemeente_a.pk], trigger=SnapshotTrigger.MONTHLY)
    client.force_login(beleid_a)
    client.get(URL, {"maand": "2026-01"})  # session, content types
    cache.clear()
    assert close_month() == 2  # stores February; with CELERY_TASK_ALWAYS_EAGER off it queues the warming
    assert warm_dashboard(gemeente_a.pk, "2026-02") is True
    assert warm_dashboard(gemeente_b.pk, "2026-02") is False  # its earlier months were never stored
    # The first view reads the page's tables from the cache: the 11 of an unwarmed first view without the
    # two that read the stored values; the regie effect (3 queries) is live, kept 5 minutes.
    with django_assert_num_queries(9):
        response = client.get(URL, {"maand": "2026-02"})
    assert "Stand van" in response.content.decode()


def test_the_running_month_is_computed_once_in_a_few_minutes(client, data, beleid_a):
    client.force_login(beleid_a)
    client.get(URL, {"maand": "2026-03"})
    with CaptureQueriesContext(connection) as first:
        client.get(URL, {"maand": "2026-03", "gemeente": "9901"})
    assert "lopende maand" in client.get(URL, {"maand": "2026-03"}).content.decode()
    with CaptureQueriesContext(connection) as uncached:
        cache.clear()
        client.get(URL, {"maand": "2026-03"})
    assert len(first.captured_queries) < len(uncached.captured_queries) - 20
