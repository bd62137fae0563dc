"""Finding a child: BSN (by POST, logged, never in a URL), case number variants, names with a typo or
tussenvoegsels, and only within the user's own gemeenten."""

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse

from cases.models import CaseAccessLog
from cases.search import parse_query, within_one_edit

from ..factories import ChildFactory, HouseholdFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("cases:search")


def search(client, text, **extra):
    """A search as the browser sends it: POST, then the results page after the redirect."""
    return client.post(URL, {"q": text}, follow=True, **extra)


def found(client, text):
    return list(search(client, text).context["results"])


# --- BSN ------------------------------------------------------------------------------------------


def test_bsn_opens_the_file_and_is_logged_as_a_search_by_bsn(client, toegang_a, gemeente_a):
    child = ChildFactory(gemeente=gemeente_a, bsn="999900006")
    client.force_login(toegang_a)
    response = client.post(URL, {"q": "9999 00 006"})
    assert response.status_code == 302 and response.url == reverse("cases:child_detail", args=[child.pk])
    log = CaseAccessLog.objects.get(action="zoeken op BSN")
    assert (log.user, log.child, log.gemeente) == (toegang_a, child, gemeente_a)
    page = client.get(response.url)
    assert "999900006" not in page.content.decode() and "999900006" not in page.request["PATH_INFO"]
    assert "999900006" not in str(dict(client.session))  # not kept for the Back button either


def test_bsn_is_never_searched_by_get(client, toegang_a, gemeente_a):
    ChildFactory(gemeente=gemeente_a, bsn="999900006")
    client.force_login(toegang_a)
    response = client.get(URL, {"q": "999900006"})
    assert response.status_code == 200 and list(response.context["results"]) == []
    assert not CaseAccessLog.objects.exists()


def test_bsn_of_another_gemeente_gets_the_same_answer_as_an_unknown_bsn(client, toegang_a, gemeente_a, gemeente_b):
    ChildFactory(gemeente=gemeente_b, bsn="999900006", last_name="Geheim")
    client.force_login(toegang_a)
    elsewhere = client.post(URL, {"q": "999900006"})
    unknown = client.post(URL, {"q": "111222333"})
    assert elsewhere.status_code == unknown.status_code == 200
    assert (
        elsewhere.context["message"]
        == unknown.context["message"]
        == ("Geen dossier gevonden met dit BSN in uw gemeenten.")
    )
    body = elsewhere.content.decode()
    assert "Geheim" not in body and "Proefdorp" not in body
    assert not CaseAccessLog.objects.exists()


def test_nine_digits_failing_the_elfproef_say_so(client, toegang_a, gemeente_a):
    client.force_login(toegang_a)
    response = client.post(URL, {"q": "123456789"})
    assert response.context["message"] == "Dit is geen geldig BSN (het voldoet niet aan de elfproef)."


