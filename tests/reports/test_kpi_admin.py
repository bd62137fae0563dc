"""The beheerder keeps the mailing list and sees failed deliveries, for their own gemeenten only."""

import datetime as dt

from django.urls import reverse

from cases.models import Role
from reports.models import DeliveryStatus, ReportDelivery, ReportSubscription

from ..factories import UserFactory


def test_beheerder_sees_failed_deliveries_of_own_gemeente_only(client, beheer_a, beleid_a, gemeente_a, gemeente_b):
    other = UserFactory(username="beleid_b", role=Role.BELEID, gemeenten=[gemeente_b])
    month = dt.date(2026, 2, 1)
    ReportDelivery.objects.create(
        gemeente=gemeente_a,
        month=month,
        recipient=beleid_a,
        email=beleid_a.email,
        status=DeliveryStatus.FAILED,
        attempts=5,
        last_error="SMTPRecipientsRefused: 550",
    )
    ReportDelivery.objects.create(gemeente=gemeente_b, month=month, recipient=other, email="geheim-b@example.nl",
                                  status=DeliveryStatus.SENT, attempts=1)  # fmt: skip
    client.force_login(beheer_a)
    html = client.get(reverse("admin:reports_reportdelivery_changelist")).content.decode()
    assert "SMTPRecipientsRefused: 550" in html and "beleid_a@example.nl" in html
    assert "geheim-b@example.nl" not in html


def test_beheerder_adds_only_users_of_the_gemeente(client, beheer_a, beleid_a, gemeente_a, gemeente_b):
    outsider = UserFactory(username="beleid_b", role=Role.BELEID, gemeenten=[gemeente_b])
    client.force_login(beheer_a)
    url = reverse("admin:reports_reportsubscription_add")
    response = client.post(url, {"gemeente": gemeente_a.pk, "user": outsider.pk, "active": "on"})
    assert response.status_code == 200 and not ReportSubscription.objects.exists()
    response = client.post(url, {"gemeente": gemeente_a.pk, "user": beleid_a.pk, "active": "on"})
    assert response.status_code == 302
    assert ReportSubscription.objects.get().user == beleid_a
