"""The regisseur's pages: queue, CSV, case-file flags and decisions, escalations, patterns."""

import csv
import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from cases.models import Role
from regie import flags
from regie.models import Decision, Flag, RegieSettings

from ..factories import ChildFactory, ProviderFactory, ReferralFactory, TrajectoryFactory, UserFactory

pytestmark = pytest.mark.django_db


def heavy_case(gemeente, *, hours="2", outside=False, provider=None, source="02"):
    child = ChildFactory(gemeente=gemeente)
    referral = ReferralFactory(child=child, source=source, date=dt.date(2024, 12, 1))
    TrajectoryFactory(
        child=child,
        referral=referral,
        start_date=dt.date(2025, 2, 3),
        planned_end_date=dt.date(2026, 2, 2),
        volume=Decimal(hours),
        outside_budget=outside,
        outside_budget_reason="Maatwerk" if outside else "",
        **({"provider": provider} if provider else {}),
    )
    return child


def cases(gemeente, n):
    made = [heavy_case(gemeente, hours=str(2 + i)) for i in range(n)]
    flags.evaluate()
    return made


def test_queue_ranks_by_score_and_explains_flags(client, frozen_today, regisseur_a, gemeente_a):
    cheap, dear = heavy_case(gemeente_a, hours="2"), heavy_case(gemeente_a, hours="30")
    flags.evaluate()
    client.force_login(regisseur_a)
    response = client.get(reverse("regie:queue"))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [r.child for r in rows] == [dear, cheap]
    assert rows[0].score > rows[1].score
    content = response.content.decode()
    assert "geplande einddatum 02-02-2026 is 28 dagen verstreken" in content
    assert "Hoe de score wordt berekend" in content


def test_queue_respects_top_n_and_filters_in_the_url(client, frozen_today, regisseur_a, gemeente_a):
    special = ProviderFactory(name="Bijzondere Zorg")
    cases(gemeente_a, 4)
    outside = heavy_case(gemeente_a, outside=True, provider=special, source="04")
    flags.evaluate()
    RegieSettings.objects.create(gemeente=gemeente_a, top_n=3)
    client.force_login(regisseur_a)
    assert len(client.get(reverse("regie:queue")).context["rows"]) == 3
    for query in ({"signaal": "buiten_budget"}, {"aanbieder": special.pk}, {"verwijzer": "04"}):
        rows = client.get(reverse("regie:queue"), query).context["rows"]
        assert [r.child for r in rows] == [outside], query


def test_queue_csv_has_case_numbers_never_names_or_bsn(client, frozen_today, regisseur_a, gemeente_a):
    child = heavy_case(gemeente_a)
    child.bsn = "999900006"
    child.save()
    flags.evaluate()
    client.force_login(regisseur_a)
    response = client.get(reverse("regie:queue_csv"), {"signaal": "einddatum"})
    body = response.content.decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    assert child.case_number in body and "einddatum" in body
    assert child.last_name not in body and "999900006" not in body


def test_queue_csv_is_the_one_dutch_csv_with_the_same_columns(client, frozen_today, regisseur_a, gemeente_a):
    provider = ProviderFactory(name='=HYPERLINK("http://x")')
    child = heavy_case(gemeente_a, provider=provider)
    flags.evaluate()
    client.force_login(regisseur_a)
    body = client.get(reverse("regie:queue_csv")).content.decode("utf-8")
    assert body.startswith("\ufeff")
    header, line = body.removeprefix("\ufeff").splitlines()
    assert header.split(";") == [
        "rang",
        "dossiernummer",
        "score",
        "signalen",
        "toelichting",
        "kosten dit jaar",
        "verplicht",
        "looptijd (maanden)",
        "verwijzer",
        "aanbieder",
        "lopende trajecten gezin",
        "terug omdat",
    ]
    cells = next(csv.reader([line], delimiter=";"))
    row = client.get(reverse("regie:queue")).context["rows"][0]
    assert cells[:3] == ["1", child.case_number, str(row.score).replace(".", ",")] and "," in cells[2]
    assert cells[3] == "einddatum"
    assert cells[5:8] == [str(round(row.cost_this_year)), str(round(row.committed)), str(row.running_months)]
    assert cells[9] == '\'=HYPERLINK("http://x")'  # the formula guard: text to a spreadsheet, never a formula


def test_queue_is_for_regisseurs_and_own_gemeente_only(client, frozen_today, toegang_a, regisseur_a, gemeente_b):
    other = heavy_case(gemeente_b)
    flags.evaluate()
    client.force_login(toegang_a)
    assert client.get(reverse("regie:queue")).status_code == 403
    client.force_login(regisseur_a)
    assert other not in [r.child for r in client.get(reverse("regie:queue")).context["rows"]]
    assert client.get(reverse("regie:queue"), {"gemeente": gemeente_b.code}).status_code == 404


