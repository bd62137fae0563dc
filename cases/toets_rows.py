"""The rows of the toets queue's table, as HTML built in Python.

The template took over half of the page's Python time for its 25 rows (some 70,000 function calls a request: a
variable or filter is a dozen calls in the template engine, format_html's escaping about as many). Here a row is
one f-string: text from the database and the users goes through `escaped`, as the template's autoescape did;
numbers and dates need no escaping. The markup is the template's, cell by cell; the table, its caption and
headers stay in cases/toets/queue.html.
"""

import functools
import unicodedata

from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from .formatting import date, number
from .forms import escaped
from .links import url_with_pk
from .models import Extension, Trajectory


def _labels(model, field: str) -> dict:
    """A choice field's labels by value: get_FOO_display() rebuilds this dict at each call."""
    return {value: str(label) for value, label in model._meta.get_field(field).flatchoices}


UNIT_LABELS = _labels(Trajectory, "unit")
FREQUENCY_LABELS = _labels(Trajectory, "frequency")
STATUS_LABELS = _labels(Extension, "status")
SOURCE_LABELS = _labels(Trajectory._meta.get_field("referral").related_model, "source")
REASON_LENGTH = 120


def queue_row_html(extension) -> SafeString:
    """One pending request with what the toetser weighs beside it (the figures of toets_views._weigh)."""
    cells = (
        _days_left(extension),
        _requested(extension),
        _child(extension.trajectory.child),
        _trajectory(extension.trajectory),
        _against_norm(extension),
        _asked(extension),
        _earlier(extension),
        _decide_link(extension),
    )
    return mark_safe("<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")  # noqa: S308 - escaped below


def _lower_label(labels: dict, value) -> str:
    """get_FOO_display()|lower, escaped."""
    return escaped(str(labels.get(value, value)).lower())


def _day(moment) -> str:
    """The local date of a moment, as the template's `date:"d-m-Y"` showed it."""
    return "" if moment is None else f"{timezone.localtime(moment):%d-%m-%Y}"


def _days(n: int) -> str:
    return f"{n} dag" if n == 1 else f"{n} dagen"


def _shortened(text: str) -> str:
    """The template's truncatechars:120. Truncator walks the text a character at a time (it does not count
    combining characters); a short text in normal form is returned as it is without that walk."""
    if len(text) <= REASON_LENGTH and unicodedata.is_normalized("NFC", text):
        return text
    return Truncator(text).chars(REASON_LENGTH)


def _days_left(extension) -> str:
    days = extension.days_left
    if days < 0:
        left = f'<span class="badge badge-bad">{-days} dagen voorbij</span>'
    elif days <= 14:
        left = f'<span class="badge badge-warn">{_days(days)}</span>'
    else:
        left = f"{days} dagen"
    return f'{left}<br><span class="muted">einde {date(extension.trajectory.planned_end_date)}</span>'


def _requested(extension) -> str:
    return f'{_day(extension.requested_at)}<br><span class="muted">{_days(extension.waiting_days)} wachtend</span>'


def _child(child) -> str:
    return (
        f'{escaped(child.full_name)}<br><span class="muted">{child.case_number} · {escaped(child.gemeente.name)}</span>'
    )


def _trajectory(trajectory) -> str:
    referral = trajectory.referral
    referred = f" · verwezen door {_lower_label(SOURCE_LABELS, referral.source)}" if referral else ""
    product = trajectory.product
    return (
        f"<strong>{escaped(product.code)}</strong> {escaped(product.description)}"
        f'<br><span class="muted">{escaped(trajectory.provider.name)}{referred}</span>'
    )


def _against_norm(extension) -> str:
    trajectory = extension.trajectory
    beyond = ' <span class="badge badge-bad">boven norm</span>' if extension.beyond_norm else ""
    norm = (
        f"norm {escaped(extension.norm_volume_text)}"
        if extension.norm_volume_text
        else '<span class="muted">geen normvolume</span>'
    )
    above = ' <span class="badge badge-bad">volume boven norm</span>' if extension.volume_above_norm else ""
    earlier = extension.earlier_granted
    extended = f'<br><span class="badge badge-warn">{earlier}× eerder verlengd</span>' if earlier else ""
    return (
        f"loopt {trajectory.running} mnd; norm {trajectory.norm_months} mnd"
        f"<br>na verlenging {extension.total_months_if_granted} mnd{beyond}"
        f"<br>volume {number(extension.volume_if_granted, -2)} {_lower_label(UNIT_LABELS, trajectory.unit)} "
        f"{_lower_label(FREQUENCY_LABELS, trajectory.frequency)}; {norm}{above}{extended}"
    )


def _asked(extension) -> str:
    trajectory = extension.trajectory
    volume = ""
    if extension.requested_volume:
        now = number(trajectory.volume, -2)
        volume = f'<br>volume {number(extension.requested_volume, -2)} <span class="muted">(nu {now})</span>'
    return (
        f'tot {date(extension.requested_end_date)} <span class="muted">(nu {date(trajectory.planned_end_date)})</span>'
        f'{volume}<br><span class="muted">“{escaped(_shortened(extension.reason))}”</span>'
    )


def _earlier(extension) -> str:
    """The trajectory's decided requests, then its last changes; "geen" without either."""
    decided = extension.trajectory.decided_extensions
    changes = extension.trajectory_changes
    if not decided and not changes:
        return '<span class="muted">geen</span>'
    items = [
        f"<li>{_day(d.decided_at)}: verlenging {_lower_label(STATUS_LABELS, d.status)}"
        f"{f' tot {date(d.granted_end_date)}' if d.granted_end_date else ''}</li>"
        for d in decided
    ]
    for change in changes:
        lines = "; ".join(escaped(line) for line in change.changes)
        detail = f' <span class="muted">({lines})</span>' if change.changes else ""
        items.append(f"<li>{_day(change.at)}: {escaped(change.what.lower())} door {escaped(change.who)}{detail}</li>")
    return f'<ul class="compact">{"".join(items)}</ul>'


@functools.cache
def _decide_url(script_prefix: str) -> str:
    """The decision page's URL with '{}' for the pk, once a process (and script prefix: reverse() starts with it)."""
    return url_with_pk("cases:extension_decide")


def _decide_link(extension) -> str:
    url = _decide_url(get_script_prefix()).format(extension.pk)
    name = escaped(extension.trajectory.child.full_name)
    return f'<a class="button" href="{url}">Beoordelen<span class="visually-hidden"> verlenging {name}</span></a>'
