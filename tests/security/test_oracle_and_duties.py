"""No BSN oracle in the duplicate check; plausible input; separation of duties; beleid sees no case detail."""

import datetime as dt

import pytest
from django.urls import reverse

from cases import services
from cases.models import CaseAccessLog, Child, Role
from regie.models import Decision, DecisionKind, Escalation

from ..factories import ChildFactory

pytestmark = pytest.mark.django_db
BSN = "111222333"


def _form(gemeente, **overrides):
    return {
        "gemeente": gemeente.pk,
        "first_name": "Sem",
        "last_name": "Bakker",
        "birth_date": "2015-04-01",
        "bsn": BSN,
        "household_name": "Gezin Bakker",
        **overrides,
    }


def test_the_live_duplicate_check_says_the_same_whether_or_not_a_bsn_is_known_elsewhere(
    client, toegang_a, gemeente_a, gemeente_b, frozen_today
):
    client.force_login(toegang_a)
    unknown = client.post(reverse("cases:child_duplicates"), _form(gemeente_a)).content
    ChildFactory(gemeente=gemeente_b, bsn=BSN, first_name="Sem", last_name="Bakker", birth_date=dt.date(2015, 4, 1))
    known = client.post(reverse("cases:child_duplicates"), _form(gemeente_a)).content
    assert known == unknown


def test_registering_a_bsn_known_elsewhere_is_refused_neutrally_and_logged(
    client, toegang_a, gemeente_a, gemeente_b, frozen_today
):
    other = ChildFactory(gemeente=gemeente_b, bsn=BSN)
    client.force_login(toegang_a)
    response = client.post(reverse("cases:child_register"), {**_form(gemeente_a), "confirm_new": "on"})
    body = response.content.decode()
    assert response.status_code == 200 and Child.objects.count() == 1
    assert "functioneel beheerder" in body
    assert other.case_number not in body and other.last_name not in body
    errors = response.context["form"].errors["bsn"]
    assert errors == [services.BSN_ELSEWHERE] and gemeente_b.name not in errors[0]
    row = CaseAccessLog.objects.get(user=toegang_a, result=CaseAccessLog.Result.REFUSED)
    assert row.child_ids == f",{other.pk}," and "BSN" in row.action


def test_a_bsn_of_an_own_file_points_to_that_file(client, toegang_a, gemeente_a, frozen_today):
    mine = ChildFactory(gemeente=gemeente_a, bsn=BSN)
    client.force_login(toegang_a)
    response = client.post(reverse("cases:child_duplicates"), _form(gemeente_a))
    assert mine.case_number in response.content.decode()


@pytest.mark.parametrize("birth_date", ["0001-01-01", "1899-12-31", "2026-03-03", "2999-01-01"])
def test_an_implausible_birth_date_is_refused(client, toegang_a, gemeente_a, frozen_today, birth_date):
    client.force_login(toegang_a)
    data = {**_form(gemeente_a, birth_date=birth_date, bsn=""), "confirm_new": "on"}
    response = client.post(reverse("cases:child_register"), data)
    assert response.status_code == 200 and not Child.objects.exists()
    assert "geboortedatum" in response.content.decode().lower()


def test_a_plausible_birth_date_is_accepted(client, toegang_a, gemeente_a, frozen_today):
    client.force_login(toegang_a)
    response = client.post(reverse("cases:child_register"), {**_form(gemeente_a, bsn=""), "confirm_new": "on"})
    assert response.status_code == 302 and Child.objects.count() == 1


# --- separation of duties ---------------------------------------------------------------------------


def _user_form(user, gemeenten, **overrides):
    return {
        "username": user.username,
        "role": user.role,
        "gemeenten": [g.pk for g in gemeenten],
        "is_active": "on",
        "is_staff": "on" if user.is_staff else "",
        "first_name": "",
        "last_name": "",
        "email": "",
        **overrides,
    }


