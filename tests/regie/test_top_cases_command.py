"""`manage.py top_cases`: the Top N as the one Dutch CSV (without a BOM, for a terminal) or as JSON."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from regie import flags
from regie.ranking import top_cases

from .test_regie_views import heavy_case

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("top_cases", *args, stdout=out)
    return out.getvalue()


def test_csv_has_the_same_columns_in_the_one_dutch_csv(frozen_today, gemeente_a):
    dear, cheap = heavy_case(gemeente_a, hours="30"), heavy_case(gemeente_a, hours="2")
    flags.evaluate()
    scores = [row.score for row in top_cases(gemeente_a, today=frozen_today)]
    output = run("--gemeente", gemeente_a.code)
    assert not output.startswith("\ufeff")
    assert output.split("\r\n") == [
        "rank;case_number;score;flags",
        f"1;{dear.case_number};{str(scores[0]).replace('.', ',')};einddatum kosten",
        f"2;{cheap.case_number};{str(scores[1]).replace('.', ',')};einddatum",
        "",
    ]


def test_json_is_unchanged(frozen_today, gemeente_a):
    child = heavy_case(gemeente_a)
    flags.evaluate()
    score = top_cases(gemeente_a, today=frozen_today)[0].score
    records = json.loads(run("--gemeente", gemeente_a.code, "--format", "json", "--limit", "1"))
    assert records == [{"rank": 1, "case_number": child.case_number, "score": str(score), "flags": ["einddatum"]}]
