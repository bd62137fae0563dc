"""The inzagelog (NEN 7513): every page that shows a child's data writes a row; refusals too; a list is
one insert; the privacy officer's views per child and per employee; append-only on PostgreSQL."""

import csv
import datetime as dt
import io

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from cases.models import CaseAccessLog
from regie import flags
from regie.models import Decision, DecisionKind, Escalation

from ..factories import (
    ChildFactory,
    ExtensionFactory,
    ReferralFactory,
    StopReviewFactory,
)
from ..regie.test_regie_views import heavy_case

pytestmark = pytest.mark.django_db
ALLOWED = CaseAccessLog.Result.ALLOWED


@pytest.fixture
def case(gemeente_a, frozen_today, regisseur_a):
    """One child of gemeente A that appears on every page: a sibling, a referral, a pending extension, a
    planned review, a place in the Top 32 and an escalation."""
    child = heavy_case(gemeente_a, hours="30")
    sibling = ChildFactory(gemeente=gemeente_a, household=child.household)
    trajectory = child.trajectories.get()
    ExtensionFactory(trajectory=trajectory)
    review = StopReviewFactory(trajectory=trajectory)
    referral = ReferralFactory(child=child)
    flags.evaluate()
    escalate = Decision.objects.create(
        child=child,
        gemeente=gemeente_a,
        kind=DecisionKind.ESCALATE,
        reason="Kosten boven € 200.000",
        follow_up_date=dt.date(2026, 2, 27),  # reached: the case is back in the Top 32 as well
        decided_at=dt.datetime(2026, 2, 1, 10, 0, tzinfo=dt.UTC),
        actor="directeur en wethouder",
        decided_by=regisseur_a,
        cost_at_decision=10_000,
    )
    # The question it put to the bestuurder (issue 11): what the escalation list and Mijn werk read.
    Escalation.objects.create(
        decision=escalate, child=child, gemeente=gemeente_a, question="Budget?", created_at=escalate.decided_at
    )
    return {"child": child, "sibling": sibling, "trajectory": trajectory, "review": review, "referral": referral}


def _search(client, text, **extra):
    """Search as the page does: a POST (issue 10) and the GET of the results page after it; where the
    search is still a GET form, the POST shows nothing (and logs nothing) and the GET does the search."""
    client.post(reverse("cases:search"), {"q": text}, **extra)
    return client.get(reverse("cases:search"), {"q": text}, **extra)


# (persona, url name, how to build the URL's arguments and query) — every page that shows a child's data.
MATRIX = [
    ("toegang_a", "cases:search", lambda c: ([], {"q": c["child"].last_name})),
    ("toegang_a", "cases:child_detail", lambda c: ([c["child"].pk], {})),
    ("regisseur_a", "cases:child_detail", lambda c: ([c["child"].pk], {})),
    ("toets_a", "cases:child_detail", lambda c: ([c["child"].pk], {})),
    ("toegang_a", "cases:household_detail", lambda c: ([c["child"].household_id], {})),
    ("toegang_a", "cases:trajectory_start", lambda c: ([c["child"].pk], {})),
    ("toegang_a", "cases:trajectory_change", lambda c: ([c["trajectory"].pk], {})),
    ("toegang_a", "cases:trajectory_end", lambda c: ([c["trajectory"].pk], {})),
    ("toegang_a", "cases:extension_request", lambda c: ([c["trajectory"].pk], {})),
    ("toegang_a", "cases:review_plan", lambda c: ([c["trajectory"].pk], {})),
    ("toegang_a", "cases:review_record", lambda c: ([c["review"].pk], {})),
    ("toegang_a", "referrals:referral_add", lambda c: ([c["child"].pk], {})),
    ("toegang_a", "referrals:referral_outcome", lambda c: ([c["referral"].pk], {})),
    ("toets_a", "cases:extension_queue", lambda c: ([], {})),
    ("toets_a", "cases:extension_decide", lambda c: ([c["trajectory"].extensions.get().pk], {})),
    ("regisseur_a", "regie:queue", lambda c: ([], {})),
    ("regisseur_a", "regie:queue_csv", lambda c: ([], {})),
    ("regisseur_a", "regie:escalations", lambda c: ([], {})),
    ("beleid_a", "regie:escalations", lambda c: ([], {})),
    # Mijn werk (issue 10): the regisseur's list (the escalation's follow-up date is reached) and the forms.
    ("regisseur_a", "werk:mine", lambda c: ([], {})),
    ("toegang_a", "cases:task_add", lambda c: ([c["child"].pk], {})),
    ("toegang_a", "cases:journal_add", lambda c: ([c["child"].pk], {})),
    ("toegang_a", "cases:owner_change", lambda c: ([c["child"].pk], {})),
    # The truth issue (12): recording the real start of care.
    ("toegang_a", "cases:trajectory_record_start", lambda c: ([c["trajectory"].pk], {})),
]


