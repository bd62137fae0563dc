import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from cases.models import CaseAccessLog, Child, Trajectory

from ..factories import ChildFactory, ProviderFactory, ReferralFactory, TrajectoryFactory, ambulant_product

pytestmark = pytest.mark.django_db


def test_login_is_required_everywhere(client):
    response = client.get(reverse("cases:search"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_search_finds_by_name_birth_date_and_case_number_within_own_gemeenten(
    client, toegang_a, gemeente_a, gemeente_b
):
    mine = ChildFactory(
        gemeente=gemeente_a, first_name="Noor", last_name="Visser", birth_date=dt.date(2012, 9, 3), bsn="999900006"
    )
    ChildFactory(gemeente=gemeente_b, first_name="Noor", last_name="Visser")
    client.force_login(toegang_a)
    for query in ("noor vis", "03-09-2012", mine.case_number):
        response = client.post(reverse("cases:search"), {"q": query}, follow=True)
        assert list(response.context["results"]) == [mine], query
    page = client.post(reverse("cases:search"), {"q": "Visser"}, follow=True).content.decode()
    assert "999900006" not in page and "Proefdorp" not in page


def test_case_file_shows_the_timeline_and_logs_the_read(client, toegang_a, gemeente_a, frozen_today):
    child = ChildFactory(gemeente=gemeente_a)
    TrajectoryFactory(child=child)
    client.force_login(toegang_a)
    response = client.get(reverse("cases:child_detail", args=[child.pk]))
    assert response.status_code == 200
    assert "Start traject" in response.content.decode()
    log = CaseAccessLog.objects.get()
    assert (log.user, log.child, log.gemeente) == (toegang_a, child, gemeente_a)


@pytest.mark.parametrize(
    "name", ["cases:child_detail", "cases:trajectory_start", "cases:household_detail", "referrals:referral_add"]
)
def test_outsider_gets_404_for_another_gemeentes_child(client, toegang_b, gemeente_a, name):
    child = ChildFactory(gemeente=gemeente_a)
    client.force_login(toegang_b)
    pk = child.household_id if name == "cases:household_detail" else child.pk
    assert client.get(reverse(name, args=[pk])).status_code == 404
    refused = CaseAccessLog.objects.get()  # the refusal, with who tried, and nothing of the child
    assert (refused.user, refused.result, refused.child_ids) == (toegang_b, CaseAccessLog.Result.REFUSED, "")


@pytest.mark.parametrize(
    "name", ["cases:trajectory_change", "cases:trajectory_end", "cases:extension_request", "cases:review_plan"]
)
def test_outsider_cannot_open_or_change_another_gemeentes_trajectory(client, toegang_b, gemeente_a, name):
    trajectory = TrajectoryFactory(child=ChildFactory(gemeente=gemeente_a))
    client.force_login(toegang_b)
    assert client.get(reverse(name, args=[trajectory.pk])).status_code == 404
    assert client.post(reverse(name, args=[trajectory.pk]), {"version": 1}).status_code == 404


def test_beleid_does_not_read_case_files(client, beleid_a, gemeente_a):
    child = ChildFactory(gemeente=gemeente_a)
    client.force_login(beleid_a)
    assert client.get(reverse("cases:child_detail", args=[child.pk])).status_code == 403
    assert client.get(reverse("home")).status_code == 200  # the overview of care and spend


@pytest.mark.parametrize("persona", ["regisseur_a", "toets_a"])
def test_readers_may_read_but_not_log(client, request, gemeente_a, persona):
    user = request.getfixturevalue(persona)
    child = ChildFactory(gemeente=gemeente_a)
    client.force_login(user)
    assert client.get(reverse("cases:child_detail", args=[child.pk])).status_code == 200
    assert client.get(reverse("cases:trajectory_start", args=[child.pk])).status_code == 403


def test_register_shows_possible_duplicates_and_asks_to_confirm(client, toegang_a, gemeente_a, frozen_today):
    existing = ChildFactory(gemeente=gemeente_a, first_name="Lotte", last_name="Smit", birth_date=dt.date(2016, 2, 2))
    client.force_login(toegang_a)
    data = {
        "gemeente": gemeente_a.pk,
        "first_name": "Lotte",
        "last_name": "Smit",
        "birth_date": "2016-02-02",
        "household_name": "Gezin Smit",
    }
    response = client.post(reverse("cases:child_register"), data)
    assert response.status_code == 200
    assert existing.case_number in response.content.decode()
    assert Child.objects.count() == 1
    response = client.post(reverse("cases:child_register"), {**data, "confirm_new": "on"})
    assert response.status_code == 302 and Child.objects.count() == 2


def test_register_with_sibling_case_number_joins_the_household(client, toegang_a, gemeente_a, frozen_today):
    sibling = ChildFactory(gemeente=gemeente_a)
    client.force_login(toegang_a)
    client.post(
        reverse("cases:child_register"),
        {
            "gemeente": gemeente_a.pk,
            "first_name": "Bo",
            "last_name": "Jansen",
            "birth_date": "2019-01-01",
            "sibling_case_number": sibling.case_number,
        },
    )
    assert Child.objects.get(first_name="Bo").household == sibling.household


def test_register_refuses_bad_bsn_with_a_dutch_message(client, toegang_a, gemeente_a, frozen_today):
    client.force_login(toegang_a)
    response = client.post(
        reverse("cases:child_register"),
        {
            "gemeente": gemeente_a.pk,
            "first_name": "A",
            "last_name": "B",
            "birth_date": "2030-01-01",
            "bsn": "123456789",
            "household_name": "x",
        },
    )
    body = response.content.decode()
    assert "elfproef" in body and "toekomst" in body and Child.objects.count() == 0


def test_duplicates_fragment_for_htmx(client, toegang_a, gemeente_a):
    existing = ChildFactory(gemeente=gemeente_a, first_name="Lotte", last_name="Smit", birth_date=dt.date(2016, 2, 2))
    client.force_login(toegang_a)
    response = client.post(
        reverse("cases:child_duplicates"), {"first_name": "Lotte", "last_name": "Smit", "birth_date": "2016-02-02"}
    )
    assert existing.case_number in response.content.decode()


def test_trajectory_start_through_the_page(client, toegang_a, gemeente_a, frozen_today):
    referral = ReferralFactory(child=ChildFactory(gemeente=gemeente_a), date=dt.date(2026, 1, 5))
    provider, product = ProviderFactory(), ambulant_product()
    client.force_login(toegang_a)
    url = reverse("cases:trajectory_start", args=[referral.child_id])
    data = {
        "referral": referral.pk,
        "provider": provider.pk,
        "product": product.pk,
        "start_date": "2026-01-04",
        "planned_end_date": "2026-07-01",
        "volume": "2",
        "frequency": "2",
    }
    response = client.post(url, data)
    assert "vóór de verwijzing" in response.content.decode() and Trajectory.objects.count() == 0
    response = client.post(url, {**data, "start_date": "2026-01-12"})
    assert response.status_code == 302
    trajectory = Trajectory.objects.get()
    assert trajectory.history.first().history_user == toegang_a


def test_second_editor_gets_a_conflict_message_and_nothing_is_overwritten(client, toegang_a, gemeente_a, frozen_today):
    trajectory = TrajectoryFactory(child=ChildFactory(gemeente=gemeente_a))
    client.force_login(toegang_a)
    url = reverse("cases:trajectory_change", args=[trajectory.pk])
    form = {
        "provider": trajectory.provider_id,
        "start_date": "2025-02-03",
        "planned_end_date": "2026-06-01",
        "volume": "3",
        "frequency": "2",
        "version": "1",
    }
    assert client.post(url, form).status_code == 302  # the first editor saves
    response = client.post(url, {**form, "volume": "9"})  # the second still holds version 1
    assert response.status_code == 409
    assert "Iemand anders heeft dit traject gewijzigd" in response.content.decode()
    trajectory.refresh_from_db()
    assert trajectory.volume == Decimal("3")


def test_end_trajectory_through_the_page(client, toegang_a, gemeente_a, frozen_today):
    trajectory = TrajectoryFactory(child=ChildFactory(gemeente=gemeente_a))
    client.force_login(toegang_a)
    url = reverse("cases:trajectory_end", args=[trajectory.pk])
    response = client.post(url, {"version": 1, "end_date": "2025-01-01", "end_reason": "31"})
    assert "vóór de startdatum" in response.content.decode()
    assert client.post(url, {"version": 1, "end_date": "2026-03-01", "end_reason": "31"}).status_code == 302
    trajectory.refresh_from_db()
    assert trajectory.end_reason == "31"


def test_case_page_query_count_does_not_grow_with_trajectories(
    client, toegang_a, gemeente_a, frozen_today, django_assert_max_num_queries
):
    def count_for(n):
        child = ChildFactory(gemeente=gemeente_a)
        for _ in range(n):
            t = TrajectoryFactory(child=child, referral=ReferralFactory(child=child))
            t.volume = Decimal("3")
            t.save()
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("cases:child_detail", args=[child.pk])).status_code == 200
        return len(ctx.captured_queries)

    client.force_login(toegang_a)
    one, fifty = count_for(1), count_for(50)
    assert one == fifty, (one, fifty)


def test_household_shows_every_siblings_current_care(client, regisseur_a, gemeente_a, frozen_today):
    first = ChildFactory(gemeente=gemeente_a)
    second = ChildFactory(gemeente=gemeente_a, household=first.household)
    TrajectoryFactory(child=first)
    TrajectoryFactory(child=second)
    TrajectoryFactory(child=second, ended=True)
    client.force_login(regisseur_a)
    response = client.get(reverse("cases:household_detail", args=[first.household_id]))
    assert response.context["open_total"] == 2 and response.context["children_in_care"] == 2


def test_visibility_helper_fetches_one_child_not_the_whole_queryset(toegang_a, gemeente_a, django_assert_num_queries):
    from cases.access import visible_child_or_404

    children = [ChildFactory(gemeente=gemeente_a) for _ in range(3)]
    queryset = Child.objects.select_related("gemeente")
    with django_assert_num_queries(1):
        assert visible_child_or_404(toegang_a, children[1].pk, queryset=queryset) == children[1]
    assert queryset._result_cache is None  # a truth test on the queryset would have loaded every child
