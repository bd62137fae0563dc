import csv
from io import StringIO

import pytest

from cases.csv_safety import safe_cell


@pytest.mark.parametrize("value", ["=SUM(A1:A9)", "+31612345678", "-2+3", "@cmd", "\t=1", "\r=1"])
def test_formula_cells_are_neutralised(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize(("value", "expected"), [("Jansen", "Jansen"), (12, "12"), (None, ""), ("a=b", "a=b")])
def test_other_cells_are_left_alone(value, expected):
    assert safe_cell(value) == expected


def test_a_written_csv_never_starts_a_cell_with_a_formula():
    out = StringIO()
    csv.writer(out, delimiter=";").writerow([safe_cell(v) for v in ['=HYPERLINK("http://x")', "Kind", "-1"]])
    cells = next(csv.reader(StringIO(out.getvalue()), delimiter=";"))
    assert [c[0] for c in cells] == ["'", "K", "'"]
