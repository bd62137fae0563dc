"""demo_data: calibrated to DOMAIN.md §5, isolated gemeenten, history with a user, --if-empty.

The full-size demo is built once for this module (module-scoped, rolled back afterwards). Tests that
need an empty database come first in the file: once the module fixture is set up, its rows stay
visible to every later test of this module (pytest-django runs database tests first, in file order).
"""

import datetime as dt
import time
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.urls import reverse
from django.utils import timezone

from cases.models import (
    Child,
    Extension,
    ExtensionStatus,
    Gemeente,
    Guardian,
    Household,
    Product,
    SegmentBudget,
    StopReview,
    Task,
    Trajectory,
    User,
    YouthPopulation,
    daily_cost,
)
from demo import builder as demo
from demo import case_files
from referrals.models import Referral

# DOMAIN.md §5, Leidschendam-Voorburg 2024 (typed here again, so a typo in demo/figures.py shows).
LV_2024 = {
    1: (5_980_316, 155),
    2: (2_410_000, 383),
    3: (1_356_117, 51),
    4: (1_573_090, 96),
    5: (11_061_082, 1_959),
}
YEAR_FIRST, YEAR_LAST = dt.date(2024, 1, 1), dt.date(2024, 12, 31)


def _in_2024(gemeente_code: str):
    return Trajectory.objects.filter(child__gemeente__code=gemeente_code, start_date__lte=YEAR_LAST).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=YEAR_FIRST)
    )


# --- without the full demo -------------------------------------------------------------------------


def test_same_seed_gives_the_same_plan_and_another_seed_another():
    today = dt.date(2026, 3, 2)

    def fingerprint(seed):
        plan = demo.plan_demo(seed=seed, scale=0.05, today=today)
        return [
            (t.product.code, t.start, t.end, t.final_volume, t.tariff) for g in plan.gemeenten for t in g.trajectories
        ]

    assert fingerprint(7) == fingerprint(7)
    assert fingerprint(7) != fingerprint(8)


def test_plan_refuses_a_day_before_the_calibration_year_is_over():
    with pytest.raises(ValueError, match="2024"):
        demo.plan_demo(today=dt.date(2024, 6, 1))


@pytest.mark.django_db
def test_a_failure_halfway_leaves_nothing(monkeypatch):
    original = case_files.store_as_logged

    def fail_on_reviews(model, entries):
        if model is StopReview:
            raise RuntimeError("schijf vol")
        return original(model, entries)

    monkeypatch.setattr(case_files, "store_as_logged", fail_on_reviews)
    with pytest.raises(RuntimeError, match="schijf vol"):
        call_command("demo_data", "--scale", "0.05", stdout=StringIO())
    assert not Gemeente.objects.filter(code__in=["9901", "9902"]).exists()
    assert not User.objects.exists() and not Child.objects.exists() and not Trajectory.objects.exists()
    assert not Trajectory.history.exists() and not Child.history.exists()


@pytest.mark.django_db
def test_scale_must_be_between_zero_and_one():
    with pytest.raises(CommandError, match="--scale"):
        call_command("demo_data", "--scale", "0", stdout=StringIO())
    assert not Gemeente.objects.exists()


# --- the full demo, built once --------------------------------------------------------------------


@pytest.fixture(scope="module")
def full_demo(django_db_setup, django_db_blocker):
    """The full-size demo, as `make run` builds it; rolled back after this module."""
    with django_db_blocker.unblock():
        with transaction.atomic():
            out = StringIO()
            started = time.perf_counter()
            call_command("demo_data", stdout=out)
            seconds = time.perf_counter() - started
            print(f"\ndemo_data (volledige omvang) gebouwd in {seconds:.1f} s")
            yield out.getvalue()
            transaction.set_rollback(True)


def test_voorbeeldstad_spend_and_youths_per_segment_are_within_ten_percent_of_2024(full_demo, db):
    today = timezone.localdate()
    spend = dict(
        _in_2024("9901")
        .with_cost_in_period(YEAR_FIRST, YEAR_LAST, as_of=today)
        .values_list("product__segment__number")
        .annotate(total=Sum("period_cost"))
    )
    youths = dict(_in_2024("9901").values_list("product__segment__number").annotate(n=Count("child", distinct=True)))
    for segment, (target_spend, target_youths) in LV_2024.items():
        assert abs(Decimal(spend[segment]) - target_spend) <= Decimal("0.10") * target_spend, segment
        assert abs(youths[segment] - target_youths) <= 0.10 * target_youths, segment
    in_care = _in_2024("9901").values("child").distinct().count()
    assert abs(in_care - 2600) <= 260


