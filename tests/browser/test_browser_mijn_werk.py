"""Mijn werk in the browser: each role lands on its own work, follows a row to the file, does the
work there and sees the row go."""

import datetime as dt

import pytest
from django.utils import timezone

from cases import services
from cases.models import Role, Task, TaskStatus
from regie.models import Decision, DecisionKind

from ..conftest import assert_accessible, login, screenshot
from ..factories import ChildFactory, ExtensionFactory, StopReviewFactory, TrajectoryFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DAY = dt.timedelta(days=1)


def test_toegang_records_the_overdue_review_from_mijn_werk(page, gemeente_a, toegang_a):
    today = timezone.localdate()
    child = ChildFactory(gemeente=gemeente_a, owner=toegang_a, first_name="Noor", last_name="Visser")
    trajectory = TrajectoryFactory(
        child=child, start_date=today - 200 * DAY, planned_end_date=today + 150 * DAY, referral__date=today - 210 * DAY
    )
    StopReviewFactory(trajectory=trajectory, due_date=today - 3 * DAY)
    login(page, "toegang_a")
    assert page.get_by_role("heading", name="Mijn werk", exact=False).first.is_visible()
    assert page.get_by_role("heading", name="Stopstrategie-reviews (1, waarvan 1 te laat)").is_visible()
    assert page.get_by_text("3 dagen te laat").is_visible()
    assert_accessible(page)
    screenshot(page, "mijn-werk-toegang")

    page.get_by_role("link", name=child.case_number).first.click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name=f"Noor Visser · {child.case_number}").is_visible()
    page.get_by_role("link", name="vastleggen (review").first.click()
    page.get_by_label("Uitgevoerd op").fill(today.isoformat())
    page.get_by_label("Uitkomst").select_option(label="Voortzetten")
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_load_state("networkidle")

    page.get_by_role("link", name="Mijn werk", exact=True).first.click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="Stopstrategie-reviews (0)").is_visible()


def test_toegang_writes_in_the_journal_and_closes_a_task(page, gemeente_a, toegang_a):
    today = timezone.localdate()
    child = ChildFactory(gemeente=gemeente_a, owner=toegang_a, first_name="Sem", last_name="Bos")
    services.task_create(
        user=toegang_a, child=child, kind="contact", title="Ouders terugbellen", due_date=today, owner=toegang_a
    )
    login(page, "toegang_a")
    page.get_by_role("link", name=child.case_number).first.click()
    page.wait_for_load_state("networkidle")
    page.get_by_role("link", name="Notitie toevoegen").click()
    page.get_by_role("button", name="Opslaan").click()  # empty: refused, every error beside its field
    assert page.get_by_text("Schrijf de notitie.").is_visible()
    assert (
        page.get_by_text("Kies de soort notitie.").is_visible()
        or page.get_by_text("Dit veld is verplicht").is_visible()
    )
    assert_accessible(page)
    page.get_by_label("Soort").select_option(label="Telefoon")
    page.get_by_label("Notitie:", exact=True).fill("Moeder gebeld: afspraak volgende week.")
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Moeder gebeld: afspraak volgende week.").first.is_visible()
    page.get_by_role("button", name="Gedaan").click()
    page.wait_for_load_state("networkidle")
    assert Task.objects.get().status == TaskStatus.DONE
    assert_accessible(page)
    screenshot(page, "dossier-taken-journaal")
    page.get_by_role("link", name="Mijn werk", exact=True).first.click()
    assert page.get_by_role("heading", name="Taken (0)").is_visible()


def test_team_lead_sees_caseloads_and_hands_files_over(page, gemeente_a, toegang_a):
    from django.contrib.auth.models import Permission

    toegang_a.user_permissions.add(Permission.objects.get(codename="reassign_children"))
    UserFactory(username="collega", first_name="Peter", last_name="Jansen", role=Role.TOEGANG, gemeenten=[gemeente_a])
    unassigned = ChildFactory(gemeente=gemeente_a, owner=None, first_name="Lina", last_name="Smit")
    login(page, "toegang_a")
    page.get_by_role("link", name="Team", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="Caseload per casusregisseur").is_visible()
    assert_accessible(page)
    page.get_by_label(f"{unassigned.case_number} Lina Smit").check()
    page.get_by_label("Nieuwe casusregisseur").select_option(label="Peter Jansen")
    page.get_by_label("Reden").fill("Nieuwe aanmelding verdeeld")
    page.get_by_role("button", name="Overdragen").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("1 dossier overgedragen.").is_visible()
    screenshot(page, "mijn-werk-team")
    unassigned.refresh_from_db()
    assert unassigned.owner.username == "collega"


def test_regisseur_and_toets_start_on_their_own_work(page, gemeente_a, regisseur_a, toets_a, toegang_a):
    today = timezone.localdate()
    child = ChildFactory(gemeente=gemeente_a, owner=toegang_a)
    Decision.objects.create(
        child=child,
        gemeente=gemeente_a,
        kind=DecisionKind.CONTINUE,
        reason="Loopt volgens plan",
        follow_up_date=today - DAY,
        actor="Toegang",
        decided_by=regisseur_a,
        decided_at=timezone.now() - 30 * DAY,
    )
    soon = TrajectoryFactory(child=child, start_date=today - 300 * DAY, planned_end_date=today + 5 * DAY)
    later = TrajectoryFactory(child=child, start_date=today - 300 * DAY, planned_end_date=today + 90 * DAY)
    ExtensionFactory(trajectory=later)
    ExtensionFactory(trajectory=soon)
    login(page, "regisseur_a")
    assert page.get_by_role("heading", name="Vervolgdatums (1, waarvan 1 te laat)").is_visible()
    assert_accessible(page)
    screenshot(page, "mijn-werk-regisseur")
    page.goto("/accounts/logout/") if False else page.context.clear_cookies()
    login(page, "toets_a")
    assert page.get_by_role("heading", name="Verlengingen toetsen").is_visible()
    rows = page.locator("tbody tr")
    assert "5 dagen" in rows.nth(0).inner_text()  # the one that ends first is on top
    assert_accessible(page)
    page.get_by_label("Zoek op dossiernummer of naam").fill(child.case_number.lower().replace("jr-", ""))
    page.get_by_role("button", name="Zoeken").click()
    page.wait_for_load_state("networkidle")
    assert child.last_name.lower() not in page.url.lower() and "zoek" not in page.url
    assert page.locator("tbody tr").count() == 2
    screenshot(page, "toets-wachtrij")
