"""The beheerder edits thresholds and weights of their own gemeente's rules; others are out of reach."""

import pytest
from django.urls import reverse

from regie import flags
from regie.models import FlagRule

pytestmark = pytest.mark.django_db


def test_beheerder_changes_a_threshold_with_history(client, beheer_a, gemeente_a, gemeente_b):
    flags.evaluate()
    rule = FlagRule.objects.get(gemeente=gemeente_a, code="kosten")
    client.force_login(beheer_a)
    listing = client.get(reverse("admin:regie_flagrule_changelist"))
    assert listing.status_code == 200
    assert {r.gemeente_id for r in listing.context["cl"].result_list} == {gemeente_a.pk}
    response = client.post(
        reverse("admin:regie_flagrule_change", args=[rule.pk]), {"enabled": "on", "threshold": "75000", "weight": "30"}
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.threshold == 75000 and rule.history.count() == 2
    other = FlagRule.objects.get(gemeente=gemeente_b, code="kosten")
    assert client.get(reverse("admin:regie_flagrule_change", args=[other.pk])).status_code in (302, 403, 404)