PAGES = ["regie:queue", "regie:queue_csv", "regie:escalations", "regie:patterns"]


@pytest.mark.parametrize("name", PAGES)
def test_another_gemeente_or_an_unknown_code_in_the_url_is_404(client, frozen_today, regisseur_a, gemeente_b, name):
    heavy_case(gemeente_b)
    flags.evaluate()
    client.force_login(regisseur_a)
    assert client.get(reverse(name), {"gemeente": gemeente_b.code}).status_code == 404
    assert client.get(reverse(name), {"gemeente": "0000"}).status_code == 404
    assert client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", PAGES)
def test_regisseur_of_two_gemeenten_opens_the_second(client, frozen_today, gemeente_a, gemeente_b, name):
    regisseur = UserFactory(username="regisseur_ab", role=Role.REGISSEUR, gemeenten=[gemeente_a, gemeente_b])
    child = heavy_case(gemeente_b)
    flags.evaluate()
    client.force_login(regisseur)
    response = client.get(reverse(name), {"gemeente": gemeente_b.code})
    assert response.status_code == 200
    if name == "regie:queue_csv":
        assert child.case_number in response.content.decode("utf-8-sig")
        assert f"top-{gemeente_b.code}-" in response["Content-Disposition"]
    else:
        assert f"· {gemeente_b.name}" in response.content.decode()
    if name == "regie:queue":
        assert [r.child for r in response.context["rows"]] == [child]
        assert client.get(reverse(name), {"gemeente": gemeente_a.code}).context["rows"] == []


