"""The Top 32's rows built in Python (regie/queue_html.py) give the markup of the template loop they
replaced, escaping included: that loop is kept here as the reference, rendered over the same rows."""

import datetime as dt
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

from django.template import engines
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from cases.models import Child
from regie.models import DecisionKind, FlagCode
from regie.queue_html import queue_rows_html
from regie.ranking import QueueRow

TODAY = dt.date(2026, 3, 2)

# The loop of regie/templates/regie/queue.html before the rows were built in Python.
TEMPLATE_LOOP = (Path(__file__).parent / "queue_rows_template.html").read_text().removesuffix("\n")


def _template_rows(rows) -> str:
    for row in rows:  # what the view set on each row for the template (regie/views.py before)
        row.chips_html = format_html_join(
            "",
            '<span class="chip" title="{}">{}{}{}</span>',
            (
                (
                    chip["title"],
                    chip["label"],
                    format_html(" <strong>{}</strong>", chip["number"]) if chip["number"] else "",
                    f" ({chip['count']}×)" if chip["count"] > 1 else "",
                )
                for chip in row.chips
            ),
        )
        row.flags_html = format_html_join("", "<li><strong>{}</strong>: {}</li>", row.flag_items)
    return engines["django"].from_string(TEMPLATE_LOOP).render({"rows": rows, "today": TODAY})


def _flag(code, value=None, detail="", reason="", norm=None, reference_date=None):
    return SimpleNamespace(
        child_id=7, code=code, value=value, norm=norm, detail=detail, reference_date=reference_date, reason=reason
    )


def _rows():
    odd = Child(pk=7, first_name="Zoë <b>", last_name='O\'Brien & "Co"')
    plain = Child(pk=8, first_name="Sem", last_name="Jansen")
    decided = QueueRow(
        rank=1,
        child=odd,
        score=Decimal("1234.5"),
        flags=[
            _flag(FlagCode.COST, Decimal("123456.78"), norm=Decimal("50000")),
            _flag(FlagCode.DURATION, Decimal("19"), detail="45A48 bij <Zorg & Co>", norm=Decimal("12")),
            _flag(FlagCode.DURATION, Decimal("14"), detail="45A49 bij 'Praktijk'", norm=Decimal("12")),
            _flag(FlagCode.MANUAL, reason='School meldt "verzuim" <script>'),
        ],
        cost_this_year=Decimal("45678.9"),
        committed=Decimal("1200"),
        running_months=19,
        sources=["Huisarts", "Gemeente / toegang"],
        providers=["Zorg & Co", "<Praktijk>"],
        household_open=3,
        back_because="vervolgdatum 01-03-2026 bereikt; kosten gestegen van € 1.000 naar € 2.000",
        decision={
            "kind": DecisionKind.SCALE_DOWN,
            "decided_at": timezone.make_aware(dt.datetime(2026, 1, 31, 23, 30)),
            "follow_up_date": dt.date(2026, 3, 1),
        },
        open_tasks=[
            SimpleNamespace(title='Afschalen <traject> & "volume"', due_date=dt.date(2026, 2, 27)),
            SimpleNamespace(title="Bellen", due_date=dt.date(2026, 3, 20)),
        ],
        indicative=True,
    )
    waiting_task = QueueRow(
        rank=2,
        child=plain,
        score=Decimal("80"),
        decision={"kind": DecisionKind.CONTINUE, "decided_at": timezone.now(), "follow_up_date": TODAY},
        open_tasks=[SimpleNamespace(title="Nagaan", due_date=dt.date(2026, 3, 9))],
    )
    bare = QueueRow(rank=3, child=Child(pk=9, first_name="Bo", last_name="Smit"), score=Decimal("0"))
    back_only = QueueRow(
        rank=4, child=Child(pk=10, first_name="Ay", last_name="Kaya"), score=Decimal("5"), back_because="nieuw signaal"
    )
    return [decided, waiting_task, bare, back_only]


def test_the_rows_built_in_python_are_the_template_loop_they_replaced():
    rows = _rows()
    html = "<tbody>\n  " + queue_rows_html(rows, TODAY) + "\n  </tbody>"
    assert html == _template_rows(rows)
    # The escaping the comparison covers, and every kind of row.
    assert "Zoë &lt;b&gt; O&#x27;Brien &amp; &quot;Co&quot;" in html and "<script>" not in html
    assert ">taak te laat +1</span>" in html and ">taak 09-03</span>" in html