def test_the_command_prints_figures_beside_targets_and_the_logins(full_demo):
    assert "Voorbeeldstad (9901)" in full_demo and "Proefdorp (9902)" in full_demo
    for target in ("€ 5.980.316", "€ 2.410.000", "€ 1.356.117", "€ 1.573.090", "€ 11.061.082", "1.959"):
        assert target in full_demo
    assert "Opgebouwd in" in full_demo
    for username in ("toegang", "toets", "regisseur", "beleid", "beheer", "toegang.proefdorp"):
        assert f"  {username} " in full_demo
    assert demo.DEMO_PASSWORD in full_demo


def test_proefdorp_user_sees_only_proefdorp(full_demo, db, client):
    user = User.objects.get(username="toegang.proefdorp")
    visible = Child.objects.visible_to(user)
    assert visible.count() > 100
    assert not visible.exclude(gemeente__code="9902").exists()
    voorbeeldstad_child = Child.objects.filter(gemeente__code="9901", trajectories__isnull=False).first()
    client.force_login(user)
    assert client.get(reverse("cases:child_detail", args=[voorbeeldstad_child.pk])).status_code == 404
    search = client.post(reverse("cases:search"), {"q": voorbeeldstad_child.last_name}, follow=True)
    results = search.context["results"]
    assert all(child.gemeente.code == "9902" for child in results)
    # And the other way round.
    assert not Child.objects.visible_to(User.objects.get(username="toegang")).filter(gemeente__code="9902").exists()
    proefdorp_2024 = _in_2024("9902").values("child").distinct().count()
    assert 100 <= proefdorp_2024 <= 200


def test_demo_logins_work_with_the_printed_password(full_demo, db, client, settings):
    # The module-scoped build hashed with the real hasher, before conftest's per-test MD5 switch.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    assert client.login(username="toegang", password=demo.DEMO_PASSWORD)
    assert client.get(reverse("cases:search")).status_code == 200


def test_pending_extensions_wait_in_the_toets_queue(full_demo, db, client):
    pending = Extension.objects.filter(status=ExtensionStatus.PENDING, trajectory__child__gemeente__code="9901")
    assert 15 <= pending.count() <= 80
    assert not pending.filter(trajectory__end_date__isnull=False).exists()
    assert not pending.filter(requested_end_date__lte=F("trajectory__planned_end_date")).exists()
    # Requested on different days, so "oldest first" means something.
    assert pending.values("requested_at__date").distinct().count() > 5
    client.force_login(User.objects.get(username="toets"))
    response = client.get(reverse("cases:extension_queue"))
    assert response.status_code == 200
    assert response.context["page"].paginator.count == pending.count()


def test_every_row_has_history_with_the_user_who_logged_it(full_demo, db):
    models = (Household, Child, Referral, Trajectory, Extension, StopReview, SegmentBudget, YouthPopulation, Guardian)
    for model in models:
        created = model.history.filter(history_type="+")
        assert created.count() == model.objects.count() > 0, model
        assert not created.filter(history_user__isnull=True).exists(), model
    # A trajectory's first history row is its allocation, dated on its start; its end came later.
    toegang = User.objects.get(username="toegang")
    ended = Trajectory.objects.filter(child__gemeente__code="9901", end_date__isnull=False).order_by("pk").first()
    records = list(ended.history.order_by("history_date", "history_id"))
    assert records[0].history_type == "+" and records[0].end_date is None
    assert timezone.localtime(records[0].history_date).date() == ended.start_date
    assert records[0].history_user == toegang
    assert records[-1].history_type == "~" and records[-1].end_date == ended.end_date
    assert records[-1].version == ended.version == len(records)
    # A granted extension is a change by the toetser that moved the planned end.
    granted = Extension.objects.filter(status=ExtensionStatus.APPROVED, trajectory__child__gemeente__code="9901")[0]
    changes = granted.trajectory.history.filter(history_type="~", history_user__username="toets")
    assert changes.filter(planned_end_date=granted.granted_end_date).exists()


def test_stored_costs_are_what_trajectory_save_would_compute(full_demo, db):
    fields = ("tariff", "volume", "frequency", "start_date", "planned_end_date", "daily_cost")
    rows = Trajectory.objects.values_list(*fields)
    for tariff, volume, frequency, start, planned_end, stored in rows:
        assert stored == daily_cost(
            tariff=tariff, volume=volume, frequency=frequency, start=start, planned_end=planned_end
        )


