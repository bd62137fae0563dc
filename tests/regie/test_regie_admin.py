"""The beheerder edits thresholds and weights of their own gemeente's rules; others are out of reach."""

import pytest
from django.urls import reverse

from regie import flags
from regie.models import FlagRule

from ..conftest import assert_accessible, login, screenshot

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


def test_every_input_of_the_editable_rule_list_names_its_rule(client, beheer_a, gemeente_a):
    flags.evaluate()
    client.force_login(beheer_a)
    html = client.get(reverse("admin:regie_flagrule_changelist")).content.decode()
    assert 'aria-label="Drempel van Kosten (Voorbeeldstad' in html
    assert html.count("aria-label=") >= 3 * FlagRule.objects.filter(gemeente=gemeente_a).count()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_rule_list_has_no_serious_accessibility_finding(page, beheer_a, gemeente_a):
    flags.evaluate()
    login(page, "beheer_a")
    page.goto(reverse("admin:regie_flagrule_changelist"))
    assert_accessible(page)
    screenshot(page, "beheer-signaalregels")
