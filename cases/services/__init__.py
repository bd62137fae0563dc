"""Business writes on case files. Views, admin, commands and imports call these; none re-implement them.

Each function validates with Dutch messages (django ValidationError keyed by form field), writes in
one transaction, and records the acting user in the history. Call them as `services.trajectory_start(...)`
after `from cases import services`; the modules below are how the code is organised, not an API.
"""

from .care import (
    ConflictError,
    extension_check_transition,
    extension_decide,
    extension_request,
    review_plan,
    review_record,
    trajectory_change,
    trajectory_end,
    trajectory_record_start,
    trajectory_start,
)
from .children import BSN_ELSEWHERE, child_bsn_elsewhere, child_possible_duplicates, child_register
from .common import as_user
from .household import (
    Address,
    guardian_add,
    guardian_change,
    guardian_remove,
    household_handover,
    household_update_address,
)
from .replacement import trajectory_replace
from .work import (
    SCALE_DOWN_KEY_SUFFIX,
    child_set_owner,
    children_reassign,
    journal_add,
    journal_errors,
    task_cancel,
    task_create,
    task_done,
    tasks_done_by_work,
)

__all__ = [
    "trajectory_replace",
    "SCALE_DOWN_KEY_SUFFIX",
    "BSN_ELSEWHERE",
    "child_bsn_elsewhere",
    "Address",
    "guardian_add",
    "guardian_change",
    "guardian_remove",
    "household_handover",
    "household_update_address",
    "child_set_owner",
    "children_reassign",
    "journal_add",
    "journal_errors",
    "task_cancel",
    "task_create",
    "task_done",
    "tasks_done_by_work",
    "ConflictError",
    "as_user",
    "child_possible_duplicates",
    "child_register",
    "extension_check_transition",
    "extension_decide",
    "extension_request",
    "review_plan",
    "review_record",
    "trajectory_change",
    "trajectory_end",
    "trajectory_record_start",
    "trajectory_start",
]
