"""Afschalen to a lighter product (issue 11): the old trajectory ends, the new one starts and follows it.

Both through the trajectory services, in one transaction: ending the old one is the work that closes
the regisseur's afschalen task on it (trajectory_end), and the decision measures its realised saving on
the trajectory that follows (regie/decisions.py).
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from .. import formatting
from ..models import Product, Provider, Trajectory
from .care import trajectory_end, trajectory_start
from .common import today


def _merge(errors: dict, exc: ValidationError, rename: dict[str, str] | None = None) -> None:
    """Add the service's errors to `errors` without replacing one already there (the first says it best)."""
    for field, messages in exc.message_dict.items():
        field = (rename or {}).get(field, field)
        errors.setdefault(field, " ".join(messages))


def trajectory_replace(
    *,
    user,
    trajectory: Trajectory,
    version: int,
    product: Product,
    provider: Provider,
    start_date: dt.date,
    planned_end_date: dt.date,
    volume: Decimal,
    frequency: str,
    end_reason: str,
    above_norm_reason: str = "",
) -> Trajectory:
    """Change a trajectory to another product: it ends the day before `start_date` with `end_reason`
    (JZ588), and a new trajectory of `product` starts on `start_date`, linked to it (`follows`).
    Every error of both steps at once; nothing is written unless both succeed."""
    errors: dict = {}
    if product is not None and product.pk == trajectory.product_id:
        errors["product"] = "Kies een ander product; voor minder volume van hetzelfde product kiest u Wijzigen."
    if start_date is not None and start_date <= trajectory.start_date:
        errors["start_date"] = (
            f"Het nieuwe traject start na de start van het huidige ({formatting.date(trajectory.start_date)})."
        )
    elif start_date is not None and start_date > today():
        errors["start_date"] = (
            f"De start ({formatting.date(start_date)}) ligt in de toekomst; zet het traject om als het zover is."
        )
    with transaction.atomic():
        try:
            trajectory_end(
                user=user,
                trajectory=trajectory,
                version=version,
                end_date=start_date - dt.timedelta(days=1),
                end_reason=end_reason,
            )
        except ValidationError as exc:
            _merge(errors, exc, {"end_date": "start_date"})
        try:
            new = trajectory_start(
                user=user,
                child=trajectory.child,
                referral=trajectory.referral,
                provider=provider,
                product=product,
                start_date=start_date,
                planned_end_date=planned_end_date,
                volume=volume,
                frequency=frequency,
                unit=product.unit,
                outside_budget=trajectory.outside_budget,
                outside_budget_reason=trajectory.outside_budget_reason,
                above_norm_reason=above_norm_reason,
                # The child is in care already: the new trajectory's care starts the day it starts.
                actual_start_date=start_date if trajectory.actual_start_date else None,
                follows=trajectory,
            )
        except ValidationError as exc:
            _merge(errors, exc)
        if errors:
            # Raised inside the transaction: the old trajectory's end is rolled back with it.
            raise ValidationError(errors)
    return new