def test_queue_and_patterns_query_count_does_not_grow(client, frozen_today, regisseur_a, gemeente_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(regisseur_a)

    def counts():
        from django.core.cache import cache

        cache.clear()  # the provider filter list is cached: count both calls the same way, uncached
        result = []
        for name in ("regie:queue", "regie:patterns", "regie:escalations"):
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(reverse(name)).status_code == 200
            result.append(len(ctx.captured_queries))
        return result

    cases(gemeente_a, 3)
    small = counts()
    cases(gemeente_a, 40)
    assert counts() == small
    assert small[0] <= 18


def test_decision_takes_case_out_until_it_gets_worse(client, frozen_today, regisseur_a, gemeente_a):
    child = heavy_case(gemeente_a)
    flags.evaluate()
    client.force_login(regisseur_a)
    response = client.post(
        reverse("regie:decision_create", args=[child.pk]),
        {
            "besluit-kind": "continue",
            "besluit-reason": "Loopt volgens plan; evaluatie in april",
            "besluit-follow_up_date": "2026-04-01",
            "besluit-actor": "toegangsteam",
        },
    )
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert decision.decided_by == regisseur_a and decision.flag_codes == "einddatum"
    assert decision.history.count() == 1
    assert not client.get(reverse("regie:queue")).context["rows"]

    # A week later a new flag, and more cost, bring it back before the follow-up date, with the reasons.
    with time_machine.travel(dt.datetime(2026, 3, 9, 9, 0, tzinfo=dt.UTC), tick=False):
        TrajectoryFactory(
            child=child,
            start_date=dt.date(2025, 6, 2),
            planned_end_date=dt.date(2027, 1, 1),
            outside_budget=True,
            outside_budget_reason="Niet-gecontracteerde aanbieder",
        )
        flags.evaluate()
        client.force_login(regisseur_a)  # the session of a week ago has expired
        rows = client.get(reverse("regie:queue")).context["rows"]
    assert [r.child for r in rows] == [child]
    assert "nieuw signaal na het besluit" in rows[0].back_because
    assert "kosten gestegen van € 10.667 naar" in rows[0].back_because


def test_decision_with_bad_input_saves_nothing(client, frozen_today, regisseur_a, gemeente_a):
    child = heavy_case(gemeente_a)
    client.force_login(regisseur_a)
    response = client.post(
        reverse("regie:decision_create", args=[child.pk]),
        {
            "besluit-kind": "end",
            "besluit-reason": "Doelen bereikt",
            "besluit-follow_up_date": "2026-03-01",
            "besluit-actor": "regisseur",
        },
        follow=True,
    )
    assert not Decision.objects.exists()
    assert "De vervolgdatum ligt na vandaag." in response.content.decode()


def test_only_regisseur_decides_and_outsider_gets_404(client, frozen_today, toegang_a, regisseur_a, gemeente_b):
    other = heavy_case(gemeente_b)
    data = {"besluit-kind": "end", "besluit-reason": "x", "besluit-follow_up_date": "2026-04-01", "besluit-actor": "x"}
    client.force_login(toegang_a)
    assert client.post(reverse("regie:decision_create", args=[other.pk]), data).status_code == 403
    client.force_login(regisseur_a)
    assert client.post(reverse("regie:decision_create", args=[other.pk]), data).status_code == 404
    flags.evaluate()
    flag = Flag.objects.get(child=other)
    assert client.post(reverse("regie:flag_resolve", args=[flag.pk]), {"note": "x"}).status_code == 404


def test_case_file_shows_flags_forms_only_for_regisseur(client, frozen_today, toegang_a, regisseur_a, gemeente_a):
    child = heavy_case(gemeente_a)
    flags.evaluate()
    client.force_login(toegang_a)
    content = client.get(reverse("cases:child_detail", args=[child.pk])).content.decode()
    assert "geplande einddatum 02-02-2026 is 28 dagen verstreken" in content
    assert "Besluit vastleggen" not in content
    client.force_login(regisseur_a)
    content = client.get(reverse("cases:child_detail", args=[child.pk])).content.decode()
    assert "Besluit vastleggen" in content and "Signaal toevoegen" in content


def test_regisseur_flags_by_hand_and_resolves(client, frozen_today, regisseur_a, gemeente_a):
    child = heavy_case(gemeente_a)
    client.force_login(regisseur_a)
    client.post(reverse("regie:flag_create", args=[child.pk]), {"signaal-reason": "Zorgen van school"})
    flag = Flag.objects.get(child=child, code="handmatig")
    assert flag.raised_by == regisseur_a and flag.active
    client.post(reverse("regie:flag_resolve", args=[flag.pk]), {"note": "Besproken met school"})
    flag.refresh_from_db()
    assert not flag.active and flag.resolved_by == regisseur_a and flag.resolution_note == "Besproken met school"
    response = client.post(reverse("regie:flag_resolve", args=[flag.pk]), {"note": "nog eens"}, follow=True)
    assert "Dit signaal is al afgehandeld." in response.content.decode()


def test_escalations_list_for_regisseur_and_beleid(client, frozen_today, regisseur_a, beleid_a, gemeente_a):
    child = heavy_case(gemeente_a)
    flags.evaluate()
    client.force_login(regisseur_a)
    client.post(
        reverse("regie:decision_create", args=[child.pk]),
        {
            "besluit-kind": "escalate",
            "besluit-reason": "Kosten boven € 200.000",
            "besluit-follow_up_date": "2026-04-15",
            "besluit-actor": "directeur en wethouder",
            "besluit-question": "Mag de gemeente boven het plafond inkopen?",
        },
    )
    content = client.get(reverse("regie:escalations")).content.decode()
    assert "Mag de gemeente boven het plafond inkopen?" in content
    assert child.full_name in content
    assert '<td class="num">€ 10.667</td>' in content  # the open cost at the decision, in Dutch
    client.force_login(beleid_a)
    content = client.get(reverse("regie:escalations")).content.decode()
    assert child.case_number in content and child.full_name not in content


def test_patterns_group_flagged_cases(client, frozen_today, regisseur_a, gemeente_a):
    heavy_case(gemeente_a, source="04")
    heavy_case(gemeente_a, source="04")
    heavy_case(gemeente_a, source="02")
    flags.evaluate()
    client.force_login(regisseur_a)
    sections = {key: rows for key, _, rows in client.get(reverse("regie:patterns")).context["sections"]}
    by_source = {r.label: r for r in sections["verwijzer"]}
    assert by_source["Gecertificeerde instelling (GI)"].child_count == 2
    assert by_source["Huisarts"].child_count == 1


def test_pages_show_money_and_numbers_in_dutch(client, frozen_today, regisseur_a, gemeente_a):
    child = heavy_case(gemeente_a, hours="30")
    flags.evaluate()
    client.force_login(regisseur_a)
    queue = client.get(reverse("regie:queue"))
    row = queue.context["rows"][0]
    assert row.child == child and row.cost_this_year > 1000 and row.score > 100
    content = queue.content.decode()
    assert f'">€ {round(row.cost_this_year):,}</td>'.replace(",", ".") in content
    assert f"Verplicht tot geplande einde: € {round(row.committed):,}".replace(",", ".") in content
    assert f'<td class="num">{round(row.score)}</td>' in content
    assert "lopende zorg kost € " in content
    assert "kosten meer dan 10% hoger dan bij het besluit" in content
    patterns = client.get(reverse("regie:patterns"))
    group = dict((key, rows) for key, _, rows in patterns.context["sections"])["aanbieder"][0]
    content = patterns.content.decode()
    assert f'<td class="num">€ {round(group.cost):,}</td>'.replace(",", ".") in content
    assert f'<td class="num">{str(group.median_months).replace(".", ",")} mnd</td>' in content
    assert '<td class="num">0%</td>' in content  # no extensions: none of its trajectories extended
