"""The household as the worker knows it: address, guardians with gezag, the woonplaatsbeginsel and the
handover task a move to another gemeente makes."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases import services
from cases.models import CaseAccessLog, Child, Guardian, Household, Role, Task, TaskKind, TaskOrigin, TaskStatus
from cases.readlog import child_ids_text
from cases.residence import paying_gemeente
from cases.services import Address

from ..factories import ChildFactory, GemeenteFactory, HouseholdFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def gemeente_c(db):
    return GemeenteFactory(code="9903", name="Verweg")


def address(gemeente, postcode="2311 AB", number="12", city="Voorbeeldstad"):
    return Address(postcode=postcode, house_number=number, city=city, residence_gemeente=gemeente)


# --- the woonplaatsbeginsel --------------------------------------------------------------------------


def test_nothing_known_the_files_gemeente_pays(gemeente_a, gemeente_c):
    household = HouseholdFactory(gemeente=gemeente_a, postcode="9999 ZZ", residence_gemeente=gemeente_c)
    assert paying_gemeente(household) == gemeente_a  # an address but no gezaghebbende recorded


def test_gezaghebbende_in_the_household_the_households_address_decides(gemeente_a, gemeente_c):
    household = HouseholdFactory(gemeente=gemeente_a, residence_gemeente=gemeente_c)
    Guardian.objects.create(household=household, name="Moeder", relation="moeder", lives_in_household=True)
    assert paying_gemeente(household) == gemeente_c


def test_gezaghebbende_in_the_household_without_an_address_the_files_gemeente(gemeente_a):
    household = HouseholdFactory(gemeente=gemeente_a)
    Guardian.objects.create(household=household, name="Moeder", relation="moeder")
    assert paying_gemeente(household) == gemeente_a


def test_gezaghebbende_elsewhere_their_own_address_decides(gemeente_a, gemeente_b, gemeente_c):
    household = HouseholdFactory(
        gemeente=gemeente_a, residence_gemeente=gemeente_a
    )  # the child lives with a pleegouder
    Guardian.objects.create(household=household, name="Pleegmoeder", relation="pleegouder", has_gezag=False)
    Guardian.objects.create(
        household=household, name="Vader", relation="vader", lives_in_household=False, residence_gemeente=gemeente_c
    )
    Guardian.objects.create(
        household=household, name="Moeder", relation="moeder", lives_in_household=False, residence_gemeente=gemeente_b
    )
    assert paying_gemeente(household) == gemeente_c  # the first gezaghebbende recorded; no gezag: not counted


def test_one_gezaghebbende_in_the_household_wins_over_one_elsewhere(gemeente_a, gemeente_c):
    household = HouseholdFactory(gemeente=gemeente_a, residence_gemeente=gemeente_a)
    Guardian.objects.create(
        household=household, name="Vader", relation="vader", lives_in_household=False, residence_gemeente=gemeente_c
    )
    Guardian.objects.create(household=household, name="Moeder", relation="moeder")
    assert paying_gemeente(household) == gemeente_a


# --- address ------------------------------------------------------------------------------------------


def test_address_is_normalised_and_kept_in_history_with_the_user(toegang_a, gemeente_a, frozen_today):
    household = HouseholdFactory(gemeente=gemeente_a)
    saved = services.household_update_address(
        user=toegang_a, household=household, address=address(gemeente_a, postcode="2311ab", number="12 A")
    )
    assert (saved.postcode, saved.house_number, saved.address) == ("2311 AB", "12a", "2311 AB 12a, Voorbeeldstad")
    last = saved.history.first()
    assert last.history_user == toegang_a and last.history_change_reason == "adres gewijzigd"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("postcode", "12345", "Dit is geen Nederlandse postcode. Schrijf hem als 1234 AB."),
        ("postcode", "0123 AB", "Dit is geen Nederlandse postcode. Schrijf hem als 1234 AB."),
        ("postcode", "1234 SS", "Dit is geen Nederlandse postcode. Schrijf hem als 1234 AB."),
        ("house_number", "twaalf", "Vul een huisnummer in, eventueel met toevoeging: 12, 12a of 12-2."),
        ("house_number", "", "Vul het huisnummer in."),
        ("city", "", "Vul de woonplaats in."),
    ],
)
def test_bad_address_is_refused_in_dutch(toegang_a, gemeente_a, field, value, message):
    household = HouseholdFactory(gemeente=gemeente_a)
    bad = address(gemeente_a)
    setattr(bad, field, value)
    with pytest.raises(ValidationError) as refused:
        services.household_update_address(user=toegang_a, household=household, address=bad)
    assert refused.value.message_dict[field] == [message]
    household.refresh_from_db()
    assert household.postcode == ""


def test_address_page_shows_each_error_beside_its_field_and_keeps_what_was_typed(client, toegang_a, gemeente_a):
    household = HouseholdFactory(gemeente=gemeente_a)
    client.force_login(toegang_a)
    url = reverse("cases:household_address", args=[household.pk])
    response = client.post(url, {"postcode": "12345", "house_number": "twaalf", "city": "Voorbeeldstad"})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["postcode"] == ["Dit is geen Nederlandse postcode. Schrijf hem als 1234 AB."]
    assert form.errors["house_number"] == ["Vul een huisnummer in, eventueel met toevoeging: 12, 12a of 12-2."]
    assert form.errors["residence_gemeente"] == ["Kies de gemeente waar dit adres ligt."]
    body = response.content.decode()
    assert 'value="12345"' in body and 'value="twaalf"' in body and "er is niets opgeslagen" in body
    household.refresh_from_db()
    assert household.postcode == ""


def test_address_page_saves(client, toegang_a, gemeente_a):
    household = HouseholdFactory(gemeente=gemeente_a)
    client.force_login(toegang_a)
    url = reverse("cases:household_address", args=[household.pk])
    data = {"postcode": "2311ab", "house_number": "4", "city": "Voorbeeldstad", "residence_gemeente": gemeente_a.pk}
    response = client.post(url, data)
    assert response.status_code == 302
    household.refresh_from_db()
    assert household.address == "2311 AB 4, Voorbeeldstad" and household.residence_gemeente == gemeente_a


def test_readers_may_not_change_the_address(client, regisseur_a, gemeente_a):
    household = HouseholdFactory(gemeente=gemeente_a)
    client.force_login(regisseur_a)
    assert client.get(reverse("cases:household_address", args=[household.pk])).status_code == 403


# --- the move -----------------------------------------------------------------------------------------


@pytest.fixture
def family(gemeente_a, toegang_a):
    household = HouseholdFactory(gemeente=gemeente_a, name="Gezin Benali")
    services.household_update_address(user=toegang_a, household=household, address=address(gemeente_a))
    Guardian.objects.create(household=household, name="Samira Benali", relation="moeder")
    owned = ChildFactory(gemeente=gemeente_a, household=household, owner=toegang_a)
    unassigned = ChildFactory(gemeente=gemeente_a, household=household)
    ChildFactory(gemeente=gemeente_a, household=household, closed_on="2025-01-01")
    return household, owned, unassigned


def test_a_move_to_another_gemeente_hands_each_child_over_once(toegang_a, gemeente_a, gemeente_c, family, frozen_today):
    household, owned, unassigned = family
    for _ in range(2):  # twice: idempotent
        services.household_update_address(
            user=toegang_a, household=household, address=address(gemeente_c, "8011 AA", "3", "Verweg")
        )
    tasks = Task.objects.filter(kind=TaskKind.HANDOVER)
    assert tasks.count() == 2  # not for the closed file
    mine = tasks.get(child=owned)
    assert (mine.owner, mine.origin, mine.key, mine.status) == (
        toegang_a,
        TaskOrigin.MOVE,
        f"overdracht:{owned.pk}",
        "open",
    )
    assert (mine.due_date - frozen_today).days == 14 and "Verweg" in mine.title
    team = tasks.get(child=unassigned)
    assert (team.owner, team.owner_role, team.gemeente) == (None, Role.TOEGANG, gemeente_a)
    assert household.history.first().history_user == toegang_a
    # Running the handover itself again makes no second task either.
    services.household_handover(user=toegang_a, household=household, before=gemeente_a)
    assert Task.objects.filter(kind=TaskKind.HANDOVER).count() == 2


def test_a_move_within_the_gemeente_makes_no_task(toegang_a, gemeente_a, family, frozen_today):
    household, _, _ = family
    services.household_update_address(user=toegang_a, household=household, address=address(gemeente_a, "2312 CD", "99"))
    assert not Task.objects.exists()


def test_a_gezaghebbende_moving_away_hands_over_and_moving_back_cancels(
    toegang_a, gemeente_a, gemeente_c, family, frozen_today
):
    household, owned, _ = family
    mother = household.guardians.get()
    services.guardian_change(
        user=toegang_a, guardian=mother, name=mother.name, relation="moeder", has_gezag=True,
        lives_in_household=False, address=address(gemeente_c, "8011 AA", "3", "Verweg"),
    )  # fmt: skip
    assert Task.objects.open().filter(kind=TaskKind.HANDOVER).count() == 2
    services.guardian_change(
        user=toegang_a, guardian=mother, name=mother.name, relation="moeder", has_gezag=True, lives_in_household=True
    )
    assert not Task.objects.open().exists()
    assert Task.objects.filter(status=TaskStatus.CANCELLED, child=owned).count() == 1


def test_adding_a_voogd_elsewhere_hands_over(client, toegang_a, gemeente_a, gemeente_c, family, frozen_today):
    household, _, _ = family
    household.guardians.update(has_gezag=False)  # the parents lost gezag; a GI in Verweg got it
    client.force_login(toegang_a)
    url = reverse("cases:guardian_add", args=[household.pk])
    data = {
        "name": "Jeugdbescherming Verweg",
        "relation": "voogd",
        "has_gezag": "on",
        "postcode": "8011 AA",
        "house_number": "1",
        "city": "Verweg",
        "residence_gemeente": gemeente_c.pk,
    }
    response = client.post(url, data, follow=True)
    assert "overdrachtstaak" in response.content.decode()
    assert Task.objects.open().filter(kind=TaskKind.HANDOVER).count() == 2


# --- guardians ----------------------------------------------------------------------------------------


def test_guardian_needs_name_relation_and_an_address_if_living_elsewhere_with_gezag(toegang_a, gemeente_a):
    household = HouseholdFactory(gemeente=gemeente_a)
    with pytest.raises(ValidationError) as refused:
        services.guardian_add(user=toegang_a, household=household, name=" ", relation="", lives_in_household=False)
    errors = refused.value.message_dict
    assert errors["name"] == ["Vul de naam in."] and errors["relation"] == ["Kies de relatie tot het kind."]
    assert "bepaalt welke gemeente betaalt" in errors["residence_gemeente"][0]
    assert not Guardian.objects.exists()


def test_guardian_add_change_remove_keep_history(client, toegang_a, gemeente_a):
    household = HouseholdFactory(gemeente=gemeente_a)
    client.force_login(toegang_a)
    client.post(
        reverse("cases:guardian_add", args=[household.pk]),
        {"name": "Kees  de Vries", "relation": "vader", "has_gezag": "on", "lives_in_household": "on"},
    )
    guardian = Guardian.objects.get()
    assert guardian.name == "Kees de Vries" and guardian.has_gezag
    client.post(
        reverse("cases:guardian_change", args=[guardian.pk]),
        {"name": "Kees de Vries", "relation": "vader", "lives_in_household": "on"},
    )
    guardian.refresh_from_db()
    assert not guardian.has_gezag
    refused = client.post(reverse("cases:guardian_remove", args=[guardian.pk]), {"reason": ""})
    assert refused.context["form"].errors["reason"]
    client.post(reverse("cases:guardian_remove", args=[guardian.pk]), {"reason": "Ten onrechte vastgelegd"})
    assert not Guardian.objects.exists()
    history = Guardian.history.filter(id=guardian.pk).order_by("history_date")
    assert [h.history_type for h in history] == ["+", "~", "-"]
    assert {h.history_user for h in history} == {toegang_a}
    assert history.last().history_change_reason == "Ten onrechte vastgelegd"


def test_another_gemeentes_user_cannot_write_the_household(toegang_b, gemeente_a):
    household = HouseholdFactory(gemeente=gemeente_a)
    with pytest.raises(ValidationError):
        services.household_update_address(user=toegang_b, household=household, address=address(gemeente_a))
    with pytest.raises(ValidationError):
        services.guardian_add(user=toegang_b, household=household, name="X", relation="moeder")


# --- the pages ----------------------------------------------------------------------------------------


def test_household_page_shows_address_guardians_lead_owners_and_paying_gemeente(
    client, toegang_a, gemeente_a, gemeente_c, django_assert_max_num_queries
):
    lead = UserFactory(first_name="Fatima", last_name="Ouali", gemeenten=[gemeente_a])
    household = HouseholdFactory(
        gemeente=gemeente_a, postcode="2311 AB", house_number="12", city="Voorbeeldstad", lead_worker=lead
    )
    Guardian.objects.create(
        household=household, name="Ahmed Benali", relation="vader", lives_in_household=False,
        postcode="8011 AA", house_number="3", city="Verweg", residence_gemeente=gemeente_c,
    )  # fmt: skip
    children = [ChildFactory(gemeente=gemeente_a, household=household, owner=lead) for _ in range(3)]
    client.force_login(toegang_a)
    response = client.get(reverse("cases:household_detail", args=[household.pk]))
    body = response.content.decode()
    assert "2311 AB 12, Voorbeeldstad" in body and "Ahmed Benali" in body and "8011 AA 3, Verweg" in body
    assert body.count("Fatima Ouali") == 4  # the lead, and the owner of each child
    assert "Betalende gemeente" in body and "de gezaghebbende woont in Verweg" in body
    # One row for the page, with every child shown (cases.readlog: a list is one insert).
    log = CaseAccessLog.objects.get(action="inzage huishouden")
    assert log.child_ids == child_ids_text(c.pk for c in children) and log.user == toegang_a


def test_household_page_logs_in_one_query_whatever_the_number_of_children(client, toegang_a, gemeente_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count_for(n):
        household = HouseholdFactory(gemeente=gemeente_a)
        ChildFactory.create_batch(n, gemeente=gemeente_a, household=household)
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("cases:household_detail", args=[household.pk]))
        return len(queries)

    client.force_login(toegang_a)
    assert count_for(1) == count_for(6)


def test_case_file_shows_owner_and_the_paying_gemeente(client, toegang_a, gemeente_a, gemeente_c):
    household = HouseholdFactory(gemeente=gemeente_a, residence_gemeente=gemeente_c, city="Verweg")
    Guardian.objects.create(household=household, name="Moeder", relation="moeder")
    child = ChildFactory(gemeente=gemeente_a, household=household, owner=toegang_a)
    client.force_login(toegang_a)
    body = client.get(reverse("cases:child_detail", args=[child.pk])).content.decode()
    assert "Casusregisseur" in body and "toegang_a" in body
    assert "Betalende gemeente" in body and "anders dan het dossier" in body


def test_register_a_child_with_the_new_households_address(client, toegang_a, gemeente_a, frozen_today):
    client.force_login(toegang_a)
    data = {
        "gemeente": gemeente_a.pk,
        "first_name": "Bo",
        "last_name": "Jansen",
        "birth_date": "2019-01-01",
        "household_name": "Gezin Jansen",
        "household_postcode": "2311 ab",
        "household_house_number": "7",
        "household_city": "Voorbeeldstad",
        "household_residence_gemeente": gemeente_a.pk,
    }
    bad = client.post(reverse("cases:child_register"), {**data, "household_postcode": "23"})
    assert bad.context["form"].errors["household_postcode"] == [
        "Dit is geen Nederlandse postcode. Schrijf hem als 1234 AB."
    ]
    assert not Child.objects.exists() and not Household.objects.exists()
    assert client.post(reverse("cases:child_register"), data).status_code == 302
    assert Child.objects.get().household.address == "2311 AB 7, Voorbeeldstad"


def test_moving_on_again_renames_the_open_handover_task(
    toegang_a, gemeente_a, gemeente_b, gemeente_c, family, frozen_today
):
    household, owned, _ = family
    services.household_update_address(user=toegang_a, household=household, address=address(gemeente_c, "8011 AA"))
    services.household_update_address(user=toegang_a, household=household, address=address(gemeente_b, "9401 AB"))
    task = Task.objects.open().get(child=owned)
    assert "Proefdorp" in task.title and Task.objects.filter(child=owned).count() == 1


def test_a_child_registered_into_a_household_paid_elsewhere_is_handed_over(
    toegang_a, gemeente_a, gemeente_c, family, frozen_today
):
    household, _, _ = family
    services.household_update_address(user=toegang_a, household=household, address=address(gemeente_c, "8011 AA"))
    baby = services.child_register(
        user=toegang_a, gemeente=gemeente_a, first_name="Lina", last_name="Benali",
        birth_date=frozen_today, household=household,
    )  # fmt: skip
    assert Task.objects.open().filter(kind=TaskKind.HANDOVER).count() == 3
    assert Task.objects.open().get(child=baby).owner == toegang_a
