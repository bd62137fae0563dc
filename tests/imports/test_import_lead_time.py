"""The iJw import records when a provider asked (JW315) and when the gemeente allocated (JW301)."""

import datetime as dt

from referrals.models import AllocationRequest

from . import ijw_messages as msg
from .test_import_ijw import do_import, files, user  # noqa: F401 - user is a fixture


def _request():
    return AllocationRequest.objects.values_list("provider_reference", "requested_on", "allocated_on", "working_days")


def test_request_then_allocation_gives_the_lead_time(user, tmp_path):  # noqa: F811
    messages = [
        # Monday 20 January 2025 asked; Thursday 30 January allocated: 8 working days.
        ("1_jw315", msg.jw315("R-1", day=dt.date(2025, 1, 20))),
        ("2_jw301", msg.jw301("1001", reference="R-1", allocated=dt.datetime(2025, 1, 30, 10, 0))),
        # A later re-issue of the same allocation does not move the first answer.
        ("3_jw301", msg.jw301("1001", reference="R-1", allocated=dt.datetime(2025, 3, 3, 10, 0))),
    ]
    run, report = do_import(files(tmp_path, messages), user)
    assert report.ok, report.lines()
    assert list(_request()) == [("R-1", dt.date(2025, 1, 20), dt.date(2025, 1, 30), 8)]


def test_allocation_before_its_request_arrives_is_linked_when_the_request_comes(user, tmp_path):  # noqa: F811
    messages = [
        ("1_jw301", msg.jw301("1001", reference="R-1", allocated=dt.datetime(2025, 1, 22, 10, 0))),
        ("2_jw315", msg.jw315("R-1", day=dt.date(2025, 1, 20))),
    ]
    run, report = do_import(files(tmp_path, messages), user)
    assert report.ok, report.lines()
    assert list(_request()) == [("R-1", dt.date(2025, 1, 20), dt.date(2025, 1, 22), 2)]


def test_a_request_twice_is_recorded_once_and_a_dry_run_leaves_nothing(user, tmp_path):  # noqa: F811
    request = [("1_jw315", msg.jw315("R-1", day=dt.date(2025, 1, 20)))]
    do_import(files(tmp_path, request, folder="proef"), user, dry_run=True)
    assert not AllocationRequest.objects.exists()
    do_import(files(tmp_path, request), user)
    do_import(files(tmp_path, request, folder="nogmaals"), user)
    assert list(_request()) == [("R-1", dt.date(2025, 1, 20), None, None)]
