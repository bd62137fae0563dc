"""The beheerder's admin: role-based entry, gemeente scoping, history, a read-only inzagelog."""

from decimal import Decimal

import pytest
from django.urls import reverse

from cases.models import CaseAccessLog, Product, Role, Segment, User, YouthPopulation

from ..conftest import assert_accessible, login, screenshot
from ..factories import ChildFactory, UserFactory, ensure_catalogue

pytestmark = pytest.mark.django_db


@pytest.fixture
def beheer_b(gemeente_b):
    return UserFactory(username="beheer_b", role=Role.BEHEER, gemeenten=[gemeente_b], is_staff=True)


@pytest.fixture
def admin_client_a(client, beheer_a):
    client.force_login(beheer_a)
    return client


def _log(gemeente, user, bsn=None):
    child = ChildFactory(gemeente=gemeente, bsn=bsn)
    return CaseAccessLog.objects.create(user=user, child=child, case_number=child.case_number, gemeente=gemeente)


# --- who may enter -------------------------------------------------------------------------------


def test_beheerder_opens_the_admin(admin_client_a):
    response = admin_client_a.get(reverse("admin:index"))
    assert response.status_code == 200
    for name in ("Gemeenten", "Gebruikers", "Producten", "Segmenten", "Aanbieders", "Inzagelog"):
        assert name in response.text


def test_toegangsmedewerker_cannot_open_the_admin(client, toegang_a):
    client.force_login(toegang_a)
    for url in (reverse("admin:index"), reverse("admin:cases_product_changelist")):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))


def test_staff_user_without_beheer_role_cannot_open_the_admin(client, regisseur_a):
    regisseur_a.is_staff = True
    regisseur_a.save()
    client.force_login(regisseur_a)
    response = client.get(reverse("admin:cases_gemeente_changelist"))
    assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))
    login_page = client.get(response.url)
    assert "niet bevoegd om deze pagina te" in login_page.text
    assert "Voorbeeldstad" not in login_page.text


def test_beheer_role_without_staff_flag_cannot_open_the_admin(client, gemeente_a):
    user = UserFactory(role=Role.BEHEER, gemeenten=[gemeente_a], is_staff=False)
    client.force_login(user)
    assert client.get(reverse("admin:index")).status_code == 302


def test_superuser_sees_every_gemeente(client, gemeente_a, gemeente_b):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get(reverse("admin:cases_gemeente_changelist"))
    assert "Voorbeeldstad" in response.text and "Proefdorp" in response.text


# --- gemeenten -----------------------------------------------------------------------------------


def test_beheerder_sees_only_own_gemeente(admin_client_a, gemeente_b):
    response = admin_client_a.get(reverse("admin:cases_gemeente_changelist"))
    assert "Voorbeeldstad" in response.text
    assert "Proefdorp" not in response.text


def test_other_gemeente_by_url_shows_nothing_of_it(admin_client_a, gemeente_b):
    YouthPopulation.objects.create(gemeente=gemeente_b, year=2025, count=4321)
    change = admin_client_a.get(reverse("admin:cases_gemeente_change", args=[gemeente_b.pk]), follow=True)
    assert change.redirect_chain[0][0] == reverse("admin:index")  # Django's "does not exist" redirect
    assert "Proefdorp" not in change.text and "4321" not in change.text
    history = admin_client_a.get(reverse("admin:cases_gemeente_history", args=[gemeente_b.pk]))
    assert history.status_code == 404


def test_other_gemeente_cannot_be_changed_by_post(admin_client_a, gemeente_b):
    admin_client_a.post(
        reverse("admin:cases_gemeente_change", args=[gemeente_b.pk]),
        {"name": "Gekaapt", **_empty_inlines()},
    )
    gemeente_b.refresh_from_db()
    assert gemeente_b.name == "Proefdorp"


