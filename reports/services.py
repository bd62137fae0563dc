"""The writes of the reports app: a user switching their own monthly email off or back on.

Only the beheerder adds people to the mailing list (the admin); users and the link in the email
can only switch an existing subscription.
"""

from cases.models import User
from cases.services import as_user

from .models import ReportSubscription


def subscription_set_active(*, subscription: ReportSubscription, active: bool, user: User) -> ReportSubscription:
    """Switch `subscription` on or off; `user` is who did it, for the history."""
    subscription.active = active
    as_user(subscription, user).save(update_fields=["active"])
    return subscription