def test_the_patterns_the_regisseur_looks_for_are_there(full_demo, db):
    today = timezone.localdate()
    trajectories = Trajectory.objects.filter(child__gemeente__code="9901")
    open_now = trajectories.filter(end_date__isnull=True)
    assert open_now.filter(planned_end_date__lt=today).count() >= 20  # einddatum verstreken
    overlong = [t for t in open_now if t.running_months(today) > t.norm_months]
    assert len(overlong) >= 50  # duur
    assert trajectories.filter(outside_budget=True, provider__contracted=False).count() >= 50  # buiten budget
    assert not trajectories.filter(provider__contracted=False, outside_budget=False).exists()
    ended_reasons = set(trajectories.exclude(end_reason="").values_list("end_reason", flat=True))
    assert {"31", "32", "34", "36", "38", "39"} <= ended_reasons
    statuses = set(Extension.objects.values_list("status", flat=True))
    assert statuses == {"pending", "approved", "shortened", "refused"}
    reviews = StopReview.objects.filter(trajectory__child__gemeente__code="9901")
    assert reviews.filter(done_date__isnull=False).exists()
    assert reviews.filter(done_date__isnull=True, due_date__lt=today).count() >= 20  # review te laat
    assert reviews.filter(done_date__isnull=True, due_date__gte=today).exists()
    # Stapeling: households with 2-4 children in care, and children with concurrent care.
    in_care = Child.objects.filter(gemeente__code="9901", trajectories__isnull=False)
    sizes = in_care.values("household").annotate(n=Count("id", distinct=True)).values_list("n", flat=True)
    assert {2, 3, 4} <= set(sizes)
    assert sum(1 for n in sizes if n == 1) > sum(1 for n in sizes if n > 1)  # most households: one child
    concurrent = open_now.values("child").annotate(n=Count("id")).filter(n__gte=2).count()
    assert concurrent >= 20
    # Referral sources in the national shares (DOMAIN.md §5), POH-Jeugd as its own source.
    sources = dict(trajectories.values_list("referral__source").annotate(n=Count("id")))
    total = sum(sources.values())
    assert abs(100 * (sources["02"] + sources["02P"]) / total - 35.5) < 3
    assert abs(100 * sources["01"] / total - 31.3) < 3
    assert abs(100 * sources["04"] / total - 9.3) < 2
    waiting = Referral.objects.filter(child__gemeente__code="9901", outcome="", date__lt=today - dt.timedelta(weeks=8))
    assert waiting.exists()  # wachttijd


def test_beheer_has_admin_rights_on_reference_data_only(full_demo, db):
    beheer = User.objects.get(username="beheer")
    assert beheer.is_staff and not beheer.is_superuser
    assert set(beheer.gemeenten.values_list("code", flat=True)) == {"9901", "9902"}
    for perm in (
        "change_product",
        "change_provider",
        "add_user",
        "change_segmentbudget",
        "add_youthpopulation",
        "view_caseaccesslog",
    ):
        assert beheer.has_perm(f"cases.{perm}"), perm
    for perm in ("change_caseaccesslog", "delete_caseaccesslog", "view_child", "change_trajectory"):
        assert not beheer.has_perm(f"cases.{perm}"), perm


def test_products_used_carry_a_tariff_and_segment_budgets_exist(full_demo, db):
    used = Trajectory.objects.values_list("product", flat=True).distinct()
    assert not Product.objects.filter(pk__in=used, tariff__isnull=True).exists()
    year = timezone.localdate().year
    assert SegmentBudget.objects.filter(gemeente__code="9901", year=2024).count() == 5
    assert YouthPopulation.objects.get(gemeente__code="9901", year=year).count > 15000


def test_if_empty_does_nothing_the_second_time(full_demo, db):
    counts = (Child.objects.count(), Trajectory.objects.count(), Trajectory.history.count(), User.objects.count())
    out = StringIO()
    call_command("demo_data", "--if-empty", stdout=out)
    assert "niets gewijzigd" in out.getvalue()
    assert "toegang.proefdorp" in out.getvalue()  # the logins, for `make run`
    assert (
        Child.objects.count(),
        Trajectory.objects.count(),
        Trajectory.history.count(),
        User.objects.count(),
    ) == counts
    with pytest.raises(CommandError, match="bestaat al"):
        call_command("demo_data", stdout=StringIO())


