"""Residential care is always seen (DOMAIN.md §6, issue 11): the verblijf list shows every child in
residential care of the gemeente, new starts first, with the regisseur's decision; Mijn werk shows the new
starts; the queue links to the list.

Today is Monday 2 March 2026; a new start is one of the last 42 days (from 19 January 2026). Hand-computed
cost: € 300 per etmaal, 1 per day = € 300 a day = € 9.125,00 a month (365/12 days).
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import CaseAccessLog, Product
from regie import services as regie_services
from regie.models import DecisionKind
from regie.residential import residential_rows
from werk.windows import windows_for
from werk.worklists import Scope, new_residential

from ..factories import ChildFactory, TrajectoryFactory

pytestmark = pytest.mark.django_db


def _stay(child, start, **extra):
    product = Product.objects.filter(segment__is_residential=True).order_by("code").first()
    product.tariff, product.financing = Decimal("300.00"), "inspanning"
    product.save()
    return TrajectoryFactory(
        child=child,
        product=product,
        unit=product.unit,
        start_date=start,
        planned_end_date=dt.date(2026, 12, 31),
        volume=Decimal("1"),
        frequency="1",
        **extra,
    )


@pytest.fixture
def stays(gemeente_a, gemeente_b, regisseur_a):
    long_ago = ChildFactory(gemeente=gemeente_a)
    _stay(long_ago, dt.date(2025, 6, 2))
    new = ChildFactory(gemeente=gemeente_a)
    _stay(new, dt.date(2026, 2, 20))
    newish = ChildFactory(gemeente=gemeente_a)
    _stay(newish, dt.date(2026, 1, 19))
    ambulant = ChildFactory(gemeente=gemeente_a)
    TrajectoryFactory(child=ambulant, start_date=dt.date(2026, 2, 23), planned_end_date=dt.date(2026, 12, 31))
    ended = ChildFactory(gemeente=gemeente_a)
    _stay(ended, dt.date(2025, 5, 1), end_date=dt.date(2026, 1, 31), end_reason="31")
    elsewhere = ChildFactory(gemeente=gemeente_b)
    _stay(elsewhere, dt.date(2026, 2, 25))
    return {"long_ago": long_ago, "new": new, "newish": newish, "ambulant": ambulant, "elsewhere": elsewhere}


def test_every_child_in_residential_care_new_starts_first_with_decision_status(
    frozen_today, gemeente_a, regisseur_a, stays
):
    regie_services.decision_record(
        user=regisseur_a,
        child=stays["long_ago"],
        kind=DecisionKind.CONTINUE,
        reason="Plaatsing loopt volgens plan",
        follow_up_date=dt.date(2026, 6, 1),
        actor="regisseur",
    )
    rows = residential_rows([gemeente_a.pk], dt.date(2026, 3, 2))
    assert [r.child for r in rows] == [stays["new"], stays["newish"], stays["long_ago"]]
    assert [r.new for r in rows] == [True, True, False]
    assert [r.decided_since_start for r in rows] == [False, False, True]
    assert rows[2].decision_label == "Voortzetten (met reden)"
    assert rows[0].monthly_cost == Decimal("9125.00")
    assert rows[2].since == dt.date(2025, 6, 2)


def test_the_page_lists_them_logs_the_read_and_keeps_its_query_count(client, frozen_today, regisseur_a, stays):
    client.force_login(regisseur_a)
    response = client.get(reverse("regie:residential"))
    assert response.status_code == 200
    assert [r.child for r in response.context["rows"]] == [stays["new"], stays["newish"], stays["long_ago"]]
    text = response.text
    assert "<strong>3</strong> jeugdigen in verblijf, waarvan <strong>2</strong> nieuw gestart" in text
    assert text.count("geen besluit sinds de start") == 3 and stays["elsewhere"].case_number not in text
    log = CaseAccessLog.objects.filter(user=regisseur_a, action__icontains="verblijf").get()
    assert sorted(int(pk) for pk in log.child_ids.strip(",").split(",")) == sorted(
        c.pk for c in (stays["new"], stays["newish"], stays["long_ago"])
    )

    with CaptureQueriesContext(connection) as small:
        client.get(reverse("regie:residential"))
    for i in range(6):
        _stay(ChildFactory(gemeente=regisseur_a.gemeenten.get()), dt.date(2025, 3, 1 + i))
    with CaptureQueriesContext(connection) as large:
        assert len(client.get(reverse("regie:residential")).context["rows"]) == 9
    assert len(large.captured_queries) == len(small.captured_queries)


def test_only_the_regisseur_of_the_gemeente(client, frozen_today, regisseur_a, toegang_a, gemeente_b, stays):
    client.force_login(toegang_a)
    assert client.get(reverse("regie:residential")).status_code == 403
    client.force_login(regisseur_a)
    assert client.get(reverse("regie:residential"), {"gemeente": gemeente_b.code}).status_code == 404


def test_new_starts_on_mijn_werk_and_the_queue_links_the_list(client, frozen_today, gemeente_a, regisseur_a, stays):
    scope = Scope(user=regisseur_a, gemeente_ids=[gemeente_a.pk], today=dt.date(2026, 3, 2))
    section = new_residential(scope, windows_for(scope.gemeente_ids))
    assert section.count == 2 and [i.child for i in section.items] == [stays["new"], stays["newish"]]
    assert section.items[0].detail == "gestart 20-02-2026"
    client.force_login(regisseur_a)
    assert "Nieuwe verblijfsstarts" in client.get(reverse("werk:mine")).text
    queue = client.get(reverse("regie:queue"))
    assert queue.context["residential_count"] == 3 and queue.context["residential_new"] == 2
    assert 'href="/regie/verblijf/"' in queue.text and "alle 3 jeugdigen in verblijf" in queue.text


def test_a_long_list_is_paged_in_the_lists_order(client, frozen_today, regisseur_a, stays, monkeypatch):
    """A large gemeente has thousands of children in residential care: the list is paged, the order and the
    totals stay those of the whole list, and the read log holds only the children shown."""
    monkeypatch.setattr("regie.residential_views.PAGE_SIZE", 2)
    client.force_login(regisseur_a)
    first = client.get(reverse("regie:residential"))
    second = client.get(reverse("regie:residential") + "?pagina=2")
    assert [r.child for r in first.context["rows"]] == [stays["new"], stays["newish"]]
    assert [r.child for r in second.context["rows"]] == [stays["long_ago"]]
    for response in (first, second):
        assert "<strong>3</strong> jeugdigen in verblijf, waarvan <strong>2</strong> nieuw gestart" in response.text
    assert "Pagina 2 van 2" in second.text
    logged = CaseAccessLog.objects.filter(user=regisseur_a, action__icontains="verblijf").order_by("pk").last()
    assert logged.child_ids.strip(",") == str(stays["long_ago"].pk)
