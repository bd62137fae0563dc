"""Issue 12, volume norms on every path: change and extension ask a reason above the norm, the toets sees volume
against the norm in the queue, the beheerder edits the norm (zero refused), iJw refuses the impossible."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases import services
from cases.models import Extension, Product, Trajectory
from imports.models import IjwPendingMessage

from ..factories import (
    ChildFactory,
    ExtensionFactory,
    GemeenteFactory,
    ProviderFactory,
    TrajectoryFactory,
    UserFactory,
    ensure_catalogue,
)
from ..imports import ijw_messages as msg
from ..imports.test_import_ijw import do_import, files
from .test_volume_norms import normed_product

pytestmark = pytest.mark.django_db


def _trajectory(gemeente, volume="2", reason=""):
    # 3 hours a week is the norm; the trajectory runs 3 February 2025 - 2 February 2026, per week.
    return TrajectoryFactory(
        child=ChildFactory(gemeente=gemeente),
        product=normed_product("3", "2"),
        volume=Decimal(volume),
        above_norm_reason=reason,
        start_date=dt.date(2025, 9, 1),
        planned_end_date=dt.date(2026, 4, 30),
    )


def _change(user, trajectory, volume, reason=""):
    return services.trajectory_change(
        user=user,
        trajectory=trajectory,
        version=trajectory.version,
        provider=trajectory.provider,
        start_date=trajectory.start_date,
        planned_end_date=trajectory.planned_end_date,
        volume=Decimal(volume),
        frequency="2",
        outside_budget=False,
        outside_budget_reason="",
        above_norm_reason=reason,
    )


def test_a_change_above_the_norm_needs_a_reason(frozen_today, toegang_a, gemeente_a):
    trajectory = _trajectory(gemeente_a)
    with pytest.raises(ValidationError) as error:
        _change(toegang_a, trajectory, "3.5")
    assert error.value.message_dict["above_norm_reason"][0].startswith(
        "Het volume (3,50 uur per week) ligt boven de norm voor 45A48 (3 uur per week)."
    )
    trajectory.refresh_from_db()
    assert (trajectory.volume, trajectory.above_norm_reason) == (Decimal("2"), "")
    changed = _change(toegang_a, trajectory, "3.5", "Tijdelijk meer na terugval")
    assert (changed.volume, changed.above_norm_reason) == (Decimal("3.5"), "Tijdelijk meer na terugval")
    # Back to the norm exactly: no reason is kept.
    assert _change(toegang_a, changed, "3").above_norm_reason == ""


def _request(user, trajectory, volume=None, reason=""):
    return services.extension_request(
        user=user,
        trajectory=trajectory,
        requested_end_date=dt.date(2026, 10, 31),
        reason="Doelen nog niet bereikt",
        requested_volume=Decimal(volume) if volume else None,
        above_norm_reason=reason,
    )


@pytest.mark.parametrize("volume, needs_reason", [("2.99", False), ("3", False), ("3.01", True)])
def test_an_extension_just_under_at_and_over_the_norm(frozen_today, toegang_a, gemeente_a, volume, needs_reason):
    trajectory = _trajectory(gemeente_a)
    if needs_reason:
        with pytest.raises(ValidationError) as error:
            _request(toegang_a, trajectory, volume)
        assert "(3,01 uur per week) ligt boven de norm" in error.value.message_dict["above_norm_reason"][0]
        assert not Extension.objects.exists()
    else:
        assert _request(toegang_a, trajectory, volume).above_norm_reason == ""


def test_extending_a_trajectory_already_above_the_norm_asks_the_reason_again(frozen_today, toegang_a, gemeente_a):
    trajectory = _trajectory(gemeente_a, volume="4", reason="Na crisisopname")
    with pytest.raises(ValidationError) as error:
        _request(toegang_a, trajectory)
    assert "(4 uur per week) ligt boven de norm" in error.value.message_dict["above_norm_reason"][0]
    assert _request(toegang_a, trajectory, reason="Nog steeds intensief").above_norm_reason == "Nog steeds intensief"


def test_the_extension_form_keeps_everything_and_shows_the_norm_error(frozen_today, client, toegang_a, gemeente_a):
    trajectory = _trajectory(gemeente_a, volume="4", reason="Na crisisopname")
    client.force_login(toegang_a)
    url = reverse("cases:extension_request", args=[trajectory.pk])
    # The reason of the start is offered again.
    assert 'value="Na crisisopname"' in client.get(url).text
    data = {"requested_end_date": "2026-10-31", "requested_volume": "5", "reason": "Doelen", "above_norm_reason": ""}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "(5 uur per week) ligt boven de norm voor 45A48 (3 uur per week)" in response.text
    assert 'value="2026-10-31"' in response.text and 'value="5"' in response.text
    assert not Extension.objects.exists()
    response = client.post(url, {**data, "above_norm_reason": "Gezin in crisis"})
    assert response.status_code == 302
    assert Extension.objects.get().above_norm_reason == "Gezin in crisis"


def test_an_impossible_extension_volume_is_refused(frozen_today, toegang_a, gemeente_a):
    with pytest.raises(ValidationError) as error:
        _request(toegang_a, _trajectory(gemeente_a), "200")
    assert error.value.message_dict["requested_volume"][0].startswith("Volume 200 uur per week kan niet")


def test_granting_above_the_norm_carries_the_reason_onto_the_trajectory(frozen_today, toets_a, toegang_a, gemeente_a):
    trajectory = _trajectory(gemeente_a)
    extension = _request(toegang_a, trajectory, "4", "Gezin in crisis")
    services.extension_decide(user=toets_a, extension=extension, decision="approved", reason="Akkoord")
    trajectory.refresh_from_db()
    assert (trajectory.volume, trajectory.above_norm_reason) == (Decimal("4"), "Gezin in crisis")


def test_a_shortened_grant_above_the_norm_keeps_the_toets_motivation(frozen_today, toets_a, toegang_a, gemeente_a):
    trajectory = _trajectory(gemeente_a)
    extension = _request(toegang_a, trajectory)  # same volume, within the norm
    services.extension_decide(
        user=toets_a,
        extension=extension,
        decision="shortened",
        reason="Korter, maar tijdelijk intensiever",
        granted_end_date=dt.date(2026, 7, 31),
        granted_volume=Decimal("5"),
    )
    trajectory.refresh_from_db()
    assert (trajectory.volume, trajectory.planned_end_date) == (Decimal("5"), dt.date(2026, 7, 31))
    assert trajectory.above_norm_reason == "Korter, maar tijdelijk intensiever"


def test_the_toets_queue_shows_volume_against_the_norm(frozen_today, client, toets_a, gemeente_a):
    over = ExtensionFactory(trajectory=_trajectory(gemeente_a), requested_volume=Decimal("4"))
    under = ExtensionFactory(trajectory=_trajectory(gemeente_a, volume="2.5"))
    client.force_login(toets_a)
    response = client.get(reverse("cases:extension_queue"))
    rows = {e.pk: e for e in response.context["extensions"]}
    assert rows[over.pk].volume_above_norm and not rows[under.pk].volume_above_norm
    text = response.text
    assert "volume 4 uur per week; norm 3 uur per week" in text
    assert "volume 2,50 uur per week; norm 3 uur per week" in text
    assert text.count("volume boven norm</span>") == 1
    assert "<title>Verlengingen toetsen · jeugdregie</title>" in text


def test_the_beheerder_sets_a_volume_norm_with_history_and_zero_is_refused(client, beheer_a):
    client.force_login(beheer_a)
    product = Product.objects.get(code="45A48")
    url = reverse("admin:cases_product_change", args=[product.pk])
    data = {"segment": product.segment_id, "financing": "inspanning", "unit": "04", "tariff": "95", "active": "on"}
    response = client.post(url, {**data, "norm_volume": "0", "norm_frequency": "2"})
    assert response.status_code == 200 and "Een normvolume moet groter dan nul zijn." in response.text
    response = client.post(url, {**data, "norm_volume": "2.5", "norm_frequency": "2"})
    assert response.status_code == 302
    product.refresh_from_db()
    assert (product.norm_volume, product.norm_frequency) == (Decimal("2.5"), "2")
    assert product.history.latest().history_user == beheer_a


def test_a_jw317_asking_an_impossible_volume_is_refused(tmp_path, db):
    diemen = GemeenteFactory(code="0384", name="Diemen")
    ProviderFactory(agb_code="42420001", name="Jeugdhulp Noord")
    ensure_catalogue()
    Product.objects.filter(code="45A48").update(tariff=Decimal("95.00"))
    user = UserFactory(username="beheer_ijw", role="beheer", gemeenten=[diemen])
    do_import(files(tmp_path, [("1", msg.jw301("1001"))]), user)
    run, report = do_import(files(tmp_path, [("2", msg.jw317("1001", volume=200))], folder="b"), user)
    assert not report.ok
    assert report.problems[0].message.startswith("Volume 200 uur per week kan niet")
    assert not Extension.objects.exists() and not IjwPendingMessage.objects.exists()
    assert Trajectory.objects.get().volume == Decimal("2")