@pytest.mark.parametrize(("persona", "name", "build"), MATRIX, ids=[f"{p}-{n}" for p, n, _ in MATRIX])
def test_every_page_with_child_data_writes_a_row(client, case, persona, name, build, request):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    args, query = build(case)
    if name == "cases:search":  # a search is sent by POST (issue 10); the results page is the GET after it
        response = _search(client, query["q"], REMOTE_ADDR="10.1.2.3")
    else:
        response = client.get(reverse(name, args=args), query, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    rows = CaseAccessLog.objects.filter(user=user, result=ALLOWED, child_ids__contains=f",{case['child'].pk},")
    assert rows.count() == 1, (name, list(CaseAccessLog.objects.values("page", "child_ids")))
    row = rows.get()
    assert row.page == name and row.role == user.role and row.gemeente == case["child"].gemeente
    assert row.client_address == "10.1.2.3" and len(row.session) == 16
    assert "no-store" in response["Cache-Control"]


def test_the_case_file_row_names_the_opened_file_and_lists_its_siblings(client, case, toegang_a):
    client.force_login(toegang_a)
    client.get(reverse("cases:child_detail", args=[case["child"].pk]))
    row = CaseAccessLog.objects.get(user=toegang_a)
    assert row.child_id == case["child"].pk and row.case_number == case["child"].case_number
    assert row.child_ids == ",".join(["", *sorted(str(c.pk) for c in (case["child"], case["sibling"])), ""])


def test_the_duplicate_check_logs_what_it_shows(client, case, toegang_a):
    child = case["child"]
    client.force_login(toegang_a)
    data = {"first_name": child.first_name, "last_name": child.last_name, "birth_date": child.birth_date.isoformat()}
    response = client.post(reverse("cases:child_duplicates"), data)
    assert child.full_name in response.content.decode()
    assert CaseAccessLog.objects.filter(user=toegang_a, child_ids__contains=f",{child.pk},").count() == 1


def test_a_page_of_fifty_children_is_one_insert(client, gemeente_a, toegang_a, django_capture_on_commit_callbacks):
    ChildFactory.create_batch(50, gemeente=gemeente_a, last_name="Jansen")
    client.force_login(toegang_a)
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = _search(client, "Jansen")
    assert len(response.context["results"]) == 50
    inserts = [q["sql"] for q in queries.captured_queries if "cases_caseaccesslog" in q["sql"]]
    assert len(inserts) == 1 and inserts[0].startswith("INSERT")
    row = CaseAccessLog.objects.get()
    assert row.children_count == 50 and row.child is None


def test_a_refused_attempt_is_logged_with_the_user_address_and_session(client, case, toegang_b, beleid_a):
    client.force_login(toegang_b)
    assert client.get(reverse("cases:child_detail", args=[case["child"].pk]), REMOTE_ADDR="10.9.9.9").status_code == 404
    refused = CaseAccessLog.objects.get(user=toegang_b)
    assert refused.result == CaseAccessLog.Result.REFUSED
    assert refused.object_ref == f"pk={case['child'].pk}" and refused.client_address == "10.9.9.9" and refused.session
    client.force_login(beleid_a)
    assert client.get(reverse("cases:search"), {"q": "x"}).status_code == 403
    assert CaseAccessLog.objects.get(user=beleid_a).result == CaseAccessLog.Result.REFUSED


def test_a_mistyped_url_is_not_a_refusal(client, toegang_a):
    client.force_login(toegang_a)
    client.get("/bestaat-niet/")
    assert not CaseAccessLog.objects.exists()


# --- the privacy officer's views (the beheerder, in the admin) ----------------------------------------


@pytest.fixture
def officer(client, beheer_a, two_factor):
    device = TOTPDevice.objects.create(user=beheer_a, name="app")
    client.force_login(beheer_a)
    client.post(reverse("two_factor_verify"), {"token": f"{totp(device.bin_key):06d}"})
    return client


def _reads(case, toegang_a, regisseur_a):
    client = Client()  # not the officer's
    for user, name, args in [
        (toegang_a, "cases:child_detail", [case["child"].pk]),
        (regisseur_a, "regie:queue", []),
        (toegang_a, "cases:child_detail", [case["sibling"].pk]),
    ]:
        client.force_login(user)
        client.get(reverse(name, args=args))
    client.logout()


def test_officer_sees_who_saw_a_file_including_lists(client, case, toegang_a, regisseur_a, officer, settings):
    settings.TWO_FACTOR_REQUIRED = False
    _reads(case, toegang_a, regisseur_a)
    settings.TWO_FACTOR_REQUIRED = True
    officer_client = officer
    url = reverse("admin:cases_caseaccesslog_changelist")
    response = officer_client.get(url, {"q": case["child"].case_number})
    rows = list(response.context["cl"].result_list)
    assert {(r.user_id, r.page) for r in rows} == {
        (toegang_a.pk, "cases:child_detail"),
        (regisseur_a.pk, "regie:queue"),
        (toegang_a.pk, "cases:child_detail"),
    } and len(rows) >= 2


def test_officer_sees_what_an_employee_saw_in_a_period_and_exports_it(
    client, case, toegang_a, regisseur_a, officer, settings
):
    settings.TWO_FACTOR_REQUIRED = False
    _reads(case, toegang_a, regisseur_a)
    settings.TWO_FACTOR_REQUIRED = True
    today = dt.date(2026, 3, 2)
    query = {
        "user__id__exact": toegang_a.pk,
        "at__gte": f"{today} 00:00:00+01:00",
        "at__lt": f"{today + dt.timedelta(1)} 00:00:00+01:00",
    }
    listing = officer.get(reverse("admin:cases_caseaccesslog_changelist"), query)
    assert listing.status_code == 200 and {r.user_id for r in listing.context["cl"].result_list} == {toegang_a.pk}
    assert "Exporteren (CSV)" in listing.content.decode()
    export = officer.get(reverse("admin:cases_caseaccesslog_export"), query)
    assert export.status_code == 200 and "no-store" in export["Cache-Control"]
    lines = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";"))
    assert lines[0][:3] == ["tijdstip", "gebruiker", "rol"]
    assert {line[1] for line in lines[1:]} == {"toegang_a"} and len(lines) == 3
    empty = officer.get(
        reverse("admin:cases_caseaccesslog_export"),
        {**query, "at__gte": "2026-04-01 00:00:00+02:00", "at__lt": "2026-05-01 00:00:00+02:00"},
    )
    assert len(empty.content.decode("utf-8-sig").strip().splitlines()) == 1