def test_a_beheerder_cannot_give_themselves_case_access(client, beheer_a, gemeente_a, gemeente_b):
    client.force_login(beheer_a)
    url = reverse("admin:cases_user_change", args=[beheer_a.pk])
    client.post(url, _user_form(beheer_a, [gemeente_a, gemeente_b], role=Role.TOEGANG))
    beheer_a.refresh_from_db()
    assert beheer_a.role == Role.BEHEER and list(beheer_a.gemeenten.all()) == [gemeente_a]


def test_a_role_change_of_another_user_is_logged(client, beheer_a, toegang_a, gemeente_a, caplog):
    client.force_login(beheer_a)
    url = reverse("admin:cases_user_change", args=[toegang_a.pk])
    response = client.post(url, _user_form(toegang_a, [gemeente_a], role=Role.REGISSEUR))
    assert response.status_code == 302
    lines = [r.getMessage() for r in caplog.records if r.name == "jeugdregie.audit"]
    assert len(lines) == 1 and f"user id {toegang_a.pk} changed by user id {beheer_a.pk}" in lines[0]
    assert "regisseur" in lines[0]


def test_beleid_sees_escalations_without_motivation_or_cost(client, beleid_a, regisseur_a, gemeente_a, frozen_today):
    child = ChildFactory(gemeente=gemeente_a)
    escalate = Decision.objects.create(
        child=child,
        gemeente=gemeente_a,
        kind=DecisionKind.ESCALATE,
        reason="Moeder opgenomen; vader onbereikbaar",
        follow_up_date=dt.date(2026, 4, 15),
        actor="wethouder",
        decided_by=regisseur_a,
        decided_at=dt.datetime(2026, 2, 1, tzinfo=dt.UTC),
        cost_at_decision=123_456,
    )
    Escalation.objects.create(
        decision=escalate,
        child=child,
        gemeente=gemeente_a,
        question="Plaatsing buiten de regio?",
        created_at=escalate.decided_at,
    )
    client.force_login(beleid_a)
    body = client.get(reverse("regie:escalations")).content.decode()
    assert child.case_number in body
    assert "Moeder opgenomen" not in body and "123.456" not in body and child.last_name not in body
    client.force_login(regisseur_a)
    body = client.get(reverse("regie:escalations")).content.decode()
    assert "Moeder opgenomen" in body and "123.456" in body


# --- small counts --------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "shown"), [(0, "0"), (1, "< 5"), (4, "< 5"), (5, "5"), (1234, "1.234")])
def test_published_counts_below_five_read_less_than_five(value, shown):
    from reports.figures import format_value

    assert format_value(value, "aantal") == shown


def test_small_count_rule_leaves_money_and_percentages(frozen_today):
    from reports.figures import format_value

    assert format_value(3, "€") == "€ 3" and format_value(3, "%") == "3,0%"


def test_a_role_change_is_mailed_to_the_privacy_officer(client, beheer_a, toegang_a, gemeente_a, settings, mailoutbox):
    settings.PRIVACY_OFFICER_EMAILS = ["privacy@voorbeeldstad.example"]
    client.force_login(beheer_a)
    url = reverse("admin:cases_user_change", args=[toegang_a.pk])
    assert client.post(url, _user_form(toegang_a, [gemeente_a], role=Role.REGISSEUR)).status_code == 302
    [mail] = mailoutbox
    assert mail.to == ["privacy@voorbeeldstad.example"]
    assert "rol: toegang → regisseur" in mail.body and beheer_a.username in mail.body


def test_logs_are_json_lines_in_production_format():
    """The settings' "json" formatter (the default without DEBUG) writes one JSON object per line."""
    import copy
    import io
    import json
    import logging
    import logging.config

    from django.conf import settings

    stream = io.StringIO()
    config = copy.deepcopy(settings.LOGGING)
    config["handlers"]["console"] = {"class": "logging.StreamHandler", "formatter": "json", "stream": stream}
    logging.config.dictConfig(config)
    try:
        logging.getLogger("jeugdregie.audit").warning("access of user id %s changed", 7)
    finally:
        logging.config.dictConfig(settings.LOGGING)
    record = json.loads(stream.getvalue().strip().splitlines()[-1])
    assert record["message"] == "access of user id 7 changed"
    assert (record["level"], record["logger"]) == ("WARNING", "jeugdregie.audit") and record["time"]
