"""No page shows or changes a child of a gemeente the user does not serve.

Walks every URL of the case apps that names an object: a user of gemeente B in every role gets a
404 (or, for roles that may not use the page at all, a 403) on GET and POST, the data is unchanged
and no read is logged. A new page with an object id must be added to OBJECT_FOR, or this test fails.
"""

import pytest
from django.urls import URLPattern, get_resolver, reverse
from django.utils import timezone

from cases.models import CaseAccessLog, Guardian, Role, Task
from referrals.models import Referral
from regie.models import Flag

from ..factories import ChildFactory, ExtensionFactory, StopReviewFactory, TrajectoryFactory, UserFactory

pytestmark = pytest.mark.django_db

# URL name -> which object of gemeente A its id points at
OBJECT_FOR = {
    "cases:child_detail": "child",
    "cases:trajectory_start": "child",
    "cases:household_detail": "household",
    "cases:household_address": "household",
    "cases:guardian_add": "household",
    "cases:guardian_change": "guardian",
    "cases:guardian_remove": "guardian",
    "cases:trajectory_change": "trajectory",
    "cases:trajectory_end": "trajectory",
    "cases:trajectory_replace": "trajectory",
    "cases:trajectory_record_start": "trajectory",
    "cases:extension_request": "trajectory",
    "cases:review_plan": "trajectory",
    "cases:review_record": "review",
    "cases:extension_decide": "extension",
    "cases:owner_change": "child",
    "cases:task_add": "child",
    "cases:journal_add": "child",
    "cases:task_done": "task",
    "cases:task_cancel": "task",
    "referrals:referral_add": "child",
    "referrals:referral_outcome": "referral",
    "regie:decision_create": "child",
    "regie:flag_create": "child",
    "regie:flag_resolve": "flag",
}


# Pages with an object id that is not a case object, each with its own outsider test.
COVERED_ELSEWHERE = {
    # Import runs belong to the beheerder who started them: tests/imports/test_import_views.py
    # ::test_another_beheerders_run_is_not_found.
    "imports:run",
    "imports:confirm",
    "imports:report_csv",
    # Escalations are answered by the bestuurder, not a case reader: tests/regie/test_escalations.py
    # ::test_bestuurder_of_another_gemeente_gets_404.
    "regie:escalation_answer",
    # Case meetings are a gemeente's, not a case's: tests/regie/test_case_meetings.py
    # ::test_regisseur_of_another_gemeente_gets_404.
    "regie:case_meeting",
    # A Wlz route is the regisseur's page: tests/regie/test_wlz.py::test_outsider_gets_404_and_other_roles_403.
    "regie:wlz_route",
    # Cohorts and knelpunten are a gemeente's, not a case's: tests/regie/test_cohort_views.py
    # ::test_outsider_gets_404_and_other_roles_403.
    "regie:cohort",
    "regie:knelpunt_edit",
}


def _object_urls():
    names = []
    for namespace in ("cases", "referrals", "regie", "reports", "imports"):
        resolver = get_resolver().namespace_dict[namespace][1]
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLPattern) and pattern.pattern.converters:
                names.append(f"{namespace}:{pattern.name}")
    return names


def test_every_page_with_an_object_id_is_covered():
    assert sorted(_object_urls()) == sorted([*OBJECT_FOR, *COVERED_ELSEWHERE])


@pytest.fixture
def case_of_gemeente_a(gemeente_a):
    trajectory = TrajectoryFactory(child=ChildFactory(gemeente=gemeente_a))
    return {
        "child": trajectory.child,
        "household": trajectory.child.household,
        "trajectory": trajectory,
        "review": StopReviewFactory(trajectory=trajectory),
        "extension": ExtensionFactory(trajectory=trajectory),
        "referral": trajectory.referral,
        "task": Task.objects.create(
            child=trajectory.child,
            gemeente=gemeente_a,
            kind="contact",
            title="Bellen",
            due_date=timezone.localdate(),
            owner_role=Role.TOEGANG,
        ),
        "guardian": Guardian.objects.create(household=trajectory.child.household, name="Ouder A", relation="moeder"),
        "flag": Flag.objects.create(
            gemeente=gemeente_a,
            child=trajectory.child,
            code="handmatig",
            subject_key=-1,
            reason="Zorgen",
            raised_at=timezone.now(),
        ),
    }


@pytest.mark.parametrize("role", [Role.TOEGANG, Role.TOETS, Role.REGISSEUR, Role.BELEID])
@pytest.mark.parametrize("name", sorted(OBJECT_FOR))
def test_user_of_another_gemeente_never_sees_or_changes_the_case(client, gemeente_b, case_of_gemeente_a, role, name):
    outsider = UserFactory(role=role, gemeenten=[gemeente_b])
    client.force_login(outsider)
    url = reverse(name, args=[case_of_gemeente_a[OBJECT_FOR[name]].pk])
    trajectory = case_of_gemeente_a["trajectory"]
    before = (
        trajectory.history.count(),
        Referral.objects.count(),
        trajectory.extensions.count(),
        Task.history.count(),
        trajectory.child.journal.count(),
        Guardian.objects.count(),
    )
    for response in (client.get(url), client.post(url, {"version": trajectory.version, "reason": "x"})):
        assert response.status_code in (403, 404), (name, role, response.status_code)
        assert case_of_gemeente_a["child"].last_name not in response.content.decode()
    after = (
        trajectory.history.count(),
        Referral.objects.count(),
        trajectory.extensions.count(),
        Task.history.count(),
        trajectory.child.journal.count(),
        Guardian.objects.count(),
    )
    assert after == before
    # Nothing was shown; both attempts are in the inzagelog as refusals, with the outsider's name.
    refusals = CaseAccessLog.objects.filter(user=outsider, result=CaseAccessLog.Result.REFUSED)
    assert not CaseAccessLog.objects.filter(result=CaseAccessLog.Result.ALLOWED).exists()
    assert refusals.count() == 2 and refusals.filter(page=name).count() == 2


@pytest.mark.parametrize("name", sorted(OBJECT_FOR))
def test_the_same_role_of_the_right_gemeente_gets_in(client, gemeente_a, case_of_gemeente_a, name):
    """The counterpart: the 404s above come from the gemeente rule, not from a broken page."""
    role = Role.TOETS if name == "cases:extension_decide" else Role.TOEGANG
    # POST-only actions: 405 means "past the rule"
    regie = (name.startswith("regie:") and name != "regie:decision_create") or name == "cases:task_done"
    client.force_login(UserFactory(role=Role.REGISSEUR if name.startswith("regie:") else role, gemeenten=[gemeente_a]))
    url = reverse(name, args=[case_of_gemeente_a[OBJECT_FOR[name]].pk])
    assert client.get(url).status_code == (405 if regie else 200)