def test_officer_sees_refusals_of_own_employees(client, case, toegang_a, officer, settings):
    settings.TWO_FACTOR_REQUIRED = False
    other = Client()
    other.force_login(toegang_a)
    other.get(reverse("cases:child_detail", args=[999_999]))
    settings.TWO_FACTOR_REQUIRED = True
    listing = officer.get(reverse("admin:cases_caseaccesslog_changelist"), {"result__exact": "geweigerd"})
    assert [r.user_id for r in listing.context["cl"].result_list] == [toegang_a.pk]


# --- append-only ------------------------------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
def test_the_log_cannot_be_updated_or_deleted_on_postgresql(case, toegang_a):
    row = CaseAccessLog.objects.create(user=toegang_a, child_ids=",1,", action="inzage dossier")
    for attempt in (
        lambda: CaseAccessLog.objects.filter(pk=row.pk).update(action="niets gezien"),
        lambda: CaseAccessLog.objects.filter(pk=row.pk).delete(),
    ):
        with pytest.raises(DatabaseError, match="inzagelog"), transaction.atomic():
            attempt()
    assert CaseAccessLog.objects.get(pk=row.pk).action == "inzage dossier"


def test_the_admin_offers_no_change_or_delete(officer, case, toegang_a):
    row = CaseAccessLog.objects.create(user=toegang_a, gemeente=case["child"].gemeente, child_ids=",1,")
    change = officer.post(reverse("admin:cases_caseaccesslog_change", args=[row.pk]), {"action": "x"})
    delete = officer.post(reverse("admin:cases_caseaccesslog_delete", args=[row.pk]), {"post": "yes"})
    assert change.status_code == 403 and delete.status_code == 403
    assert CaseAccessLog.objects.filter(pk=row.pk, action="inzage dossier").exists()


def test_the_waiting_list_logs_the_children_it_shows(client, gemeente_a, toegang_a, frozen_today):
    from ..factories import ChildFactory, TrajectoryFactory

    child = ChildFactory(gemeente=gemeente_a)
    TrajectoryFactory(
        child=child,
        start_date=frozen_today - dt.timedelta(days=20),
        planned_end_date=frozen_today + dt.timedelta(days=200),
        actual_start_date=None,
        referral__date=frozen_today - dt.timedelta(days=60),
    )
    client.force_login(toegang_a)
    response = client.get(reverse("regie:waiting"))
    assert response.status_code == 200 and child.last_name in response.content.decode()
    row = CaseAccessLog.objects.get(user=toegang_a, result=ALLOWED)
    assert f",{child.pk}," in row.child_ids and row.page == "regie:waiting"
