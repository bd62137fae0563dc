"""reports/services.py: a subscription switched off or on, with who did it in its history."""

from reports.models import ReportSubscription
from reports.services import subscription_set_active


def test_switching_off_and_on_records_who_did_it(db, gemeente_a, beleid_a, regisseur_a):
    subscription = ReportSubscription.objects.create(gemeente=gemeente_a, user=beleid_a)

    subscription_set_active(subscription=subscription, active=False, user=beleid_a)
    subscription.refresh_from_db()
    assert not subscription.active
    assert subscription.history.first().history_user == beleid_a

    subscription_set_active(subscription=subscription, active=True, user=regisseur_a)
    subscription.refresh_from_db()
    assert subscription.active
    assert subscription.history.first().history_user == regisseur_a