def test_households_have_an_address_and_guardians_with_gezag(full_demo, db):
    from cases.residence import paying_gemeente

    households = Household.objects.all()
    assert not households.filter(Q(postcode="") | Q(house_number="") | Q(city="")).exists()
    assert not households.exclude(postcode__regex=r"^[1-9][0-9]{3} [A-Z]{2}$").exists()
    voorbeeldstad = households.filter(gemeente__code="9901")
    assert not voorbeeldstad.exclude(postcode__gte="2261", postcode__lt="2276").exists()
    assert not households.annotate(n=Count("guardians", filter=Q(guardians__has_gezag=True))).filter(n=0).exists()
    assert Guardian.objects.filter(relation="voogd", has_gezag=True).exists()
    assert Guardian.objects.filter(has_gezag=True, lives_in_household=False, residence_gemeente__code="9901").exists()
    # Households of the same name are told apart by their address.
    same_name = (
        voorbeeldstad.values("name").annotate(n=Count("pk"), places=Count("postcode", distinct=True)).filter(n__gt=1)
    )
    assert same_name.count() > 10 and all(row["places"] > 1 for row in same_name)
    # A handful moved to the other demo gemeente: each open child has its one handover task.
    moved = [h for h in households.prefetch_related("guardians") if paying_gemeente(h).pk != h.gemeente_id]
    assert 4 <= len(moved) <= 12
    for household in moved:
        for child in household.children.filter(closed_on__isnull=True):
            task = child.tasks.get(kind="overdracht", status="open")
            assert task.key == f"overdracht:{child.pk}" and task.origin == "verhuizing"
    assert not Task.objects.filter(kind="overdracht").exclude(child__household__in=moved).exists()


def test_the_regisseurs_decisions_act_with_tasks_and_savings(full_demo, db):
    from cases.models import Task, TaskStatus
    from regie.decisions import decision_outcomes
    from regie.models import Decision, DecisionKind

    acting = list(Decision.objects.filter(kind__in=[DecisionKind.SCALE_DOWN, DecisionKind.END]))
    assert acting and all(d.trajectory_id and d.act_by and d.expected_monthly_saving for d in acting)
    outcomes = decision_outcomes(acting)
    assert all(o.tasks and o.tasks[0].trajectory_id == o.decision.trajectory_id for o in outcomes)
    realised = [o for o in outcomes if o.realised_monthly_saving is not None]
    # Two lighter in volume, one a lighter product (demo/regie_history.py), and the Top 32 cohort's (demo/cohort.py).
    assert len(realised) >= 3
    # Afschalen done as proposed realises what was expected; an ended case that came back in care does not.
    scaled = [o for o in realised if o.decision.kind == DecisionKind.SCALE_DOWN]
    assert scaled and all(o.realised_monthly_saving == o.decision.expected_monthly_saving for o in scaled)
    today = timezone.localdate()
    assert Task.objects.filter(key__endswith=":afschalen", status=TaskStatus.OPEN).exists()
    assert Task.objects.filter(key__startswith="besluit:", status=TaskStatus.OPEN, due_date__lt=today).exists()


def test_escalations_with_and_without_an_answer_for_the_bestuurder(full_demo, db, client):
    from cases.models import User
    from regie.models import Escalation, EscalationStatus

    statuses = set(Escalation.objects.values_list("status", flat=True))
    assert {EscalationStatus.OPEN, EscalationStatus.DECIDED} <= statuses
    bestuurder = User.objects.get(username="bestuurder")
    client.force_login(bestuurder)
    response = client.get(reverse("regie:escalations"))
    assert (
        response.status_code == 200
        and len(response.context["escalations"]) == Escalation.objects.filter(gemeente__code="9901").count()
    )


def test_three_case_meetings_two_held_with_outcomes_one_coming(full_demo, db):
    from regie.models import CaseMeeting, CaseMeetingItem

    meetings = list(CaseMeeting.objects.filter(gemeente__code="9901").order_by("date"))
    assert len(meetings) == 3 and meetings[-1].date > timezone.localdate()
    items = CaseMeetingItem.objects.filter(meeting__in=meetings)
    assert items.filter(outcome__isnull=False).exists() and items.filter(meeting=meetings[-1]).exists()
    assert all(m.participants.exists() for m in meetings)


