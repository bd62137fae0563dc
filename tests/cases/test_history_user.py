"""Deleting a user keeps the history they wrote, with its user emptied (issue 14, migration 0030).

The history of households, children, referrals and trajectories has no foreign-key constraint on history_user
(an import writes it by the 100,000 and each row was checked at the commit). Django itself still sets it NULL
when a user is deleted through the ORM, on SQLite and PostgreSQL alike; this test fails if that stops.
"""

import pytest

from ..factories import TrajectoryFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_deleting_a_user_empties_history_user_of_what_they_wrote():
    trajectory = TrajectoryFactory()
    user = UserFactory()
    records = [trajectory.child.household, trajectory.child, trajectory.referral, trajectory]
    for record in records:
        record._history_user = user  # simple-history's way to name who made a change outside a request
        record.save()
    written = [(type(record), record.pk) for record in records]
    for model, pk in written:
        assert model.history.filter(id=pk, history_user=user).count() == 1

    user.delete()

    for model, pk in written:
        history = model.history.filter(id=pk).order_by("history_id")
        assert list(history.values_list("history_user_id", flat=True)) == [None, None], model.__name__
