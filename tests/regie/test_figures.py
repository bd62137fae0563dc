"""The regisseur's stored figures (regie/figures.py): the evaluation stores what patronen, the Top N's provider
filter and its verblijf count show, equal to computing them live; the pages read them; a flag raised or
resolved by hand brings them up to date; without figures of today the pages compute them live."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from cases.codes import Financing
from cases.models import ExtensionStatus, Product
from regie import figures, flags, services
from regie.models import Flag, FlagCode, PatternGroup, RegieFigures
from regie.patterns import flagged_patterns
from regie.ranking import filter_providers
from regie.residential import residential_counts

from ..factories import ChildFactory, ExtensionFactory, ProviderFactory, ReferralFactory, TrajectoryFactory
from .test_regie_views import heavy_case
from .test_residential import _stay

pytestmark = pytest.mark.django_db


def _reference_priced_stay(child, provider):
    """Taakgericht care priced by the product's reference tariff: its cost is indicative."""
    product = Product.objects.get(code="43A07")
    product.financing, product.tariff, product.unit = Financing.TASK, None, "14"
    product.reference_tariff = Decimal("350.00")
    product.save()
    return TrajectoryFactory(
        child=child,
        provider=provider,
        product=product,
        start_date=dt.date(2025, 11, 3),
        planned_end_date=dt.date(2026, 12, 31),
        volume=Decimal("5"),
        unit="14",
        frequency="2",
        tariff=None,
        financing=Financing.TASK,
    )


def _quiet_case(gemeente, provider=None):
    """Running care below every threshold: no flag, not in the queue."""
    child = ChildFactory(gemeente=gemeente)
    TrajectoryFactory(
        child=child,
        start_date=dt.date(2026, 1, 5),
        planned_end_date=dt.date(2026, 12, 31),
        volume=Decimal("1"),
        **({"provider": provider} if provider else {}),
    )
    return child


def _mixed_cases(gemeente):
    """Groups of one, two and three trajectories (odd and even medians), a waiting child, a case without a
    referral, granted and refused extensions, indicative cost, and a child with two trajectories."""
    big, small = ProviderFactory(name="Groot Zorg"), ProviderFactory(name="Klein Zorg")
    for hours, source in (("20", "04"), ("25", "04"), ("30", "02")):
        heavy_case(gemeente, hours=hours, source=source, provider=big)
    twice = heavy_case(gemeente, hours="40", source="01", provider=small)
    _reference_priced_stay(twice, small)
    waiting = ChildFactory(gemeente=gemeente)
    TrajectoryFactory(
        child=waiting,
        referral=None,
        provider=small,
        start_date=dt.date(2025, 6, 2),
        actual_start_date=None,
        planned_end_date=dt.date(2026, 6, 1),
        volume=Decimal("35"),
    )
    extended = heavy_case(gemeente, hours="22", source="05", provider=big).trajectories.get()
    ExtensionFactory(trajectory=extended, status=ExtensionStatus.APPROVED, decision_reason="Akkoord")
    ExtensionFactory(trajectory=extended, status=ExtensionStatus.SHORTENED, decision_reason="Korter")
    ExtensionFactory(trajectory=extended, status=ExtensionStatus.REFUSED, decision_reason="Nee")
    _stay(ChildFactory(gemeente=gemeente), dt.date(2026, 2, 20))  # a new start in verblijf
    _quiet_case(gemeente, ProviderFactory(name="Zorg Zonder Signaal"))  # not flagged, not counted
    flags.evaluate_everything()


def _figures(groups):
    """The groups as the page shows them, in order (cost to the cent: SQLite sums money as floats)."""
    return {
        dimension: [
            (
                g.label,
                g.child_count,
                g.trajectories,
                round(g.cost, 2),
                round(g.indicative_cost, 2),
                g.median_days,
                g.extensions,
                g.extended_trajectories,
            )
            for g in rows
        ]
        for dimension, rows in groups.items()
    }


def test_stored_patterns_equal_the_live_computation(frozen_today, gemeente_a, gemeente_b):
    _mixed_cases(gemeente_a)
    heavy_case(gemeente_b, hours="30")
    flags.evaluate_everything()
    for gemeente in (gemeente_a, gemeente_b):
        stored, computed_at = figures.pattern_groups(gemeente, frozen_today)
        assert computed_at is not None  # read from the stored figures, not computed live
        assert _figures(stored) == _figures(flagged_patterns(gemeente, frozen_today))
    by_provider = {g.label: g for g in figures.pattern_groups(gemeente_a, frozen_today)[0]["provider"]}
    # The test means something: three children of Groot Zorg and one extended twice; Klein Zorg's indicative stay.
    assert (by_provider["Groot Zorg"].child_count, by_provider["Groot Zorg"].extensions) == (4, 2)
    assert by_provider["Klein Zorg"].indicative_cost > 0
    assert by_provider["Klein Zorg"].median_days == 119  # 0 (waiting), 119 (the stay since 3 Nov), 392: the middle one


def test_stored_queue_figures_equal_the_live_computation(frozen_today, gemeente_a):
    _mixed_cases(gemeente_a)
    stored = figures.queue_figures(gemeente_a, frozen_today)
    assert RegieFigures.objects.filter(gemeente=gemeente_a, as_of=frozen_today).exists()
    assert stored["providers"] == filter_providers(gemeente_a, frozen_today)
    assert {k: stored[k] for k in ("residential_count", "residential_new")} == residential_counts(
        gemeente_a, frozen_today
    )
    assert stored["residential_new"] == 1 and "Zorg Zonder Signaal" not in dict(stored["providers"]).values()


