"""Writes with history, set-based: simple-history's bulk helpers with the importing user and reason.

bulk_create skips Model.save(), so everything save() would compute is computed here first
(Trajectory.daily_cost).
"""

from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from cases.models import Trajectory, daily_cost

BATCH_SIZE = 1000


class HistoryWriter:
    def __init__(self, *, user, reason: str):
        self.user = user
        self.reason = reason[:100]  # history_change_reason is a CharField(100)

    def create(self, objs: list, model) -> list:
        if not objs:
            return objs
        if model is Trajectory:
            for obj in objs:
                set_daily_cost(obj)
        return bulk_create_with_history(
            objs,
            model,
            batch_size=BATCH_SIZE,
            default_user=self.user,
            default_change_reason=self.reason,
            default_date=timezone.now(),
        )

    def update(self, objs: list, model, fields: list[str]) -> None:
        if not objs:
            return
        if model is Trajectory:
            for obj in objs:
                set_daily_cost(obj)
            fields = sorted(set(fields) | {"daily_cost", "version"})
        bulk_update_with_history(
            objs,
            model,
            fields,
            batch_size=BATCH_SIZE,
            default_user=self.user,
            default_change_reason=self.reason,
            default_date=timezone.now(),
        )


def set_daily_cost(trajectory: Trajectory) -> None:
    trajectory.daily_cost = daily_cost(
        tariff=trajectory.tariff,
        volume=trajectory.volume,
        frequency=trajectory.frequency,
        start=trajectory.start_date,
        planned_end=trajectory.planned_end_date,
    )
