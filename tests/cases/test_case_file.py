"""The case file's "wie wijzigde wat wanneer": what a toegangsmedewerker reads, not what the database stores."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import services
from cases.models import Role

from ..factories import (
    ChildFactory,
    ExtensionFactory,
    ProviderFactory,
    StopReviewFactory,
    TrajectoryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def jan(gemeente_a):
    return UserFactory(first_name="Jan", last_name="Jansen", role=Role.TOEGANG, gemeenten=[gemeente_a])


def _history(client, user, child) -> str:
    client.force_login(user)
    response = client.get(reverse("cases:child_detail", args=[child.pk]))
    assert response.status_code == 200
    return "\n".join(line for change in response.context["changes"] for line in change.changes)


def test_a_recorded_review_shows_who_did_it_by_name_and_the_outcome_by_label(client, jan, gemeente_a, frozen_today):
    trajectory = TrajectoryFactory(child=ChildFactory(gemeente=gemeente_a))
    review = StopReviewFactory(trajectory=trajectory)
    services.review_record(user=jan, review=review, done_date=dt.date(2026, 3, 1), outcome="scale_down")
    lines = _history(client, jan, trajectory.child)
    assert "gedaan door: — → Jan Jansen" in lines
    assert "uitkomst: — → Afschalen" in lines
    assert "uitgevoerd op: — → 01-03-2026" in lines


def test_each_change_says_who_made_it_or_systeem(client, jan, gemeente_a, frozen_today):
    trajectory = TrajectoryFactory(child=ChildFactory(gemeente=gemeente_a))  # saved without a user
    review = StopReviewFactory(trajectory=trajectory)
    services.review_record(user=jan, review=review, done_date=dt.date(2026, 3, 1), outcome="scale_down")
    client.force_login(jan)
    changes = client.get(reverse("cases:child_detail", args=[trajectory.child.pk])).context["changes"]
    assert ("Review gewijzigd", "Jan Jansen") in [(c.what, c.who) for c in changes]
    assert ("Traject aangemaakt", "systeem") in [(c.what, c.who) for c in changes]


def test_a_changed_trajectory_shows_dutch_figures_dates_and_the_provider_by_name(client, jan, gemeente_a, frozen_today):
    trajectory = TrajectoryFactory(child=ChildFactory(gemeente=gemeente_a), provider=ProviderFactory(name="De Brug"))
    services.trajectory_change(
        user=jan,
        trajectory=trajectory,
        version=1,
        provider=ProviderFactory(name="Kompas Jeugdzorg"),
        start_date=trajectory.start_date,
        planned_end_date=dt.date(2026, 6, 1),
        volume=Decimal("2.50"),
        frequency="2",
        outside_budget=True,
        outside_budget_reason="Maatwerk",
    )
    lines = _history(client, jan, trajectory.child)
    assert "aanbieder: De Brug → Kompas Jeugdzorg" in lines
    assert "volume: 2 → 2,50" in lines
    assert "geplande einddatum: 02-02-2026 → 01-06-2026" in lines
    assert "buiten-budgettaire inzet: nee → ja" in lines
    assert "reden buiten budget: — → Maatwerk" in lines


def test_whole_volumes_show_without_decimals(client, jan, gemeente_a, frozen_today):
    trajectory = TrajectoryFactory(child=ChildFactory(gemeente=gemeente_a))
    trajectory.volume = Decimal("3.00")
    services.as_user(trajectory, jan).save()
    assert "volume: 2 → 3" in _history(client, jan, trajectory.child)


def test_names_in_the_history_cost_the_same_queries_for_one_change_or_many(client, jan, gemeente_a, frozen_today):
    def queries_for(n):
        child = ChildFactory(gemeente=gemeente_a)
        for i in range(n):
            user = UserFactory(first_name=f"Medewerker{i}", role=Role.TOEGANG, gemeenten=[gemeente_a])
            review = StopReviewFactory(trajectory=TrajectoryFactory(child=child))
            services.review_record(user=user, review=review, done_date=dt.date(2026, 3, 1), outcome="continue")
        with CaptureQueriesContext(connection) as ctx:
            lines = _history(client, jan, child)
        assert all(f"gedaan door: — → Medewerker{i}" in lines for i in range(n))
        return len(ctx.captured_queries)

    queries_for(1)  # the first page of a session reads the session and the user
    assert queries_for(1) == queries_for(6)


def test_the_toets_page_shows_the_trajectory_history_in_the_same_words(client, toets_a, jan, gemeente_a, frozen_today):
    trajectory = TrajectoryFactory(child=ChildFactory(gemeente=gemeente_a))
    services.extension_request(user=jan, trajectory=trajectory, requested_end_date=dt.date(2026, 8, 1), reason="nodig")
    extension = trajectory.extensions.get()
    services.extension_decide(user=toets_a, extension=extension, decision="approved", reason="Onderbouwd")
    client.force_login(toets_a)
    body = client.get(reverse("cases:extension_decide", args=[extension.pk])).content.decode()
    assert "geplande einddatum: 02-02-2026 → 01-08-2026" in body


def test_the_case_file_shows_money_and_volumes_in_dutch(client, jan, gemeente_a, frozen_today):
    trajectory = TrajectoryFactory(child=ChildFactory(gemeente=gemeente_a), volume=Decimal("2.50"))
    client.force_login(jan)
    body = client.get(reverse("cases:child_detail", args=[trajectory.child_id])).content.decode()
    assert "€ 95,00 per eenheid" in body  # was "€ 95.00"
    assert "2,50 uur per week" in body
    # 2,5 hours a week at € 95 (€ 33,9286 a day) for the 393 days from 3 Feb 2025 to 2 Mar 2026:
    # € 13.333,94, shown in whole euros, rounded rather than cut off.
    assert "€ 13.334" in body


def test_the_product_choice_shows_its_tariff_in_dutch(client, jan, gemeente_a, frozen_today):
    from ..factories import ReferralFactory

    child = ChildFactory(gemeente=gemeente_a)
    ReferralFactory(child=child)
    TrajectoryFactory(child=child)  # loads the catalogue with 45A48 at € 95
    client.force_login(jan)
    body = client.get(reverse("cases:trajectory_start", args=[child.pk])).content.decode()
    assert "(€ 95,00 per " in body  # was "(€ 95.00 per …)"


def test_the_case_file_counts_the_granted_extensions_of_a_trajectory(client, jan, gemeente_a, frozen_today):
    trajectory = TrajectoryFactory(child=ChildFactory(gemeente=gemeente_a))
    for status in ("approved", "shortened", "refused"):
        ExtensionFactory(trajectory=trajectory, status=status, decision_reason="Besloten")
    ExtensionFactory(trajectory=trajectory, status="pending")
    other = TrajectoryFactory(child=trajectory.child)
    ExtensionFactory(trajectory=other, status="refused", decision_reason="Besloten")
    client.force_login(jan)
    response = client.get(reverse("cases:child_detail", args=[trajectory.child.pk]))
    page = response.content.decode()
    assert page.count("× verlengd") == 1  # the refused and the pending request do not count
    assert "2× verlengd" in page