def test_live_search_does_not_look_up_a_bsn_until_it_is_sent(client, toegang_a, gemeente_a):
    ChildFactory(gemeente=gemeente_a, bsn="999900006")
    client.force_login(toegang_a)
    response = client.post(URL, {"q": "999900006"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "Druk op Enter" in body and "<html" not in body
    assert not CaseAccessLog.objects.exists()


# --- case numbers -----------------------------------------------------------------------------------


def test_case_number_with_or_without_prefix_and_leading_zeros(client, toegang_a, gemeente_a):
    child = ChildFactory(gemeente=gemeente_a)
    client.force_login(toegang_a)
    pk = child.pk
    for text in (child.case_number, f"jr{pk}", f"JR {pk}", f"jr-{pk:04d}", str(pk), f"{pk:06d}"):
        assert found(client, text) == [child], text


def test_nine_digits_are_a_bsn_not_a_case_number():
    assert parse_query("999900006").kind == "bsn"
    assert parse_query("JR-999900006").kind == "case_number"
    assert parse_query("12345678").kind == "case_number"


def test_another_gemeentes_case_number_finds_nothing(client, toegang_a, gemeente_b):
    other = ChildFactory(gemeente=gemeente_b)
    client.force_login(toegang_a)
    assert found(client, other.case_number) == [] and found(client, str(other.pk)) == []


# --- names --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["jansne", "Jasnen", "Janssen", "Janen", "anna jansen", "Jnsen 17-05-2014"])
def test_a_name_with_one_typo_is_found(client, toegang_a, gemeente_a, typed):
    child = ChildFactory(gemeente=gemeente_a, first_name="Anna", last_name="Jansen")
    ChildFactory(gemeente=gemeente_a, first_name="Piet", last_name="Pietersen")
    client.force_login(toegang_a)
    assert found(client, typed) == [child]


@pytest.mark.parametrize("typed", ["Jnasne", "Jansenne", "Kik"])
def test_two_typos_or_a_typo_in_a_short_name_are_not_a_match(client, toegang_a, gemeente_a, typed):
    ChildFactory(gemeente=gemeente_a, first_name="Anna", last_name="Jansen")
    ChildFactory(gemeente=gemeente_a, first_name="Bo", last_name="Kok")
    client.force_login(toegang_a)
    assert found(client, typed) == []


@pytest.mark.parametrize(
    "typed", ["van der berg", "Berg, van den", "van den Berg", "berg", "Sanne vd Berg", "Sane v.d. Berg"]
)
def test_tussenvoegsels_in_any_order_or_spelling(client, toegang_a, gemeente_a, typed):
    split = ChildFactory(gemeente=gemeente_a, first_name="Sanne", name_prefix="van den", last_name="Berg")
    whole = ChildFactory(gemeente=gemeente_a, first_name="Sanne", last_name="van den Berg")
    client.force_login(toegang_a)
    assert set(found(client, typed)) == {split, whole}


def test_exact_matches_come_before_typo_matches(client, toegang_a, gemeente_a):
    typo = ChildFactory(gemeente=gemeente_a, first_name="Anna", last_name="Bakkr")
    exact = ChildFactory(gemeente=gemeente_a, first_name="Anna", last_name="Bakker")
    client.force_login(toegang_a)
    assert found(client, "bakker") == [exact, typo]


def test_names_of_another_gemeente_are_never_found(client, toegang_a, gemeente_a, gemeente_b):
    ChildFactory(gemeente=gemeente_b, first_name="Noor", last_name="Visser")
    client.force_login(toegang_a)
    for typed in ("Noor Visser", "vissr", "noor"):
        assert found(client, typed) == [], typed


def test_results_tell_households_apart_and_never_show_a_bsn(client, toegang_a, gemeente_a):
    owner = UserFactory(first_name="Fatima", last_name="Ouali", gemeenten=[gemeente_a])
    for postcode, number, bsn in (("1234 AB", "12", "999900006"), ("1235 CD", "3a", "111222333")):
        household = HouseholdFactory(
            gemeente=gemeente_a, name="Gezin Benali", postcode=postcode, house_number=number, city="Voorbeeldstad"
        )
        ChildFactory(gemeente=gemeente_a, household=household, last_name="Benali", bsn=bsn, owner=owner)
    client.force_login(toegang_a)
    response = search(client, "Benali")
    body = response.content.decode()
    assert len(response.context["results"]) == 2
    assert "1234 AB 12, Voorbeeldstad" in body and "1235 CD 3a, Voorbeeldstad" in body
    assert "Fatima Ouali" in body
    assert "999900006" not in body and "111222333" not in body


def test_a_result_row_links_the_file_and_household_and_escapes_the_names(client, toegang_a, gemeente_a):
    household = HouseholdFactory(gemeente=gemeente_a, name="Gezin <b>O'Brien</b>")
    child = ChildFactory(gemeente=gemeente_a, household=household, first_name="<i>Sean</i>", last_name="O'Brien")
    client.force_login(toegang_a)
    body = search(client, "O'Brien").content.decode()
    assert f'<a href="{reverse("cases:child_detail", args=[child.pk])}">{child.case_number}</a>' in body
    assert f'<a href="{reverse("cases:household_detail", args=[household.pk])}">' in body
    assert "&lt;i&gt;Sean&lt;/i&gt; O&#x27;Brien" in body and "Gezin &lt;b&gt;O&#x27;Brien&lt;/b&gt;" in body
    assert "<i>Sean</i>" not in body and "<b>O'Brien</b>" not in body
    assert '<span class="muted">niet toegewezen</span>' in body  # no casusregisseur


def test_search_is_post_redirect_get_and_back_shows_the_results_again(client, toegang_a, gemeente_a):
    child = ChildFactory(gemeente=gemeente_a, first_name="Noor", last_name="Visser", birth_date=dt.date(2012, 9, 3))
    client.force_login(toegang_a)
    response = client.post(URL, {"q": "Noor Visser 03-09-2012"})
    assert response.status_code == 302 and response.url == URL  # nothing of the search in the URL
    back = client.get(URL)  # what the Back button loads
    assert list(back.context["results"]) == [child]
    assert back["Cache-Control"].startswith("max-age=0") and "no-store" in back["Cache-Control"]


def test_live_search_returns_only_the_results_fragment(client, toegang_a, gemeente_a):
    ChildFactory(gemeente=gemeente_a, last_name="Mulder")
    client.force_login(toegang_a)
    response = client.post(URL, {"q": "Muldr"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "Mulder" in body and "<html" not in body


def test_results_are_limited(client, toegang_a, gemeente_a):
    ChildFactory.create_batch(52, gemeente=gemeente_a, last_name="Smit")
    client.force_login(toegang_a)
    response = search(client, "smit")
    assert len(response.context["results"]) == 50 and response.context["truncated"]


@pytest.mark.parametrize("exact", [49, 50, 51])
def test_typo_matches_follow_the_exact_ones_up_to_the_limit(client, toegang_a, gemeente_a, exact):
    typo = ChildFactory(gemeente=gemeente_a, first_name="Anna", last_name="Smti")
    ChildFactory.create_batch(exact, gemeente=gemeente_a, last_name="Smit")
    client.force_login(toegang_a)
    response = search(client, "smit")
    results = response.context["results"]
    assert len(results) == 50 and (typo in results) == (exact == 49)
    assert response.context["truncated"] == (exact > 49)  # the typo match is the 51st with 50 exact ones


def test_a_birth_date_alone_finds_the_children_born_that_day_in_own_gemeenten(
    client, toegang_a, gemeente_a, gemeente_b
):
    born = dt.date(2015, 3, 8)
    own = ChildFactory(gemeente=gemeente_a, last_name="Visser", birth_date=born)
    ChildFactory(gemeente=gemeente_a, last_name="Bakker", birth_date=dt.date(2015, 3, 9))
    ChildFactory(gemeente=gemeente_b, last_name="Aalders", birth_date=born)
    client.force_login(toegang_a)
    assert found(client, "08-03-2015") == [own]


def test_within_one_edit():
    assert within_one_edit("jansen", "jansen")
    assert within_one_edit("jansne", "jansen")  # swap
    assert within_one_edit("janen", "jansen") and within_one_edit("janssen", "jansen")
    assert within_one_edit("xansen", "jansen")
    assert not within_one_edit("jnasne", "jansen")
    assert not within_one_edit("jans", "jansen")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm ranks typo matches on PostgreSQL only")
def test_on_postgresql_typo_matches_are_ranked_by_trigram_similarity(client, toegang_a, gemeente_a):
    further = ChildFactory(gemeente=gemeente_a, first_name="Bram", last_name="Aartens")
    closer = ChildFactory(gemeente=gemeente_a, first_name="Bram", last_name="Martens")
    client.force_login(toegang_a)
    assert found(client, "Maartens") == [closer, further]  # alphabetically it would be the other way round


def test_a_tussenvoegsel_alone_finds_the_names_with_it(client, toegang_a, gemeente_a):
    child = ChildFactory(gemeente=gemeente_a, first_name="Bram", name_prefix="de", last_name="Wit")
    ChildFactory(gemeente=gemeente_a, first_name="Bram", last_name="Wit")
    client.force_login(toegang_a)
    assert found(client, "de") == [child]


def test_the_query_count_does_not_grow_with_the_matches(client, toegang_a, gemeente_a):
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    def count_for(n, name):
        ChildFactory.create_batch(n, gemeente=gemeente_a, last_name=name)
        client.post(URL, {"q": name[:-1] + "x"})  # one typo: the fuzzy path
        with CaptureQueriesContext(db) as queries:
            assert len(client.get(URL).context["results"]) == n
        return len(queries)

    client.force_login(toegang_a)
    assert count_for(2, "Hoekstra") == count_for(30, "Dijkstra")


@pytest.mark.parametrize("typed", ["Søren", "søren ørsted", "ØRSTED"])
def test_letters_beyond_ascii_match_from_the_start_of_the_name(client, toegang_a, gemeente_a, typed):
    child = ChildFactory(gemeente=gemeente_a, first_name="Søren", last_name="Ørsted")
    ChildFactory(gemeente=gemeente_a, first_name="Soren", last_name="Orsted-Berg")
    client.force_login(toegang_a)
    assert found(client, typed)[0] == child


def test_accents_are_not_needed_to_find_a_name(client, toegang_a, gemeente_a):
    child = ChildFactory(gemeente=gemeente_a, first_name="Zoë", last_name="Öztürk")
    client.force_login(toegang_a)
    assert found(client, "ozturk") == [child] and found(client, "Öztürk") == [child]