def test_wlz_routes_at_every_step_one_transferred_last_month_with_its_tasks_done(full_demo, db):
    from cases.models import Gemeente, Task, TaskStatus, Trajectory
    from regie.codes import FlagCode, WlzStep
    from regie.models import Flag, WlzRoute
    from reports.kpis import Period, wlz_series

    routes = WlzRoute.objects.filter(gemeente__code="9901")
    assert set(routes.values_list("step", flat=True)) == set(WlzStep.values)
    assert all(r.decision.kind == "wlz" and r.history.exists() for r in routes)
    quiet = routes.get(step=WlzStep.APPLIED)
    assert Flag.objects.get(code=FlagCode.WLZ_STALLED, active=True).subject_key == quiet.pk
    for route in routes.filter(step=WlzStep.TRANSFERRED):
        tasks = Task.objects.filter(key__startswith=f"wlz:{route.pk}:")
        assert tasks.exists() and set(tasks.values_list("status", flat=True)) == {TaskStatus.DONE}
        ended = Trajectory.objects.filter(child=route.child, end_reason="39", end_date=route.transferred_on)
        assert ended.count() == tasks.count()
    assert Task.objects.filter(key__startswith="wlz:", status=TaskStatus.OPEN).exists()
    last_month = Period.month(*(timezone.localdate().replace(day=1) - dt.timedelta(days=1)).timetuple()[:2])
    (figures,) = wlz_series(Gemeente.objects.get(code="9901"), [last_month])
    # Open at the end of last month: the quiet application and the indication (and, early in a month, the
    # route begun 20 days ago); the route transferred last month had its indication then too.
    assert figures.routes_open >= 2 and figures.granted >= 1
    assert figures.median_weeks and figures.cost_off > 0


def test_a_cohort_of_nine_months_ago_with_decisions_since_and_knelpunten(full_demo, db):
    """The effect of the Top 32 shows real figures: a peildatum nine months back, decisions of several
    kinds taken since (carried out: trajectories ended and scaled down), knelpunten linked to them."""
    from dateutil.relativedelta import relativedelta

    from cases.models import Gemeente
    from regie.cohort import cohort_compare, latest_cohort
    from regie.effects import decision_effects
    from regie.knelpunten import knelpunt_rows

    gemeente = Gemeente.objects.get(code="9901")
    today = timezone.localdate()
    cohort = latest_cohort(gemeente)
    assert cohort.peildatum == today - relativedelta(months=9) and cohort.history.exists()
    comparison = cohort_compare(cohort, on=today)
    assert comparison.total.cases > 0 and comparison.total.then > comparison.total.now
    assert len([g for g in comparison.groups if g.key != "geen"]) >= 3
    assert comparison.total.ended > 0
    effects = decision_effects(gemeente, year=today.year, as_of=today)
    assert effects.expected > 0 and effects.realised > 0
    rows = knelpunt_rows(gemeente)
    assert 3 <= len(rows) <= 5 and sum(r.decisions for r in rows) > 0


def test_the_closed_months_are_kept_one_recomputed_and_beleid_subscribed(full_demo, db, client):
    from reports.kpis import Period
    from reports.models import KpiSnapshot, ReportSubscription, SnapshotTrigger

    last = Period.last_complete_month()
    voorbeeldstad = Gemeente.objects.get(code="9901")
    kept = KpiSnapshot.objects.filter(gemeente=voorbeeldstad)
    assert set(kept.values_list("month", flat=True)) == {p.start for p in last.with_months_before(13)}
    corrected = kept.filter(month=last.shifted(-1).start).order_by("computed_at")
    first, newest = corrected
    assert (first.trigger, newest.trigger) == (SnapshotTrigger.MONTHLY, SnapshotTrigger.BEHEERDER)
    assert "kwamen na de maandafsluiting binnen" in newest.reason
    # The late declarations are in the newest snapshot only.
    declared = [s.values.get(key="declared.declared").value for s in corrected]
    assert declared[0] < declared[1]
    assert set(
        ReportSubscription.objects.filter(gemeente=voorbeeldstad, active=True).values_list("user__username", flat=True)
    ) == {"beleid", "regisseur"}

    client.force_login(User.objects.get(username="beleid"))
    html = client.get(reverse("reports:dashboard"), {"maand": last.shifted(-1).key}).content.decode()
    assert "Stand van 12 " in html and "Eerder vastgelegde cijfers van" in html
    assert "Afmelden voor de e-mail" in html
