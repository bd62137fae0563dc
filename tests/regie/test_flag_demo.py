"""On the demo data: a credible Top 32, every flag's numbers true of the case behind it (checked against the
model's own Python arithmetic, not the SQL that raised it); the queue in headless Chromium."""

import datetime as dt
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from dateutil.relativedelta import relativedelta
from django.core.management import call_command
from django.utils import timezone

from cases.models import Child, Extension, Gemeente, StopReview, Trajectory
from referrals.models import Referral
from regie.flag_text import eighteenth_birthday
from regie.models import Flag
from regie.ranking import top_cases

from ..conftest import assert_accessible, login, screenshot

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"


def _open(trajectories, today):
    return [t for t in trajectories if t.end_date is None and t.start_date <= today]


def check_flag(flag, today):
    """Recompute the flag's claim from the case in plain Python; return a description of any mismatch."""
    child = Child.objects.get(pk=flag.child_id)
    trajectories = list(Trajectory.objects.filter(child=child).select_related("product__segment"))
    open_ones = _open(trajectories, today)
    t = next((x for x in trajectories if x.pk == flag.trajectory_id), None)
    code, value = flag.code, flag.value
    if code == "duur":
        assert t in open_ones and t.started_on(today) and t.running_months(today) == value > t.norm_months == flag.norm
    elif code == "einddatum":
        assert t in open_ones and t.planned_end_date == flag.reference_date < today
        assert (today - t.planned_end_date).days == value
    elif code == "kosten":
        cost = sum(x.cost_to_date(today) + x.committed_cost(today) for x in open_ones if x.daily_cost is not None)
        assert abs(cost - value) <= Decimal("0.05") * len(open_ones) and value > flag.norm
    elif code == "verlengingen":
        granted = Extension.objects.filter(trajectory=t, status__in=["approved", "shortened"]).count()
        assert t in open_ones and granted == value >= flag.norm
    elif code == "review":
        review = StopReview.objects.get(pk=flag.subject_key)
        assert review.trajectory in open_ones and not review.is_done and review.due_date == flag.reference_date < today
    elif code == "verblijf":
        assert t in open_ones and (t.product.segment.is_residential or t.product.with_stay)
    elif code == "18plus":
        assert open_ones and child.birth_date == flag.reference_date
        assert eighteenth_birthday(child.birth_date) <= today + relativedelta(months=6)
    elif code == "buiten_budget":
        assert t in open_ones and t.outside_budget
    elif code == "stapeling":
        assert len(open_ones) == value >= flag.norm
    elif code == "stapeling_gezin":
        household_open = Trajectory.objects.filter(
            child__household=child.household, end_date__isnull=True, start_date__lte=today
        ).count()
        assert household_open == value >= flag.norm and open_ones
    elif code == "volume":
        norm = t.product.norm_volume
        assert t in open_ones and t.unit == t.product.unit and t.volume > norm == flag.norm
    elif code == "wachttijd":
        referral = Referral.objects.get(pk=flag.subject_key)
        assert not referral.trajectories.filter(actual_start_date__lte=today).exists()
        assert (today - referral.date).days == value > 7 * flag.norm
    else:
        raise AssertionError(f"unexpected flag {code}")


@pytest.mark.django_db
def test_demo_top_32_flags_are_true_of_their_cases():
    call_command("demo_data", "--scale", "0.1", stdout=StringIO())
    today = timezone.localdate()
    rows = top_cases(Gemeente.objects.get(code="9901"), today=today)
    assert len(rows) == 32
    assert rows[0].score >= rows[-1].score
    codes = set()
    for row in rows:
        assert row.flags, row.child
        # The row carries the fields of its flags its texts are made of; the check reads the whole flag.
        flags = Flag.objects.filter(child=row.child, active=True).order_by("code", "subject_key")
        assert [flag.sentence for flag in flags] == row.sentences
        for flag in flags:
            codes.add(flag.code)
            check_flag(flag, today)
            assert flag.sentence and "None" not in flag.sentence
    # The heaviest cases carry the heavy signals.
    assert {"kosten", "duur"} <= codes


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_regisseur_works_the_queue_in_the_browser(page):
    call_command("demo_data", "--scale", "0.1", stdout=StringIO())
    login(page, "regisseur", "demo-jeugdregie")
    page.wait_for_url("**/werk/")  # the regisseur starts on Mijn werk, the queue is one click away
    assert page.get_by_role("heading", name="Nieuw in de top", exact=False).is_visible()
    assert_accessible(page)
    screenshot(page, "mijn-werk-regisseur-demo")
    page.get_by_role("link", name="Top 32").click()
    page.wait_for_url("**/regie/")
    assert page.get_by_role("heading", name="Top 32 · Voorbeeldstad").is_visible()
    assert_accessible(page)
    screenshot(page, "regie-top32")
    page.screenshot(path=str(SCREENSHOTS / "regie-top32-boven.png"))  # the first screen, readable

    # Filters live in the URL: they survive a reload and can be bookmarked.
    page.get_by_label("Signaal").select_option("kosten")
    page.get_by_role("button", name="Filter toepassen").click()
    page.wait_for_load_state("networkidle")
    assert "signaal=kosten" in page.url
    page.reload()
    assert page.get_by_label("Signaal").input_value() == "kosten"

    first = page.locator("tbody tr").first.get_by_role("link").first
    name = first.inner_text()
    first.click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="Signalen").is_visible()
    assert_accessible(page)
    page.get_by_label("Casusoverleg plannen").check()
    page.get_by_label("Motivering").fill("Stapeling en verblijf: overleg met aanbieder en toegang")
    page.get_by_label("Vervolgdatum").fill((dt.date.today() + dt.timedelta(days=30)).isoformat())
    page.get_by_label("Wie onderneemt actie").fill("regisseur en toegangsteam")
    page.get_by_role("button", name="Besluit vastleggen").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Besluit vastgelegd: casusoverleg plannen").is_visible()
    page.screenshot(path=str(SCREENSHOTS / "regie-dossier-boven.png"))

    page.get_by_role("link", name="Top 32").click()
    page.wait_for_load_state("networkidle")
    assert name not in page.locator("tbody").inner_text()  # out of the queue until the follow-up date

    page.get_by_role("link", name="Patronen").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="Naar verwijzer").is_visible()
    assert_accessible(page)
    screenshot(page, "regie-patronen")

    page.get_by_role("link", name="Opschalingen").click()
    page.wait_for_load_state("networkidle")
    assert_accessible(page)