def test_pages_show_the_stored_figures_with_their_time(client, frozen_today, regisseur_a, gemeente_a):
    heavy_case(gemeente_a, hours="30", provider=ProviderFactory(name="Zorg Opgeslagen"))
    flags.evaluate_everything()
    # Changed behind the evaluation's back, so the page can only show it by reading the stored row.
    PatternGroup.objects.filter(gemeente=gemeente_a, label="Zorg Opgeslagen").update(child_count=77)
    RegieFigures.objects.filter(gemeente=gemeente_a).update(residential_count=55)
    client.force_login(regisseur_a)
    content = client.get(reverse("regie:patterns")).content.decode()
    assert '<th scope="row">Zorg Opgeslagen</th><td class="num">77</td>' in content
    assert "Stand van 02-03-2026 09:00" in content
    assert "alle 55 jeugdigen in verblijf" in client.get(reverse("regie:queue")).content.decode()


def test_without_figures_of_today_the_pages_compute_them_live(client, frozen_today, regisseur_a, gemeente_a):
    heavy_case(gemeente_a, hours="30", provider=ProviderFactory(name="Zorg Live"))
    flags.evaluate_everything()
    PatternGroup.objects.filter(gemeente=gemeente_a).update(child_count=77)
    RegieFigures.objects.filter(gemeente=gemeente_a).update(as_of=frozen_today - dt.timedelta(days=1))
    client.force_login(regisseur_a)
    content = client.get(reverse("regie:patterns")).content.decode()
    assert '<th scope="row">Zorg Live</th><td class="num">1</td>' in content
    assert "Stand van" not in content
    RegieFigures.objects.all().delete()  # a fresh install
    assert client.get(reverse("regie:queue")).status_code == 200
    assert dict(figures.queue_figures(gemeente_a, frozen_today)["providers"]) == dict(
        filter_providers(gemeente_a, frozen_today)
    )


def test_a_manual_flag_and_its_resolve_update_the_figures(
    client, frozen_today, regisseur_a, gemeente_a, django_capture_on_commit_callbacks
):
    heavy_case(gemeente_a, hours="30")
    quiet = _quiet_case(gemeente_a, ProviderFactory(name="Zorg Handmatig"))
    flags.evaluate_everything()
    assert "Zorg Handmatig" not in dict(figures.queue_figures(gemeente_a, frozen_today)["providers"]).values()
    with django_capture_on_commit_callbacks(execute=True):
        flag = services.flag_raise_manual(user=regisseur_a, child=quiet, reason="Zorgen over thuissituatie")
    assert "Zorg Handmatig" in dict(figures.queue_figures(gemeente_a, frozen_today)["providers"]).values()
    groups, computed_at = figures.pattern_groups(gemeente_a, frozen_today)
    assert computed_at is not None and "Zorg Handmatig" in [g.label for g in groups["provider"]]
    with django_capture_on_commit_callbacks(execute=True):
        services.flag_resolve(user=regisseur_a, flag=flag, note="Besproken met het gezin")
    assert not Flag.objects.filter(child=quiet, active=True, code=FlagCode.MANUAL).exists()
    groups, _ = figures.pattern_groups(gemeente_a, frozen_today)
    assert "Zorg Handmatig" not in [g.label for g in groups["provider"]]
    assert "Zorg Handmatig" not in dict(figures.queue_figures(gemeente_a, frozen_today)["providers"]).values()


def test_figures_are_per_gemeente_and_hold_no_child(frozen_today, gemeente_a, gemeente_b):
    child = heavy_case(gemeente_a, hours="30", provider=ProviderFactory(name="Zorg Alleen A"))
    ReferralFactory(child=child, source="03")
    flags.evaluate_everything()
    assert not PatternGroup.objects.filter(gemeente=gemeente_b).exists()
    groups, _ = figures.pattern_groups(gemeente_b, frozen_today)
    assert groups == {"source": [], "provider": [], "segment": []}
    stored_columns = {f.column for model in (PatternGroup, RegieFigures) for f in model._meta.concrete_fields}
    assert not any("child" in column and column != "child_count" for column in stored_columns)


def test_a_changed_case_refreshes_its_gemeente_after_commit(
    frozen_today, gemeente_a, django_capture_on_commit_callbacks
):
    heavy_case(gemeente_a, hours="30")
    flags.evaluate_everything()
    child = heavy_case(gemeente_a, hours="30", provider=ProviderFactory(name="Zorg Nieuw Vandaag"))
    with django_capture_on_commit_callbacks(execute=True):
        flags.evaluate(child_ids=[child.pk])  # what a change to the case file asks for
    assert "Zorg Nieuw Vandaag" in dict(figures.queue_figures(gemeente_a, frozen_today)["providers"]).values()


def test_changes_while_a_refresh_waits_queue_no_second_one(
    monkeypatch, frozen_today, gemeente_a, gemeente_b, django_capture_on_commit_callbacks
):
    from celery import current_app

    queued = []
    task = current_app.tasks[figures.REFRESH_TASK]
    monkeypatch.setattr(task, "apply_async", lambda args, **options: queued.append((args, options["countdown"])))
    with django_capture_on_commit_callbacks(execute=True):
        figures.request_refresh([gemeente_a.pk])
    with django_capture_on_commit_callbacks(execute=True):
        figures.request_refresh([gemeente_a.pk, gemeente_b.pk])
    assert queued == [([gemeente_a.pk], figures.REFRESH_DELAY), ([gemeente_b.pk], figures.REFRESH_DELAY)]
    figures.refresh(gemeente_a.pk)  # the waiting refresh runs: the next change asks for another
    with django_capture_on_commit_callbacks(execute=True):
        figures.request_refresh([gemeente_a.pk])
    assert queued[-1] == ([gemeente_a.pk], figures.REFRESH_DELAY)
    assert len(queued) == 3
