"""The life of a flag in one table (Flag.TRANSITIONS): every allowed and every forbidden transition, by
the regisseur's services and by the evaluation's set-based SQL."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from regie import evaluation, flags
from regie import services as regie_services
from regie.models import Flag, FlagCode, FlagEvent, FlagState

from ..factories import ChildFactory, TrajectoryFactory

ALLOWED = {
    (None, FlagEvent.RAISE): FlagState.ACTIVE,
    (FlagState.ACTIVE, FlagEvent.REFRESH): FlagState.ACTIVE,
    (FlagState.ACTIVE, FlagEvent.RESOLVE): FlagState.RESOLVED,
    (FlagState.ACTIVE, FlagEvent.LAPSE): FlagState.LAPSED,
    (FlagState.RESOLVED, FlagEvent.REFRESH): FlagState.RESOLVED,
    (FlagState.RESOLVED, FlagEvent.LAPSE): FlagState.LAPSED,
    (FlagState.LAPSED, FlagEvent.RAISE_ANEW): FlagState.ACTIVE,
}


def flag_in(state: FlagState, code=FlagCode.PAST_END) -> Flag:
    return Flag(code=code, firing=state.firing, active=state.active)


def test_the_table_is_the_life_of_a_flag():
    table = {(state, event): after for state, events in Flag.TRANSITIONS.items() for event, after in events.items()}
    assert table == ALLOWED


@pytest.mark.parametrize("state", list(FlagState))
@pytest.mark.parametrize("event", list(FlagEvent))
def test_each_state_allows_only_its_events(state, event):
    flag = flag_in(state)
    if (state, event) in ALLOWED:
        assert flag.after(event) == ALLOWED[state, event]
    else:
        with pytest.raises(ValidationError):
            flag.after(event)


@pytest.mark.parametrize("state", [FlagState.RESOLVED, FlagState.LAPSED])
def test_resolving_a_resolved_or_lapsed_flag_is_refused_in_dutch(state):
    with pytest.raises(ValidationError) as refused:
        flag_in(state).after(FlagEvent.RESOLVE)
    assert refused.value.messages == ["Dit signaal is al afgehandeld."]


def test_a_manual_flag_never_lapses():
    with pytest.raises(ValidationError) as refused:
        flag_in(FlagState.ACTIVE, code=FlagCode.MANUAL).after(FlagEvent.LAPSE)
    assert refused.value.messages == ["Een actief signaal laten vervallen kan niet."]


def test_the_columns_hold_each_state_and_nothing_else():
    for state in FlagState:
        assert FlagState.of(firing=state.firing, active=state.active) == state
    with pytest.raises(ValueError):
        FlagState.of(firing=False, active=True)


def test_the_evaluation_writes_the_states_of_the_table():
    # Its SQL reads `firing` as "the rule holds": the states a candidate refreshes and an absence lapses.
    firing = {state for state in FlagState if state.firing}
    assert firing == {s for s in FlagState if FlagEvent.REFRESH in Flag.TRANSITIONS[s]}
    assert firing == {s for s in FlagState if FlagEvent.LAPSE in Flag.TRANSITIONS[s]}
    assert all(Flag.TRANSITIONS[s][FlagEvent.REFRESH] == s for s in firing)
    assert evaluation.RAISED == evaluation.RAISED_ANEW == FlagState.ACTIVE
    assert evaluation.LAPSED == FlagState.LAPSED


# --- walked through the engine and the services --------------------------------------------------------


def past_end(child):
    return TrajectoryFactory(child=child, planned_end_date=dt.date(2026, 2, 2))


def state_of(flag) -> FlagState:
    flag.refresh_from_db()
    return flag.state


@pytest.mark.django_db
def test_engine_raises_refreshes_lapses_and_raises_anew(frozen_today, gemeente_a):
    trajectory = past_end(ChildFactory(gemeente=gemeente_a))
    flags.evaluate()
    flag = Flag.objects.get(code=FlagCode.PAST_END)
    assert state_of(flag) == FlagState.ACTIVE
    trajectory.planned_end_date = dt.date(2026, 1, 2)
    trajectory.save()
    flags.evaluate()
    assert state_of(flag) == FlagState.ACTIVE and flag.value == 59
    trajectory.planned_end_date = dt.date(2026, 6, 1)
    trajectory.save()
    flags.evaluate()
    assert state_of(flag) == FlagState.LAPSED and flag.resolution_note == evaluation.LAPSED_NOTE
    trajectory.planned_end_date = dt.date(2026, 2, 2)
    trajectory.save()
    flags.evaluate()
    assert state_of(flag) == FlagState.ACTIVE and flag.resolution_note == "" and flag.resolved_at is None


@pytest.mark.django_db
def test_resolved_flag_is_refreshed_not_reopened_and_lapses_with_the_regisseurs_note(
    frozen_today, gemeente_a, regisseur_a
):
    trajectory = past_end(ChildFactory(gemeente=gemeente_a))
    flags.evaluate()
    flag = Flag.objects.get(code=FlagCode.PAST_END)
    regie_services.flag_resolve(user=regisseur_a, flag=flag, note="Verlenging is onderweg")
    assert state_of(flag) == FlagState.RESOLVED
    trajectory.planned_end_date = dt.date(2026, 1, 2)
    trajectory.save()
    flags.evaluate()
    assert state_of(flag) == FlagState.RESOLVED and flag.value == 59
    trajectory.planned_end_date = dt.date(2026, 6, 1)
    trajectory.save()
    flags.evaluate()
    assert state_of(flag) == FlagState.LAPSED
    assert flag.resolved_by == regisseur_a and flag.resolution_note == "Verlenging is onderweg"


@pytest.mark.django_db
def test_regisseur_cannot_resolve_a_resolved_flag_twice(frozen_today, gemeente_a, regisseur_a):
    flag = regie_services.flag_raise_manual(
        user=regisseur_a, child=ChildFactory(gemeente=gemeente_a), reason="Zorgen van school"
    )
    assert state_of(flag) == FlagState.ACTIVE
    regie_services.flag_resolve(user=regisseur_a, flag=flag, note="Besproken")
    with pytest.raises(ValidationError) as refused:
        regie_services.flag_resolve(user=regisseur_a, flag=flag, note="Nog eens")
    assert refused.value.messages == ["Dit signaal is al afgehandeld."]
    assert state_of(flag) == FlagState.RESOLVED and flag.resolution_note == "Besproken"


@pytest.mark.django_db
def test_regisseur_cannot_resolve_a_lapsed_flag(frozen_today, gemeente_a, regisseur_a):
    trajectory = past_end(ChildFactory(gemeente=gemeente_a))
    flags.evaluate()
    flag = Flag.objects.get(code=FlagCode.PAST_END)
    trajectory.planned_end_date = dt.date(2026, 6, 1)
    trajectory.save()
    flags.evaluate()
    with pytest.raises(ValidationError) as refused:
        regie_services.flag_resolve(user=regisseur_a, flag=flag, note="Te laat")
    assert refused.value.messages == ["Dit signaal is al afgehandeld."]
    assert state_of(flag) == FlagState.LAPSED and flag.resolution_note == evaluation.LAPSED_NOTE
    assert flag.resolved_by is None


@pytest.mark.django_db
def test_evaluation_never_lapses_a_manual_flag(frozen_today, gemeente_a, regisseur_a):
    flag = regie_services.flag_raise_manual(
        user=regisseur_a, child=ChildFactory(gemeente=gemeente_a), reason="Zorgen van school"
    )
    assert flags.evaluate().lapsed == 0
    assert state_of(flag) == FlagState.ACTIVE