def _empty_inlines(populations=0, budgets=0):
    data = {}
    for prefix in ("youth_populations", "budgets"):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    return data


def test_beheerder_enters_youth_population_and_budget(admin_client_a, beheer_a, gemeente_a):
    segment = Segment.objects.get(number=5)
    data = {"name": "Voorbeeldstad", **_empty_inlines()}
    data.update(
        {
            "youth_populations-TOTAL_FORMS": "1",
            "youth_populations-0-year": "2026",
            "youth_populations-0-count": "15800",
            "budgets-TOTAL_FORMS": "1",
            "budgets-0-segment": str(segment.pk),
            "budgets-0-year": "2026",
            "budgets-0-amount": "4500000",
        }
    )
    response = admin_client_a.post(reverse("admin:cases_gemeente_change", args=[gemeente_a.pk]), data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    population = gemeente_a.youth_populations.get()
    assert (population.year, population.count) == (2026, 15800)
    assert gemeente_a.budgets.get().amount == Decimal("4500000")
    assert population.history.get().history_user == beheer_a


def test_beheerder_cannot_add_a_gemeente(admin_client_a):
    assert admin_client_a.get(reverse("admin:cases_gemeente_add")).status_code == 403


# --- users ---------------------------------------------------------------------------------------


def test_user_list_shows_only_users_of_own_gemeenten(admin_client_a, toegang_a, toegang_b):
    response = admin_client_a.get(reverse("admin:cases_user_changelist"))
    assert "toegang_a" in response.text
    assert "toegang_b" not in response.text
    change = admin_client_a.get(reverse("admin:cases_user_change", args=[toegang_b.pk]), follow=True)
    assert "toegang_b" not in change.text


def test_beheerder_adds_user_for_own_gemeente(admin_client_a, gemeente_a):
    response = admin_client_a.post(
        reverse("admin:cases_user_add"),
        {
            "username": "nieuw_toets",
            "usable_password": "true",
            "password1": "lang-genoeg-wachtwoord-1",
            "password2": "lang-genoeg-wachtwoord-1",
            "role": Role.TOETS,
            "gemeenten": [gemeente_a.pk],
            "first_name": "Nina",
            "last_name": "Toets",
            "email": "",
            "_save": "Opslaan",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="nieuw_toets")
    assert user.role == Role.TOETS and list(user.gemeenten.all()) == [gemeente_a]
    assert user.check_password("lang-genoeg-wachtwoord-1")


def test_beheerder_cannot_assign_other_gemeente(admin_client_a, toegang_a, gemeente_a, gemeente_b):
    response = admin_client_a.post(
        reverse("admin:cases_user_add"),
        {
            "username": "sluiproute",
            "usable_password": "true",
            "password1": "lang-genoeg-wachtwoord-1",
            "password2": "lang-genoeg-wachtwoord-1",
            "role": Role.TOEGANG,
            "gemeenten": [gemeente_b.pk],
        },
    )
    assert response.status_code == 200
    assert "geldige keuze" in response.text
    assert not User.objects.filter(username="sluiproute").exists()

    change = admin_client_a.post(
        reverse("admin:cases_user_change", args=[toegang_a.pk]),
        {
            "username": "toegang_a",
            "role": Role.TOEGANG,
            "gemeenten": [gemeente_a.pk, gemeente_b.pk],
            "is_active": "on",
            "first_name": "",
            "last_name": "",
            "email": "",
        },
    )
    assert change.status_code == 200 and "geldige keuze" in change.text
    assert list(toegang_a.gemeenten.all()) == [gemeente_a]


def test_user_needs_a_gemeente(admin_client_a):
    response = admin_client_a.post(
        reverse("admin:cases_user_add"),
        {
            "username": "zwerver",
            "usable_password": "true",
            "password1": "lang-genoeg-wachtwoord-1",
            "password2": "lang-genoeg-wachtwoord-1",
            "role": Role.TOEGANG,
        },
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="zwerver").exists()


def test_beheerder_cannot_make_a_superuser(admin_client_a, toegang_a, gemeente_a):
    response = admin_client_a.post(
        reverse("admin:cases_user_change", args=[toegang_a.pk]),
        {
            "username": "toegang_a",
            "role": Role.BEHEER,
            "gemeenten": [gemeente_a.pk],
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "first_name": "",
            "last_name": "",
            "email": "",
        },
    )
    assert response.status_code == 302
    toegang_a.refresh_from_db()
    assert toegang_a.role == Role.BEHEER and toegang_a.is_staff
    assert not toegang_a.is_superuser


def test_beheerder_changes_a_password(admin_client_a, toegang_a):
    url = reverse("admin:auth_user_password_change", args=[toegang_a.pk])
    response = admin_client_a.post(
        url, {"usable_password": "true", "password1": "nieuw-wachtwoord-2026", "password2": "nieuw-wachtwoord-2026"}
    )
    assert response.status_code == 302
    toegang_a.refresh_from_db()
    assert toegang_a.check_password("nieuw-wachtwoord-2026")


def test_user_of_another_gemeente_too_is_read_only(admin_client_a, gemeente_a, gemeente_b):
    # Resetting the password of someone who also works for B would open B's cases to A's beheerder.
    shared = UserFactory(username="gedeeld", gemeenten=[gemeente_a, gemeente_b])
    change_url = reverse("admin:cases_user_change", args=[shared.pk])
    assert admin_client_a.get(change_url).status_code == 200  # visible: shares gemeente A
    post = admin_client_a.post(
        change_url, {"username": "gedeeld", "role": Role.BEHEER, "gemeenten": [gemeente_a.pk], "is_active": "on"}
    )
    assert post.status_code == 403
    password = admin_client_a.post(
        reverse("admin:auth_user_password_change", args=[shared.pk]),
        {"usable_password": "true", "password1": "overgenomen-123456", "password2": "overgenomen-123456"},
    )
    assert password.status_code == 403
    shared.refresh_from_db()
    assert shared.role == Role.TOEGANG and shared.check_password("geheim-wachtwoord")
    assert shared.gemeenten.count() == 2


def test_user_list_query_count_does_not_grow(admin_client_a, gemeente_a, django_assert_max_num_queries):
    url = reverse("admin:cases_user_changelist")
    UserFactory.create_batch(2, gemeenten=[gemeente_a])
    with django_assert_max_num_queries(12) as small:
        admin_client_a.get(url)
    UserFactory.create_batch(40, gemeenten=[gemeente_a])
    with django_assert_max_num_queries(len(small.captured_queries)):
        admin_client_a.get(url)


# --- master data and history ---------------------------------------------------------------------


def test_beheerder_changes_tariff_and_history_names_them(admin_client_a, beheer_a):
    product = Product.objects.get(code="45A48")
    url = reverse("admin:cases_product_change", args=[product.pk])
    response = admin_client_a.post(
        url,
        {
            "segment": product.segment_id,
            "financing": "inspanning",
            "unit": "04",
            "tariff": "101.50",
            "norm_months": "9",
            "active": "on",
            "_save": "Opslaan",
        },
    )
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.tariff == Decimal("101.50") and product.norm_months == 9
    latest = product.history.latest()
    assert latest.history_user == beheer_a and latest.tariff == Decimal("101.50")
    history = admin_client_a.get(reverse("admin:cases_product_history", args=[product.pk]))
    assert history.status_code == 200
    assert "beheer_a" in history.text and "101,50" in history.text
    # A second change shows old → new.
    admin_client_a.post(
        url,
        {
            "segment": product.segment_id,
            "financing": "inspanning",
            "unit": "04",
            "tariff": "103.00",
            "norm_months": "9",
            "active": "on",
        },
    )
    history = admin_client_a.get(reverse("admin:cases_product_history", args=[product.pk]))
    assert "101.50 &rarr; 103.00" in history.text


def test_history_cannot_be_reverted(admin_client_a):
    product = Product.objects.get(code="45A48")
    product.save()  # catalogue rows are loaded without history; give it a version
    version = product.history.get()
    url = reverse("admin:cases_product_simple_history", args=[product.pk, version.history_id])
    assert admin_client_a.get(url).status_code == 200
    assert (
        admin_client_a.post(url, {"segment": product.segment_id, "financing": "taak", "unit": "04"}).status_code == 403
    )


def test_taakgericht_product_refuses_a_tariff(admin_client_a):
    product = Product.objects.get(code="45A48")
    response = admin_client_a.post(
        reverse("admin:cases_product_change", args=[product.pk]),
        {"segment": product.segment_id, "financing": "taak", "unit": "04", "tariff": "80", "active": "on"},
    )
    assert response.status_code == 200
    assert "Taakgerichte bekostiging kent geen prijs per casus" in response.text
    product.refresh_from_db()
    assert product.financing != "taak" and product.tariff is None


def test_product_list_filters_and_searches(admin_client_a):
    url = reverse("admin:cases_product_changelist")
    segment = Segment.objects.get(number=1)
    response = admin_client_a.get(url, {"segment__id__exact": segment.pk})
    assert response.status_code == 200
    shown = list(response.context["cl"].result_list)
    assert shown and all(p.segment_id == segment.pk for p in shown)
    found = admin_client_a.get(url, {"q": "45A48"})
    assert [p.code for p in found.context["cl"].result_list] == ["45A48"]


def test_product_list_query_count_does_not_grow(admin_client_a, django_assert_max_num_queries):
    # The catalogue has hundreds of products: page 1 (100 rows) costs as much as a page of 3.
    url = reverse("admin:cases_product_changelist")
    with django_assert_max_num_queries(12) as small:
        admin_client_a.get(url, {"q": "45A4"})
    with django_assert_max_num_queries(len(small.captured_queries)):
        admin_client_a.get(url)


# --- inzagelog -----------------------------------------------------------------------------------


def test_inzagelog_shows_own_gemeente_only_without_bsn(admin_client_a, toegang_a, toegang_b, gemeente_a, gemeente_b):
    own = _log(gemeente_a, toegang_a, bsn="999900006")
    other = _log(gemeente_b, toegang_b)
    response = admin_client_a.get(reverse("admin:cases_caseaccesslog_changelist"))
    assert own.case_number in response.text
    assert other.case_number not in response.text and "toegang_b" not in response.text
    assert "999900006" not in response.text
    detail = admin_client_a.get(reverse("admin:cases_caseaccesslog_change", args=[own.pk]))
    assert detail.status_code == 200 and "999900006" not in detail.text
    hidden = admin_client_a.get(reverse("admin:cases_caseaccesslog_change", args=[other.pk]), follow=True)
    assert other.case_number not in hidden.text


def test_inzagelog_cannot_be_added_changed_or_deleted(admin_client_a, toegang_a, gemeente_a):
    entry = _log(gemeente_a, toegang_a)
    assert admin_client_a.get(reverse("admin:cases_caseaccesslog_add")).status_code == 403
    change = admin_client_a.post(
        reverse("admin:cases_caseaccesslog_change", args=[entry.pk]), {"case_number": "JR-999999", "action": "x"}
    )
    assert change.status_code == 403
    assert (
        admin_client_a.post(reverse("admin:cases_caseaccesslog_delete", args=[entry.pk]), {"post": "yes"}).status_code
        == 403
    )
    bulk = admin_client_a.post(
        reverse("admin:cases_caseaccesslog_changelist"),
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302)
    entry.refresh_from_db()
    assert entry.case_number.startswith("JR-") and entry.case_number != "JR-999999"
    assert CaseAccessLog.objects.filter(pk=entry.pk).exists()


def test_inzagelog_filters_by_user_and_gemeente(admin_client_a, toegang_a, regisseur_a, gemeente_a):
    by_toegang = _log(gemeente_a, toegang_a)
    by_regisseur = _log(gemeente_a, regisseur_a)
    url = reverse("admin:cases_caseaccesslog_changelist")
    response = admin_client_a.get(url, {"user__id__exact": regisseur_a.pk, "gemeente": gemeente_a.pk})
    assert [e.pk for e in response.context["cl"].result_list] == [by_regisseur.pk]
    assert by_toegang.case_number not in response.text.split("<tbody>")[1]


def test_inzagelog_gemeente_filter_offers_only_own_gemeenten(admin_client_a, gemeente_b):
    response = admin_client_a.get(reverse("admin:cases_caseaccesslog_changelist"))
    assert "Proefdorp" not in response.text


def test_inzagelog_query_count_does_not_grow(admin_client_a, toegang_a, gemeente_a, django_assert_max_num_queries):
    url = reverse("admin:cases_caseaccesslog_changelist")
    for _ in range(2):
        _log(gemeente_a, toegang_a)
    with django_assert_max_num_queries(15) as small:
        admin_client_a.get(url)
    for user in UserFactory.create_batch(30, gemeenten=[gemeente_a]):
        _log(gemeente_a, user)
    with django_assert_max_num_queries(len(small.captured_queries)):
        admin_client_a.get(url)


def test_superuser_cannot_change_the_inzagelog_either(client, toegang_a, gemeente_a):
    entry = _log(gemeente_a, toegang_a)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(reverse("admin:cases_caseaccesslog_add")).status_code == 403
    assert client.post(reverse("admin:cases_caseaccesslog_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403


def test_case_data_is_not_in_the_admin(admin_client_a):
    index = admin_client_a.get(reverse("admin:index"))
    for name in ("Jeugdigen", "Huishoudens", "Verwijzingen", "Jeugdhulptrajecten"):
        assert name not in index.text


# --- in the browser ------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_beheerder_admin_pages_are_accessible(page, beheer_a, toegang_a, gemeente_a):
    _log(gemeente_a, toegang_a)
    login(page, "beheer_a")
    assert page.url.endswith("/admin/")
    assert page.get_by_role("link", name="Producten").first.is_visible()
    assert_accessible(page)
    screenshot(page, "beheer-index")

    ensure_catalogue()  # an earlier transactional test may have flushed the migrated catalogue
    product = Product.objects.get(code="45A48")
    page.goto(reverse("admin:cases_product_change", args=[product.pk]))
    page.get_by_label("Tarief per eenheid (€)").fill("99.00")
    assert_accessible(page)
    screenshot(page, "beheer-product")
    page.get_by_role("button", name="Opslaan", exact=True).click()
    page.wait_for_load_state("networkidle")
    product.refresh_from_db()
    assert product.tariff == Decimal("99.00")

    page.goto(reverse("admin:cases_product_history", args=[product.pk]))
    assert page.get_by_text("beheer_a").first.is_visible()
    assert_accessible(page)
    screenshot(page, "beheer-product-geschiedenis")

    page.goto(reverse("admin:cases_gemeente_change", args=[gemeente_a.pk]))
    assert page.get_by_role("heading", name="Jeugdpopulatie").is_visible()
    assert_accessible(page)
    screenshot(page, "beheer-gemeente")

    page.goto(reverse("admin:cases_user_change", args=[toegang_a.pk]))
    assert page.get_by_label("Voorbeeldstad (9901)").is_checked()
    assert_accessible(page)
    screenshot(page, "beheer-gebruiker")

    page.goto(reverse("admin:cases_caseaccesslog_changelist"))
    assert page.get_by_role("link", name="Inzage toevoegen").count() == 0
    assert_accessible(page)
    screenshot(page, "beheer-inzagelog")
