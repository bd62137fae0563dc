"""The toetsmedewerker's queue and decision page: oldest first, norm and history beside each, decide with a reason."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from cases import services
from cases.models import CaseAccessLog, Extension, Trajectory

from ..factories import ChildFactory, ExtensionFactory, TrajectoryFactory

pytestmark = pytest.mark.django_db


def _pending(gemeente, requested_on: dt.date, **kwargs):
    with time_machine.travel(dt.datetime.combine(requested_on, dt.time(10)), tick=False):
        return ExtensionFactory(trajectory=TrajectoryFactory(child=ChildFactory(gemeente=gemeente)), **kwargs)


def test_queue_lists_pending_requests_of_own_gemeente_oldest_first(client, toets_a, gemeente_a, gemeente_b):
    newer = _pending(gemeente_a, dt.date(2026, 2, 20))
    older = _pending(gemeente_a, dt.date(2026, 1, 5))
    _pending(gemeente_b, dt.date(2025, 12, 1))  # another gemeente: never shown
    decided = _pending(gemeente_a, dt.date(2025, 11, 1))
    Extension.objects.filter(pk=decided.pk).update(status="refused", decision_reason="Doelen bereikt")
    client.force_login(toets_a)
    response = client.get(reverse("cases:extension_queue"))
    assert [e.pk for e in response.context["extensions"]] == [older.pk, newer.pk]
    body = response.content.decode()
    assert "norm 12 mnd" in body and "2 aanvragen wachten" in body


def test_queue_shows_earlier_decisions_and_changes_beside_each_request(
    client, toets_a, toegang_a, gemeente_a, frozen_today
):
    trajectory = TrajectoryFactory(child=ChildFactory(gemeente=gemeente_a), planned_end_date=dt.date(2025, 8, 1))
    first = ExtensionFactory(trajectory=trajectory, requested_end_date=dt.date(2026, 2, 2))
    services.extension_decide(user=toets_a, extension=first, decision="approved", reason="Nog twee doelen open")
    ExtensionFactory(trajectory=trajectory, requested_end_date=dt.date(2026, 8, 1))
    client.force_login(toets_a)
    body = client.get(reverse("cases:extension_queue")).content.decode()
    assert "1× eerder verlengd" in body
    assert "verlenging toegekend tot 02-02-2026" in body
    assert "geplande einddatum: 01-08-2025 → 02-02-2026" in body
    assert "boven norm" in body  # 2025-02-03 .. 2026-08-01 is 17 months against a norm of 12


def test_queue_query_count_does_not_grow_with_the_queue(client, toets_a, gemeente_a, django_assert_max_num_queries):
    for day in range(3):
        _pending(gemeente_a, dt.date(2026, 1, 1 + day))
    client.force_login(toets_a)
    with django_assert_max_num_queries(12) as small:
        client.get(reverse("cases:extension_queue"))
    for day in range(20):
        _pending(gemeente_a, dt.date(2026, 1, 5 + day))
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("cases:extension_queue"))


def test_other_gemeente_request_is_404_and_other_roles_are_refused(client, toets_a, toegang_a, gemeente_b):
    foreign = _pending(gemeente_b, dt.date(2026, 1, 5))
    client.force_login(toets_a)
    assert client.get(reverse("cases:extension_decide", args=[foreign.pk])).status_code == 404
    client.force_login(toegang_a)
    assert client.get(reverse("cases:extension_queue")).status_code == 403


def test_approval_changes_the_trajectory_and_logs_the_read(client, toets_a, gemeente_a, frozen_today):
    extension = _pending(gemeente_a, dt.date(2026, 1, 5), requested_volume=Decimal("3"))
    client.force_login(toets_a)
    url = reverse("cases:extension_decide", args=[extension.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Behandeldoelen nog niet bereikt" in page.content.decode()
    assert CaseAccessLog.objects.filter(user=toets_a, child=extension.trajectory.child).exists()
    response = client.post(url, {"decision": "approved", "reason": "Onderbouwd door behandelplan"})
    assert response.status_code == 302
    trajectory = Trajectory.objects.get(pk=extension.trajectory_id)
    assert trajectory.planned_end_date == extension.requested_end_date and trajectory.volume == Decimal("3")
    assert trajectory.history.first().history_user == toets_a


def test_refusal_needs_a_reason_and_leaves_the_trajectory_alone(client, toets_a, gemeente_a, frozen_today):
    extension = _pending(gemeente_a, dt.date(2026, 1, 5))
    planned_end = extension.trajectory.planned_end_date
    client.force_login(toets_a)
    url = reverse("cases:extension_decide", args=[extension.pk])
    response = client.post(url, {"decision": "refused", "reason": ""})
    assert response.status_code == 200 and "Dit veld is verplicht" in response.content.decode()
    assert Extension.objects.get(pk=extension.pk).status == "pending"
    client.post(url, {"decision": "refused", "reason": "Stopstrategie: afschalen naar lichte hulp"})
    assert Extension.objects.get(pk=extension.pk).status == "refused"
    assert Trajectory.objects.get(pk=extension.trajectory_id).planned_end_date == planned_end


def test_shortening_outside_the_window_is_refused_with_a_message(client, toets_a, gemeente_a, frozen_today):
    extension = _pending(gemeente_a, dt.date(2026, 1, 5))
    client.force_login(toets_a)
    url = reverse("cases:extension_decide", args=[extension.pk])
    too_long = (extension.requested_end_date + dt.timedelta(days=30)).isoformat()
    response = client.post(url, {"decision": "shortened", "granted_end_date": too_long, "reason": "Korter"})
    assert "Een kortere verlenging ligt na de huidige einddatum" in response.content.decode()
    assert Extension.objects.get(pk=extension.pk).status == "pending"
    shorter = (extension.trajectory.planned_end_date + dt.timedelta(days=60)).isoformat()
    client.post(url, {"decision": "shortened", "granted_end_date": shorter, "reason": "Twee maanden volstaat"})
    assert Trajectory.objects.get(pk=extension.trajectory_id).planned_end_date.isoformat() == shorter


def test_a_second_decision_on_the_same_request_is_refused(client, toets_a, gemeente_a, frozen_today):
    extension = _pending(gemeente_a, dt.date(2026, 1, 5))
    client.force_login(toets_a)
    url = reverse("cases:extension_decide", args=[extension.pk])
    client.post(url, {"decision": "refused", "reason": "Geen onderbouwing"})
    response = client.post(url, {"decision": "approved", "reason": "Toch wel"})
    assert "al afgehandeld" in response.content.decode()
    assert Extension.objects.get(pk=extension.pk).status == "refused"


def test_queue_search_by_name_or_case_number_narrows_the_list(client, toets_a, gemeente_a):
    def pending_for(first_name, last_name):
        child = ChildFactory(gemeente=gemeente_a, first_name=first_name, last_name=last_name)
        return ExtensionFactory(trajectory=TrajectoryFactory(child=child))

    jansen, pietersen = pending_for("Sanne", "Jansen"), pending_for("Daan", "Pietersen")
    client.force_login(toets_a)
    url = reverse("cases:extension_queue")

    client.post(url, {"zoek": "sanne jans"})
    assert [e.pk for e in client.get(url).context["extensions"]] == [jansen.pk]
    client.post(url, {"zoek": pietersen.trajectory.child.case_number})
    assert [e.pk for e in client.get(url).context["extensions"]] == [pietersen.pk]
    client.post(url, {"wissen": "1"})
    assert {e.pk for e in client.get(url).context["extensions"]} == {jansen.pk, pietersen.pk}


def test_queue_filters_offer_only_queued_providers_and_narrow_the_list(client, toets_a, gemeente_a, gemeente_b):
    first = _pending(gemeente_a, dt.date(2026, 1, 5))
    second = _pending(gemeente_a, dt.date(2026, 1, 6))
    elsewhere = _pending(gemeente_b, dt.date(2026, 1, 7))  # another gemeente's provider: not offered
    client.force_login(toets_a)
    url = reverse("cases:extension_queue")
    body = client.get(url).content.decode()
    for extension in (first, second):
        provider = extension.trajectory.provider
        assert f'<option value="{provider.pk}">{provider.name}</option>' in body
    assert elsewhere.trajectory.provider.name not in body

    chosen = client.get(url, {"provider": second.trajectory.provider_id})
    assert [e.pk for e in chosen.context["extensions"]] == [second.pk]
    assert f'<option value="{second.trajectory.provider_id}" selected>' in chosen.content.decode()
    assert [e.pk for e in client.get(url, {"product": first.trajectory.product_id}).context["extensions"]] == [
        first.pk,
        second.pk,
    ]
    # A provider that is not in the queue is no choice: the filters are left off, as for any invalid value.
    unknown = client.get(url, {"provider": elsewhere.trajectory.provider_id})
    assert [e.pk for e in unknown.context["extensions"]] == [first.pk, second.pk]


def test_queue_row_shows_a_passed_end_the_name_escaped_and_a_long_reason_shortened(
    client, toets_a, gemeente_a, frozen_today
):
    # The rows are HTML built in Python (cases/toets_rows.py): escaped and shortened as the template did.
    child = ChildFactory(gemeente=gemeente_a, first_name="<b>Kim</b>")
    trajectory = TrajectoryFactory(child=child, planned_end_date=frozen_today - dt.timedelta(days=3))
    ExtensionFactory(trajectory=trajectory, reason="Nog " + "x" * 200)
    client.force_login(toets_a)

    body = client.get(reverse("cases:extension_queue")).content.decode()

    assert '<span class="badge badge-bad">3 dagen voorbij</span>' in body
    assert "&lt;b&gt;Kim&lt;/b&gt;" in body and "<b>Kim</b>" not in body
    assert "“Nog " + "x" * 115 + "…”" in body
